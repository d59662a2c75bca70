"""The ReplicaSet controller: keep `spec.replicas` pods of the template running.

Follows `pkg/controller/replicaset/replica_set.go`: claim (adopt/release) the active pods of
the namespace that match the selector, create pods named `<rs>-<5 random chars>` or delete the
least valuable ones (unscheduled, pending, not ready, newest first), then write the counters
to `/status`. Pods are created in one sync up to the upstream burst of 500.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

from kubesim.api import status as api_status
from kubesim.api.resources import rt
from kubesim.controllers import pods_util as pu
from kubesim.controllers.base import Controller, Key
from kubesim.controllers.pods_index import OwnerIndex
from kubesim.registry.context import now_rfc3339
from kubesim.registry.deletion import DeleteOptions
from kubesim.store.storage import Event

Obj = dict[str, Any]

RS = rt("apps", "replicasets")
PODS = rt("", "pods")
BURST_REPLICAS = 500
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
_PHASE_RANK = {"Pending": 0, "Unknown": 1, "Running": 2}


class ReplicaSetController(Controller):
    """Creates and deletes pods for ReplicaSets and reports their counts."""

    name = "replicaset"
    watches = (RS.key, PODS.key)

    def __init__(self, emu: Any) -> None:
        super().__init__(emu)
        self.pods = OwnerIndex(emu.storage)

    def initial_keys(self) -> Iterable[Key]:
        """Index pods by owner, then sync every ReplicaSet."""
        self.pods.seed()
        return super().initial_keys()

    def keys_for(self, event: Event) -> Iterable[Key]:
        """The ReplicaSet itself; a changed pod's owners are synced shortly after."""
        if event.key == RS.key:
            return [(event.obj.namespace, event.obj.name)]
        self.pods.observe(event)
        keys: dict[Key, None] = {}
        for version in (event.obj, event.prev):
            if version is not None:
                keys.update(dict.fromkeys(self._owners_of(version.obj)))
        # Pod changes come in bursts (a batch of pods started on a node): coalesce them.
        for key in keys:
            self.enqueue(key, self.config.controller_delay)
        return []

    def _owners_of(self, pod: Obj) -> list[Key]:
        namespace = pod["metadata"].get("namespace", "")
        ref = pu.controller_of(pod)
        if ref is not None:
            return [(namespace, ref["name"])] if ref.get("kind") == "ReplicaSet" else []
        labels = pod["metadata"].get("labels") or {}
        return [
            (namespace, rs.name)
            for rs in self.emu.storage.scan(RS.key, namespace)
            if pu.selector_matches(rs.obj["spec"].get("selector"), labels)
        ]

    def sync(self, key: Key) -> None:
        """Claim pods, create or delete to match spec.replicas, then update status."""
        stored = self.emu.storage.get(RS.key, *key)
        if stored is None:
            return
        rs = stored.obj
        pods = self._claim(rs)
        error: api_status.StatusError | None = None
        if not rs["metadata"].get("deletionTimestamp") and len(pods) != pu.replicas_of(rs):
            error = self._manage(rs, pods)
            pods = self._claim(rs)
        self._write_status(rs, pods, error)
        self._requeue_for_availability(key, rs, pods)

    def _claim(self, rs: Obj) -> list[Obj]:
        """Active pods this ReplicaSet controls, adopting matching orphans."""
        selector = rs["spec"].get("selector")
        claimed = [s.obj for s in self.pods.owned(rs["metadata"]["uid"]) if pu.is_active(s.obj)]
        for stored in self.pods.orphans(rs["metadata"]["namespace"]):
            if pu.is_active(stored.obj) and pu.selector_matches(selector, stored.labels):
                adopted = self._adopt(rs, stored.obj)
                if adopted is not None:
                    claimed.append(adopted)
        return claimed

    def _adopt(self, rs: Obj, pod: Obj) -> Obj | None:
        if rs["metadata"].get("deletionTimestamp"):
            return None
        ref = pu.controller_ref(rs, "ReplicaSet")

        def add_owner(obj: Obj) -> None:
            refs = obj["metadata"].setdefault("ownerReferences", [])
            if pu.controller_of(obj) is None:
                refs.append(ref)

        meta = pod["metadata"]
        stored = self.registry.mutate(PODS, meta["namespace"], meta["name"], add_owner, self.ctx())
        return None if stored is None else stored.obj

    def _manage(self, rs: Obj, pods: list[Obj]) -> api_status.StatusError | None:
        diff = len(pods) - pu.replicas_of(rs)
        try:
            if diff < 0:
                self._create_pods(rs, min(-diff, BURST_REPLICAS))
            elif diff > 0:
                self._delete_pods(pods, min(diff, BURST_REPLICAS))
        except api_status.StatusError as err:
            return err
        return None

    def _create_pods(self, rs: Obj, count: int) -> None:
        template = rs["spec"].get("template") or {}
        namespace = rs["metadata"]["namespace"]
        for _ in range(count):
            body = pu.pod_from_template(template, rs, "ReplicaSet")
            self.registry.create(PODS, namespace, body, self.ctx())
        if count == BURST_REPLICAS:
            self.enqueue((namespace, rs["metadata"]["name"]))

    def _delete_pods(self, pods: list[Obj], count: int) -> None:
        victims = pods if count >= len(pods) else sorted(pods, key=deletion_rank)[:count]
        for pod in victims:
            meta = pod["metadata"]
            try:
                self.registry.delete(
                    PODS, meta["namespace"], meta["name"], DeleteOptions(), self.ctx()
                )
            except api_status.StatusError as err:
                if err.code != 404:
                    raise

    def _write_status(self, rs: Obj, pods: list[Obj], error: api_status.StatusError | None) -> None:
        new_status = calculate_status(rs, pods, error, time.time())
        if new_status != rs.get("status"):
            key = (rs["metadata"]["namespace"], rs["metadata"]["name"])
            pu.write_status(self, RS, key, new_status)

    def _requeue_for_availability(self, key: Key, rs: Obj, pods: list[Obj]) -> None:
        min_ready = int(rs["spec"].get("minReadySeconds") or 0)
        if not min_ready:
            return
        now = time.time()
        pending = [
            at for pod in pods if (at := pu.available_at(pod, min_ready)) is not None and at >= now
        ]
        if pending:
            self.enqueue(key, min(pending) - now + 1.0)


