"""Pod create and update validation (`ValidatePodCreate`, `ValidatePodUpdate`).

A pod's spec is immutable except for container images, activeDeadlineSeconds (only lowered),
added tolerations and a negative grace period raised to 1. Upstream appends a `cmp.Diff` of the
internal PodSpec to the error; kubesim appends a short diff of the changed top-level fields.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from kubesim.api.fielderrors import FieldError, forbidden, invalid, required
from kubesim.validation import formats
from kubesim.validation.meta import (
    name_is_dns_subdomain,
    validate_object_meta,
    validate_object_meta_update,
)
from kubesim.validation.podspec import (
    MAX_INT32,
    pod_annotations,
    validate_pod_spec,
    validate_tolerations,
)

Obj = dict[str, Any]

UPDATE_RULE = (
    "pod updates may not change fields other than `spec.containers[*].image`,"
    "`spec.initContainers[*].image`,"
    "`spec.activeDeadlineSeconds`,"
    "`spec.tolerations` (only additions to existing tolerations),"
    "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)"
)


def _projected_token_errors(spec: Obj) -> list[FieldError]:
    if spec.get("serviceAccountName"):
        return []
    errs: list[FieldError] = []
    for vi, volume in enumerate(spec.get("volumes") or []):
        for si, source in enumerate((volume.get("projected") or {}).get("sources") or []):
            if source.get("serviceAccountToken") is not None:
                path = f"spec.volumes[{vi}].projected.sources[{si}].serviceAccountToken"
                errs.append(
                    forbidden(path, "must not be specified when serviceAccountName is not set")
                )
    return errs


def _metadata_and_spec(pod: Obj) -> list[FieldError]:
    meta = pod["metadata"]
    spec = pod.get("spec") or {}
    errs = validate_object_meta(meta, True, name_is_dns_subdomain)
    errs.extend(pod_annotations(meta.get("annotations"), "metadata.annotations"))
    errs.extend(validate_pod_spec(spec, "spec"))
    errs.extend(_projected_token_errors(spec))
    return errs


def validate_pod(pod: Obj) -> list[FieldError]:
    """`ValidatePodCreate`."""
    errs = _metadata_and_spec(pod)
    spec = pod.get("spec") or {}
    if spec.get("ephemeralContainers"):
        errs.append(forbidden("spec.ephemeralContainers", "cannot be set on create"))
    if spec.get("nodeName") and spec.get("schedulingGates"):
        detail = "cannot be set until all schedulingGates have been cleared"
        errs.append(forbidden("spec.nodeName", detail))
    return errs


def _container_updates(new: Any, old: Any, path: str) -> tuple[list[FieldError], bool]:
    new, old = new or [], old or []
    if len(new) != len(old):
        return [forbidden(path, "pod updates may not add or remove containers")], True
    errs: list[FieldError] = []
    for i, ctr in enumerate(new):
        image = ctr.get("image") or ""
        if not image:
            errs.append(required(f"{path}[{i}].image"))
        if image.strip() != image:
            detail = "must not have leading or trailing whitespace"
            errs.append(invalid(f"{path}[{i}].image", image, detail))
    return errs, False


def _deadline(new: Obj, old: Obj) -> list[FieldError]:
    value, previous = new.get("activeDeadlineSeconds"), old.get("activeDeadlineSeconds")
    path = "spec.activeDeadlineSeconds"
    if value is None:
        if previous is None:
            return []
        detail = "must not update from a positive integer to nil value"
        return [invalid(path, None, detail)]
    if not 0 <= value <= MAX_INT32:
        return [invalid(path, value, formats.inclusive_range_error(0, MAX_INT32))]
    if previous is not None and previous < value:
        return [invalid(path, value, "must be less than or equal to previous value")]
    return []


def _only_added_tolerations(new: Any, old: Any) -> list[FieldError]:
    new, old = new or [], old or []
    for item in old:
        base = {k: v for k, v in item.items() if k != "tolerationSeconds"}
        if not any(base == {k: v for k, v in n.items() if k != "tolerationSeconds"} for n in new):
            detail = "existing toleration can not be modified except its tolerationSeconds"
            return [forbidden("spec.tolerations", detail)]
    return validate_tolerations(new, "spec.tolerations")


def _munged(new: Obj, old: Obj) -> Obj:
    spec = copy.deepcopy(new)
    for key in ("containers", "initContainers"):
        for ctr, previous in zip(spec.get(key) or [], old.get(key) or [], strict=False):
            ctr["image"] = previous.get("image")
    for key in ("activeDeadlineSeconds", "schedulingGates", "tolerations"):
        if key in old:
            spec[key] = old[key]
        else:
            spec.pop(key, None)
    grace = old.get("terminationGracePeriodSeconds")
    if grace is not None and grace < 0 and spec.get("terminationGracePeriodSeconds") == 1:
        spec["terminationGracePeriodSeconds"] = grace
    return spec


def _go_field(key: str) -> str:
    return key[:1].upper() + key[1:]


def spec_diff(old: Obj, new: Obj) -> str:
    """A short `cmp.Diff`-like listing of the top-level spec fields that differ."""
    lines = ["  core.PodSpec{"]
    for key in sorted(set(old) | set(new)):
        if old.get(key) == new.get(key):
            continue
        if key in old:
            lines.append(f"- \t{_go_field(key)}: {json.dumps(old[key], sort_keys=True)},")
        if key in new:
            lines.append(f"+ \t{_go_field(key)}: {json.dumps(new[key], sort_keys=True)},")
    lines.append("  }")
    return "\n".join(lines) + "\n"


def validate_pod_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidatePodUpdate`."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(_metadata_and_spec(new))
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    for key in ("containers", "initContainers"):
        found, stop = _container_updates(new_spec.get(key), old_spec.get(key), f"spec.{key}")
        errs.extend(found)
        if stop:
            return errs
    deadline = _deadline(new_spec, old_spec)
    if deadline and deadline[0].detail != "must not update from a positive integer to nil value":
        return errs + deadline
    errs.extend(deadline)
    errs.extend(_only_added_tolerations(new_spec.get("tolerations"), old_spec.get("tolerations")))
    if new_spec == old_spec:
        return errs
    munged = _munged(new_spec, old_spec)
    if munged != old_spec:
        errs.append(forbidden("spec", UPDATE_RULE + "\n" + spec_diff(old_spec, munged)))
    return errs
