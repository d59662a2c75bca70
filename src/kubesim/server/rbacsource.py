"""The RBAC authorizer's view of storage, with a generation that moves on every RBAC change."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from kubesim.store.storage import Event, Storage

RBAC_KEYS = frozenset(
    {
        "rbac.authorization.k8s.io/roles",
        "rbac.authorization.k8s.io/rolebindings",
        "rbac.authorization.k8s.io/clusterroles",
        "rbac.authorization.k8s.io/clusterrolebindings",
    }
)
_G = "rbac.authorization.k8s.io/"


class StoreRBACSource:
    """Roles and bindings straight from storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._generation = 0
        storage.add_listener(self._on_event)

    @property
    def generation(self) -> int:
        return self._generation

    def _on_event(self, event: Event) -> None:
        if event.key in RBAC_KEYS:
            self._generation += 1

    def cluster_role_bindings(self) -> Iterable[Mapping[str, Any]]:
        return [o.obj for o in self.storage.scan(_G + "clusterrolebindings")]

    def role_bindings(self, namespace: str) -> Iterable[Mapping[str, Any]]:
        return [o.obj for o in self.storage.scan(_G + "rolebindings", namespace)]

    def cluster_role(self, name: str) -> Mapping[str, Any] | None:
        found = self.storage.get(_G + "clusterroles", "", name)
        return found.obj if found else None

    def role(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        found = self.storage.get(_G + "roles", namespace, name)
        return found.obj if found else None

    def cluster_roles(self) -> Iterable[Mapping[str, Any]]:
        return [o.obj for o in self.storage.scan(_G + "clusterroles")]
