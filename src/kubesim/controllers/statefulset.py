"""The StatefulSet controller: ordered pods, revisions, partitioned rolling updates, status.

One sync is one pass of `updateStatefulSet` (stateful_set_control.go): resolve the current and
update ControllerRevisions, (re)create missing pods in ordinal order (OrderedReady waits for
each to be Running and Ready; Parallel does not), remove pods beyond `replicas` from the
highest ordinal down, then replace outdated pods from the highest ordinal down to the
partition, one at a time. Status is recomputed from the pods and written through `/status`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubesim.api import status as api_status
from kubesim.api.resources import rt
from kubesim.controllers import history
from kubesim.controllers import pods_util as pu
from kubesim.controllers import statefulset_pods as sp
from kubesim.controllers.base import Controller, Key
from kubesim.controllers.hashing import revision_hash, revision_patch
from kubesim.controllers.pods_index import OwnerIndex, controllers_of
from kubesim.registry.deletion import DeleteOptions
from kubesim.store.storage import Event

Obj = dict[str, Any]

STATEFULSETS = rt("apps", "statefulsets")
PODS = rt("", "pods")
MAX_COLLISIONS = 100


@dataclass
class Revisions:
    """The revision pods are at, the one they move to, and the collision count used."""

    current: Obj
    update: Obj
    collisions: int


class StatefulSetController(Controller):
    """Runs StatefulSet pods with stable identities."""

    name = "statefulset"
    watches = (STATEFULSETS.key, PODS.key)

    def __init__(self, emu: Any) -> None:
        super().__init__(emu)
        self.pods = OwnerIndex(emu.storage)

    def initial_keys(self) -> Iterable[Key]:
        """Index pods by owner, then sync every StatefulSet."""
        self.pods.seed()
        return super().initial_keys()

    def keys_for(self, event: Event) -> Iterable[Key]:
        """The StatefulSet; the owner of a changed pod is synced shortly after."""
        if event.key == STATEFULSETS.key:
            return [(event.obj.namespace, event.obj.name)]
        self.pods.observe(event)
        for key in controllers_of(event, "StatefulSet"):
            self.enqueue(key, self.config.controller_delay)
        return []

    def sync(self, key: Key) -> None:
        """Reconcile one StatefulSet."""
        stored = self.emu.storage.get(STATEFULSETS.key, *key)
        if stored is None:
            return
        sts = stored.obj
        revisions = history.owned_revisions(self, sts)
        revs = self._revisions(sts, revisions)
        if not sts["metadata"].get("deletionTimestamp"):
            _Step(self, sts, revs, self._pods(sts)).run()
        pods = self._pods(sts)
        self._write_status(key, sts, revs, pods)
        self._truncate_history(sts, revs, pods)

    def _revisions(self, sts: Obj, revisions: list[Obj]) -> Revisions:
        """`getStatefulSetRevisions`: reuse, renumber or create the update revision."""
        collisions = int((sts.get("status") or {}).get("collisionCount") or 0)
        raw = revision_patch(sts["spec"].get("template") or {})
        data = history.template_data(raw)
        equal = [r for r in revisions if r.get("data") == data]
        if equal and equal[-1] is revisions[-1]:
            update = revisions[-1]
        elif equal:
            update = history.set_revision(self, equal[-1], history.next_revision(revisions))
        else:
            update, collisions = self._create_revision(sts, raw, revisions, collisions)
        current_name = (sts.get("status") or {}).get("currentRevision")
        current = next((r for r in revisions if r["metadata"]["name"] == current_name), update)
        return Revisions(current, update, collisions)

    def _create_revision(
        self, sts: Obj, raw: bytes, revisions: list[Obj], collisions: int
    ) -> tuple[Obj, int]:
        number = history.next_revision(revisions)
        for _ in range(MAX_COLLISIONS):
            rev_hash = revision_hash(raw, collisions)
            name = f"{sts['metadata']['name']}-{rev_hash}"
            new = history.NewRevision(
                sts, "StatefulSet", name, rev_hash, history.template_data(raw), number
            )
            created = history.create_revision(self, new)
            if created is not None:
                return created, collisions
            collisions += 1
        raise api_status.StatusError(500, "InternalError", "too many revision hash collisions")

    def _pods(self, sts: Obj) -> list[Obj]:
        name = sts["metadata"]["name"]
        return [
            stored.obj
            for stored in self.pods.owned(sts["metadata"]["uid"])
            if sp.ordinal_of(name, stored.obj) is not None
        ]

    def _write_status(self, key: Key, sts: Obj, revs: Revisions, pods: list[Obj]) -> None:
        new_status, wait = stateful_status(sts, revs, pods, time.time())
        if wait is not None:
            self.enqueue(key, wait)
        if new_status != sts.get("status"):
            pu.write_status(self, STATEFULSETS, key, new_status)

    def _truncate_history(self, sts: Obj, revs: Revisions, pods: list[Obj]) -> None:
        live = {revs.current["metadata"]["name"], revs.update["metadata"]["name"]}
        live.update(sp.revision_of(pod) for pod in pods)
        revisions = history.owned_revisions(self, sts)
        old = [r for r in revisions if r["metadata"]["name"] not in live]
        limit = sts["spec"].get("revisionHistoryLimit", 10)
        excess = len(old) - int(limit if limit is not None else 10)
        if excess > 0:
            history.truncate(self, old, live, excess)


class _Step:
    """One pass over a StatefulSet's ordinals; stops where OrderedReady must wait."""

    def __init__(
        self, ctrl: StatefulSetController, sts: Obj, revs: Revisions, pods: list[Obj]
    ) -> None:
        self.ctrl = ctrl
        self.sts = sts
        self.revs = revs
        self.monotonic = sts["spec"].get("podManagementPolicy") != "Parallel"
        start = sp.start_ordinal(sts)
        self.ordinals = range(start, start + pu.replicas_of(sts))
        self.slots: dict[int, Obj | None] = dict.fromkeys(self.ordinals)
        self.condemned: list[Obj] = []
        name = sts["metadata"]["name"]
        for pod in pods:
            ordinal = sp.ordinal_of(name, pod)
            if ordinal in self.slots:
                self.slots[ordinal] = pod
            elif ordinal is not None:
                self.condemned.append(pod)
        self.condemned.sort(key=lambda p: sp.ordinal_of(name, p) or 0, reverse=True)

    def run(self) -> None:
        """Create/repair, then scale down, then roll, stopping where progress must wait."""
        if self._replicas() and self._scale_down():
            self._roll()

    def _replicas(self) -> bool:
        for ordinal in self.ordinals:
            pod = self.slots[ordinal]
            if pod is not None and sp.is_finished(pod) and not pu.is_terminating(pod):
                self._delete(pod)
                pod = None
            if pod is None:
                self._create(ordinal)
                if self.monotonic:
                    return False
                continue
            if self.monotonic and not sp.is_healthy(pod):
                return False
        return True

    def _scale_down(self) -> bool:
        unhealthy = [p for p in reversed(self.condemned) if not sp.is_healthy(p)]
        first_unhealthy = unhealthy[0] if unhealthy else None
        for pod in self.condemned:
            if pu.is_terminating(pod):
                if self.monotonic:
                    return False
                continue
            if self.monotonic and not sp.is_running_and_ready(pod) and pod is not first_unhealthy:
                return False
            self._delete(pod)
            if self.monotonic:
                return False
        return True

    def _roll(self) -> None:
        strategy = self.sts["spec"].get("updateStrategy") or {}
        if (strategy.get("type") or "RollingUpdate") != "RollingUpdate":
            return
        partition = int((strategy.get("rollingUpdate") or {}).get("partition") or 0)
        target = self.revs.update["metadata"]["name"]
        for ordinal in reversed(self.ordinals):
            if ordinal < self.ordinals.start + partition:
                return
            pod = self.slots[ordinal]
            if pod is None:
                continue
            if sp.revision_of(pod) != target and not pu.is_terminating(pod):
                self._delete(pod)
                return
            if not sp.is_healthy(pod):
                return

    def _create(self, ordinal: int) -> None:
        current, update = self.revs.current, self.revs.update
        strategy = self.sts["spec"].get("updateStrategy") or {}
        rolling = strategy.get("rollingUpdate")
        if rolling is not None:
            keep_current = ordinal < self.ordinals.start + int(rolling.get("partition") or 0)
        else:
            done = int((self.sts.get("status") or {}).get("currentReplicas") or 0)
            keep_current = (
                strategy.get("type") or "RollingUpdate"
            ) == "RollingUpdate" and ordinal < self.ordinals.start + done
        revision = current if keep_current else update
        template = (
            history.template_of(revision)
            if keep_current
            else self.sts["spec"].get("template") or {}
        )
        body = sp.stateful_pod(self.sts, template, ordinal, revision["metadata"]["name"])
        try:
            self.ctrl.registry.create(
                PODS, self.sts["metadata"]["namespace"], body, self.ctrl.ctx()
            )
        except api_status.StatusError as err:
            if err.reason != "AlreadyExists":
                raise

    def _delete(self, pod: Obj) -> None:
        meta = pod["metadata"]
        try:
            self.ctrl.registry.delete(
                PODS, meta["namespace"], meta["name"], DeleteOptions(), self.ctrl.ctx()
            )
        except api_status.StatusError as err:
            if err.code != 404:
                raise


