"""Namespace deletion: empty a terminating namespace, finalize it, and let it go.

A DELETE of a namespace only marks it (deletionTimestamp, phase Terminating). This controller
then deletes every namespaced object in it (background propagation), records the upstream
deletion conditions on the namespace status, and once nothing is left removes the `kubernetes`
finalizer through the `finalize` subresource; a namespace with no finalizers left is removed.
It re-runs whenever an object in a terminating namespace disappears, so graceful pods and
finalizer-held objects are waited for without polling.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubesim.api import status
from kubesim.api.resources import ResourceType, rt
from kubesim.controllers.base import Controller, Key
from kubesim.registry.context import now_rfc3339
from kubesim.registry.deletion import DeleteOptions
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

FINALIZER = "kubernetes"
# Condition types in the order the namespace deleter maintains them, with their "ok" variants.
OK_CONDITIONS: tuple[tuple[str, str, str], ...] = (
    (
        "NamespaceDeletionDiscoveryFailure",
        "ResourcesDiscovered",
        "All resources successfully discovered",
    ),
    (
        "NamespaceDeletionGroupVersionParsingFailure",
        "ParsedGroupVersions",
        "All legacy kube types successfully parsed",
    ),
    (
        "NamespaceDeletionContentFailure",
        "ContentDeleted",
        "All content successfully deleted, may be waiting on finalization",
    ),
    ("NamespaceContentRemaining", "ContentRemoved", "All content successfully removed"),
    ("NamespaceFinalizersRemaining", "ContentRemoved", "All content successfully removed"),
)
_ALREADY_GONE = (404, 409)


@dataclass
class Remaining:
    """What is left in a namespace after a deletion pass."""

    by_resource: dict[str, int] = field(default_factory=dict)
    by_finalizer: collections.Counter[str] = field(default_factory=collections.Counter)

    def add(self, res: ResourceType, objects: list[StoredObject]) -> None:
        """Count the objects of one resource still present."""
        if not objects:
            return
        self.by_resource[f"{res.resource}.{res.group}"] = len(objects)
        for obj in objects:
            self.by_finalizer.update(obj.obj["metadata"].get("finalizers") or [])

    def conditions(self) -> dict[str, tuple[str, str, str]]:
        """The failing conditions (type -> status, reason, message) this content implies."""
        found: dict[str, tuple[str, str, str]] = {}
        if self.by_resource:
            items = sorted(f"{r} has {n} resource instances" for r, n in self.by_resource.items())
            found["NamespaceContentRemaining"] = (
                "True",
                "SomeResourcesRemain",
                f"Some resources are remaining: {', '.join(items)}",
            )
        if self.by_finalizer:
            items = sorted(f"{f} in {n} resource instances" for f, n in self.by_finalizer.items())
            found["NamespaceFinalizersRemaining"] = (
                "True",
                "SomeFinalizerRemain",
                f"Some finalizers are remaining: {', '.join(items)}",
            )
        return found


def _deleting(obj: StoredObject | None) -> bool:
    return obj is not None and bool(obj.obj["metadata"].get("deletionTimestamp"))


def _spec_finalizers(namespace: StoredObject) -> list[str]:
    finalizers: list[str] = (namespace.obj.get("spec") or {}).get("finalizers") or []
    return finalizers


def update_conditions(ns_status: dict[str, Any], failing: dict[str, tuple[str, str, str]]) -> bool:
    """Upstream `updateConditions`: set every deletion condition, failing or ok.

    Args:
        ns_status: the namespace status (changed in place).
        failing: condition type -> (status, reason, message) for the failing ones.

    Returns:
        Whether anything changed.
    """
    conditions: list[dict[str, Any]] = ns_status.setdefault("conditions", [])
    changed = False
    for kind, ok_reason, ok_message in OK_CONDITIONS:
        want = failing.get(kind, ("False", ok_reason, ok_message))
        changed = _set_condition(conditions, kind, want) or changed
    return changed


def _set_condition(conditions: list[dict[str, Any]], kind: str, want: tuple[str, str, str]) -> bool:
    want_status, reason, message = want
    old = next((c for c in conditions if c.get("type") == kind), None)
    if old is None:
        conditions.append(
            {
                "type": kind,
                "status": want_status,
                "lastTransitionTime": now_rfc3339(),
                "reason": reason,
                "message": message,
            }
        )
        return True
    if (old.get("status"), old.get("reason"), old.get("message")) == want:
        return False
    # Only a status flip moves lastTransitionTime; reason and message changes do not.
    if old.get("status") != want_status:
        old["lastTransitionTime"] = now_rfc3339()
    old.update(status=want_status, reason=reason, message=message)
    return True


class NamespaceController(Controller):
    """Deletes the content of terminating namespaces, then finalizes them."""

    name = "namespace-controller"

    def __init__(self, emu: Emulator) -> None:
        super().__init__(emu)
        self.namespaced = [res for res in emu.table.stored() if res.namespaced]
        self.watches = ("/namespaces", *(res.key for res in self.namespaced))

    def initial_keys(self) -> Iterable[Key]:
        """Namespaces already terminating when the controller starts."""
        return [("", ns.name) for ns in self.emu.storage.scan("/namespaces") if _deleting(ns)]

    def keys_for(self, event: Event) -> Iterable[Key]:
        """Terminating namespaces, and the namespace of content that disappeared from one."""
        if event.key == "/namespaces":
            if event.type is not EventType.DELETED and _deleting(event.obj):
                return [("", event.obj.name)]
            return []
        if event.type is EventType.DELETED and event.obj.namespace:
            namespace = self.emu.storage.get("/namespaces", "", event.obj.namespace)
            if _deleting(namespace):
                return [("", event.obj.namespace)]
        return []

    def sync(self, key: Key) -> None:
        """One deletion pass: delete content, record conditions, finalize when empty."""
        name = key[1]
        namespace = self.emu.storage.get("/namespaces", "", name)
        if namespace is None or not _deleting(namespace):
            return
        if FINALIZER in _spec_finalizers(namespace):
            remaining = self._delete_content(name)
            self._record_conditions(name, remaining)
            if remaining.by_resource:
                return
            self.registry.mutate(
                rt("", "namespaces"), "", name, _finalize, self.ctx(), subresource="finalize"
            )
        self._remove_if_finalized(name)

    def _delete_content(self, namespace: str) -> Remaining:
        remaining = Remaining()
        for res in self.namespaced:
            for obj in list(self.emu.storage.scan(res.key, namespace)):
                if not _deleting(obj):
                    self._delete(res, obj)
            remaining.add(res, list(self.emu.storage.scan(res.key, namespace)))
        return remaining

    def _delete(self, res: ResourceType, obj: StoredObject) -> None:
        opts = DeleteOptions(propagation="Background")
        try:
            self.registry.delete(res, obj.namespace, obj.name, opts, self.ctx())
        except status.StatusError as err:
            if err.code not in _ALREADY_GONE:
                raise

    def _record_conditions(self, name: str, remaining: Remaining) -> None:
        failing = remaining.conditions()
        namespace = self.emu.storage.get("/namespaces", "", name)
        if namespace is None:
            return
        probe = dict(namespace.obj.get("status") or {})
        probe["conditions"] = [dict(c) for c in probe.get("conditions") or []]
        if not update_conditions(probe, failing):
            return

        def write(obj: dict[str, Any]) -> None:
            update_conditions(obj.setdefault("status", {}), failing)

        self.registry.mutate(rt("", "namespaces"), "", name, write, self.ctx(), "status")

    def _remove_if_finalized(self, name: str) -> None:
        # The namespace registry deletes a deleting namespace as soon as an update leaves it
        # without spec and metadata finalizers (ShouldDeleteNamespaceDuringUpdate).
        namespace = self.emu.storage.get("/namespaces", "", name)
        if namespace is None or not _deleting(namespace):
            return
        if _spec_finalizers(namespace):
            return
        if namespace.obj["metadata"].get("finalizers"):
            return
        self.emu.storage.remove("/namespaces", "", name)


def _finalize(namespace: dict[str, Any]) -> None:
    spec = namespace.setdefault("spec", {})
    # An explicit empty list: the namespace defaulting would put `kubernetes` back into a
    # missing field.
    spec["finalizers"] = sorted({f for f in spec.get("finalizers") or [] if f != FINALIZER})
