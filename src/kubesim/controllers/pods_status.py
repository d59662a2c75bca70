"""Pod status documents as the kubelet and the scheduler write them.

Shapes follow what a containerd-based kubelet reports: the five pod conditions in the
kubelet's order, host/pod IPs, container statuses sorted by name with `docker.io/library/`
normalized image names, `containerd://` IDs and `sha256` image digests, init containers shown
as terminated `Completed`; images that cannot be pulled wait in `ErrImagePull`, then
`ImagePullBackOff`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]

POD_CONDITION_ORDER = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


@dataclass(frozen=True)
class Placement:
    """Where and when a pod runs: its node's IP, its own IP and the kubelet's clock."""

    host_ip: str
    pod_ip: str
    start_time: str
    now: str


def pod_condition(ctype: str, status: str, stamp: str, reason: str = "", message: str = "") -> Obj:
    """A PodCondition in the API's field order (lastProbeTime is always null)."""
    cond: Obj = {
        "type": ctype,
        "status": status,
        "lastProbeTime": None,
        "lastTransitionTime": stamp,
    }
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def scheduled_condition(stamp: str) -> Obj:
    """The PodScheduled=True condition the binding sets."""
    return pod_condition("PodScheduled", "True", stamp)


def unschedulable_condition(stamp: str, message: str) -> Obj:
    """The PodScheduled=False condition the scheduler reports for a pod that fits nowhere."""
    return pod_condition("PodScheduled", "False", stamp, "Unschedulable", message)


def normalize_image(image: str) -> str:
    """The fully qualified reference containerd reports.

    `nginx` becomes `docker.io/library/nginx:latest`, `org/app:1` becomes `docker.io/org/app:1`.
    """
    name, _, digest = image.partition("@")
    first, _, rest = name.partition("/")
    if not rest:
        name = f"docker.io/library/{name}"
    elif "." not in first and ":" not in first and first != "localhost":
        name = f"docker.io/{name}"
    if digest:
        return f"{name}@{digest}"
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def image_id(image: str) -> str:
    """A stable `repo@sha256:<digest>` for an image (derived from its name)."""
    full = normalize_image(image)
    repo = full.split("@", 1)[0] if "@" in full else full.rsplit(":", 1)[0]
    return f"{repo}@sha256:{hashlib.sha256(full.encode()).hexdigest()}"


def container_id() -> str:
    """A fresh containerd container ID."""
    return "containerd://" + secrets.token_hex(32)


def running_state(container: Obj, stamp: str) -> Obj:
    """A ready, started container."""
    image = container.get("image", "")
    return {
        "name": container["name"],
        "state": {"running": {"startedAt": stamp}},
        "lastState": {},
        "ready": True,
        "restartCount": 0,
        "image": normalize_image(image),
        "imageID": image_id(image),
        "containerID": container_id(),
        "started": True,
    }


def completed_init_state(container: Obj, stamp: str) -> Obj:
    """An init container that ran to completion."""
    cid = container_id()
    image = container.get("image", "")
    return {
        "name": container["name"],
        "state": {
            "terminated": {
                "exitCode": 0,
                "reason": "Completed",
                "startedAt": stamp,
                "finishedAt": stamp,
                "containerID": cid,
            }
        },
        "lastState": {},
        "ready": True,
        "restartCount": 0,
        "image": normalize_image(image),
        "imageID": image_id(image),
        "containerID": cid,
        "started": False,
    }


def waiting_state(container: Obj, reason: str) -> Obj:
    """A container whose image cannot be pulled (or that waits for init containers)."""
    image = container.get("image", "")
    if reason == "ErrImagePull":
        ref = normalize_image(image)
        message = (
            f'rpc error: code = NotFound desc = failed to pull and unpack image "{ref}": '
            f'failed to resolve reference "{ref}": {ref}: not found'
        )
    elif reason == "ImagePullBackOff":
        message = f'Back-off pulling image "{image}"'
    else:
        message = ""
    waiting: Obj = {"reason": reason}
    if message:
        waiting["message"] = message
    return {
        "name": container["name"],
        "state": {"waiting": waiting},
        "lastState": {},
        "ready": False,
        "restartCount": 0,
        "image": image,
        "imageID": "",
        "started": False,
    }


def kubelet_status(
    pod: Obj, where: Placement, is_broken: Callable[[str], bool], pull_reason: str = "ErrImagePull"
) -> Obj:
    """The status a kubelet reports once it has tried to start every container."""
    spec = pod.get("spec") or {}
    inits = spec.get("initContainers") or []
    broken_init = [c["name"] for c in inits if is_broken(c.get("image", ""))]
    if broken_init:
        init_statuses = [
            waiting_state(c, pull_reason)
            if c["name"] in broken_init
            else completed_init_state(c, where.now)
            for c in inits
        ]
        statuses = [waiting_state(c, "PodInitializing") for c in spec.get("containers") or []]
    else:
        init_statuses = [completed_init_state(c, where.now) for c in inits]
        statuses = [
            waiting_state(c, pull_reason)
            if is_broken(c.get("image", ""))
            else running_state(c, where.now)
            for c in spec.get("containers") or []
        ]
    statuses.sort(key=lambda s: str(s["name"]))
    unready = [s["name"] for s in statuses if not s["ready"]]
    status: Obj = {"phase": "Pending" if unready else "Running"}
    status["conditions"] = _conditions(pod, where.now, broken_init, unready)
    status.update(_addresses(where))
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status["containerStatuses"] = statuses
    qos = (pod.get("status") or {}).get("qosClass")
    if qos:
        status["qosClass"] = qos
    return status


def _conditions(pod: Obj, stamp: str, broken_init: list[str], unready: list[str]) -> list[Obj]:
    conds = [pod_condition("PodReadyToStartContainers", "True", stamp)]
    if broken_init:
        names = " ".join(broken_init)
        conds.append(
            pod_condition(
                "Initialized",
                "False",
                stamp,
                "ContainersNotInitialized",
                f"containers with incomplete status: [{names}]",
            )
        )
    else:
        conds.append(pod_condition("Initialized", "True", stamp))
    for ctype in ("Ready", "ContainersReady"):
        if unready:
            conds.append(
                pod_condition(
                    ctype,
                    "False",
                    stamp,
                    "ContainersNotReady",
                    f"containers with unready status: [{' '.join(unready)}]",
                )
            )
        else:
            conds.append(pod_condition(ctype, "True", stamp))
    scheduled = next(
        (
            c
            for c in (pod.get("status") or {}).get("conditions") or ()
            if c.get("type") == "PodScheduled"
        ),
        None,
    )
    conds.append(dict(scheduled) if scheduled else scheduled_condition(stamp))
    return conds


def _addresses(where: Placement) -> Obj:
    return {
        "hostIP": where.host_ip,
        "hostIPs": [{"ip": where.host_ip}],
        "podIP": where.pod_ip,
        "podIPs": [{"ip": where.pod_ip}],
        "startTime": where.start_time,
    }


def with_pull_reason(status: Obj, reason: str) -> Obj:
    """The same status with every image-pull wait switched to `reason`."""
    out = dict(status)
    for field in ("initContainerStatuses", "containerStatuses"):
        if field in out:
            out[field] = [_switch(s, reason) for s in out[field]]
    return out


def _switch(container_status: Obj, reason: str) -> Obj:
    waiting = (container_status.get("state") or {}).get("waiting") or {}
    if waiting.get("reason") not in ("ErrImagePull", "ImagePullBackOff"):
        return container_status
    return waiting_state(
        {"name": container_status["name"], "image": container_status.get("image", "")}, reason
    )
