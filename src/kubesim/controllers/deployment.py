"""The Deployment controller: ReplicaSets per template, rollouts, revisions and status.

`syncDeployment` of pkg/controller/deployment/deployment_controller.go: claim the ReplicaSets
the selector matches, then either report only (being deleted), scale (paused or a replica
count change) or run one step of the RollingUpdate/Recreate strategy. Status, and the
`deployment.kubernetes.io/revision` annotation with it, is written through `/status` as the
real controller does (the status strategy keeps annotation changes).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kubesim.api.resources import rt
from kubesim.controllers import deployment_rollout as rollout
from kubesim.controllers import deployment_status as ds
from kubesim.controllers import deployment_util as du
from kubesim.controllers import pods_util as pu
from kubesim.controllers.base import Controller, Key
from kubesim.controllers.deployment_sync import CollisionError, RolloutContext
from kubesim.store.objects import StoredObject
from kubesim.store.storage import Event, EventType

Obj = dict[str, Any]

DEPLOYMENTS = rt("apps", "deployments")
RS = rt("apps", "replicasets")
PODS = rt("", "pods")


class DeploymentController(Controller):
    """Reconciles Deployments into ReplicaSets."""

    name = "deployment"
    watches = (DEPLOYMENTS.key, RS.key, PODS.key)

    def keys_for(self, event: Event) -> Iterable[Key]:
        """The Deployment, the owner of a changed ReplicaSet, or of a deleted pod's RS."""
        if event.key == DEPLOYMENTS.key:
            return [(event.obj.namespace, event.obj.name)]
        if event.key == RS.key:
            keys: dict[Key, None] = {}
            for version in (event.obj, event.prev):
                if version is not None:
                    keys.update(dict.fromkeys(self._owners_of_rs(version.obj)))
            # ReplicaSet status moves in bursts while pods start: coalesce them.
            for key in keys:
                self.enqueue(key, self.config.controller_delay)
            return []
        if event.type is EventType.DELETED:
            return self._owner_of_pod(event.obj.obj)
        return []

    def _owners_of_rs(self, rs: Obj) -> list[Key]:
        namespace = rs["metadata"]["namespace"]
        ref = pu.controller_of(rs)
        if ref is not None:
            return [(namespace, ref["name"])] if ref.get("kind") == "Deployment" else []
        labels = rs["metadata"].get("labels") or {}
        return [
            (namespace, d.name)
            for d in self.emu.storage.scan(DEPLOYMENTS.key, namespace)
            if pu.selector_matches(d.obj["spec"].get("selector"), labels)
        ]

    def _owner_of_pod(self, pod: Obj) -> list[Key]:
        ref = pu.controller_of(pod)
        if ref is None or ref.get("kind") != "ReplicaSet":
            return []
        rs = self.emu.storage.get(RS.key, pod["metadata"]["namespace"], ref["name"])
        return [] if rs is None else self._owners_of_rs(rs.obj)

    def sync(self, key: Key) -> None:
        """One reconcile of one Deployment."""
        stored = self.emu.storage.get(DEPLOYMENTS.key, *key)
        if stored is None:
            return
        d = _working_copy(stored.obj)
        deadline = du.progress_deadline(d, self.config.progress_deadline_cap)
        ctx = RolloutContext(self, d, self._claim_replica_sets(d), deadline)
        try:
            new_status = self._reconcile(ctx)
        except CollisionError:
            self.write_status(d, dict(ctx.status))
            self.enqueue(key)
            return
        if not self.write_status(d, new_status):
            self._requeue_stuck(key, ctx, new_status)

    def _reconcile(self, ctx: RolloutContext) -> Obj:
        d = ctx.d
        if d["metadata"].get("deletionTimestamp"):
            ctx.sync_revision(create=False)
            return ds.calculate_status(ctx.all_rss, ctx.new_rs, d)
        paused = ds.paused_condition(d) if ctx.deadline is not None else None
        if paused is not None:
            ds.set_condition(ctx.status, paused)
        if d["spec"].get("paused") or rollout.is_scaling_event(ctx):
            return rollout.sync_scaling(ctx)
        if du.strategy_type(d) == "Recreate":
            return rollout.rollout_recreate(ctx, self._pods_by_rs(ctx))
        return rollout.rollout_rolling(ctx)

    def _claim_replica_sets(self, d: Obj) -> list[Obj]:
        """ReplicaSets this Deployment controls, adopting matching orphans."""
        uid = d["metadata"]["uid"]
        selector = d["spec"].get("selector")
        claimed = []
        for stored in self.emu.storage.scan(RS.key, d["metadata"]["namespace"]):
            rs = stored.obj
            ref = pu.controller_of(rs)
            if ref is not None and ref.get("uid") == uid:
                claimed.append(rs)
            elif ref is None and pu.selector_matches(selector, stored.labels):
                adopted = self._adopt(d, rs)
                if adopted is not None:
                    claimed.append(adopted)
        return claimed

    def _adopt(self, d: Obj, rs: Obj) -> Obj | None:
        if d["metadata"].get("deletionTimestamp"):
            return None
        ref = pu.controller_ref(d, "Deployment")

        def add_owner(obj: Obj) -> None:
            if pu.controller_of(obj) is None:
                obj["metadata"].setdefault("ownerReferences", []).append(ref)

        meta = rs["metadata"]
        stored = self.registry.mutate(RS, meta["namespace"], meta["name"], add_owner, self.ctx())
        return None if stored is None else stored.obj

    def _pods_by_rs(self, ctx: RolloutContext) -> dict[str, list[Obj]]:
        uids = {rs["metadata"]["uid"] for rs in ctx.rss}
        out: dict[str, list[Obj]] = {uid: [] for uid in uids}
        for stored in self.emu.storage.scan(PODS.key, ctx.d["metadata"]["namespace"]):
            ref = pu.controller_of(stored.obj)
            if ref is not None and ref.get("uid") in uids:
                out[ref["uid"]].append(stored.obj)
        return out

    def write_status(self, d: Obj, new_status: Obj) -> bool:
        """Write status and the revision annotation via `/status`; False if nothing changed."""
        key = (d["metadata"]["namespace"], d["metadata"]["name"])
        current = self.emu.storage.get(DEPLOYMENTS.key, *key)
        if current is None:
            return False
        revision = (d["metadata"].get("annotations") or {}).get(du.REVISION)
        annotations = None
        if revision is not None and _revision(current.obj) != revision:
            annotations = {
                **(current.obj["metadata"].get("annotations") or {}),
                du.REVISION: revision,
            }
        if current.obj.get("status") == new_status and annotations is None:
            return False
        stored = pu.write_status(self, DEPLOYMENTS, key, new_status, annotations)
        if stored is not None and annotations is not None and _revision(stored.obj) != revision:
            self._persist_annotations(stored, annotations)
        return True

    def _persist_annotations(self, stored: StoredObject, annotations: dict[str, str]) -> None:
        # A real server keeps metadata changes other than labels on a Deployment status write;
        # when this registry's status strategy drops them, store them the same way.
        obj = {**stored.obj, "metadata": {**stored.obj["metadata"], "annotations": annotations}}
        self.registry.writer.commit(DEPLOYMENTS, stored, obj, self.ctx())

    def _requeue_stuck(self, key: Key, ctx: RolloutContext, new_status: Obj) -> None:
        delay = ds.stuck_requeue_delay(ctx.d, new_status, ctx.deadline, ctx.now)
        if delay is not None:
            self.enqueue(key, delay)


def _working_copy(obj: Obj) -> Obj:
    """A copy whose annotations and status a sync may edit (spec stays shared, read-only)."""
    meta = dict(obj["metadata"])
    if "annotations" in meta:
        meta["annotations"] = dict(meta["annotations"])
    status = dict(obj.get("status") or {})
    if "conditions" in status:
        status["conditions"] = [dict(c) for c in status["conditions"]]
    return {**obj, "metadata": meta, "status": status}


def _revision(d: Obj) -> str | None:
    value: str | None = (d["metadata"].get("annotations") or {}).get(du.REVISION)
    return value
