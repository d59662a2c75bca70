"""StatefulSet pod identity and health (stateful_set_utils.go).

Pods are named `<set>-<ordinal>`, labelled with their revision, name and index, get
`hostname`/`subdomain` for the governing Service, and mount one claim per
volumeClaimTemplate (`<claim>-<pod>`).
"""

from __future__ import annotations

import re
from typing import Any

from kubesim.controllers import pods_util as pu
from kubesim.controllers.history import HASH_LABEL

Obj = dict[str, Any]

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"
_ORDINAL = re.compile(r"^(.*)-([0-9]+)$")


def ordinal_of(set_name: str, pod: Obj) -> int | None:
    """The pod's ordinal if its name is `<set>-<n>`."""
    match = _ORDINAL.match(pod["metadata"]["name"])
    if match is None or match.group(1) != set_name:
        return None
    return int(match.group(2))


def start_ordinal(sts: Obj) -> int:
    """`spec.ordinals.start` (0 by default)."""
    return int(((sts["spec"].get("ordinals") or {}).get("start")) or 0)


def revision_of(pod: Obj) -> str:
    """The revision name a pod was created from."""
    return str((pod["metadata"].get("labels") or {}).get(HASH_LABEL, ""))


def is_created(pod: Obj | None) -> bool:
    """`isCreated`: the pod exists and has a phase."""
    return pod is not None and bool((pod.get("status") or {}).get("phase"))


def is_running_and_ready(pod: Obj) -> bool:
    """`isRunningAndReady`."""
    return (pod.get("status") or {}).get("phase") == "Running" and pu.is_pod_ready(pod)


def is_healthy(pod: Obj) -> bool:
    """`isHealthy`: running, ready and not terminating."""
    return is_running_and_ready(pod) and not pu.is_terminating(pod)


def is_finished(pod: Obj) -> bool:
    """`isFailed || isSucceeded`."""
    return (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded")


def stateful_pod(sts: Obj, template: Obj, ordinal: int, revision: str) -> Obj:
    """`newVersionedStatefulSetPod` for one ordinal and template."""
    pod = pu.pod_from_template(template, sts, "StatefulSet")
    set_name = sts["metadata"]["name"]
    name = f"{set_name}-{ordinal}"
    meta = pod["metadata"]
    labels = dict(meta.get("labels") or {})
    labels.update({HASH_LABEL: revision, POD_NAME_LABEL: name, POD_INDEX_LABEL: str(ordinal)})
    pod["metadata"] = {"name": name, **meta, "labels": dict(sorted(labels.items()))}
    spec = pod["spec"]
    spec["hostname"] = name
    if sts["spec"].get("serviceName"):
        spec["subdomain"] = sts["spec"]["serviceName"]
    _mount_claims(sts, spec, name)
    return pod


def _mount_claims(sts: Obj, spec: Obj, pod_name: str) -> None:
    claims = sts["spec"].get("volumeClaimTemplates") or []
    if not claims:
        return
    names = [claim["metadata"]["name"] for claim in claims]
    # Claim volumes come first and replace template volumes of the same name.
    volumes = [
        {"name": name, "persistentVolumeClaim": {"claimName": f"{name}-{pod_name}"}}
        for name in names
    ]
    volumes.extend(v for v in spec.get("volumes") or [] if v.get("name") not in names)
    spec["volumes"] = volumes