def deletion_rank(pod: Obj) -> tuple[Any, ...]:
    """`ActivePodsWithRanks` order: the pods to delete first sort first."""
    status = pod.get("status") or {}
    ready = pu.is_pod_ready(pod)
    ready_cond = pu.pod_condition(pod, "Ready") or {}
    ready_since = pu.parse_time(ready_cond.get("lastTransitionTime")) if ready else 0.0
    restarts = sum(c.get("restartCount", 0) for c in status.get("containerStatuses") or ())
    try:
        cost = int((pod["metadata"].get("annotations") or {}).get(DELETION_COST, "0"))
    except ValueError:
        cost = 0
    created = pu.parse_time(pod["metadata"].get("creationTimestamp")) or 0.0
    return (
        bool((pod.get("spec") or {}).get("nodeName")),
        _PHASE_RANK.get(status.get("phase", ""), 0),
        ready,
        cost,
        -(ready_since or 0.0),
        -restarts,
        -created,
    )


def calculate_status(
    rs: Obj, pods: list[Obj], error: api_status.StatusError | None, now: float
) -> Obj:
    """The ReplicaSet status for these active pods, in the API's field order."""
    template_labels = (rs["spec"].get("template") or {}).get("metadata", {}).get("labels") or {}
    min_ready = int(rs["spec"].get("minReadySeconds") or 0)
    labeled = ready = available = 0
    for pod in pods:
        labels = pod["metadata"].get("labels") or {}
        labeled += all(labels.get(k) == v for k, v in template_labels.items())
        if pu.is_pod_ready(pod):
            ready += 1
            available += pu.is_pod_available(pod, min_ready, now)
    out: Obj = {"replicas": len(pods)}
    for field, value in (
        ("fullyLabeledReplicas", labeled),
        ("readyReplicas", ready),
        ("availableReplicas", available),
    ):
        if value:
            out[field] = value
    out["observedGeneration"] = rs["metadata"].get("generation", 1)
    conditions = _failure_conditions(rs, pods, error)
    if conditions:
        out["conditions"] = conditions
    return out


def _failure_conditions(
    rs: Obj, pods: list[Obj], error: api_status.StatusError | None
) -> list[Obj]:
    current = list((rs.get("status") or {}).get("conditions") or ())
    failure = next((c for c in current if c.get("type") == "ReplicaFailure"), None)
    if error is None:
        return [c for c in current if c.get("type") != "ReplicaFailure"]
    if failure is not None:
        return current
    reason = "FailedCreate" if len(pods) < pu.replicas_of(rs) else "FailedDelete"
    cond = {
        "type": "ReplicaFailure",
        "status": "True",
        "lastTransitionTime": now_rfc3339(),
        "reason": reason,
        "message": error.message,
    }
    return [*current, cond]
