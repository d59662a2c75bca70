"""The DaemonSet controller: one pod per eligible node, rolling updates, history, status.

Follows pkg/controller/daemon: keep the ControllerRevision of the current template (its hash
labels the pods), create a pod on every node that should run one and has none, delete pods
from nodes that may no longer run them, replace outdated pods within maxUnavailable (or
surge by maxSurge), prune old revisions, and report the counters through `/status`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubesim.api import status as api_status
from kubesim.api.resources import rt
from kubesim.controllers import daemonset_pods as dp
from kubesim.controllers import history
from kubesim.controllers import pods_util as pu
from kubesim.controllers.base import Controller, Key
from kubesim.controllers.daemonset_rolling import Rollout, plan_rollout, surplus_with_surge
from kubesim.controllers.hashing import pod_template_hash, revision_patch
from kubesim.controllers.pods_index import OwnerIndex, controllers_of
from kubesim.registry.deletion import DeleteOptions
from kubesim.store.storage import Event

Obj = dict[str, Any]

DAEMONSETS = rt("apps", "daemonsets")
PODS = rt("", "pods")
NODES = rt("", "nodes")


class DaemonSetController(Controller):
    """Runs a copy of a pod on every eligible node."""

    name = "daemonset"
    watches = (DAEMONSETS.key, PODS.key, NODES.key)

    def __init__(self, emu: Any) -> None:
        super().__init__(emu)
        self.pods = OwnerIndex(emu.storage)

    def initial_keys(self) -> Iterable[Key]:
        """Index pods by owner, then sync every DaemonSet."""
        self.pods.seed()
        return super().initial_keys()

    def keys_for(self, event: Event) -> Iterable[Key]:
        """The DaemonSet, the owner of a changed pod, or every DaemonSet after a node change."""
        if event.key == DAEMONSETS.key:
            return [(event.obj.namespace, event.obj.name)]
        if event.key == NODES.key:
            return [(ds.namespace, ds.name) for ds in self.emu.storage.scan(DAEMONSETS.key)]
        self.pods.observe(event)
        for key in controllers_of(event, "DaemonSet"):
            self.enqueue(key, self.config.controller_delay)
        return []

    def sync(self, key: Key) -> None:
        """Reconcile one DaemonSet."""
        stored = self.emu.storage.get(DAEMONSETS.key, *key)
        if stored is None:
            return
        ds = stored.obj
        places = dp.placements(ds, [n.obj for n in self.emu.storage.scan(NODES.key)])
        current, old = self._history(ds)
        if current is None:
            self.enqueue(key)
            return
        rev_hash = (current["metadata"].get("labels") or {}).get(history.HASH_LABEL, "")
        if not ds["metadata"].get("deletionTimestamp"):
            changed = self._manage(ds, places, rev_hash)
            if not changed and _is_rolling(ds):
                self._roll(ds, places, rev_hash)
            self._cleanup_history(ds, old)
        self._write_status(key, ds, places, rev_hash)

    def _history(self, ds: Obj) -> tuple[Obj | None, list[Obj]]:
        """`constructHistory`: the current revision (created or renumbered) and the old ones."""
        template = ds["spec"].get("template") or {}
        data = history.template_data(revision_patch(template))
        revisions = history.owned_revisions(self, ds)
        current = [r for r in revisions if r.get("data") == data]
        old = [r for r in revisions if r.get("data") != data]
        number = history.next_revision(old)
        if current:
            keep = current[-1]
            for duplicate in current[:-1]:
                history.truncate(self, [duplicate], set(), 1)
            return history.set_revision(self, keep, number), old
        collisions = (ds.get("status") or {}).get("collisionCount")
        rev_hash = pod_template_hash(template, collisions)
        new = history.NewRevision(
            ds, "DaemonSet", f"{ds['metadata']['name']}-{rev_hash}", rev_hash, data, number
        )
        created = history.create_revision(self, new)
        if created is None:
            self._bump_collisions(ds)
        return created, old

    def _bump_collisions(self, ds: Obj) -> None:
        def apply(obj: Obj) -> None:
            status = obj.setdefault("status", {})
            status["collisionCount"] = (status.get("collisionCount") or 0) + 1

        meta = ds["metadata"]
        self.registry.mutate(
            DAEMONSETS, meta["namespace"], meta["name"], apply, self.ctx(), subresource="status"
        )

    def _pods_by_node(self, ds: Obj) -> dict[str, list[Obj]]:
        out: dict[str, list[Obj]] = {}
        for stored in self.pods.owned(ds["metadata"]["uid"]):
            pod = stored.obj
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Succeeded", "Failed") and pu.is_terminating(pod):
                continue
            out.setdefault(dp.target_node(pod), []).append(pod)
        return out

    def _manage(self, ds: Obj, places: dict[str, dp.Placement], rev_hash: str) -> bool:
        """`manage`: create missing daemon pods and delete misplaced or surplus ones."""
        by_node = self._pods_by_node(ds)
        surge = _is_rolling(ds) and dp.rolling_limits(ds, len(places))[0] > 0
        rules = NodeRules(rev_hash, surge, int(ds["spec"].get("minReadySeconds") or 0))
        create: list[str] = []
        delete: list[Obj] = []
        for name, place in places.items():
            pods = by_node.pop(name, [])
            _node_actions(NodeState(name, place, pods), rules, create, delete)
        for pods in by_node.values():  # pinned to nodes that no longer exist
            delete.extend(
                p
                for p in pods
                if not (p.get("spec") or {}).get("nodeName") and not pu.is_terminating(p)
            )
        self._sync_nodes(ds, delete, create, rev_hash)
        return bool(create or delete)

    def _roll(self, ds: Obj, places: dict[str, dp.Placement], rev_hash: str) -> None:
        by_node = self._pods_by_node(ds)
        desired = sum(1 for place in places.values() if place.should_run)
        surge, unavailable = dp.rolling_limits(ds, desired)
        min_ready = int(ds["spec"].get("minReadySeconds") or 0)
        plan: Rollout = plan_rollout(by_node, rev_hash, surge, unavailable, min_ready, time.time())
        self._sync_nodes(ds, plan.delete, plan.create, rev_hash)

    def _sync_nodes(self, ds: Obj, delete: list[Obj], create: list[str], rev_hash: str) -> None:
        namespace = ds["metadata"]["namespace"]
        for pod in delete:
            try:
                self.registry.delete(
                    PODS, namespace, pod["metadata"]["name"], DeleteOptions(), self.ctx()
                )
            except api_status.StatusError as err:
                if err.code != 404:
                    raise
        for node_name in create:
            self.registry.create(
                PODS, namespace, dp.daemon_pod(ds, node_name, rev_hash), self.ctx()
            )

    def _cleanup_history(self, ds: Obj, old: list[Obj]) -> None:
        limit = ds["spec"].get("revisionHistoryLimit", 10)
        excess = len(old) - int(limit if limit is not None else 10)
        if excess <= 0:
            return
        live = {
            (pod["metadata"].get("labels") or {}).get(history.HASH_LABEL, "")
            for pods in self._pods_by_node(ds).values()
            for pod in pods
        }
        history.truncate(self, old, live, excess)

    def _write_status(
        self, key: Key, ds: Obj, places: dict[str, dp.Placement], rev_hash: str
    ) -> None:
        new_status, waiting = daemon_status(ds, places, self._pods_by_node(ds), rev_hash)
        if waiting is not None:
            self.enqueue(key, waiting)
        if new_status != ds.get("status"):
            pu.write_status(self, DAEMONSETS, key, new_status)


def _is_rolling(ds: Obj) -> bool:
    return (
        (ds["spec"].get("updateStrategy") or {}).get("type") or "RollingUpdate"
    ) == "RollingUpdate"


@dataclass(frozen=True)
class NodeRules:
    """What decides the pods of one node: the current hash and whether surge is allowed."""

    rev_hash: str
    surge: bool
    min_ready: int


@dataclass(frozen=True)
class NodeState:
    """One node, whether it should run a daemon pod, and the daemon pods bound to it."""

    name: str
    place: dp.Placement
    pods: list[Obj]


def _node_actions(node: NodeState, rules: NodeRules, create: list[str], delete: list[Obj]) -> None:
    """`podsShouldBeOnNode`: create where missing, prune failed, surplus or misplaced pods."""
    place = node.place
    if place.should_run and not node.pods:
        create.append(node.name)
        return
    alive = [p for p in node.pods if not pu.is_terminating(p)]
    if not place.should_continue:
        delete.extend(alive)
        return
    running = []
    for pod in alive:
        if (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded"):
            delete.append(pod)
        else:
            running.append(pod)
    if not rules.surge:
        delete.extend(dp.oldest_first(running)[1:])
    elif running:
        delete.extend(surplus_with_surge(running, rules.rev_hash, rules.min_ready, time.time()))
    elif place.should_run:
        create.append(node.name)


def daemon_status(
    ds: Obj, places: dict[str, dp.Placement], by_node: dict[str, list[Obj]], rev_hash: str
) -> tuple[Obj, float | None]:
    """`updateDaemonSetStatus` counters, and when to look again for minReadySeconds."""
    min_ready = int(ds["spec"].get("minReadySeconds") or 0)
    counts = _daemon_counts(places, by_node, rev_hash, min_ready)
    status: Obj = {
        "currentNumberScheduled": counts["current"],
        "numberMisscheduled": counts["misscheduled"],
        "desiredNumberScheduled": counts["desired"],
        "numberReady": counts["ready"],
        "observedGeneration": ds["metadata"].get("generation", 1),
    }
    unavailable = counts["desired"] - counts["available"]
    for field, value in (
        ("updatedNumberScheduled", counts["updated"]),
        ("numberAvailable", counts["available"]),
        ("numberUnavailable", unavailable),
    ):
        if value > 0:
            status[field] = value
    old = ds.get("status") or {}
    for field in ("collisionCount", "conditions"):
        if old.get(field) is not None:
            status[field] = old[field]
    waiting = float(min_ready) if min_ready and counts["ready"] != counts["available"] else None
    return status, waiting


def _daemon_counts(
    places: dict[str, dp.Placement], by_node: dict[str, list[Obj]], rev_hash: str, min_ready: int
) -> dict[str, int]:
    """Per-node tallies; the oldest daemon pod of a node is the one that counts."""
    now = time.time()
    counts = dict.fromkeys(
        ("desired", "current", "misscheduled", "ready", "available", "updated"), 0
    )
    for name, place in places.items():
        pods = dp.oldest_first(by_node.get(name, []))
        if not place.should_run:
            counts["misscheduled"] += bool(pods)
            continue
        counts["desired"] += 1
        if not pods:
            continue
        counts["current"] += 1
        counts["ready"] += pu.is_pod_ready(pods[0])
        counts["available"] += pu.is_pod_available(pods[0], min_ready, now)
        counts["updated"] += dp.is_updated(pods[0], rev_hash)
    return counts
