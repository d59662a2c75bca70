"""An index of pods by controlling owner, kept current from storage events.

Workload controllers sync once per pod change; finding "my pods" by scanning a namespace
each time would cost a pass over every pod in it. Each controller keeps its own index
(controllers see events independently), seeded when it starts.
"""

from __future__ import annotations

from kubesim.controllers import pods_util as pu
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType, Storage

Key = tuple[str, str]


class OwnerIndex:
    """Pod keys by controller uid, and pods without a controller by namespace."""

    def __init__(self, storage: Storage, key: str = "/pods") -> None:
        self.storage = storage
        self.key = key
        self._owned: dict[str, set[Key]] = {}
        self._orphans: dict[str, set[Key]] = {}
        self._where: dict[Key, tuple[bool, str]] = {}

    def seed(self) -> None:
        """Index every stored object (call when the controller starts)."""
        for stored in self.storage.scan(self.key):
            self._add(stored)

    def observe(self, event: Event) -> None:
        """Apply one storage event."""
        self._remove((event.obj.namespace, event.obj.name))
        if event.type is not EventType.DELETED:
            self._add(event.obj)

    def owned(self, uid: str) -> list[StoredObject]:
        """Objects controlled by `uid`, by name."""
        return self._resolve(self._owned.get(uid, ()))

    def orphans(self, namespace: str) -> list[StoredObject]:
        """Objects of a namespace with no controller, by name."""
        return self._resolve(self._orphans.get(namespace, ()))

    def _resolve(self, keys: set[Key] | tuple[()]) -> list[StoredObject]:
        found = (self.storage.get(self.key, *k) for k in sorted(keys))
        return [stored for stored in found if stored is not None]

    def _add(self, stored: StoredObject) -> None:
        ref = pu.controller_of(stored.obj)
        key = (stored.namespace, stored.name)
        if ref is None:
            self._orphans.setdefault(stored.namespace, set()).add(key)
            self._where[key] = (False, stored.namespace)
        else:
            uid = str(ref.get("uid", ""))
            self._owned.setdefault(uid, set()).add(key)
            self._where[key] = (True, uid)

    def _remove(self, key: Key) -> None:
        where = self._where.pop(key, None)
        if where is None:
            return
        owned, bucket = where
        table = self._owned if owned else self._orphans
        members = table.get(bucket)
        if members is not None:
            members.discard(key)
            if not members:
                del table[bucket]


def controllers_of(event: Event, kind: str) -> list[Key]:
    """The `kind` controllers of a pod event's old and new versions (each once)."""
    keys: dict[Key, None] = {}
    for version in (event.obj, event.prev):
        ref = pu.controller_of(version.obj) if version is not None else None
        if version is not None and ref is not None and ref.get("kind") == kind:
            keys[(version.namespace, ref["name"])] = None
    return list(keys)
