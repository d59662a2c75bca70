"""Node manifests as a kubeadm-provisioned kubelet registers them, status included.

Nodes are the one kind a scenario yields with `status`: on a real cluster the kubelet creates
its Node with conditions, addresses, capacity and nodeInfo already set, and no controller of
the emulator derives them. Identifiers (bootID, machineID, systemUUID) are name-derived UUIDs
so the output is deterministic.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from kubesim.scenarios.build import Manifest, meta

KUBELET_VERSION = "v1.30.2"
CONTAINER_RUNTIME = "containerd://1.7.18"
OS_IMAGE = "Ubuntu 22.04.4 LTS"
KERNEL = "5.15.0-113-generic"
CONTROL_PLANE_ROLE = "node-role.kubernetes.io/control-plane"
# Fixed instants keep manifests deterministic; the heartbeat is what a kubelet last posted.
TRANSITION_TIME = "2024-06-03T07:12:45Z"
HEARTBEAT_TIME = "2024-06-03T09:41:02Z"
_ID_SPACE = uuid.UUID("6f1c3d2e-8a4b-4c5d-9e6f-7a8b9c0d1e2f")


@dataclass(frozen=True)
class NodeShape:
    """What differs between Nodes: identity, addressing and size."""

    name: str
    ip: str
    pod_cidr: str
    control_plane: bool = False
    cpu: int = 8
    memory_gib: int = 32


def node(shape: NodeShape) -> Manifest:
    """A Ready Node with the labels, taints and status a kubeadm cluster shows."""
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": meta(shape.name, labels=_labels(shape), annotations=_annotations()),
        "spec": _spec(shape),
        "status": _status(shape),
    }


def _labels(shape: NodeShape) -> dict[str, str]:
    labels = {
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": shape.name,
        "kubernetes.io/os": "linux",
    }
    if shape.control_plane:
        labels[CONTROL_PLANE_ROLE] = ""
        labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
    return labels


def _annotations() -> dict[str, str]:
    return {
        "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
        "node.alpha.kubernetes.io/ttl": "0",
        "volumes.kubernetes.io/controller-managed-attach-detach": "true",
    }


def _spec(shape: NodeShape) -> Manifest:
    spec: Manifest = {"podCIDR": shape.pod_cidr, "podCIDRs": [shape.pod_cidr]}
    if shape.control_plane:
        spec["taints"] = [{"key": CONTROL_PLANE_ROLE, "effect": "NoSchedule"}]
    return spec


def _status(shape: NodeShape) -> Manifest:
    return {
        "addresses": [
            {"type": "InternalIP", "address": shape.ip},
            {"type": "Hostname", "address": shape.name},
        ],
        "capacity": _resources(shape, allocatable=False),
        "allocatable": _resources(shape, allocatable=True),
        "conditions": _conditions(),
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
        "nodeInfo": _node_info(shape.name),
    }


def _resources(shape: NodeShape, allocatable: bool) -> dict[str, str]:
    memory_kib = shape.memory_gib * 1024 * 1024
    # The kubelet reserves eviction headroom (100Mi memory, ~10% disk) from allocatable.
    return {
        "cpu": str(shape.cpu),
        "ephemeral-storage": "94580335255" if allocatable else "102626232Ki",
        "hugepages-1Gi": "0",
        "hugepages-2Mi": "0",
        "memory": f"{memory_kib - 102400 if allocatable else memory_kib}Ki",
        "pods": "110",
    }


def _conditions() -> list[Manifest]:
    memory = "kubelet has sufficient memory available"
    rows = (
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", memory),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    )
    return [
        {
            "type": ctype,
            "status": status,
            "lastHeartbeatTime": HEARTBEAT_TIME,
            "lastTransitionTime": TRANSITION_TIME,
            "reason": reason,
            "message": message,
        }
        for ctype, status, reason, message in rows
    ]


def _node_info(name: str) -> dict[str, str]:
    return {
        "architecture": "amd64",
        "bootID": str(uuid.uuid5(_ID_SPACE, f"boot/{name}")),
        "containerRuntimeVersion": CONTAINER_RUNTIME,
        "kernelVersion": KERNEL,
        "kubeProxyVersion": KUBELET_VERSION,
        "kubeletVersion": KUBELET_VERSION,
        "machineID": uuid.uuid5(_ID_SPACE, f"machine/{name}").hex,
        "operatingSystem": "linux",
        "osImage": OS_IMAGE,
        "systemUUID": str(uuid.uuid5(_ID_SPACE, f"system/{name}")),
    }
