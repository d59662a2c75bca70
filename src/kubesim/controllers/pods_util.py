"""Helpers every workload controller shares: owners, selectors, pod readiness and time.

These mirror `pkg/controller/controller_utils.go`, `k8s.io/kubectl/pkg/util/podutils` and
`metav1.LabelSelectorAsSelector`: the rules for which pods a controller owns, when a pod
counts as ready or available, and how pods are stamped out of a template.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from kubesim.api import status as api_status
from kubesim.api.resources import ResourceType
from kubesim.store.objects import StoredObject

if TYPE_CHECKING:
    from kubesim.controllers.base import Controller

Obj = dict[str, Any]

APPS_V1 = "apps/v1"


def parse_time(stamp: str | None) -> float | None:
    """Seconds since the epoch of an RFC3339 `...Z` timestamp (None if absent)."""
    if not stamp:
        return None
    try:
        return float(calendar.timegm(time.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")))
    except ValueError:
        return None


def controller_ref(owner: Obj, kind: str, api_version: str = APPS_V1) -> Obj:
    """`metav1.NewControllerRef`: an ownerReference with controller and blockOwnerDeletion."""
    meta = owner["metadata"]
    return {
        "apiVersion": api_version,
        "kind": kind,
        "name": meta["name"],
        "uid": meta["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


def controller_of(obj: Obj) -> Obj | None:
    """The ownerReference with `controller: true`, if any."""
    for ref in obj["metadata"].get("ownerReferences") or ():
        if ref.get("controller"):
            result: Obj = ref
            return result
    return None


def is_controlled_by(obj: Obj, owner_uid: str) -> bool:
    """Whether `obj`'s controller reference points at the object with this uid."""
    ref = controller_of(obj)
    return ref is not None and ref.get("uid") == owner_uid


def selector_matches(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """`LabelSelectorAsSelector(selector).Matches(labels)`; a nil selector matches nothing."""
    if selector is None:
        return False
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(_requirement(req, labels) for req in selector.get("matchExpressions") or ())


def _requirement(req: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, op = req.get("key", ""), req.get("operator", "")
    values = req.get("values") or ()
    if op == "In":
        return key in labels and labels[key] in values
    if op == "NotIn":
        return key not in labels or labels[key] not in values
    if op == "Exists":
        return key in labels
    if op == "DoesNotExist":
        return key not in labels
    return False


def pod_condition(pod: Obj, ctype: str) -> Obj | None:
    """The pod's condition of one type."""
    for cond in (pod.get("status") or {}).get("conditions") or ():
        if cond.get("type") == ctype:
            result: Obj = cond
            return result
    return None


def is_pod_ready(pod: Obj) -> bool:
    """`podutil.IsPodReady`: the Ready condition is True."""
    cond = pod_condition(pod, "Ready")
    return cond is not None and cond.get("status") == "True"


def available_at(pod: Obj, min_ready_seconds: int) -> float | None:
    """When a ready pod becomes available (None if it is not ready)."""
    if not is_pod_ready(pod):
        return None
    if not min_ready_seconds:
        return 0.0
    cond = pod_condition(pod, "Ready") or {}
    since = parse_time(cond.get("lastTransitionTime"))
    return None if since is None else since + min_ready_seconds


def is_pod_available(pod: Obj, min_ready_seconds: int, now: float) -> bool:
    """`podutil.IsPodAvailable`: ready for longer than minReadySeconds."""
    at = available_at(pod, min_ready_seconds)
    if at is None:
        return False
    return min_ready_seconds == 0 or at < now


def is_active(pod: Obj) -> bool:
    """`controller.IsPodActive`: not terminal and not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def is_terminating(pod: Obj) -> bool:
    """The pod has a deletionTimestamp."""
    return bool(pod["metadata"].get("deletionTimestamp"))


def pod_from_template(template: Obj, owner: Obj, kind: str) -> Obj:
    """`controller.GetPodFromTemplate`: a pod body named by generateName `<owner>-`."""
    tmeta = template.get("metadata") or {}
    meta: Obj = {"generateName": owner["metadata"]["name"] + "-"}
    meta["namespace"] = owner["metadata"].get("namespace", "")
    if tmeta.get("labels"):
        meta["labels"] = dict(tmeta["labels"])
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        meta["finalizers"] = list(tmeta["finalizers"])
    meta["ownerReferences"] = [controller_ref(owner, kind)]
    # Top-level copy only: callers replace fields, never edit nested ones, and the registry
    # copies the body it stores.
    spec = dict(template.get("spec") or {})
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}


def creation_key(obj: Obj) -> tuple[str, str]:
    """`ByCreationTimestamp` order: creationTimestamp, then name."""
    meta = obj["metadata"]
    return (meta.get("creationTimestamp") or "", meta["name"])


def replicas_of(obj: Obj, default: int = 1) -> int:
    """`spec.replicas` (defaulted to 1 by the API server when absent)."""
    value = (obj.get("spec") or {}).get("replicas")
    return default if value is None else int(value)


def status_int(obj: Obj, field: str) -> int:
    """An integer status field, 0 when omitted."""
    return int((obj.get("status") or {}).get(field) or 0)


def names(objs: Iterable[Obj]) -> list[str]:
    """Object names, for readable assertions and logs."""
    return [o["metadata"]["name"] for o in objs]


def write_status(
    ctrl: Controller,
    rt: ResourceType,
    key: tuple[str, str],
    new_status: Obj,
    annotations: dict[str, str] | None = None,
) -> StoredObject | None:
    """Write `status` (and optionally annotations) through `/status`, retrying conflicts.

    The body is a shallow copy of the stored object: a status write rebuilds the stored
    object from the current version and takes only status from the request, so nothing
    nested is mutated and no deep copy is needed.
    """
    for _ in range(5):
        current = ctrl.emu.storage.get(rt.key, *key)
        if current is None:
            return None
        meta = current.obj["metadata"]
        if current.obj.get("status") == new_status and (
            annotations is None or meta.get("annotations") == annotations
        ):
            return current
        body = {**current.obj, "metadata": dict(meta), "status": new_status}
        if annotations is not None:
            body["metadata"]["annotations"] = annotations
        try:
            return ctrl.registry.writer.update(rt, current, body, ctrl.ctx(), subresource="status")
        except api_status.StatusError as err:
            if err.code != 409:
                raise
    return None
