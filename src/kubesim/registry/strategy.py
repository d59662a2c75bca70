"""Per-kind write strategies: what the server sets or keeps on create and update.

Mirrors the `PrepareForCreate`/`PrepareForUpdate` methods of the real registry strategies:
status is server-owned on the main resource, spec is ignored on `/status`, and `generation`
moves only when the fields that define the desired state change.
"""

from __future__ import annotations

import copy
from typing import Any

from kubesim.api.resources import ResourceType

# Kinds whose objects carry metadata.generation (set to 1 on create).
GENERATION_KINDS = frozenset(
    {
        "apps/deployments",
        "apps/replicasets",
        "apps/daemonsets",
        "apps/statefulsets",
        "autoscaling/horizontalpodautoscalers",
        "policy/poddisruptionbudgets",
    }
)
# Kinds whose status the client may not set on create.
RESET_STATUS_ON_CREATE = frozenset(
    {
        "apps/deployments",
        "apps/replicasets",
        "apps/daemonsets",
        "apps/statefulsets",
        "autoscaling/horizontalpodautoscalers",
        "policy/poddisruptionbudgets",
        "/services",
    }
)


def prepare_for_create(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Server-owned fields of a new object (status reset, generation)."""
    key = rt.key
    meta = obj["metadata"]
    if key in GENERATION_KINDS:
        meta["generation"] = 1
    else:
        meta.pop("generation", None)
    if key == "apps/daemonsets":
        _template_generation(meta, 1)
    if key in RESET_STATUS_ON_CREATE:
        obj["status"] = {"loadBalancer": {}} if key == "/services" else {}
    elif key == "/pods":
        obj["status"] = {"phase": "Pending", "qosClass": _qos_class(obj)}
    elif key == "/namespaces":
        obj["status"] = {"phase": "Active"}


def prepare_for_update(rt: ResourceType, new: dict[str, Any], old: dict[str, Any]) -> None:
    """Keep server-owned fields of the main resource and move generation when spec changes."""
    if rt.key == "/namespaces":
        # Only the finalize subresource changes a namespace's finalizers.
        _keep(new, old, "spec", "finalizers")
    if rt.has_status and "status" in old:
        new["status"] = copy.deepcopy(old["status"])
    elif rt.has_status:
        new.pop("status", None)
    _bump_generation(rt, new, old)


def prepare_for_status_update(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    """A `/status` write keeps everything but status and metadata from storage.

    As the status strategies do: spec (and every other top-level field) comes from the stored
    object, labels and ownerReferences too; other metadata (annotations) may change.
    """
    merged = {k: v for k, v in old.items() if k not in ("metadata", "status")}
    meta = dict(new["metadata"])
    meta["generation"] = old["metadata"].get("generation")
    if meta["generation"] is None:
        del meta["generation"]
    for name in ("labels", "ownerReferences"):
        if name in old["metadata"]:
            meta[name] = old["metadata"][name]
        else:
            meta.pop(name, None)
    merged["metadata"] = meta
    if "status" in new:
        merged["status"] = new["status"]
    return merged


def prepare_for_subresource_update(
    subresource: str, new: dict[str, Any], old: dict[str, Any]
) -> dict[str, Any]:
    """`finalize` and `ephemeralcontainers` writes change one spec field and nothing else."""
    field = {"finalize": "finalizers", "ephemeralcontainers": "ephemeralContainers"}[subresource]
    merged = copy.deepcopy(old)
    merged["metadata"] = _status_metadata(new["metadata"], old["metadata"])
    value = (new.get("spec") or {}).get(field)
    spec = merged.setdefault("spec", {})
    if value:
        spec[field] = value
    else:
        spec.pop(field, None)
    return merged


def _keep(new: dict[str, Any], old: dict[str, Any], section: str, field: str) -> None:
    value = (old.get(section) or {}).get(field)
    target = new.setdefault(section, {})
    if value is None:
        target.pop(field, None)
    else:
        target[field] = copy.deepcopy(value)


def _status_metadata(new: dict[str, Any], old: dict[str, Any]) -> dict[str, Any]:
    # Status writes may still carry a resourceVersion precondition and managed fields.
    meta = copy.deepcopy(old)
    if "resourceVersion" in new:
        meta["resourceVersion"] = new["resourceVersion"]
    return meta


def _bump_generation(rt: ResourceType, new: dict[str, Any], old: dict[str, Any]) -> None:
    meta = new["metadata"]
    old_generation = old["metadata"].get("generation")
    if rt.key not in GENERATION_KINDS:
        meta.pop("generation", None)
        return
    # Requests cannot set generation; the strategy alone moves it.
    meta["generation"] = old_generation
    changed = new.get("spec") != old.get("spec")
    if rt.key == "apps/deployments":
        changed = changed or meta.get("annotations") != old["metadata"].get("annotations")
    if changed:
        meta["generation"] = (old_generation or 0) + 1
    if rt.key == "apps/daemonsets":
        template_changed = (new.get("spec") or {}).get("template") != (old.get("spec") or {}).get(
            "template"
        )
        previous = (old["metadata"].get("annotations") or {}).get(TEMPLATE_GENERATION)
        _template_generation(meta, meta["generation"] if template_changed else previous)


TEMPLATE_GENERATION = "deprecated.daemonset.template.generation"


def _template_generation(meta: dict[str, Any], generation: int | str | None) -> None:
    """DaemonSets record which generation their template is from (pod-template-generation)."""
    if generation is None:
        return
    meta.setdefault("annotations", {})[TEMPLATE_GENERATION] = str(generation)


def _qos_class(pod: dict[str, Any]) -> str:
    containers = pod.get("spec", {}).get("containers", [])
    resources = [c.get("resources") or {} for c in containers]
    if not any(r.get("requests") or r.get("limits") for r in resources):
        return "BestEffort"
    guaranteed = all(
        r.get("limits", {}).get("cpu")
        and r.get("limits", {}).get("memory")
        and r.get("requests", r.get("limits")) == r.get("limits")
        for r in resources
    )
    return "Guaranteed" if guaranteed else "Burstable"
