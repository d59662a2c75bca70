"""The kubelets of every node: start bound pods, fail bad image pulls, finish deletions.

Work is keyed by node, so one sync handles every pod of that node that is due: a pod bound
to a node starts `pod_ready_delay` later (Running and Ready, IPs from the node's podCIDR), a
pod whose image matches `broken_image_pattern` reports `ErrImagePull` and later
`ImagePullBackOff` instead and never becomes ready, and a pod marked for deletion is removed
`pod_termination_delay` later. Statuses go through `/status` with the `kubelet` manager.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubesim.api import status as api_status
from kubesim.api.resources import rt
from kubesim.controllers import pods_status as ps
from kubesim.controllers import pods_util as pu
from kubesim.controllers.base import Controller, Key
from kubesim.registry.context import now_rfc3339
from kubesim.registry.deletion import DeleteOptions
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

Obj = dict[str, Any]

PODS = rt("", "pods")
NODES = rt("", "nodes")
BATCH_WINDOW = 0.05  # pods due this close together are handled in one pass
START, BACKOFF, TERMINATE = "start", "backoff", "terminate"


@dataclass(frozen=True)
class Due:
    """A pending kubelet action on one pod."""

    at: float
    stage: str
    uid: str


class Kubelet(Controller):
    """Emulates the kubelet of every node."""

    name = "kubelet"
    watches = (PODS.key,)
    manager = "kubelet"

    def __init__(self, emu: Any) -> None:
        super().__init__(emu)
        self.due: dict[str, dict[Key, Due]] = {}
        self.next_ip: dict[str, int] = {}
        self._broken = re.compile(self.config.broken_image_pattern)

    def initial_keys(self) -> Iterable[Key]:
        """Register every pod already bound to a node."""
        for stored in self.emu.storage.scan(PODS.key):
            self._register(stored)
        return []

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Schedule kubelet actions for bound pods (the node's sync is queued with a delay)."""
        if event.type is EventType.DELETED:
            node = (event.obj.obj.get("spec") or {}).get("nodeName")
            if node:
                self.due.get(node, {}).pop((event.obj.namespace, event.obj.name), None)
            return []
        self._register(event.obj)
        return []

    def _register(self, stored: StoredObject) -> None:
        pod = stored.obj
        node = (pod.get("spec") or {}).get("nodeName")
        if not node:
            return
        key = (stored.namespace, stored.name)
        pending = self.due.setdefault(node, {})
        current = pending.get(key)
        uid = pod["metadata"]["uid"]
        if pod["metadata"].get("deletionTimestamp"):
            if current is None or current.stage != TERMINATE:
                self._add(
                    node,
                    key,
                    Due(time.monotonic() + self.config.pod_termination_delay, TERMINATE, uid),
                )
        elif current is None and _not_started(pod):
            self._add(node, key, Due(time.monotonic() + self.config.pod_ready_delay, START, uid))

    def _add(self, node: str, key: Key, due: Due) -> None:
        self.due[node][key] = due
        self.enqueue(("", node), max(due.at - time.monotonic(), 0.0))

    def sync(self, key: Key) -> None:
        """Run every action due on one node, then re-arm for the next one."""
        node = key[1]
        pending = self.due.get(node, {})
        horizon = time.monotonic() + BATCH_WINDOW
        ready = [(k, d) for k, d in pending.items() if d.at <= horizon]
        for pod_key, due in ready:
            if pending.get(pod_key) is due:
                del pending[pod_key]
            self._run(node, pod_key, due)
        if pending:
            soonest = min(d.at for d in pending.values())
            self.enqueue(key, max(soonest - time.monotonic(), 0.0))

    def _run(self, node: str, key: Key, due: Due) -> None:
        stored = self.emu.storage.get(PODS.key, *key)
        if stored is None or stored.obj["metadata"]["uid"] != due.uid:
            return
        if due.stage == TERMINATE:
            self._terminate(stored)
        elif not stored.obj["metadata"].get("deletionTimestamp"):
            if due.stage == START:
                self.start(node, stored)
            else:
                self._back_off(stored)

    def start(self, node_name: str, stored: StoredObject) -> None:
        """Start a bound pod now: Running and Ready, or waiting on an image pull."""
        node = self.emu.storage.get(NODES.key, "", node_name)
        if node is None or not _not_started(stored.obj):
            return
        where = self.placement(node.obj, stored.obj)
        new_status = ps.kubelet_status(stored.obj, where, self.is_broken)
        self._write_status(stored, new_status)
        if new_status["phase"] == "Pending":
            self._add(
                node_name,
                (stored.namespace, stored.name),
                Due(
                    time.monotonic() + self.config.pod_ready_delay,
                    BACKOFF,
                    stored.obj["metadata"]["uid"],
                ),
            )

    def _back_off(self, stored: StoredObject) -> None:
        current = stored.obj.get("status") or {}
        self._write_status(stored, ps.with_pull_reason(current, "ImagePullBackOff"))

    def _write_status(self, stored: StoredObject, new_status: Obj) -> None:
        pu.write_status(self, PODS, (stored.namespace, stored.name), new_status)

    def _terminate(self, stored: StoredObject) -> None:
        uid = stored.obj["metadata"]["uid"]
        opts = DeleteOptions(grace_period=0, uid=uid)
        try:
            self.registry.delete(PODS, stored.namespace, stored.name, opts, self.ctx())
        except api_status.StatusError as err:
            if err.code not in (404, 409):
                raise
            return
        left = self.emu.storage.get(PODS.key, stored.namespace, stored.name)
        if (
            left is not None
            and left.obj["metadata"]["uid"] == uid
            and not left.obj["metadata"].get("finalizers")
        ):
            # A zero grace period ends a graceful deletion at once (BeforeDelete upstream).
            self.emu.storage.remove(PODS.key, stored.namespace, stored.name)

    def placement(self, node: Obj, pod: Obj) -> ps.Placement:
        """Where a pod starts on a node: host IP, a newly allocated pod IP, start time, now."""
        host_ip = _internal_ip(node)
        host_network = (pod.get("spec") or {}).get("hostNetwork")
        pod_ip = host_ip if host_network else self._allocate_ip(node)
        stamp = now_rfc3339()
        scheduled: Obj = next(
            (
                c
                for c in (pod.get("status") or {}).get("conditions") or ()
                if c.get("type") == "PodScheduled"
            ),
            {},
        )
        return ps.Placement(host_ip, pod_ip, scheduled.get("lastTransitionTime") or stamp, stamp)

    def _allocate_ip(self, node: Obj) -> str:
        name = node["metadata"]["name"]
        cidr = (node.get("spec") or {}).get("podCIDR") or "10.244.0.0/24"
        first, hosts = _pod_range(cidr)
        index = self.next_ip.get(name, 0)
        self.next_ip[name] = index + 1
        return str(first + index % hosts)

    def is_broken(self, image: str) -> bool:
        """Whether pulls of this image fail (`broken_image_pattern`)."""
        return bool(self._broken.search(image))


@functools.lru_cache(maxsize=1024)
def _pod_range(cidr: str) -> tuple[ipaddress.IPv4Address | ipaddress.IPv6Address, int]:
    """The first pod address of a podCIDR (network + 2) and how many there are."""
    network = ipaddress.ip_network(cidr, strict=False)
    return network.network_address + 2, max(network.num_addresses - 3, 1)


def _not_started(pod: Obj) -> bool:
    status = pod.get("status") or {}
    return status.get("phase", "Pending") == "Pending" and not status.get("containerStatuses")


def _internal_ip(node: Obj) -> str:
    for address in (node.get("status") or {}).get("addresses") or ():
        if address.get("type") == "InternalIP":
            return str(address.get("address", ""))
    return "10.0.0.1"
