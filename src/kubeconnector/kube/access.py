"""Identity, server version and permission reviews for one connector.

`whoami` asks the API server (SelfSubjectReview ``authentication.k8s.io/v1``, then
``v1beta1``) and falls back to reading the credential itself when neither is served or allowed.
`rules_review` returns a SelfSubjectRulesReview's raw rules for one namespace; `access_review`
answers one SelfSubjectAccessReview. Reviews create nothing, so they are sent as idempotent
(retried on 5xx like a GET).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from kubeconnector.errors import ApiError
from kubeconnector.kube.identity import Identity, from_user_info, local_identity
from kubeconnector.kube.kubeconfig_checks import Credential

_AUTHN = "authentication.k8s.io"
_AUTHZ = "/apis/authorization.k8s.io/v1"
# Not served (404, 405 on old servers) or not allowed (403): try the next source.
_UNAVAILABLE = frozenset({403, 404, 405})


class Requester(Protocol):
    """What these calls need from `kubeconnector.kube.transport.ClusterClient`."""

    @property
    def credential(self) -> Credential: ...  # pragma: no cover

    def request(
        self,
        method: str,
        path: str,
        query: Any = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
        *,
        idempotent: bool | None = None,
    ) -> dict[str, Any]: ...  # pragma: no cover


@dataclass(frozen=True)
class ServerVersion:
    """The API server's ``/version``.

    Attributes:
        git_version: E.g. ``v1.31.2``.
        major: E.g. ``1``.
        minor: E.g. ``31``.
        platform: E.g. ``linux/amd64``.
        raw: The whole answer.
    """

    git_version: str
    major: str
    minor: str
    platform: str
    raw: dict[str, Any] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class RulesReview:
    """A SelfSubjectRulesReview's answer for one namespace (rules as the server sent them).

    Attributes:
        namespace: The namespace reviewed.
        resource_rules: ``status.resourceRules``.
        non_resource_rules: ``status.nonResourceRules``.
        incomplete: The server could not enumerate every rule.
        evaluation_error: Why, when the server says.
    """

    namespace: str
    resource_rules: list[dict[str, Any]]
    non_resource_rules: list[dict[str, Any]]
    incomplete: bool
    evaluation_error: str = ""


@dataclass(frozen=True)
class AccessDecision:
    """A SelfSubjectAccessReview's answer.

    Attributes:
        allowed: The action is allowed.
        denied: An authorizer denied it explicitly (never with RBAC alone).
        reason: The authorizer's reason, if any.
        evaluation_error: An error while evaluating, if any.
    """

    allowed: bool
    denied: bool = False
    reason: str = ""
    evaluation_error: str = ""


def whoami(client: Requester) -> Identity:
    """The connector's identity, as the API server sees it when it can say.

    Raises:
        Unauthorized: The credential is refused.
        ClusterError: Any other failure than SelfSubjectReview being unavailable.
    """
    for version, source in (("v1", "SelfSubjectReview"), ("v1beta1", "SelfSubjectReview/v1beta1")):
        body = {"apiVersion": f"{_AUTHN}/{version}", "kind": "SelfSubjectReview"}
        path = f"/apis/{_AUTHN}/{version}/selfsubjectreviews"
        try:
            answer = client.request("POST", path, body=body, idempotent=True)
        except ApiError as err:
            if err.code not in _UNAVAILABLE:
                raise
            continue
        return from_user_info((answer.get("status") or {}).get("userInfo") or {}, source)
    return local_identity(client.credential)


def server_version(client: Requester) -> ServerVersion:
    """The API server's version (``GET /version``)."""
    raw = client.request("GET", "/version")
    return ServerVersion(
        git_version=str(raw.get("gitVersion", "")),
        major=str(raw.get("major", "")),
        minor=str(raw.get("minor", "")),
        platform=str(raw.get("platform", "")),
        raw=raw,
    )


def rules_review(client: Requester, namespace: str) -> RulesReview:
    """What the connector may do in `namespace` (cluster-wide rules included)."""
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectRulesReview",
        "spec": {"namespace": namespace},
    }
    answer = client.request("POST", f"{_AUTHZ}/selfsubjectrulesreviews", body=body, idempotent=True)
    status = answer.get("status") or {}
    return RulesReview(
        namespace=namespace,
        resource_rules=list(status.get("resourceRules") or []),
        non_resource_rules=list(status.get("nonResourceRules") or []),
        incomplete=bool(status.get("incomplete", False)),
        evaluation_error=str(status.get("evaluationError") or ""),
    )


def access_review(
    client: Requester,
    verb: str,
    group: str,
    resource: str,
    subresource: str = "",
    namespace: str = "",
    name: str = "",
) -> AccessDecision:
    """Whether the connector may perform one action (SelfSubjectAccessReview)."""
    attributes = {
        "verb": verb,
        "group": group,
        "resource": resource,
        "subresource": subresource,
        "namespace": namespace,
        "name": name,
    }
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {"resourceAttributes": {k: v for k, v in attributes.items() if v}},
    }
    answer = client.request(
        "POST", f"{_AUTHZ}/selfsubjectaccessreviews", body=body, idempotent=True
    )
    status = answer.get("status") or {}
    return AccessDecision(
        allowed=bool(status.get("allowed", False)),
        denied=bool(status.get("denied", False)),
        reason=str(status.get("reason") or ""),
        evaluation_error=str(status.get("evaluationError") or ""),
    )
