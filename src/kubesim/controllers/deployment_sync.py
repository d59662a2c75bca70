"""One Deployment sync's state and its ReplicaSet operations (create, annotate, scale, prune).

`RolloutContext` holds a working copy of the Deployment (whose revision annotation and status
are edited in memory and written once, through `/status`, at the end of the sync) and the
current versions of its ReplicaSets, replaced in place after every write so later steps see
what the earlier ones did, as upstream's in-memory copies do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kubesim.api import status as api_status
from kubesim.api.resources import rt
from kubesim.controllers import deployment_status as ds
from kubesim.controllers import deployment_util as du
from kubesim.controllers import pods_util as pu
from kubesim.controllers.hashing import pod_template_hash
from kubesim.registry.deletion import DeleteOptions

if TYPE_CHECKING:
    from kubesim.controllers.deployment import DeploymentController

Obj = dict[str, Any]

RS = rt("apps", "replicasets")


class CollisionError(Exception):
    """A ReplicaSet of the wanted name exists with another template (collisionCount bumped)."""


@dataclass
class RolloutContext:
    """The Deployment being synced and the ReplicaSets it controls."""

    ctrl: DeploymentController
    d: Obj
    rss: list[Obj]
    deadline: float | None = None
    now: float = field(default_factory=time.time)
    new_uid: str | None = None
    resolved: bool = False

    @property
    def status(self) -> Obj:
        """The working status (edited in memory)."""
        result: Obj = self.d.setdefault("status", {})
        return result

    @property
    def new_rs(self) -> Obj | None:
        """The current version of the new ReplicaSet, if found or created."""
        return next((rs for rs in self.rss if rs["metadata"]["uid"] == self.new_uid), None)

    @property
    def old_rss(self) -> list[Obj]:
        """Every ReplicaSet but the new one."""
        return [rs for rs in self.rss if rs["metadata"]["uid"] != self.new_uid]

    @property
    def all_rss(self) -> list[Obj | None]:
        """Old ReplicaSets followed by the new one (None when there is none yet)."""
        return [*self.old_rss, self.new_rs]

    def replace(self, rs: Obj) -> Obj:
        """Record a ReplicaSet's new version; returns it."""
        uid = rs["metadata"]["uid"]
        self.rss = [rs if r["metadata"]["uid"] == uid else r for r in self.rss]
        if all(r["metadata"]["uid"] != uid for r in self.rss):
            self.rss.append(rs)
        return rs

    def sync_revision(self, create: bool) -> None:
        """`getAllReplicaSetsAndSyncRevision`: find (or create) the new ReplicaSet."""
        if self.resolved and (self.new_uid is not None or not create):
            return
        self.resolved = True
        existing = du.find_new_rs(self.d, self.rss)
        self.new_uid = existing["metadata"]["uid"] if existing is not None else None
        new_revision = du.max_revision(self.old_rss) + 1
        if existing is not None:
            self._sync_existing(existing, new_revision)
        elif create:
            self._create_new(new_revision)

    def _sync_existing(self, existing: Obj, new_revision: int) -> None:
        meta = existing["metadata"]
        rs_copy = {
            **existing,
            "spec": dict(existing["spec"]),
            "metadata": {**meta, "annotations": dict(meta.get("annotations") or {})},
        }
        changed = du.set_new_rs_annotations(self.d, rs_copy, new_revision, exists=True)
        min_ready = self.d["spec"].get("minReadySeconds") or 0
        if changed or (rs_copy["spec"].get("minReadySeconds") or 0) != min_ready:
            rs_copy = self._update_rs(rs_copy, min_ready)
        rev = (rs_copy["metadata"].get("annotations") or {}).get(du.REVISION, "")
        set_deployment_revision(self.d, rev)
        if self.deadline is not None and ds.get_condition(self.status, ds.PROGRESSING) is None:
            name = rs_copy["metadata"]["name"]
            ds.set_condition(
                self.status,
                ds.new_condition(
                    ds.PROGRESSING, "True", ds.FOUND_NEW_RS, f'Found new replica set "{name}"'
                ),
            )

    def _update_rs(self, wanted: Obj, min_ready: int) -> Obj:
        annotations = wanted["metadata"].get("annotations") or {}

        def apply(obj: Obj) -> None:
            obj["metadata"]["annotations"] = dict(annotations)
            _set_min_ready(obj["spec"], min_ready)

        stored = self.ctrl.registry.mutate(RS, *_ident(wanted), apply, self.ctrl.ctx())
        return self.replace(stored.obj) if stored is not None else wanted

    def _create_new(self, new_revision: int) -> None:
        body = self._new_rs_body()
        replicas = du.new_rs_new_replicas(self.d, [*self.old_rss, body], body)
        body["spec"]["replicas"] = replicas
        du.set_new_rs_annotations(self.d, body, new_revision, exists=False)
        created, already_existed = self._create_rs(body)
        self.new_uid = self.replace(created)["metadata"]["uid"]
        set_deployment_revision(self.d, str(new_revision))
        if not already_existed and self.deadline is not None:
            name = created["metadata"]["name"]
            ds.set_condition(
                self.status,
                ds.new_condition(
                    ds.PROGRESSING, "True", ds.NEW_RS_CREATED, f'Created new replica set "{name}"'
                ),
            )

    def _new_rs_body(self) -> Obj:
        d = self.d
        source = d["spec"].get("template") or {}
        rs_hash = pod_template_hash(source, self.status.get("collisionCount"))
        # New dicts only where labels change; the registry copies the body it stores.
        tmeta = dict(source.get("metadata") or {})
        tmeta["labels"] = {**(tmeta.get("labels") or {}), du.HASH_LABEL: rs_hash}
        template = {**source, "metadata": tmeta}
        selector = dict(d["spec"].get("selector") or {})
        selector["matchLabels"] = {**(selector.get("matchLabels") or {}), du.HASH_LABEL: rs_hash}
        meta: Obj = {
            "name": f"{d['metadata']['name']}-{rs_hash}",
            "namespace": d["metadata"]["namespace"],
            "labels": dict(tmeta["labels"]),
            "annotations": {},
            "ownerReferences": [pu.controller_ref(d, "Deployment")],
        }
        spec: Obj = {"replicas": 0}
        _set_min_ready(spec, d["spec"].get("minReadySeconds") or 0)
        spec.update(selector=selector, template=template)
        return {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": meta, "spec": spec}

    def _create_rs(self, body: Obj) -> tuple[Obj, bool]:
        namespace, name = _ident(body)
        try:
            return self.ctrl.registry.create(RS, namespace, body, self.ctrl.ctx()).obj, False
        except api_status.StatusError as err:
            if err.reason != "AlreadyExists":
                self._report_create_failure(name, err)
                raise
        existing = self.ctrl.emu.storage.get(RS.key, namespace, name)
        if (
            existing is not None
            and pu.is_controlled_by(existing.obj, self.d["metadata"]["uid"])
            and du.equal_ignore_hash(self.d["spec"]["template"], existing.obj["spec"]["template"])
        ):
            return existing.obj, True
        self.status["collisionCount"] = (self.status.get("collisionCount") or 0) + 1
        raise CollisionError(name)

    def _report_create_failure(self, name: str, err: api_status.StatusError) -> None:
        if self.deadline is None:
            return
        message = f'Failed to create new replica set "{name}": {err.message}'
        ds.set_condition(
            self.status, ds.new_condition(ds.PROGRESSING, "False", ds.FAILED_RS_CREATE, message)
        )
        self.ctrl.write_status(self.d, dict(self.status))

    def scale_rs(self, rs: Obj, new_scale: int) -> bool:
        """`scaleReplicaSet`: set replicas and the desired/max annotations; True if resized."""
        desired = pu.replicas_of(self.d)
        maximum = desired + du.max_surge(self.d)
        resize = du.rs_replicas(rs) != new_scale
        if not resize and not du.replicas_annotations_need_update(rs, desired, maximum):
            return False

        def apply(obj: Obj) -> None:
            obj["spec"]["replicas"] = new_scale
            du.set_replicas_annotations(obj, desired, maximum)

        stored = self.ctrl.registry.mutate(RS, *_ident(rs), apply, self.ctrl.ctx())
        if stored is not None:
            self.replace(stored.obj)
        return resize

    def cleanup(self) -> None:
        """`cleanupDeployment`: delete the oldest idle ReplicaSets beyond revisionHistoryLimit."""
        limit = self.d["spec"].get("revisionHistoryLimit", 10)
        if limit is None:
            return
        alive = [rs for rs in self.old_rss if not rs["metadata"].get("deletionTimestamp")]
        excess = len(alive) - int(limit)
        for rs in sorted(alive, key=du.by_revision)[: max(excess, 0)]:
            if _busy(rs):
                continue
            try:
                self.ctrl.registry.delete(RS, *_ident(rs), DeleteOptions(), self.ctrl.ctx())
            except api_status.StatusError as err:
                if err.code != 404:
                    raise
            self.rss = [r for r in self.rss if r is not rs]


def set_deployment_revision(d: Obj, revision: str) -> None:
    """`SetDeploymentRevision` on the working copy."""
    d["metadata"].setdefault("annotations", {})[du.REVISION] = revision


def _busy(rs: Obj) -> bool:
    status = rs.get("status") or {}
    generation = rs["metadata"].get("generation", 1)
    return bool(
        status.get("replicas")
        or du.rs_replicas(rs)
        or generation > status.get("observedGeneration", 0)
        or rs["metadata"].get("deletionTimestamp")
    )


def _set_min_ready(spec: Obj, value: int) -> None:
    # Keep the API's field order: minReadySeconds follows replicas.
    items = [(k, v) for k, v in spec.items() if k != "minReadySeconds"]
    spec.clear()
    for key, item in items:
        spec[key] = item
        if key == "replicas" and value:
            spec["minReadySeconds"] = value


def _ident(obj: Obj) -> tuple[str, str]:
    return obj["metadata"]["namespace"], obj["metadata"]["name"]
