"""Legacy ServiceAccount token Secrets: finding them, telling the cluster generation, waiting.

A ServiceAccount's legacy tokens are the ``kubernetes.io/service-account-token`` Secrets of
its namespace that name it in the ``kubernetes.io/service-account.name`` annotation (and whose
``kubernetes.io/service-account.uid``, when set, is the account's), or that its ``secrets``
list references (`kubeconnector.discovery.relations.token_edges`). They are listed
metadata-only, filtered by type, so no token is read to find them.

Cluster generations (`detect_generation`):
    ``legacy``: the token controller gives every ServiceAccount an auto-generated, referenced
        token Secret and re-creates it when it is deleted (Kubernetes before 1.24). Detected
        when the account's ``secrets`` list references one of its token Secrets named
        ``<account>-token-<5 characters>`` (the controller's naming), or else when the server
        reports a version before 1.24. A cluster upgraded to 1.24+ may still list such a
        Secret from before the upgrade; it is then taken as legacy too, and the plan says so.
    ``bound``: nothing is re-created (1.24+); a token Secret is created by hand and filled
        by the token controller.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from kubeconnector.changes.base import ActionContext
from kubeconnector.changes.helpers.digests import Digester, decode_b64
from kubeconnector.changes.helpers.writes import read_live
from kubeconnector.discovery.kinds import SECRET, SERVICE_ACCOUNT_TOKEN
from kubeconnector.discovery.relations import SA_NAME_ANNOTATION, pull_secret_names, token_edges
from kubeconnector.errors import ChangeError
from kubeconnector.kube import server_version

SA_UID_ANNOTATION = "kubernetes.io/service-account.uid"
LEGACY = "legacy"
BOUND = "bound"
# The alphabet of generated name suffixes (k8s.io/apimachinery/pkg/util/rand).
_SUFFIX = "bcdfghjklmnpqrstvwxz2456789"


@dataclass(frozen=True)
class Generation:
    """How the cluster treats legacy token Secrets.

    Attributes:
        kind: ``legacy`` (re-created by the controller) or ``bound`` (never re-created).
        evidence: Why, in words.
    """

    kind: str
    evidence: str


@dataclass(frozen=True)
class FilledToken:
    """A token Secret the controller has filled (the token itself is not kept).

    Attributes:
        name: The Secret's name.
        uid: Its uid.
        digest: The digest of its token.
    """

    name: str
    uid: str
    digest: str


def meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    """An object's metadata (empty when absent)."""
    found: Mapping[str, Any] = obj.get("metadata") or {}
    return found


def all_token_secrets(ctx: ActionContext, namespace: str) -> list[dict[str, Any]]:
    """Every token Secret of the namespace, metadata only (one list, filtered by type)."""
    pages = ctx.client.list_pages(
        SECRET,
        namespace,
        metadata_only=True,
        field_selector=f"type={SERVICE_ACCOUNT_TOKEN}",
    )
    return [item for page in pages for item in page]


def token_secrets(
    ctx: ActionContext, namespace: str, account: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """The account's legacy token Secrets, metadata only (one list)."""
    listed = pull_secret_names(account.get("secrets"))
    name, uid = str(meta(account).get("name")), str(meta(account).get("uid"))
    found = []
    for item in all_token_secrets(ctx, namespace):
        item_meta = meta(item)
        annotations = item_meta.get("annotations") or {}
        key = ("Secret", namespace, str(item_meta.get("name")))
        by = [e.target[2] for e in token_edges(key, SERVICE_ACCOUNT_TOKEN, annotations, listed)]
        if name in by and annotations.get(SA_UID_ANNOTATION, uid) == uid:
            found.append(item)
    return sorted(found, key=lambda item: str(meta(item).get("name")))


def detect_generation(
    ctx: ActionContext, account: Mapping[str, Any], tokens: list[dict[str, Any]]
) -> Generation:
    """Whether the cluster re-creates token Secrets (see the module docstring).

    The account's ``secrets`` list is read first; the server version is asked (one GET)
    only when that list does not settle it.
    """
    name = str(meta(account).get("name"))
    auto = re.compile(rf"^{re.escape(name)}-token-[a-z0-9]{{5}}$")
    token_names = {str(meta(t).get("name")) for t in tokens}
    for ref in pull_secret_names(account.get("secrets")):
        if ref in token_names and auto.match(ref):
            return Generation(LEGACY, f"the ServiceAccount references the auto-generated {ref}")
    version = server_version(ctx.client)
    numbers = (_number(version.major), _number(version.minor))
    if numbers < (1, 24):
        return Generation(LEGACY, f"the API server is {version.git_version} (before 1.24)")
    return Generation(
        BOUND,
        f"the API server is {version.git_version} (1.24+) and no auto-generated token Secret "
        "is referenced",
    )


def _number(text: str) -> int:
    digits = re.match(r"\d+", text)
    return int(digits.group()) if digits else 0


def new_token_name(account: str) -> str:
    """``<account>-token-<5 characters>``, as the controller names them (at most 253)."""
    suffix = "".join(secrets.choice(_SUFFIX) for _ in range(5))
    return f"{account[: 253 - 12]}-token-{suffix}"


def token_manifest(namespace: str, name: str, account: str) -> dict[str, Any]:
    """A token Secret for the controller to fill."""
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "annotations": {SA_NAME_ANNOTATION: account},
        },
        "type": SERVICE_ACCOUNT_TOKEN,
    }


def filled(obj: Mapping[str, Any] | None, digests: Digester) -> FilledToken | None:
    """The token Secret's digest once the controller has written its token, else None."""
    if obj is None or meta(obj).get("deletionTimestamp"):
        return None
    token = (obj.get("data") or {}).get("token")
    if not token:
        return None
    name, uid = str(meta(obj).get("name")), str(meta(obj).get("uid"))
    return FilledToken(name, uid, digests.value(decode_b64(token)))


def wait_filled(ctx: ActionContext, path: str, what: str) -> FilledToken:
    """Poll a token Secret until the controller has filled it (`token_timeout`).

    Raises:
        ChangeError: It was not filled in time, or it vanished.
    """
    deadline = ctx.clock() + ctx.options.token_timeout
    while True:
        token = filled(read_live(ctx, path), ctx.digests)
        if token is not None:
            return token
        if ctx.clock() >= deadline:
            raise ChangeError(
                f"the token controller did not fill {what} within {ctx.options.token_timeout:g}s"
            )
        ctx.sleep(ctx.options.poll_interval)


def wait_regenerated(
    ctx: ActionContext,
    account_path: str,
    secret_path: Callable[[str], str],
    old: set[str],
    what: str,
) -> FilledToken:
    """Poll the ServiceAccount until the controller references a new, filled token Secret.

    Args:
        ctx: The action context.
        account_path: The ServiceAccount's path.
        secret_path: Maps a Secret name to its path.
        old: The names of the token Secrets deleted.
        what: The account, for messages.

    Raises:
        ChangeError: No new token within `token_timeout`.
    """
    deadline = ctx.clock() + ctx.options.token_timeout
    while True:
        account = read_live(ctx, account_path) or {}
        for name in pull_secret_names(account.get("secrets")):
            if name not in old:
                token = filled(read_live(ctx, secret_path(name)), ctx.digests)
                if token is not None:
                    return token
        if ctx.clock() >= deadline:
            raise ChangeError(
                f"no new token Secret appeared for {what} within "
                f"{ctx.options.token_timeout:g}s; its old token Secrets are deleted"
            )
        ctx.sleep(ctx.options.poll_interval)
