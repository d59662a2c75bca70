"""DaemonSet pod shaping and placement rules (pkg/controller/daemon/util and predicates).

A daemon pod is the template plus `controller-revision-hash` and `pod-template-generation`
labels, the tolerations the controller always adds, and a required node affinity pinning it
to its node (`matchFields` on `metadata.name`), which the scheduler then honours.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kubesim.controllers import pods_fit
from kubesim.controllers import pods_util as pu
from kubesim.controllers.deployment_util import scaled_value
from kubesim.controllers.history import HASH_LABEL

Obj = dict[str, Any]

TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"
GENERATION_LABEL = "pod-template-generation"
_DAEMON_TOLERATIONS = (
    ("node.kubernetes.io/not-ready", "NoExecute"),
    ("node.kubernetes.io/unreachable", "NoExecute"),
    ("node.kubernetes.io/disk-pressure", "NoSchedule"),
    ("node.kubernetes.io/memory-pressure", "NoSchedule"),
    ("node.kubernetes.io/pid-pressure", "NoSchedule"),
    ("node.kubernetes.io/unschedulable", "NoSchedule"),
)
_HOST_NETWORK_TOLERATION = ("node.kubernetes.io/network-unavailable", "NoSchedule")


@dataclass(frozen=True)
class Placement:
    """`NodeShouldRunDaemonPod`: whether a daemon pod belongs on a node."""

    should_run: bool
    should_continue: bool


def daemon_spec(template_spec: Obj) -> Obj:
    """The template's pod spec with the tolerations every daemon pod gets."""
    spec = copy.deepcopy(template_spec)
    tolerations = list(spec.get("tolerations") or [])
    wanted = list(_DAEMON_TOLERATIONS)
    if spec.get("hostNetwork"):
        wanted.append(_HOST_NETWORK_TOLERATION)
    for key, effect in wanted:
        toleration = {"key": key, "operator": "Exists", "effect": effect}
        if toleration not in tolerations:
            tolerations.append(toleration)
    spec["tolerations"] = tolerations
    return spec


def placements(ds: Obj, nodes: list[Obj]) -> dict[str, Placement]:
    """`NodeShouldRunDaemonPod` for every node, by node name."""
    spec = daemon_spec((ds["spec"].get("template") or {}).get("spec") or {})
    return {node["metadata"]["name"]: _placement(spec, node) for node in nodes}


def _placement(spec: Obj, node: Obj) -> Placement:
    if not pods_fit.affinity_matches(spec, node):
        return Placement(False, False)
    if pods_fit.untolerated_taint(spec, node, ("NoExecute",)) is not None:
        return Placement(False, False)
    fits = pods_fit.untolerated_taint(spec, node, ("NoSchedule",)) is None
    return Placement(fits, True)


def pin_to_node(spec: Obj, node_name: str) -> None:
    """`ReplaceDaemonSetPodNodeNameNodeAffinity` on `spec` (mutated)."""
    term = {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}
    affinity = spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    required = node_affinity.setdefault("requiredDuringSchedulingIgnoredDuringExecution", {})
    required["nodeSelectorTerms"] = [term]


def daemon_pod(ds: Obj, node_name: str, rev_hash: str) -> Obj:
    """A pod body for `node_name` (generateName `<ds>-`)."""
    template = copy.deepcopy(ds["spec"].get("template") or {})
    tmeta = template.setdefault("metadata", {})
    labels = dict(tmeta.get("labels") or {})
    labels[HASH_LABEL] = rev_hash
    generation = (ds["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION)
    if generation:
        labels[GENERATION_LABEL] = generation
    tmeta["labels"] = dict(sorted(labels.items()))
    pod = pu.pod_from_template(template, ds, "DaemonSet")
    spec = daemon_spec(pod["spec"])
    pin_to_node(spec, node_name)
    pod["spec"] = spec
    return pod


def target_node(pod: Obj) -> str:
    """The node a daemon pod is on, or is pinned to while pending (`GetTargetNodeName`)."""
    node: str = (pod.get("spec") or {}).get("nodeName") or ""
    if node:
        return node
    required = (((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    ) or {}
    for term in required.get("nodeSelectorTerms") or ():
        for req in term.get("matchFields") or ():
            if req.get("key") == "metadata.name" and req.get("values"):
                return str(req["values"][0])
    return ""


def oldest_first(pods: list[Obj]) -> list[Obj]:
    """`podByCreationTimestampAndPhase`: scheduled pods first, then oldest first."""
    return sorted(
        pods, key=lambda p: (not (p.get("spec") or {}).get("nodeName"), *pu.creation_key(p))
    )


def is_updated(pod: Obj, rev_hash: str) -> bool:
    """`IsPodUpdated`: the pod carries the current revision's hash."""
    return (pod["metadata"].get("labels") or {}).get(HASH_LABEL) == rev_hash


def rolling_limits(ds: Obj, desired: int) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) of the RollingUpdate strategy for `desired` nodes."""
    rolling = (ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {}
    surge = scaled_value(rolling.get("maxSurge", 0), desired, True)
    unavailable = scaled_value(rolling.get("maxUnavailable", 1), desired, True)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable
