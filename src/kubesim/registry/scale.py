"""The `/scale` subresource: a Scale view of a workload's replicas."""

from __future__ import annotations

import copy
from typing import Any

from kubesim.api import fielderrors, status
from kubesim.api.resources import ResourceType
from kubesim.api.selectors import format_label_selector
from kubesim.store.objects import StoredObject

SCALE_GK = status.GroupKind("autoscaling", "Scale")


def to_scale(current: StoredObject) -> dict[str, Any]:
    """The autoscaling/v1 Scale of a Deployment, ReplicaSet or StatefulSet."""
    obj = current.obj
    meta = obj["metadata"]
    spec = obj.get("spec") or {}
    selector = spec.get("selector") or {}
    return {
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": meta["name"],
            "namespace": meta.get("namespace", ""),
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
            "creationTimestamp": meta["creationTimestamp"],
        },
        "spec": {"replicas": spec.get("replicas", 0)},
        "status": {
            "replicas": (obj.get("status") or {}).get("replicas", 0),
            "selector": format_label_selector(selector),
        },
    }


def apply_scale(rt: ResourceType, current: StoredObject, scale: Any) -> dict[str, Any]:
    """The workload with the Scale's replicas; 409 on a stale Scale resourceVersion."""
    if not isinstance(scale, dict):
        raise status.bad_request('Scale in version "v1" cannot be handled as a Scale')
    meta = scale.get("metadata") or {}
    replicas = (scale.get("spec") or {}).get("replicas", 0)
    if not isinstance(replicas, int) or isinstance(replicas, bool):
        raise status.bad_request(
            'Scale in version "v1" cannot be handled as a Scale: json: cannot unmarshal '
            "string into Go struct field ScaleSpec.spec.replicas of type int32"
        )
    if replicas < 0:
        err = fielderrors.invalid("spec.replicas", replicas, "must be greater than or equal to 0")
        raise status.invalid(SCALE_GK, current.name, [err])
    rv = meta.get("resourceVersion")
    if rv and rv != current.obj["metadata"]["resourceVersion"]:
        raise status.stale_write(rt.gr, current.name)
    obj = copy.deepcopy(current.obj)
    obj.setdefault("spec", {})["replicas"] = replicas
    return obj