def stateful_status(
    sts: Obj, revs: Revisions, pods: list[Obj], now: float
) -> tuple[Obj, float | None]:
    """`computeReplicaStatus` + `completeRollingUpdate`, and when availability changes next."""
    current_name = revs.current["metadata"]["name"]
    update_name = revs.update["metadata"]["name"]
    counts, wait = _replica_counts(sts, revs, pods, now)
    strategy = (sts["spec"].get("updateStrategy") or {}).get("type") or "RollingUpdate"
    if strategy == "RollingUpdate" and counts["updated"] == counts["replicas"] == counts["ready"]:
        counts["current"], current_name = counts["updated"], update_name
    status: Obj = {
        "observedGeneration": sts["metadata"].get("generation", 1),
        "replicas": counts["replicas"],
    }
    for field, value in (
        ("readyReplicas", counts["ready"]),
        ("currentReplicas", counts["current"]),
        ("updatedReplicas", counts["updated"]),
    ):
        if value:
            status[field] = value
    status.update(
        currentRevision=current_name, updateRevision=update_name, collisionCount=revs.collisions
    )
    conditions = (sts.get("status") or {}).get("conditions")
    if conditions:
        status["conditions"] = conditions
    status["availableReplicas"] = counts["available"]
    return status, wait


def _replica_counts(
    sts: Obj, revs: Revisions, pods: list[Obj], now: float
) -> tuple[dict[str, int], float | None]:
    """`computeReplicaStatus` tallies, and the delay until a ready pod becomes available."""
    min_ready = int(sts["spec"].get("minReadySeconds") or 0)
    names = (revs.current["metadata"]["name"], revs.update["metadata"]["name"])
    counts = dict.fromkeys(("replicas", "ready", "available", "current", "updated"), 0)
    pending: list[float] = []
    for pod in pods:
        created = sp.is_created(pod)
        counts["replicas"] += created
        if sp.is_running_and_ready(pod):
            counts["ready"] += 1
            counts["available"] += pu.is_pod_available(pod, min_ready, now)
            at = pu.available_at(pod, min_ready)
            if min_ready and at is not None and at >= now:
                pending.append(at - now + 1.0)
        if created and not pu.is_terminating(pod):
            counts["current"] += sp.revision_of(pod) == names[0]
            counts["updated"] += sp.revision_of(pod) == names[1]
    return counts, (min(pending) if pending else None)
