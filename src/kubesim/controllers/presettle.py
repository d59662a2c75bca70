"""Load workloads settled: the state the controllers reach, written before they start.

A real cluster one connects to already runs its pods. Left to the controllers, a large
scenario's ~20,000 pods take tens of seconds of writes after start (ReplicaSet create, pod
creates, bindings, kubelet status writes, repeated status updates as pods come up). Here the
controllers' own sync functions run once each, in the order their work depends on, with no
event loop and no delays:

1. each Deployment syncs (creating its ReplicaSet, named by the pod-template hash), its
   ReplicaSet gets its pods, running (see `presettle_pods`), and syncs its status, and the
   Deployment syncs again (status and conditions of a finished rollout);
2. every DaemonSet and StatefulSet syncs until its pods run (each sync's new pods are
   bound and started at once), and once more for its status.

When the controllers start, their initial syncs find nothing to do. Anything this pass cannot
finish (a pod that fits no node, an image that cannot be pulled) is left as it is, and the
controllers carry on from there as they would have.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar, cast

from kubesim.api.resources import rt
from kubesim.controllers import pods_util as pu
from kubesim.controllers.daemonset import DaemonSetController
from kubesim.controllers.deployment import DeploymentController
from kubesim.controllers.pods import Scheduler
from kubesim.controllers.pods_kubelet import Kubelet
from kubesim.controllers.presettle_pods import PodStamper
from kubesim.controllers.replicaset import ReplicaSetController
from kubesim.controllers.statefulset import StatefulSetController
from kubesim.store.storage import Event

if TYPE_CHECKING:
    from kubesim.controllers.base import Controller, Key
    from kubesim.controllers.pods_index import OwnerIndex
    from kubesim.server.emulator import Emulator

DEPLOYMENTS = rt("apps", "deployments")
RS = rt("apps", "replicasets")
DAEMONSETS = rt("apps", "daemonsets")
STATEFULSETS = rt("apps", "statefulsets")
PODS = rt("", "pods")
C = TypeVar("C")


def presettle(emu: Emulator) -> None:
    """Bring every workload of a loaded scenario to the state the controllers would reach.

    Call after loading and before the controllers start.
    """
    deployments = _controller(emu, DeploymentController)
    replicasets = _controller(emu, ReplicaSetController)
    daemonsets = _controller(emu, DaemonSetController)
    statefulsets = _controller(emu, StatefulSetController)
    stamper = PodStamper(emu, _controller(emu, Scheduler), _controller(emu, Kubelet))
    with _indexed(emu, replicasets.pods):
        filled: set[Key] = set()
        # One Deployment at a time, so the objects each step rereads are still in cache.
        for key in _keys(emu, DEPLOYMENTS.key):
            deployments.sync(key)
            for rs_key in _replica_sets_of(emu, key):
                _fill_replica_set(emu, replicasets, stamper, rs_key)
                filled.add(rs_key)
            deployments.sync(key)
        for rs_key in _keys(emu, RS.key):
            if rs_key not in filled:
                _fill_replica_set(emu, replicasets, stamper, rs_key)
    with _indexed(emu, daemonsets.pods):
        for key in _keys(emu, DAEMONSETS.key):
            _run_until_started(emu, daemonsets, daemonsets.pods, stamper, DAEMONSETS.key, key)
    with _indexed(emu, statefulsets.pods):
        for key in _keys(emu, STATEFULSETS.key):
            _run_until_started(emu, statefulsets, statefulsets.pods, stamper, STATEFULSETS.key, key)


def _replica_sets_of(emu: Emulator, key: Key) -> list[Key]:
    stored = emu.storage.get(DEPLOYMENTS.key, *key)
    if stored is None:
        return []
    uid = stored.obj["metadata"]["uid"]
    return [
        (rs.namespace, rs.name)
        for rs in emu.storage.scan(RS.key, key[0])
        if pu.is_controlled_by(rs.obj, uid)
    ]


def _fill_replica_set(
    emu: Emulator, ctrl: ReplicaSetController, stamper: PodStamper, key: Key
) -> None:
    stored = emu.storage.get(RS.key, *key)
    if stored is None:
        return
    rs = stored.obj
    active = [s for s in ctrl.pods.owned(rs["metadata"]["uid"]) if pu.is_active(s.obj)]
    if not rs["metadata"].get("deletionTimestamp"):
        stamper.replicate(rs, "ReplicaSet", ctrl, pu.replicas_of(rs) - len(active))
    ctrl.sync(key)


def _run_until_started(
    emu: Emulator,
    ctrl: Controller,
    index: OwnerIndex,
    stamper: PodStamper,
    storage_key: str,
    key: Key,
) -> None:
    """Sync an owner, start the pods it created, and repeat until it creates none."""
    stored = emu.storage.get(storage_key, *key)
    if stored is None:
        return
    # OrderedReady StatefulSets create one pod per sync: a round per replica, one for status.
    # A DaemonSet creates all its pods in one sync (it has no replicas: 1 by this count).
    for _ in range(pu.replicas_of(stored.obj) + 2):
        ctrl.sync(key)
        current = emu.storage.get(storage_key, *key)
        if current is None:
            return
        pending = [
            (pod.namespace, pod.name)
            for pod in index.owned(current.obj["metadata"]["uid"])
            if not (pod.obj.get("spec") or {}).get("nodeName") and pu.is_active(pod.obj)
        ]
        if not pending:
            return
        started = [stamper.start(pod_key) for pod_key in pending]
        if not any(started):
            return


@contextmanager
def _indexed(emu: Emulator, index: OwnerIndex) -> Iterator[None]:
    """Keep a workload controller's pod index current while its syncs run unattached.

    Seeding again when the controllers start is harmless: the index is a set per owner.
    """
    index.seed()

    def observe(event: Event) -> None:
        if event.key == PODS.key:
            index.observe(event)

    emu.storage.add_listener(observe)
    try:
        yield
    finally:
        emu.storage.remove_listener(observe)


def _keys(emu: Emulator, storage_key: str) -> list[Key]:
    return [(stored.namespace, stored.name) for stored in emu.storage.scan(storage_key)]


def _controller(emu: Emulator, kind: type[C]) -> C:
    found = next(c for c in emu.controllers.controllers if isinstance(c, kind))
    return cast(C, found)
