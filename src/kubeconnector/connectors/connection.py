"""The connection test: server, version, identity, and the permission report with its fix.

`check_connection` makes, in order: ``GET /version``, a SelfSubjectReview (with the fallbacks of
`kubeconnector.kube.whoami`), then one SelfSubjectRulesReview in a namespace that cannot exist
(what holds cluster-wide) plus one per namespace in scope (the connector's Namespace and any
namespace asked for): one call per namespace, never one per permission cell. The permission
report, which actions can run and the minimal Role/ClusterRole YAML that would fix what is
missing come from `kubeconnector.rbac`.

A failure does not raise: it ends the test and is reported as a `ConnectionProblem` whose
category says what to do about it, with whatever was learnt before.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubeconnector.errors import (
    ApiError,
    ClusterError,
    ClusterUnreachable,
    Forbidden,
    TLSError,
    Unauthorized,
)
from kubeconnector.kube import Identity, ServerVersion, rules_review, server_version, whoami
from kubeconnector.kube.access import Requester
from kubeconnector.kube.access import RulesReview as RawRulesReview
from kubeconnector.models import Connector
from kubeconnector.rbac import (
    PermissionReport,
    RulesReview,
    build_report,
    fix_yaml,
    probe_namespace,
)

UNKNOWN_IDENTITY = "REPLACE-WITH-THE-CONNECTOR-IDENTITY"

UNREACHABLE = "unreachable"
TLS = "tls"
UNAUTHORIZED = "unauthorized"
FORBIDDEN = "forbidden"
API_ERROR = "api-error"
ERROR = "error"

_STEPS = {
    "version": "read the server version (GET /version)",
    "identity": "review its own identity (SelfSubjectReview)",
    "permissions": "review its own permissions (SelfSubjectRulesReview)",
}


class Client(Requester, Protocol):
    """What the test needs of `kubeconnector.kube.ClusterClient`."""

    @property
    def server(self) -> str:
        """The API server URL."""
        ...  # pragma: no cover

    @property
    def endpoint(self) -> str:
        """``host:port`` of the API server."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class ConnectionProblem:
    """Why a connection test stopped.

    Attributes:
        category: ``unreachable``, ``tls``, ``unauthorized``, ``forbidden``, ``api-error`` or
            ``error``.
        step: ``version``, ``identity`` or ``permissions``: what was being done.
        message: What went wrong (never a credential).
        hint: What to do about it.
        error: The error raised (for mapping to exit codes and HTTP statuses).
    """

    category: str
    step: str
    message: str
    hint: str
    error: ClusterError = field(repr=False, compare=False)

    @property
    def line(self) -> str:
        """The problem and the hint in one sentence."""
        return f"{self.message}; {self.hint}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready problem."""
        return {
            "category": self.category,
            "step": self.step,
            "message": self.message,
            "hint": self.hint,
            "reason": self.error.reason,
        }


@dataclass(frozen=True)
class ConnectionReport:
    """What a connection test found.

    Attributes:
        connector: The connector tested.
        server: The API server URL.
        version: The server version (None when it could not be read).
        identity: The authenticated identity (None when it could not be read).
        permissions: The permission report (None when the reviews failed).
        fix_yaml: Role/ClusterRole and binding YAML granting what is missing (``""``: nothing).
        reviewed_namespaces: The namespaces the rules reviews were made in (probe first).
        problem: Why the test stopped, or None when it completed.
        duration_s: How long the test took.
    """

    connector: Connector
    server: str
    version: ServerVersion | None
    identity: Identity | None
    permissions: PermissionReport | None
    fix_yaml: str
    reviewed_namespaces: tuple[str, ...]
    problem: ConnectionProblem | None
    duration_s: float

    @property
    def connected(self) -> bool:
        """Every step completed (permissions may still be missing)."""
        return self.problem is None

    @property
    def warnings(self) -> tuple[str, ...]:
        """The connector's warnings (e.g. insecure TLS)."""
        return self.connector.warnings

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "connector": {"id": self.connector.id, "name": self.connector.name},
            "connected": self.connected,
            "server": self.server,
            "version": _version_dict(self.version),
            "identity": self.identity.to_dict() if self.identity else None,
            "permissions": self.permissions.to_dict() if self.permissions else None,
            "fixYaml": self.fix_yaml,
            "reviewedNamespaces": list(self.reviewed_namespaces),
            "warnings": list(self.warnings),
            "problem": self.problem.to_dict() if self.problem else None,
            "durationS": round(self.duration_s, 3),
        }


@dataclass
class _Found:
    version: ServerVersion | None = None
    identity: Identity | None = None
    permissions: PermissionReport | None = None
    namespaces: tuple[str, ...] = ()


