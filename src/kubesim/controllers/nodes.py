"""Node lifecycle: the `node.kubernetes.io/unschedulable:NoSchedule` taint of cordoned nodes.

The API server stores only `spec.unschedulable`; the node lifecycle controller's NoSchedule
tainting pass adds the taint (with `timeAdded`) to unschedulable nodes and removes it from
schedulable ones, `node_taint_delay` after the node changed. Condition-based taints (not-ready,
pressure) are not emulated: emulated nodes are always healthy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubesim.api.resources import rt
from kubesim.controllers.base import Controller, Key
from kubesim.registry.context import now_rfc3339
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

UNSCHEDULABLE_TAINT_KEY = "node.kubernetes.io/unschedulable"
NO_SCHEDULE = "NoSchedule"


def _is_unschedulable_taint(taint: dict[str, Any]) -> bool:
    return taint.get("key") == UNSCHEDULABLE_TAINT_KEY and taint.get("effect") == NO_SCHEDULE


def needs_tainting_pass(node: StoredObject) -> bool:
    """Whether a node's unschedulable taint disagrees with `spec.unschedulable`.

    Args:
        node: a stored Node.

    Returns:
        True if the taint must be added or removed.
    """
    spec = node.obj.get("spec") or {}
    tainted = any(_is_unschedulable_taint(t) for t in spec.get("taints") or [])
    return tainted != bool(spec.get("unschedulable"))


class NodeLifecycleController(Controller):
    """Keeps the unschedulable NoSchedule taint in step with `spec.unschedulable`."""

    name = "node-lifecycle-controller"
    watches = ("/nodes",)

    def initial_keys(self) -> Iterable[Key]:
        """Nodes whose taint is already out of step when the controller starts."""
        nodes = self.emu.storage.scan("/nodes")
        return [("", node.name) for node in nodes if needs_tainting_pass(node)]

    def keys_for(self, event: Event) -> Iterable[Key]:
        """A node whose taint is out of step is synced after the taint delay."""
        if event.type is not EventType.DELETED and needs_tainting_pass(event.obj):
            self.enqueue(("", event.obj.name), self.config.node_taint_delay)
        return []

    def sync(self, key: Key) -> None:
        """Add or remove the taint (a no-op once the node agrees with itself)."""
        node = self.emu.storage.get("/nodes", "", key[1])
        if node is None or not needs_tainting_pass(node):
            return
        self.registry.mutate(rt("", "nodes"), "", key[1], _swap_taint, self.ctx())


def _swap_taint(node: dict[str, Any]) -> None:
    spec = node.setdefault("spec", {})
    taints = [t for t in spec.get("taints") or [] if not _is_unschedulable_taint(t)]
    if spec.get("unschedulable"):
        taints.append(
            {"key": UNSCHEDULABLE_TAINT_KEY, "effect": NO_SCHEDULE, "timeAdded": now_rfc3339()}
        )
    if taints:
        spec["taints"] = taints
    else:
        spec.pop("taints", None)
