"""Admission: checks that run between decoding and storage, outside the kind's own strategy.

The plugins here are the ones whose effects a client can see: NamespaceLifecycle (no content in
missing or terminating namespaces) and the hooks other parts register (RBAC escalation checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from kubesim.api import status
from kubesim.api.resources import ResourceType
from kubesim.registry.context import WriteContext
from kubesim.store.storage import Storage

IMMORTAL_NAMESPACES = frozenset({"default", "kube-system", "kube-public"})


class AdmissionPlugin(Protocol):
    """A check on a write; raises StatusError to refuse it."""

    def admit(
        self, rt: ResourceType, new: dict[str, Any], old: dict[str, Any] | None, ctx: WriteContext
    ) -> None: ...


class NamespaceLifecycle:
    """Refuse creates into missing (404) or terminating (403) namespaces."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def admit(
        self, rt: ResourceType, new: dict[str, Any], old: dict[str, Any] | None, _ctx: WriteContext
    ) -> None:
        namespace = new["metadata"].get("namespace", "")
        if old is not None or not rt.namespaced or not namespace:
            return
        ns = self.storage.get("/namespaces", "", namespace)
        if ns is None:
            raise status.not_found(status.GroupResource("", "namespaces"), namespace)
        if ns.obj["metadata"].get("deletionTimestamp"):
            name = new["metadata"].get("name", "")
            detail = (
                f"unable to create new content in namespace {namespace} "
                "because it is being terminated"
            )
            raise status.forbidden(rt.gr, name, detail)


class FunctionPlugin:
    """Adapts a plain function to the plugin protocol (for hooks owned by other modules)."""

    def __init__(
        self,
        fn: Callable[[ResourceType, dict[str, Any], dict[str, Any] | None, WriteContext], None],
    ) -> None:
        self.fn = fn

    def admit(
        self, rt: ResourceType, new: dict[str, Any], old: dict[str, Any] | None, ctx: WriteContext
    ) -> None:
        self.fn(rt, new, old, ctx)
