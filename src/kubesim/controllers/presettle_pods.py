"""Pods created bound and running, as the workload controllers, scheduler and kubelet leave them.

A pod normally takes three writes (the owner's create, the scheduler's binding, the kubelet's
status) through the full write path. Here the first pod of an owner still takes exactly those
writes, made by the controllers' own code; its siblings are copies of it that differ only
where the controllers make pods of one template differ: name, uid, creation time, node, pod
IP, container IDs and the pod IP key in the kubelet's managedFields entry. Copies are stored
with a plain storage put: they are built from an object that already passed defaulting,
validation and field tracking, and they share its unchanged parts (stored objects are never
edited in place).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import orjson

from kubesim.api.resources import rt
from kubesim.controllers import pods_status as ps
from kubesim.controllers import pods_util as pu
from kubesim.registry.context import new_uid, now_rfc3339
from kubesim.registry.writes import generate_suffix
from kubesim.store.objects import StoredObject

if TYPE_CHECKING:
    from kubesim.controllers.base import Controller, Key
    from kubesim.controllers.pods import Scheduler
    from kubesim.controllers.pods_kubelet import Kubelet
    from kubesim.server.emulator import Emulator

Obj = dict[str, Any]

PODS = rt("", "pods")
NODES = rt("", "nodes")


class PodStamper:
    """Creates, binds and starts pods the way the running controllers would."""

    def __init__(self, emu: Emulator, scheduler: Scheduler, kubelet: Kubelet) -> None:
        self.storage = emu.storage
        self.scheduler = scheduler
        self.kubelet = kubelet
        self.nodes = {node.name: node.obj for node in self.storage.scan(NODES.key)}
        # Pods per node, as the scheduler counts them when it starts.
        self.load: dict[str, int] = {}
        for stored in self.storage.scan(PODS.key):
            node = (stored.obj.get("spec") or {}).get("nodeName")
            if node:
                self.load[node] = self.load.get(node, 0) + 1

    def place(self, spec: Obj) -> str | None:
        """The node the scheduler picks (fewest pods, then name); None if none fits."""
        feasible = self.scheduler.feasible_nodes(spec)
        if not feasible:
            return None
        load = self.load
        node = min(feasible, key=lambda name: (load.get(name, 0), name))
        load[node] = load.get(node, 0) + 1
        return node

    def start(self, key: Key) -> StoredObject | None:
        """Bind and start one pending pod with the scheduler's and the kubelet's writes.

        Returns the started pod, or None when it fits no node (the scheduler reports that
        once it runs).
        """
        stored = self.storage.get(PODS.key, *key)
        if stored is None:
            return None
        node = self.place(stored.obj.get("spec") or {})
        if node is None:
            return None
        self.scheduler.bind(key, node)
        bound = self.storage.get(PODS.key, *key)
        if bound is not None:
            self.kubelet.start(node, bound)
        return self.storage.get(PODS.key, *key)

    def replicate(self, owner: Obj, kind: str, ctrl: Controller, count: int) -> None:
        """Create `count` running pods of an owner's template (a ReplicaSet's).

        The first goes through the controllers' writes; when it runs, the others are copies.
        When it does not (an image that cannot be pulled), only it is created and the
        controllers create the rest once they start, as they would have anyway.
        """
        if count <= 0:
            return
        namespace = owner["metadata"]["namespace"]
        body = pu.pod_from_template(owner["spec"].get("template") or {}, owner, kind)
        first = ctrl.registry.create(PODS, namespace, body, ctrl.ctx())
        key = (first.namespace, first.name)
        node = self.place(first.obj.get("spec") or {})
        if node is None:
            return
        self.scheduler.bind(key, node)
        bound = self.storage.get(PODS.key, *key)
        if bound is None:
            return
        self.kubelet.start(node, bound)
        started = self.storage.get(PODS.key, *key)
        if started is None or (started.obj.get("status") or {}).get("phase") != "Running":
            return
        for _ in range(count - 1):
            self._put_copy(started, bound.obj)

    def _put_copy(self, started: StoredObject, bound: Obj) -> None:
        """Store a sibling of `started`; `bound` is the prototype as the kubelet found it."""
        proto = started.obj
        spec = proto["spec"]
        node = self.place(spec)
        if node is None:
            return
        where = self.kubelet.placement(self.nodes[node], bound)
        meta = dict(proto["metadata"])
        meta["name"] = self._fresh_name(meta["generateName"], meta["namespace"])
        meta["uid"] = new_uid()
        meta["creationTimestamp"] = now_rfc3339()
        old_ip = (proto.get("status") or {}).get("podIP", "")
        meta["managedFields"] = with_pod_ip(meta.get("managedFields") or [], old_ip, where.pod_ip)
        obj = dict(proto)
        obj["metadata"] = meta
        obj["spec"] = {**spec, "nodeName": node}
        obj["status"] = ps.kubelet_status(bound, where, self.kubelet.is_broken)
        self.storage.put(PODS.key, obj, started.api_version, started.kind)

    def _fresh_name(self, prefix: str, namespace: str) -> str:
        while True:
            name = prefix + generate_suffix()
            if self.storage.get(PODS.key, namespace, name) is None:
                return name


def with_pod_ip(entries: list[Obj], old_ip: str, new_ip: str) -> list[Obj]:
    """managedFields entries with the `status.podIPs` key of one IP renamed to another.

    podIPs is a list keyed by `ip`, so the kubelet's entry names the pod's IP; every other
    field the entries record is the same for pods of one template.
    """
    if old_ip == new_ip:
        return entries
    old_key = "k:" + orjson.dumps({"ip": old_ip}).decode()
    new_key = "k:" + orjson.dumps({"ip": new_ip}).decode()
    out = []
    for entry in entries:
        fields = entry.get("fieldsV1") or {}
        status = fields.get("f:status") or {}
        ips = status.get("f:podIPs")
        if not isinstance(ips, dict) or old_key not in ips:
            out.append(entry)
            continue
        renamed = {new_key if k == old_key else k: v for k, v in ips.items()}
        new_fields = {**fields, "f:status": {**status, "f:podIPs": renamed}}
        out.append({**entry, "fieldsV1": new_fields})
    return out
