"""Watch fan-out: turns storage events into per-watcher event streams.

A watcher sees what a real watch sees: optional synthetic ADDED events for the current state,
then changes in resourceVersion order, with objects that stop (start) matching its selectors
delivered as DELETED (ADDED). A watcher that starts before the compaction window gets one
ERROR event with a 410 Expired Status, as from the watch cache.
"""

from __future__ import annotations

import asyncio
import collections
from collections.abc import Callable
from dataclasses import dataclass

from kubesim.api import status
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType, Storage

Predicate = Callable[[StoredObject], bool]
MAX_BACKLOG = 200_000


@dataclass(frozen=True)
class WatchEvent:
    """What a watcher receives: an event type and an object (or a Status for ERROR)."""

    type: str
    obj: StoredObject | None = None
    error: status.StatusError | None = None


class Watcher:
    """One open watch: a queue fed by the hub, read by the HTTP handler."""

    def __init__(self, key: str, namespace: str, predicate: Predicate | None) -> None:
        self.key = key
        self.namespace = namespace
        self.predicate = predicate
        self.queue: asyncio.Queue[WatchEvent] = asyncio.Queue()
        self.last_rv = 0
        self.closed = False

    def matches(self, obj: StoredObject | None) -> bool:
        if obj is None or (self.namespace and obj.namespace != self.namespace):
            return False
        return self.predicate is None or self.predicate(obj)

    def offer(self, event: Event) -> None:
        """Translate a storage event for this watcher (selector transitions included)."""
        new_ok = event.type is not EventType.DELETED and self.matches(event.obj)
        old_ok = self.matches(event.prev) if event.type is not EventType.ADDED else False
        if event.type is EventType.DELETED:
            kind = "DELETED" if old_ok else ""
        elif new_ok:
            kind = "MODIFIED" if old_ok else "ADDED"
        else:
            kind = "DELETED" if old_ok else ""
        self.last_rv = event.rv
        if kind:
            self.push(WatchEvent(kind, event.obj))

    def push(self, event: WatchEvent) -> None:
        if self.queue.qsize() >= MAX_BACKLOG:
            self.closed = True
            return
        self.queue.put_nowait(event)


class WatchHub:
    """Registers watchers and feeds them from storage events."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self._watchers: dict[str, list[Watcher]] = collections.defaultdict(list)
        storage.add_listener(self._on_event)

    def open(
        self, key: str, namespace: str, predicate: Predicate | None, since: int | None
    ) -> Watcher:
        """Start a watch; `since` None means "now, with the current state as ADDED"."""
        watcher = Watcher(key, namespace, predicate)
        watcher.last_rv = self.storage.rv
        if since is None:
            for obj in self.storage.scan(key, namespace):
                if watcher.matches(obj):
                    watcher.push(WatchEvent("ADDED", obj))
        else:
            self._replay(watcher, since)
        self._watchers[key].append(watcher)
        return watcher

    def close(self, watcher: Watcher) -> None:
        watcher.closed = True
        watchers = self._watchers[watcher.key]
        if watcher in watchers:
            watchers.remove(watcher)

    def _replay(self, watcher: Watcher, since: int) -> None:
        events = self.storage.events_since(since)
        if events is None:
            message = f"too old resource version: {since} ({self.storage.compacted_rv})"
            watcher.push(WatchEvent("ERROR", error=status.expired(message)))
            return
        for event in events:
            if event.key == watcher.key:
                watcher.offer(event)
        watcher.last_rv = self.storage.rv

    def _on_event(self, event: Event) -> None:
        for watcher in self._watchers.get(event.key, ()):
            watcher.offer(event)
