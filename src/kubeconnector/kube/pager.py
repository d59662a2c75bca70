"""Paginated lists (``limit``/``continue``) of raw objects, and the table of kinds discovered.

`list_pages` yields one list's pages as raw item dicts. Metadata-only lists ask for
``PartialObjectMetadataList`` so that no ``spec``, ``status`` or Secret ``data`` is sent at all.
An unpaginated list is never made.

Expired continue tokens: when the API server answers 410 Expired to a ``continue`` request (the
snapshot the token pointed into was compacted), that list restarts from the beginning and the
items whose uid was already yielded are skipped, so callers see every object once and need no
special handling; an object changed between the two passes keeps the version first yielded.
The inconsistent continuation token the server offers in that 410 is deliberately not used.
After `MAX_RESTARTS` restarts of one list the Expired error is raised.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote

import orjson

from kubeconnector.errors import ClusterError, Expired
from kubeconnector.kube.callapi import RawResponse

DEFAULT_LIMIT = 500
MAX_RESTARTS = 3
METADATA_ONLY = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
JSON = "application/json"


class KindLike(Protocol):
    """A listable resource (`KindSpec` and look-alikes)."""

    @property
    def group(self) -> str: ...  # pragma: no cover

    @property
    def version(self) -> str: ...  # pragma: no cover

    @property
    def plural(self) -> str: ...  # pragma: no cover

    @property
    def namespaced(self) -> bool: ...  # pragma: no cover


class Requester(Protocol):
    """What the pager needs from `kubeconnector.kube.transport.ClusterClient`."""

    def request_raw(
        self,
        method: str,
        path: str,
        query: Any = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
        *,
        idempotent: bool | None = None,
    ) -> RawResponse: ...  # pragma: no cover


@dataclass(frozen=True)
class KindSpec:
    """A resource type: where it is served and whether it is namespaced."""

    group: str
    version: str
    plural: str
    kind: str
    namespaced: bool

    @property
    def api_version(self) -> str:
        """``v1`` or ``<group>/<version>``."""
        return f"{self.group}/{self.version}" if self.group else self.version

    def path(
        self, namespace: str | None = None, name: str | None = None, subresource: str | None = None
    ) -> str:
        """The API path of the collection, or of one object (and its subresource)."""
        return resource_path(self, namespace, name, subresource)


_RBAC = "rbac.authorization.k8s.io"

KINDS: dict[str, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec("", "v1", "namespaces", "Namespace", False),
        KindSpec("", "v1", "pods", "Pod", True),
        KindSpec("", "v1", "services", "Service", True),
        KindSpec("", "v1", "secrets", "Secret", True),
        KindSpec("", "v1", "serviceaccounts", "ServiceAccount", True),
        KindSpec("apps", "v1", "deployments", "Deployment", True),
        KindSpec("apps", "v1", "daemonsets", "DaemonSet", True),
        KindSpec("apps", "v1", "statefulsets", "StatefulSet", True),
        KindSpec("", "v1", "nodes", "Node", False),
        KindSpec(_RBAC, "v1", "roles", "Role", True),
        KindSpec(_RBAC, "v1", "rolebindings", "RoleBinding", True),
        KindSpec(_RBAC, "v1", "clusterroles", "ClusterRole", False),
        KindSpec(_RBAC, "v1", "clusterrolebindings", "ClusterRoleBinding", False),
    )
}


def kind_spec(name: str) -> KindSpec:
    """Find a kind by Kind (``Secret``), plural (``secrets``) or lower-case singular.

    Raises:
        ClusterError: The name is not one of `KINDS`.
    """
    wanted = name.lower()
    for spec in KINDS.values():
        if wanted in (spec.kind.lower(), spec.plural):
            return spec
    raise ClusterError(f"unknown kind {name!r}; known kinds: {', '.join(KINDS)}")


def resource_path(
    kind: KindLike,
    namespace: str | None = None,
    name: str | None = None,
    subresource: str | None = None,
) -> str:
    """``/api/v1[/namespaces/NS]/PLURAL[/NAME[/SUB]]`` or the ``/apis/GROUP/VERSION`` form."""
    path = f"/apis/{kind.group}/{kind.version}" if kind.group else f"/api/{kind.version}"
    if kind.namespaced and namespace:
        path += f"/namespaces/{_segment(namespace)}"
    path += f"/{kind.plural}"
    if name:
        path += f"/{_segment(name)}"
        if subresource:
            path += f"/{_segment(subresource)}"
    return path


def _segment(value: str) -> str:
    return quote(value, safe="")


@dataclass
class ListStats:
    """What one or more lists cost.

    Attributes:
        requests: List requests made (one per page, restarts included).
        pages: Pages yielded.
        items: Items yielded.
        restarts: Lists restarted after an expired continue token.
        page_sizes: The item count of each page received, in order.
    """

    requests: int = 0
    pages: int = 0
    items: int = 0
    restarts: int = 0
    page_sizes: list[int] = field(default_factory=list)


def list_pages(
    client: Requester,
    kind: KindLike,
    namespace: str | None = None,
    *,
    metadata_only: bool = False,
    limit: int = DEFAULT_LIMIT,
    label_selector: str | None = None,
    field_selector: str | None = None,
    stats: ListStats | None = None,
) -> Iterator[list[dict[str, Any]]]:
    """Yield the pages of one list, each a list of raw item dicts.

    Args:
        client: Sends the requests (retries 429/5xx itself).
        kind: What to list.
        namespace: Only this namespace (None: all namespaces, or a cluster-scoped kind).
        metadata_only: Ask for ``PartialObjectMetadataList`` (no spec, status or data).
        limit: Items per page (at least 1).
        label_selector: A label selector, or None.
        field_selector: A field selector, or None.
        stats: Counters to update, if given.

    Raises:
        ApiError: An error answer (Forbidden when the identity may not list the kind), or
            Expired when the list kept expiring.
    """
    request = _ListRequest(
        resource_path(kind, namespace),
        max(1, limit),
        METADATA_ONLY if metadata_only else JSON,
        label_selector,
        field_selector,
    )
    return _pages(client, request, stats if stats is not None else ListStats())


@dataclass(frozen=True)
class _ListRequest:
    path: str
    limit: int
    accept: str
    label_selector: str | None
    field_selector: str | None

    def query(self, token: str | None) -> list[tuple[str, str]]:
        query = [("limit", str(self.limit))]
        if self.label_selector:
            query.append(("labelSelector", self.label_selector))
        if self.field_selector:
            query.append(("fieldSelector", self.field_selector))
        if token:
            query.append(("continue", token))
        return query


def _pages(
    client: Requester, request: _ListRequest, stats: ListStats
) -> Iterator[list[dict[str, Any]]]:
    seen: set[str] = set()
    restarts = 0
    token: str | None = None
    while True:
        try:
            items, token = _fetch(client, request, token, stats)
        except Expired:
            if token is None or restarts >= MAX_RESTARTS:
                raise
            restarts, token = restarts + 1, None
            stats.restarts += 1
            continue
        fresh = _unseen(items, seen) if restarts else items
        _remember(fresh, seen)
        if fresh:
            stats.pages += 1
            stats.items += len(fresh)
            yield fresh
        if not token:
            return


def _fetch(
    client: Requester, request: _ListRequest, token: str | None, stats: ListStats
) -> tuple[list[dict[str, Any]], str | None]:
    stats.requests += 1
    response = client.request_raw("GET", request.path, request.query(token), accept=request.accept)
    try:
        body = orjson.loads(response.data)
    except orjson.JSONDecodeError:
        body = None
    if not isinstance(body, dict) or not isinstance(body.get("items", []), list):
        raise ClusterError(f"the API server answered {request.path} with something not a list")
    items: list[dict[str, Any]] = body.get("items") or []
    stats.page_sizes.append(len(items))
    metadata = body.get("metadata") or {}
    return items, metadata.get("continue") or None


def _uid(item: dict[str, Any]) -> str | None:
    metadata = item.get("metadata")
    uid = metadata.get("uid") if isinstance(metadata, dict) else None
    return uid if isinstance(uid, str) and uid else None


def _unseen(items: list[dict[str, Any]], seen: set[str]) -> list[dict[str, Any]]:
    return [item for item in items if _uid(item) not in seen]


def _remember(items: list[dict[str, Any]], seen: set[str]) -> None:
    for item in items:
        uid = _uid(item)
        if uid is not None:
            seen.add(uid)
