"""Shared helpers for the workload controller tests: a small cluster and client-side views."""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Awaitable, Callable
from typing import Any

from kubesim.api.resources import rt
from kubesim.config import SimConfig
from kubesim.controllers.base import ControllerManager
from kubesim.controllers.daemonset import DaemonSetController
from kubesim.controllers.deployment import DeploymentController
from kubesim.controllers.pods import Scheduler
from kubesim.controllers.pods_kubelet import Kubelet
from kubesim.controllers.replicaset import ReplicaSetController
from kubesim.controllers.statefulset import StatefulSetController
from kubesim.registry.deletion import DeleteOptions
from kubesim.scenarios.nodes import NodeShape, node
from kubesim.server.emulator import Emulator
from kubesim.store.storage import Event

Obj = dict[str, Any]
WORKLOADS = (
    DeploymentController,
    ReplicaSetController,
    DaemonSetController,
    StatefulSetController,
    Scheduler,
    Kubelet,
)
NODES = (
    NodeShape("cp-1", "172.18.0.2", "10.244.0.0/24", control_plane=True),
    NodeShape("worker-1", "172.18.0.3", "10.244.1.0/24"),
    NodeShape("worker-2", "172.18.0.4", "10.244.2.0/24"),
)
FAST = {"pod_ready_delay": 0.02, "pod_termination_delay": 0.02}
RESOURCES = {
    "deployments": ("apps", "deployments"),
    "replicasets": ("apps", "replicasets"),
    "daemonsets": ("apps", "daemonsets"),
    "statefulsets": ("apps", "statefulsets"),
    "controllerrevisions": ("apps", "controllerrevisions"),
    "pods": ("", "pods"),
    "nodes": ("", "nodes"),
}


class Cluster:
    """An emulator running the workload controllers, read and written like a client would."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu
        self.events: list[Event] = []
        emu.storage.add_listener(self.events.append)

    async def settle(self) -> None:
        assert await self.emu.settle(10)

    def create(self, manifest: Obj) -> None:
        self.emu.create(copy.deepcopy(manifest), self.emu.system_ctx("kubectl-create"))

    def get(self, resource: str, name: str, namespace: str = "default") -> Obj:
        found = self.emu.storage.get(rt(*RESOURCES[resource]).key, namespace, name)
        assert found is not None, f"{resource} {namespace}/{name} not found"
        return found.obj

    def find(self, resource: str, name: str, namespace: str = "default") -> Obj | None:
        found = self.emu.storage.get(rt(*RESOURCES[resource]).key, namespace, name)
        return None if found is None else found.obj

    def list(self, resource: str, namespace: str = "default") -> list[Obj]:
        key = rt(*RESOURCES[resource]).key
        return [o.obj for o in self.emu.storage.scan(key, namespace)]

    def edit(
        self, resource: str, name: str, change: Callable[[Obj], None], namespace: str = "default"
    ) -> None:
        ctx = self.emu.system_ctx("kubectl-edit")
        self.emu.registry.mutate(rt(*RESOURCES[resource]), namespace, name, change, ctx)

    def delete(self, resource: str, name: str, namespace: str = "default") -> None:
        ctx = self.emu.system_ctx("kubectl")
        self.emu.registry.delete(rt(*RESOURCES[resource]), namespace, name, DeleteOptions(), ctx)

    def owned(self, resource: str, owner: Obj) -> list[Obj]:
        uid = owner["metadata"]["uid"]
        return [
            o
            for o in self.list(resource, owner["metadata"]["namespace"])
            if any(r.get("uid") == uid for r in o["metadata"].get("ownerReferences") or ())
        ]


def run(
    steps: Callable[[Cluster], Awaitable[None]], nodes: tuple[NodeShape, ...] = NODES, **config: Any
) -> None:
    """Run `steps` on a fresh cluster with `nodes`, after the controllers settled."""
    emu = Emulator(SimConfig(**{**FAST, **config}))
    emu.controllers = ControllerManager(emu, [cls(emu) for cls in WORKLOADS])
    for shape in nodes:
        emu.create(node(shape), emu.system_ctx())
    cluster = Cluster(emu)

    async def main() -> None:
        emu.controllers.start()
        try:
            await cluster.settle()
            await steps(cluster)
        finally:
            emu.controllers.stop()

    asyncio.run(main())


def deployment(name: str, replicas: int = 3, image: str = "nginx:1.25.3", **spec: Any) -> Obj:
    """A Deployment of one container selecting `app=<name>`."""
    labels = {"app": name}
    annotations = spec.pop("annotations", None)
    body: Obj = {
        "replicas": replicas,
        "selector": {"matchLabels": labels},
        "template": {
            "metadata": {"labels": labels},
            "spec": {"containers": [{"name": "app", "image": image}]},
        },
    }
    body.update(spec)
    meta: Obj = {"name": name, "namespace": "default"}
    if annotations:
        meta["annotations"] = annotations
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta, "spec": body}


def set_image(image: str) -> Callable[[Obj], None]:
    """An edit replacing the first container's image of a workload's template."""

    def change(obj: Obj) -> None:
        obj["spec"]["template"]["spec"]["containers"][0]["image"] = image

    return change


def condition(obj: Obj, ctype: str) -> Obj:
    for cond in obj["status"].get("conditions") or ():
        if cond["type"] == ctype:
            return dict(cond)
    raise AssertionError(f"no {ctype} condition in {obj['status']}")


def rollout_status(d: Obj) -> str:
    """`kubectl rollout status deployment/<name>`'s message for one observed Deployment."""
    name = d["metadata"]["name"]
    status = d.get("status") or {}
    if d["metadata"]["generation"] > status.get("observedGeneration", 0):
        return "Waiting for deployment spec update to be observed..."
    progressing = next(
        (c for c in status.get("conditions") or () if c["type"] == "Progressing"), {}
    )
    if progressing.get("reason") == "ProgressDeadlineExceeded":
        return f'error: deployment "{name}" exceeded its progress deadline'
    replicas = d["spec"]["replicas"]
    updated = status.get("updatedReplicas", 0)
    if updated < replicas:
        return (
            f'Waiting for deployment "{name}" rollout to finish: {updated} out of '
            f"{replicas} new replicas have been updated..."
        )
    if status.get("replicas", 0) > updated:
        return (
            f'Waiting for deployment "{name}" rollout to finish: '
            f"{status['replicas'] - updated} old replicas are pending termination..."
        )
    if status.get("availableReplicas", 0) < updated:
        return (
            f'Waiting for deployment "{name}" rollout to finish: '
            f"{status.get('availableReplicas', 0)} of {updated} updated replicas are "
            "available..."
        )
    return f'deployment "{name}" successfully rolled out'
