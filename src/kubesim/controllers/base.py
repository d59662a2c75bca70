"""The controller framework: storage events -> deduplicated work queues -> sync functions.

Every controller is a synchronous `sync(key)` over the registry, driven from the event loop
like an informer-fed work queue: keys are deduplicated, syncs never overlap for one controller,
failures are retried with backoff, and delayed re-syncs model time-based behaviour (a pod
becoming ready, a progress deadline passing). `settle()` waits until no work is due soon, so
tests observe a quiescent cluster.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from kubesim.api import status
from kubesim.auth.user import MASTERS, UserInfo
from kubesim.registry.context import WriteContext
from kubesim.store.storage import Event

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

log = logging.getLogger(__name__)

CONTROLLER_USER = UserInfo("system:kube-controller-manager", groups=(MASTERS,))
SETTLE_HORIZON = 3.0  # timers further out than this do not keep a cluster "busy"
Key = tuple[str, str]  # (namespace, name) of the object a sync is about


class Controller:
    """Base class: subclasses set `name`, `watches` and implement `keys_for` and `sync`."""

    name = "controller"
    watches: tuple[str, ...] = ()
    manager = "kube-controller-manager"

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.registry = emu.registry
        self.config = emu.config
        self.queue: WorkQueue | None = None

    def ctx(self) -> WriteContext:
        """A write context for this controller's writes (skips strict decoding)."""
        return WriteContext(user=CONTROLLER_USER, manager=self.manager, trusted=True)

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Which keys to sync after an event (default: the object itself)."""
        return [(event.obj.namespace, event.obj.name)]

    def initial_keys(self) -> Iterable[Key]:
        """Keys to sync at start (default: every object of the first watched kind)."""
        if not self.watches:
            return []
        return [(o.namespace, o.name) for o in self.emu.storage.scan(self.watches[0])]

    def sync(self, key: Key) -> None:
        raise NotImplementedError

    def enqueue(self, key: Key, delay: float = 0.0) -> None:
        if self.queue is not None:
            self.queue.add(key, delay)


class WorkQueue:
    """A deduplicating queue of keys with delayed adds, processed by one worker task."""

    def __init__(self, manager: ControllerManager, controller: Controller) -> None:
        self.manager = manager
        self.controller = controller
        self.pending: dict[Key, None] = {}
        self.timers: dict[Key, float] = {}
        self.failures: dict[Key, int] = {}
        self.busy = False
        self.wakeup = asyncio.Event()

    def add(self, key: Key, delay: float = 0.0) -> None:
        if delay <= 0:
            self.pending[key] = None
            self.wakeup.set()
            return
        due = time.monotonic() + delay
        if key in self.timers and self.timers[key] <= due:
            return
        self.timers[key] = due
        asyncio.get_running_loop().call_later(delay, self._fire, key, due)

    def _fire(self, key: Key, due: float) -> None:
        if self.timers.get(key) == due:
            del self.timers[key]
            self.add(key)

    def due_soon(self, horizon: float) -> bool:
        limit = time.monotonic() + horizon
        return bool(self.pending) or self.busy or any(t <= limit for t in self.timers.values())

    async def run(self) -> None:
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            while self.pending:
                key = next(iter(self.pending))
                del self.pending[key]
                self._sync(key)
                await asyncio.sleep(0)

    def _sync(self, key: Key) -> None:
        self.busy = True
        try:
            self.controller.sync(key)
            self.failures.pop(key, None)
        except status.StatusError as err:
            self._retry(key, err)
        except Exception:
            log.exception("%s: sync of %s failed", self.controller.name, key)
            self._retry(key, None)
        finally:
            self.busy = False

    def _retry(self, key: Key, err: Any) -> None:
        count = self.failures.get(key, 0) + 1
        self.failures[key] = count
        if count <= 8:
            self.add(key, min(0.01 * 2**count, 2.0))
        else:
            log.warning("%s: giving up on %s: %s", self.controller.name, key, err)


class ControllerManager:
    """Owns the controllers, feeds them storage events and runs their queues."""

    def __init__(self, emu: Emulator, controllers: Iterable[Controller]) -> None:
        self.emu = emu
        self.controllers = list(controllers)
        self.queues: list[WorkQueue] = []
        self.tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        """Start workers on the running loop and queue the initial syncs."""
        for controller in self.controllers:
            queue = WorkQueue(self, controller)
            controller.queue = queue
            self.queues.append(queue)
            self.tasks.append(asyncio.get_running_loop().create_task(queue.run()))
            for key in controller.initial_keys():
                queue.add(key)
        self.emu.storage.add_listener(self._on_event)

    def stop(self) -> None:
        self.emu.storage.remove_listener(self._on_event)
        for task in self.tasks:
            task.cancel()

    def _on_event(self, event: Event) -> None:
        for controller in self.controllers:
            if event.key in controller.watches and controller.queue is not None:
                for key in controller.keys_for(event):
                    controller.queue.add(key)

    def busy(self) -> bool:
        return any(q.due_soon(SETTLE_HORIZON) for q in self.queues)

    async def settle(self, timeout: float) -> bool:
        """Wait until no controller has work due within the settle horizon."""
        deadline = time.monotonic() + timeout
        while self.busy():
            if time.monotonic() >= deadline:
                return False
            await asyncio.sleep(0.02)
        return True
