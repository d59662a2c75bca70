"""WATCH: a chunked stream of newline-delimited JSON events.

Each event is flushed as soon as it is written. Bookmarks (when asked for) carry the latest
resourceVersion; `sendInitialEvents` ends the initial state with the `k8s.io/initial-events-end`
bookmark; `timeoutSeconds` ends the stream cleanly.
"""

from __future__ import annotations

import asyncio
import datetime
import time
from typing import Any

import orjson
from aiohttp import web

from kubesim.api import status
from kubesim.api.requestinfo import is_true
from kubesim.printing import watch_table_event
from kubesim.registry.reads import build_predicate, check_list_options
from kubesim.server.negotiation import Form, choose
from kubesim.server.scope import Scope
from kubesim.store.watch import Watcher, WatchEvent

DEFAULT_TIMEOUT = 1800.0


def _since(scope: Scope) -> int | None:
    """None: start with the current state as ADDED; an int: only changes after it."""
    rv = scope.query.get("resourceVersion", "")
    if is_true(scope.query.get("sendInitialEvents")) or rv in ("", "0"):
        return None
    try:
        return int(rv)
    except ValueError as err:
        raise status.bad_request(f"invalid resource version: {rv}") from err


async def watch(scope: Scope) -> web.StreamResponse:
    check_list_options(scope.query, watch=True)
    form = choose(scope.request.headers.get("Accept", ""))
    predicate = build_predicate(scope.rt, scope.query)
    namespace = scope.info.namespace if scope.rt.namespaced else ""
    hub = scope.emu.hub
    watcher = hub.open(scope.rt.key, namespace, predicate, _since(scope))
    response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
    response.enable_chunked_encoding()
    await response.prepare(scope.request)
    stream = _Stream(scope, watcher, response, form)
    try:
        await stream.run()
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    finally:
        hub.close(watcher)
    return response


class _Stream:
    def __init__(
        self, scope: Scope, watcher: Watcher, response: web.StreamResponse, form: Form
    ) -> None:
        self.scope = scope
        self.watcher = watcher
        self.response = response
        self.form = form
        self.bookmarks = is_true(scope.query.get("allowWatchBookmarks"))
        self.initial_end = is_true(scope.query.get("sendInitialEvents"))
        self.first_table = True
        timeout = scope.query.get("timeoutSeconds")
        self.deadline = time.monotonic() + (float(timeout) if timeout else DEFAULT_TIMEOUT)
        self.interval = scope.emu.config.bookmark_interval

    async def run(self) -> None:
        if self.initial_end:
            await self._drain()
            await self._bookmark(initial_end=True)
        while not self.watcher.closed:
            remaining = self.deadline - time.monotonic()
            if remaining <= 0:
                return
            wait = min(remaining, self.interval) if self.bookmarks else remaining
            try:
                event = await asyncio.wait_for(self.watcher.queue.get(), wait)
            except TimeoutError:
                if self.bookmarks and time.monotonic() < self.deadline:
                    await self._bookmark()
                continue
            if not await self._send(event):
                return

    async def _drain(self) -> None:
        while not self.watcher.queue.empty():
            await self._send(self.watcher.queue.get_nowait())

    async def _send(self, event: WatchEvent) -> bool:
        if event.type == "ERROR" and event.error is not None:
            await self._write({"type": "ERROR", "object": event.error.to_status()})
            return False
        if event.obj is None:
            return True
        if self.form is Form.TABLE:
            table = watch_table_event(
                self.scope.rt.group,
                self.scope.rt.resource,
                event.obj.with_kind(),
                datetime.datetime.now(datetime.UTC),
                self.first_table,
            )
            self.first_table = False
            await self._write({"type": event.type, "object": table})
            return True
        payload = (
            event.obj.metadata_json()
            if self.form in (Form.METADATA, Form.METADATA_LIST)
            else event.obj.full_json()
        )
        await self._raw(b'{"type":"' + event.type.encode() + b'","object":' + payload + b"}\n")
        return True

    async def _bookmark(self, initial_end: bool = False) -> None:
        meta: dict[str, Any] = {"resourceVersion": str(self.watcher.last_rv)}
        if initial_end:
            meta["annotations"] = {"k8s.io/initial-events-end": "true"}
        rt = self.scope.rt
        obj = {"kind": rt.kind, "apiVersion": rt.api_version, "metadata": meta}
        await self._write({"type": "BOOKMARK", "object": obj})

    async def _write(self, event: dict[str, Any]) -> None:
        await self._raw(orjson.dumps(event) + b"\n")

    async def _raw(self, data: bytes) -> None:
        await self.response.write(data)