def check_connection(
    client: Client,
    connector: Connector,
    *,
    namespaces: Sequence[str] = (),
    probe_suffix: str | None = None,
    timer: Callable[[], float] = time.monotonic,
) -> ConnectionReport:
    """Test a connector's connection and permissions.

    Args:
        client: The connector's cluster client.
        connector: The connector (its Namespace is reviewed when it has one).
        namespaces: More namespaces to review (grants only present there are reported).
        probe_suffix: The suffix of the probe namespace (random by default).
        timer: A monotonic clock, in seconds.

    Returns:
        The report; ``problem`` is set when a step failed.
    """
    started, found, step = timer(), _Found(), "version"
    try:
        found.version = server_version(client)
        step = "identity"
        found.identity = whoami(client)
        step = "permissions"
        scope = _scope(connector.namespace, namespaces)
        found.namespaces = (probe_namespace(probe_suffix or secrets.token_hex(4)), *scope)
        found.permissions = _permission_report(client, found.namespaces, connector.namespace)
    except ClusterError as err:
        problem: ConnectionProblem | None = classify(err, step, connector.name, client.endpoint)
    else:
        problem = None
    return _report(client, connector, found, problem, timer() - started)


def _scope(namespace: str | None, extra: Sequence[str]) -> tuple[str, ...]:
    wanted = ([namespace] if namespace else []) + list(extra)
    return tuple(dict.fromkeys(ns for ns in wanted if ns))


def _permission_report(
    client: Client, namespaces: tuple[str, ...], scope: str | None
) -> PermissionReport:
    probe, *others = namespaces
    cluster = _rules(rules_review(client, probe))
    per_namespace = {ns: _rules(rules_review(client, ns)) for ns in others}
    return build_report(cluster, per_namespace, scope)


def _rules(raw: RawRulesReview) -> RulesReview:
    return RulesReview.from_raw(
        {
            "resourceRules": raw.resource_rules,
            "nonResourceRules": raw.non_resource_rules,
            "incomplete": raw.incomplete,
            "evaluationError": raw.evaluation_error,
        }
    )


def _report(
    client: Client,
    connector: Connector,
    found: _Found,
    problem: ConnectionProblem | None,
    seconds: float,
) -> ConnectionReport:
    fix = ""
    if found.permissions is not None:
        known = found.identity is not None and found.identity.known
        username = found.identity.username if found.identity and known else UNKNOWN_IDENTITY
        fix = fix_yaml(found.permissions, username)
    return ConnectionReport(
        connector=connector,
        server=client.server,
        version=found.version,
        identity=found.identity,
        permissions=found.permissions,
        fix_yaml=fix,
        reviewed_namespaces=found.namespaces,
        problem=problem,
        duration_s=seconds,
    )


def classify(err: ClusterError, step: str, name: str, endpoint: str) -> ConnectionProblem:
    """Explain a failed step: what went wrong and what to do.

    Args:
        err: The error raised.
        step: ``version``, ``identity`` or ``permissions``.
        name: The connector's name (for the command to run).
        endpoint: ``host:port`` of the API server.
    """
    update = f"kubeconnector connector update {name} --kubeconfig FILE"
    if isinstance(err, ClusterUnreachable):
        hint = "check the server URL, that the API server runs and the network path to it"
        return ConnectionProblem(UNREACHABLE, step, str(err), hint, err)
    if isinstance(err, TLSError):
        hint = f"the kubeconfig must be updated: {update}"
        return ConnectionProblem(TLS, step, str(err), hint, err)
    if isinstance(err, Unauthorized):
        message = (
            f"the API server at {endpoint} refused the credentials (401 Unauthorized): the "
            "token is expired or invalid, or the client certificate is not accepted"
        )
        hint = f"the kubeconfig must be updated with a valid credential: {update}"
        return ConnectionProblem(UNAUTHORIZED, step, message, hint, err)
    if isinstance(err, Forbidden):
        message = f"the connector's identity may not {_STEPS[step]} (403 Forbidden): {err}"
        hint = (
            "every authenticated user normally may do this (system:basic-user and "
            "system:public-info-viewer); ask the cluster administrator to allow it"
        )
        return ConnectionProblem(FORBIDDEN, step, message, hint, err)
    return _other(err, step)


def _other(err: ClusterError, step: str) -> ConnectionProblem:
    hint = "try again; if it persists, check the API server's health"
    if isinstance(err, ApiError):
        message = f"the API server failed to {_STEPS[step]} ({err.code} {err.status.reason}): {err}"
        return ConnectionProblem(API_ERROR, step, message, hint, err)
    return ConnectionProblem(ERROR, step, f"could not {_STEPS[step]}: {err}", hint, err)


def _version_dict(version: ServerVersion | None) -> dict[str, str] | None:
    if version is None:
        return None
    return {
        "gitVersion": version.git_version,
        "major": version.major,
        "minor": version.minor,
        "platform": version.platform,
    }
