"""The scheduler: bind every pending pod to a node it fits, or report why none fits.

Feasibility follows the default profile's filters (see `pods_fit`); among feasible nodes the
one running the fewest pods wins (ties by name), which spreads replicas the way the default
scoring does on an idle cluster. A binding sets `spec.nodeName` and the PodScheduled=True
condition in one storage write without touching managedFields, as the `pods/binding` REST
handler does. A pod that fits nowhere gets PodScheduled=False `Unschedulable` with the
scheduler's message through `/status`, and is retried whenever a node changes.

Feasibility is cached per scheduling signature (tolerations, nodeSelector, affinity) until a
node changes, so the replicas of one workload cost one filter pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson

from kubesim.api.resources import rt
from kubesim.controllers import pods_fit, pods_status
from kubesim.controllers import pods_util as pu
from kubesim.controllers.base import Controller, Key
from kubesim.registry.context import now_rfc3339
from kubesim.store.storage import Event, EventType

Obj = dict[str, Any]

PODS = rt("", "pods")
NODES = rt("", "nodes")
DEFAULT_SCHEDULER = "default-scheduler"
NO_NODES = "no nodes available to schedule pods"
# PodSpec fields in API order up to nodeName, so a binding inserts it where the API has it.
_BEFORE_NODE_NAME = (
    "volumes",
    "initContainers",
    "containers",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "nodeSelector",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
)


class Scheduler(Controller):
    """Assigns pods to nodes."""

    name = "scheduler"
    watches = (PODS.key, NODES.key)
    manager = "kube-scheduler"

    def __init__(self, emu: Any) -> None:
        super().__init__(emu)
        self.load: dict[str, int] = {}
        self.unschedulable: set[Key] = set()
        self._fits: dict[bytes, tuple[list[str], list[str]]] = {}

    def initial_keys(self) -> Iterable[Key]:
        """Count pods per node and queue every pod still waiting for a node."""
        keys = []
        for stored in self.emu.storage.scan(PODS.key):
            node = (stored.obj.get("spec") or {}).get("nodeName")
            if node:
                self.load[node] = self.load.get(node, 0) + 1
            elif _wants_scheduling(stored.obj):
                keys.append((stored.namespace, stored.name))
        return keys

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Pods waiting for a node; after a node change, every pod that fitted nowhere."""
        if event.key == NODES.key:
            self._fits.clear()
            keys = list(self.unschedulable)
            self.unschedulable.clear()
            return keys
        self._track_load(event)
        pod = event.obj.obj
        if event.type is EventType.DELETED:
            self.unschedulable.discard((event.obj.namespace, event.obj.name))
            return []
        return [(event.obj.namespace, event.obj.name)] if _wants_scheduling(pod) else []

    def _track_load(self, event: Event) -> None:
        before = (event.prev.obj.get("spec") or {}).get("nodeName") if event.prev else None
        after = None
        if event.type is not EventType.DELETED:
            after = (event.obj.obj.get("spec") or {}).get("nodeName")
        if before == after:
            return
        if before:
            self.load[before] = self.load.get(before, 1) - 1
        if after:
            self.load[after] = self.load.get(after, 0) + 1

    def sync(self, key: Key) -> None:
        """Bind the pod, or record why it cannot be scheduled."""
        stored = self.emu.storage.get(PODS.key, *key)
        if stored is None or not _wants_scheduling(stored.obj):
            return
        feasible, reasons = self._feasible(stored.obj.get("spec") or {})
        if feasible:
            self.unschedulable.discard(key)
            node = min(feasible, key=lambda name: (self.load.get(name, 0), name))
            self.bind(key, node)
            return
        self.unschedulable.add(key)
        message = pods_fit.fit_error(len(reasons), reasons) if reasons else NO_NODES
        self._report_unschedulable(key, message)

    def _feasible(self, spec: Obj) -> tuple[list[str], list[str]]:
        signature = orjson.dumps(
            [spec.get("tolerations"), spec.get("nodeSelector"), spec.get("affinity")],
            option=orjson.OPT_SORT_KEYS,
        )
        cached = self._fits.get(signature)
        if cached is None:
            feasible, reasons = [], []
            for node in self.emu.storage.scan(NODES.key):
                reason = pods_fit.filter_reason(spec, node.obj)
                if reason is None:
                    feasible.append(node.name)
                else:
                    reasons.append(reason)
            cached = self._fits[signature] = (feasible, reasons)
        return cached

    def feasible_nodes(self, spec: Obj) -> list[str]:
        """The nodes a pod of this spec fits on (cached per scheduling signature)."""
        return self._feasible(spec)[0]

    def bind(self, key: Key, node: str) -> None:
        """Bind a pod to a node (`pods/binding`): nodeName and PodScheduled=True."""
        current = self.emu.storage.get(PODS.key, *key)
        if current is None:
            return
        # A new top level over shared nested values: stored objects are never edited in place.
        status = dict(current.obj.get("status") or {})
        others = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
        status["conditions"] = [*others, pods_status.scheduled_condition(now_rfc3339())]
        obj = {
            **current.obj,
            "metadata": dict(current.obj["metadata"]),
            "spec": _with_node_name(current.obj.get("spec") or {}, node),
            "status": status,
        }
        self.registry.writer.commit(PODS, current, obj, self.ctx())

    def _report_unschedulable(self, key: Key, message: str) -> None:
        current = self.emu.storage.get(PODS.key, *key)
        if current is None:
            return
        existing = next(
            (
                c
                for c in (current.obj.get("status") or {}).get("conditions") or ()
                if c.get("type") == "PodScheduled"
            ),
            None,
        )
        if existing and existing.get("status") == "False" and existing.get("message") == message:
            return
        stamp = (
            existing["lastTransitionTime"]
            if existing and existing.get("status") == "False"
            else now_rfc3339()
        )
        status = dict(current.obj.get("status") or {})
        others = [c for c in status.get("conditions") or () if c.get("type") != "PodScheduled"]
        status["conditions"] = [*others, pods_status.unschedulable_condition(stamp, message)]
        pu.write_status(self, PODS, key, status)


def _wants_scheduling(pod: Obj) -> bool:
    spec = pod.get("spec") or {}
    return (
        not spec.get("nodeName")
        and not pod["metadata"].get("deletionTimestamp")
        and (spec.get("schedulerName") or DEFAULT_SCHEDULER) == DEFAULT_SCHEDULER
        and (pod.get("status") or {}).get("phase", "Pending") == "Pending"
    )


def _with_node_name(spec: Obj, node: str) -> Obj:
    out: Obj = {}
    placed = False
    for key, value in spec.items():
        if not placed and key not in _BEFORE_NODE_NAME:
            out["nodeName"] = node
            placed = True
        if key != "nodeName":
            out[key] = value
    if not placed:
        out["nodeName"] = node
    return out
