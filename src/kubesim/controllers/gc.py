"""The garbage collector: ownerReferences, cascading deletion and its three policies.

A dependency graph (object uid -> location, owner uid -> dependent uids) is kept up to date
from storage events, so no event causes a scan. Two kinds of work items, as upstream:

* `("item", uid)` — attemptToDelete: an object whose owners may be gone. With a live owner it is
  kept (dangling references to vanished owners are removed); without one it is deleted, in the
  foreground when an owner waits for it and it has dependents of its own. An object with an
  owner of a kind the server does not serve is left alone, as upstream cannot resolve it.
* `("owner", uid)` — an object being deleted with finalizer `orphan` (its dependents lose the
  reference, then the finalizer goes) or `foregroundDeletion` (its dependents are deleted, and the
  finalizer goes once no dependent with `blockOwnerDeletion` is left).
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kubesim.api import status
from kubesim.api.resources import ResourceType
from kubesim.controllers.base import Controller, Key
from kubesim.registry.deletion import DeleteOptions
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"
ITEM = "item"
OWNER = "owner"
_ALREADY_HANDLED = (404, 409)


@dataclass(frozen=True)
class Location:
    """Where an object is stored."""

    key: str
    namespace: str
    name: str


def _uid(obj: StoredObject) -> str:
    uid: str = obj.obj["metadata"].get("uid", "")
    return uid


def _finalizers(obj: StoredObject) -> list[str]:
    finalizers: list[str] = obj.obj["metadata"].get("finalizers") or []
    return finalizers


def _owner_uids(obj: StoredObject) -> tuple[str, ...]:
    refs = obj.obj["metadata"].get("ownerReferences") or []
    return tuple(ref["uid"] for ref in refs if ref.get("uid"))


def deleting(obj: StoredObject) -> bool:
    """Whether an object has a deletionTimestamp."""
    return bool(obj.obj["metadata"].get("deletionTimestamp"))


def waiting_for_dependents(obj: StoredObject) -> bool:
    """Whether an object is being deleted in the foreground (its dependents first)."""
    return deleting(obj) and FOREGROUND in _finalizers(obj)


class DependencyGraph:
    """Objects by uid and dependents by owner uid, maintained from storage events."""

    def __init__(self) -> None:
        self.nodes: dict[str, Location] = {}
        self.owners: dict[str, tuple[str, ...]] = {}
        self.dependents: dict[str, set[str]] = collections.defaultdict(set)

    def observe(self, key: str, obj: StoredObject) -> tuple[str, ...]:
        """Record an added or updated object; returns the owners it no longer references."""
        uid = _uid(obj)
        self.nodes[uid] = Location(key, obj.namespace, obj.name)
        new = _owner_uids(obj)
        old = self.owners.get(uid, ())
        if new == old:
            return ()
        self._link(uid, old, new)
        return tuple(o for o in old if o not in new)

    def forget(self, obj: StoredObject) -> tuple[str, ...]:
        """Record a deletion; returns the owners the object referenced."""
        uid = _uid(obj)
        self.nodes.pop(uid, None)
        old = self.owners.get(uid, ())
        self._link(uid, old, ())
        return old

    def _link(self, uid: str, old: tuple[str, ...], new: tuple[str, ...]) -> None:
        for owner in old:
            if owner not in new:
                self.dependents[owner].discard(uid)
                if not self.dependents[owner]:
                    del self.dependents[owner]
        for owner in new:
            self.dependents[owner].add(uid)
        if new:
            self.owners[uid] = new
        else:
            self.owners.pop(uid, None)

    def dependents_of(self, uid: str) -> list[str]:
        """Uids of the live objects that reference `uid` as an owner."""
        return sorted(self.dependents.get(uid, ()))


class GarbageCollector(Controller):
    """Deletes dependents of vanished owners and runs the foreground and orphan finalizers."""

    name = "garbage-collector-controller"

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu)
        self.types = {res.key: res for res in emu.table.stored()}
        self.watches = tuple(self.types)
        self.graph = DependencyGraph()

    def initial_keys(self) -> Iterable[Key]:
        """Build the graph from storage; return the work already due."""
        objects = [(key, obj) for key in self.watches for obj in self.emu.storage.scan(key)]
        for key, obj in objects:
            self.graph.observe(key, obj)
        return [work for _, obj in objects for work in self._work_for(obj)]

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Update the graph and map the change to the items and owners it concerns."""
        obj = event.obj
        if event.type is EventType.DELETED:
            released = self.graph.forget(obj)
            keys = [(ITEM, uid) for uid in self.graph.dependents_of(_uid(obj))]
            return keys + [(OWNER, uid) for uid in released]
        released = self.graph.observe(event.key, obj)
        return [*self._work_for(obj), *((OWNER, uid) for uid in released)]

    def _work_for(self, obj: StoredObject) -> list[Key]:
        keys: list[Key] = []
        owners = _owner_uids(obj)
        if any(owner not in self.graph.nodes for owner in owners):
            keys.append((ITEM, _uid(obj)))
        keys.extend((OWNER, owner) for owner in owners if self._waiting(owner))
        if deleting(obj) and {FOREGROUND, ORPHAN} & set(_finalizers(obj)):
            keys.append((OWNER, _uid(obj)))
        return keys

    def sync(self, key: Key) -> None:
        """Run one work item."""
        kind, uid = key
        if kind == ITEM:
            self.attempt_to_delete(uid)
        else:
            self.process_owner(uid)

    def lookup(self, uid: str) -> StoredObject | None:
        """The live object with this uid, if any."""
        where = self.graph.nodes.get(uid)
        if where is None:
            return None
        obj = self.emu.storage.get(where.key, where.namespace, where.name)
        return obj if obj is not None and _uid(obj) == uid else None

    def _waiting(self, uid: str) -> bool:
        owner = self.lookup(uid)
        return owner is not None and waiting_for_dependents(owner)

    def attempt_to_delete(self, uid: str) -> None:
        """Keep an object with a live owner; delete one whose owners are all gone or waiting."""
        obj = self.lookup(uid)
        if obj is None or deleting(obj) or not _owner_uids(obj) or self._unresolvable(obj):
            return
        solid, dangling, waiting = self._classify(_owner_uids(obj))
        if solid:
            if dangling or waiting:
                self._drop_owner_refs(obj, {*dangling, *waiting})
            return
        if waiting and self.graph.dependents_of(uid):
            policy = "Foreground"
        elif ORPHAN in _finalizers(obj):
            policy = "Orphan"
        elif FOREGROUND in _finalizers(obj):
            policy = "Foreground"
        else:
            policy = "Background"
        self._delete(obj, policy)

    def _unresolvable(self, obj: StoredObject) -> bool:
        # Upstream cannot map an owner kind the server does not serve to a resource, so the
        # dependent's processing fails before any decision and it is left alone.
        refs = obj.obj["metadata"].get("ownerReferences") or []
        table = self.emu.table
        return any(table.by_kind(r.get("apiVersion", ""), r.get("kind", "")) is None for r in refs)

    def _classify(self, owners: tuple[str, ...]) -> tuple[list[str], list[str], list[str]]:
        solid: list[str] = []
        dangling: list[str] = []
        waiting: list[str] = []
        for uid in owners:
            owner = self.lookup(uid)
            if owner is None:
                dangling.append(uid)
            elif waiting_for_dependents(owner):
                waiting.append(uid)
            else:
                solid.append(uid)
        return solid, dangling, waiting

    def process_owner(self, uid: str) -> None:
        """Orphan or delete the dependents of a deleting owner, then drop its finalizer."""
        owner = self.lookup(uid)
        if owner is None or not deleting(owner):
            return
        if ORPHAN in _finalizers(owner):
            for dependent_uid in self.graph.dependents_of(uid):
                dependent = self.lookup(dependent_uid)
                if dependent is not None:
                    self._drop_owner_refs(dependent, {uid})
            self._drop_finalizer(owner, ORPHAN)
        elif FOREGROUND in _finalizers(owner):
            for dependent_uid in self.graph.dependents_of(uid):
                self.attempt_to_delete(dependent_uid)
            if not self._blocking_dependents(uid):
                self._drop_finalizer(owner, FOREGROUND)

    def _blocking_dependents(self, uid: str) -> list[StoredObject]:
        blocking = []
        for dependent_uid in self.graph.dependents_of(uid):
            dependent = self.lookup(dependent_uid)
            if dependent is None:
                continue
            refs = dependent.obj["metadata"].get("ownerReferences") or []
            if any(r.get("uid") == uid and r.get("blockOwnerDeletion") for r in refs):
                blocking.append(dependent)
        return blocking

    def _drop_owner_refs(self, obj: StoredObject, uids: set[str]) -> None:
        def drop(body: dict[str, Any]) -> None:
            meta = body["metadata"]
            kept = [r for r in meta.get("ownerReferences") or [] if r.get("uid") not in uids]
            if kept:
                meta["ownerReferences"] = kept
            else:
                meta.pop("ownerReferences", None)

        self._mutate(obj, drop)

    def _drop_finalizer(self, obj: StoredObject, finalizer: str) -> None:
        def drop(body: dict[str, Any]) -> None:
            meta = body["metadata"]
            kept = [f for f in meta.get("finalizers") or [] if f != finalizer]
            if kept:
                meta["finalizers"] = kept
            else:
                meta.pop("finalizers", None)

        self._mutate(obj, drop)

    def _mutate(self, obj: StoredObject, fn: Callable[[dict[str, Any]], None]) -> None:
        uid = _uid(obj)

        def guarded(body: dict[str, Any]) -> None:
            # The uid precondition of the real collector's patches: never touch a successor.
            body["metadata"]["uid"] = uid
            fn(body)

        res = self._type_of(obj)
        try:
            self.registry.mutate(res, obj.namespace, obj.name, guarded, self.ctx())
        except status.StatusError as err:
            if err.code not in _ALREADY_HANDLED:
                raise

    def _delete(self, obj: StoredObject, policy: str) -> None:
        opts = DeleteOptions(propagation=policy, uid=_uid(obj))
        try:
            self.registry.delete(self._type_of(obj), obj.namespace, obj.name, opts, self.ctx())
        except status.StatusError as err:
            if err.code not in _ALREADY_HANDLED:
                raise

    def _type_of(self, obj: StoredObject) -> ResourceType:
        return self.types[self.graph.nodes[_uid(obj)].key]
