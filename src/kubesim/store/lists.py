"""Paginated lists with continue tokens, served from consistent snapshots.

etcd serves every page of a chunked list at the revision of the first page. The emulator keeps
the ordered object references of that first page's moment (a snapshot; objects are immutable so
this is cheap) for `ttl` seconds; after that a continue token is "compacted" and answers 410
Expired with a fresh token that resumes at the latest state, as the real server does.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import orjson

from kubesim.api import status
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Key, Storage

Predicate = Callable[[StoredObject], bool]

EXPIRED_MESSAGE = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list."
)


@dataclass(frozen=True)
class Page:
    """One page of a list."""

    items: list[StoredObject]
    rv: int
    continue_token: str
    remaining: int | None


@dataclass(frozen=True)
class _Snapshot:
    rv: int
    keys: list[Key]
    objects: list[StoredObject]
    created: float


def encode_token(rv: int, start: Key, namespace: str) -> str:
    """An upstream-shaped continue token: base64url JSON of version, rv and start key."""
    suffix = start[1] if namespace or not start[0] else f"{start[0]}/{start[1]}"
    raw = orjson.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": suffix + "\x00"})
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str, namespace: str) -> tuple[int, Key]:
    """Parse a continue token; 400 BadRequest when it is not one of ours."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        data = orjson.loads(raw)
        rv, start = int(data["rv"]), str(data["start"])
        if data.get("v") != "meta.k8s.io/v1" or not start.endswith("\x00"):
            raise ValueError(token)
    except (ValueError, KeyError, TypeError, binascii.Error, orjson.JSONDecodeError) as err:
        raise status.bad_request(
            "invalid continue token: continue key is not valid: " + str(err)[:60]
        ) from err
    start = start[:-1]
    if namespace:
        return rv, (namespace, start)
    ns, _, name = start.rpartition("/")
    return rv, (ns, name)


class Lister:
    """Serves list requests from storage, chunked with consistent snapshots."""

    def __init__(self, storage: Storage, ttl: float, clock: Callable[[], float] = time.monotonic):
        self.storage = storage
        self.ttl = ttl
        self.clock = clock
        self._snapshots: dict[tuple[str, str, int], _Snapshot] = {}

    def list(
        self,
        key: str,
        namespace: str,
        predicate: Predicate | None,
        limit: int = 0,
        token: str = "",
    ) -> Page:
        """One page (or everything when `limit` is 0 and there is no token)."""
        self._prune()
        if token:
            return self._continue(key, namespace, predicate, limit, token)
        rv = self.storage.rv
        if limit <= 0:
            return Page(_select(self.storage.scan(key, namespace), predicate), rv, "", None)
        keys, objects = self.storage.snapshot(key, namespace)
        snap = _Snapshot(rv, keys, objects, self.clock())
        self._snapshots[(key, namespace, rv)] = snap
        return self._page(snap, 0, namespace, predicate, limit)

    def _continue(
        self, key: str, namespace: str, predicate: Predicate | None, limit: int, token: str
    ) -> Page:
        rv, start = decode_token(token, namespace)
        snap = self._snapshots.get((key, namespace, rv)) if rv > 0 else None
        if snap is None and rv > 0:
            fresh = encode_token(-1, start, namespace)
            raise status.expired(EXPIRED_MESSAGE, fresh)
        if snap is None:
            objects = list(self.storage.scan(key, namespace, after=start))
            keys = [(o.namespace, o.name) for o in objects]
            snap = _Snapshot(self.storage.rv, keys, objects, self.clock())
            return self._page(snap, 0, namespace, predicate, limit or len(objects))
        index = bisect.bisect_right(snap.keys, start)
        return self._page(snap, index, namespace, predicate, limit)

    def _page(
        self, snap: _Snapshot, index: int, namespace: str, predicate: Predicate | None, limit: int
    ) -> Page:
        items: list[StoredObject] = []
        objects = snap.objects
        total = len(objects)
        while index < total and len(items) < limit:
            obj = objects[index]
            index += 1
            if predicate is None or predicate(obj):
                items.append(obj)
        if index >= total or not items:
            return Page(items, snap.rv, "", None)
        last = items[-1]
        token = encode_token(snap.rv, (last.namespace, last.name), namespace)
        remaining = total - index if predicate is None else None
        return Page(items, snap.rv, token, remaining)

    def _prune(self) -> None:
        deadline = self.clock() - self.ttl
        stale = [k for k, snap in self._snapshots.items() if snap.created < deadline]
        for k in stale:
            del self._snapshots[k]


def _select(objects: Iterable[StoredObject], predicate: Predicate | None) -> list[StoredObject]:
    if predicate is None:
        return list(objects)
    return [o for o in objects if predicate(o)]
