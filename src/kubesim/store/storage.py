"""The object storage: what etcd is to a real API server.

Objects are kept per storage key (`<group>/<resource>`) in a dict plus a sorted key list, so
lists come out ordered by namespace then name as etcd's key order gives them. Every write takes
the next value of one global resourceVersion counter. Each change becomes an Event that is kept
in a bounded history (the compaction window: older watch starts get 410 Expired) and handed to
listeners synchronously (watch fan-out and controllers).
"""

from __future__ import annotations

import bisect
import collections
import enum
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from kubesim.store.objects import StoredObject, share_unchanged

Key = tuple[str, str]  # (namespace, name)


class EventType(enum.Enum):
    ADDED = "ADDED"
    MODIFIED = "MODIFIED"
    DELETED = "DELETED"


@dataclass(frozen=True)
class Event:
    """One change to one object; `obj` is the new version (for DELETED: the last one)."""

    type: EventType
    key: str
    obj: StoredObject
    prev: StoredObject | None

    @property
    def rv(self) -> int:
        return self.obj.rv


Listener = Callable[[Event], None]


class Storage:
    """Objects by storage key, with one global resourceVersion counter."""

    def __init__(self, history: int = 20000) -> None:
        self.rv = 1
        self._objects: dict[str, dict[Key, StoredObject]] = collections.defaultdict(dict)
        self._sorted: dict[str, list[Key]] = collections.defaultdict(list)
        self._history: collections.deque[Event] = collections.deque(maxlen=history)
        self._listeners: list[Listener] = []
        self.compacted_rv = 1

    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def get(self, key: str, namespace: str, name: str) -> StoredObject | None:
        return self._objects[key].get((namespace, name))

    def count(self, key: str) -> int:
        return len(self._objects[key])

    def next_rv(self) -> int:
        self.rv += 1
        return self.rv

    def put(self, key: str, obj: dict[str, Any], api_version: str, kind: str) -> StoredObject:
        """Store a new version of an object under the next resourceVersion."""
        meta = obj["metadata"]
        ident = (meta.get("namespace", ""), meta["name"])
        rv = self.next_rv()
        meta["resourceVersion"] = str(rv)
        objects = self._objects[key]
        prev = objects.get(ident)
        if prev is not None:
            share_unchanged(obj, prev.obj)
        stored = StoredObject(obj, rv, api_version, kind)
        objects[ident] = stored
        if prev is None:
            bisect.insort(self._sorted[key], ident)
        self._emit(Event(EventType.MODIFIED if prev else EventType.ADDED, key, stored, prev))
        return stored

    def remove(self, key: str, namespace: str, name: str) -> StoredObject | None:
        """Delete an object; the DELETED event carries the deletion resourceVersion."""
        prev = self._objects[key].pop((namespace, name), None)
        if prev is None:
            return None
        keys = self._sorted[key]
        del keys[bisect.bisect_left(keys, (namespace, name))]
        rv = self.next_rv()
        obj = dict(prev.obj)
        obj["metadata"] = {**prev.obj["metadata"], "resourceVersion": str(rv)}
        tomb = StoredObject(obj, rv, prev.api_version, prev.kind)
        self._emit(Event(EventType.DELETED, key, tomb, prev))
        return tomb

    def scan(
        self, key: str, namespace: str = "", after: Key | None = None
    ) -> Iterator[StoredObject]:
        """Objects in key order, optionally one namespace only, starting after a key."""
        keys = self._sorted[key]
        objects = self._objects[key]
        if namespace:
            start = (namespace, "") if after is None or after[0] < namespace else after
        else:
            start = after or ("", "")
        index = (
            bisect.bisect_right(keys, start)
            if after is not None
            else bisect.bisect_left(keys, start)
        )
        for ident in keys[index:]:
            if namespace and ident[0] != namespace:
                break
            yield objects[ident]

    def snapshot(self, key: str, namespace: str = "") -> tuple[list[Key], list[StoredObject]]:
        """The keys and objects of one collection (one namespace or all), in key order."""
        keys = self._sorted[key]
        if namespace:
            start = bisect.bisect_left(keys, (namespace, ""))
            end = bisect.bisect_left(keys, (namespace + "\x00", ""))
            keys = keys[start:end]
        else:
            keys = keys[:]
        objects = self._objects[key]
        return keys, [objects[ident] for ident in keys]

    def events_since(self, rv: int) -> list[Event] | None:
        """Events after `rv`, or None if history no longer reaches back that far."""
        if rv < self.compacted_rv:
            return None
        history = self._history
        if not history or history[-1].rv <= rv:
            return []
        index = bisect.bisect_right(history, rv, key=lambda ev: ev.rv)
        return [history[i] for i in range(index, len(history))]

    def _emit(self, event: Event) -> None:
        history = self._history
        if len(history) == history.maxlen:
            self.compacted_rv = history[0].rv
        history.append(event)
        for listener in list(self._listeners):
            listener(event)
