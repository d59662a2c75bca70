"""HorizontalPodAutoscalers (autoscaling/v2) and PodDisruptionBudgets (policy/v1)."""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import FieldError, invalid, not_supported, required
from kubesim.validation import gorender
from kubesim.validation.meta import (
    name_is_dns_subdomain,
    name_is_path_segment,
    validate_object_meta,
    validate_object_meta_update,
)
from kubesim.validation.selectors import (
    not_more_than_100,
    positive_int_or_percent,
    validate_selector,
)

Obj = dict[str, Any]

METRIC_TYPES = ("Object", "Pods", "Resource", "External", "ContainerResource")
METRIC_FIELDS = {
    "Object": "object",
    "Pods": "pods",
    "Resource": "resource",
    "External": "external",
    "ContainerResource": "containerResource",
}
EVICTION_POLICIES = ("AlwaysAllow", "IfHealthyBudget")


def _target_ref(ref: Any, path: str) -> list[FieldError]:
    ref = ref if isinstance(ref, dict) else {}
    errs: list[FieldError] = []
    for name in ("kind", "name"):
        value = ref.get(name) or ""
        if not value:
            errs.append(required(f"{path}.{name}"))
        else:
            errs.extend(
                invalid(f"{path}.{name}", value, msg) for msg in name_is_path_segment(value, False)
            )
    return errs


def _metric(metric: Obj, path: str) -> list[FieldError]:
    kind = metric.get("type") or ""
    if not kind:
        return [required(path + ".type", "must specify a metric source type")]
    if kind not in METRIC_TYPES:
        return [not_supported(path + ".type", kind, METRIC_TYPES)]
    member = METRIC_FIELDS[kind]
    if metric.get(member) is None:
        detail = "must populate information for the given metric source"
        return [required(f"{path}.{member}", detail)]
    return []


def validate_hpa_spec(spec: Obj) -> list[FieldError]:
    """`validateHorizontalPodAutoscalerSpec` (metric details beyond the type are not checked)."""
    errs: list[FieldError] = []
    minimum, maximum = spec.get("minReplicas"), spec.get("maxReplicas") or 0
    if isinstance(minimum, int) and minimum < 1:
        errs.append(invalid("spec.minReplicas", minimum, "must be greater than or equal to 1"))
    if maximum < 1:
        errs.append(invalid("spec.maxReplicas", maximum, "must be greater than 0"))
    if isinstance(minimum, int) and maximum < minimum:
        detail = "must be greater than or equal to `minReplicas`"
        errs.append(invalid("spec.maxReplicas", maximum, detail))
    errs.extend(_target_ref(spec.get("scaleTargetRef"), "spec.scaleTargetRef"))
    for i, metric in enumerate(spec.get("metrics") or []):
        errs.extend(_metric(metric, f"spec.metrics[{i}]"))
    return errs


def validate_hpa(obj: Obj) -> list[FieldError]:
    """`ValidateHorizontalPodAutoscaler`."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + validate_hpa_spec(obj.get("spec") or {})


def validate_hpa_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateHorizontalPodAutoscalerUpdate`."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    return errs + validate_hpa_spec(new.get("spec") or {})


def _pdb_spec_value(spec: Obj) -> Any:
    return gorender.struct(
        "policy.PodDisruptionBudgetSpec",
        [
            ("MinAvailable", gorender.pointer(spec.get("minAvailable"), "intstr.IntOrString")),
            ("Selector", gorender.pointer(spec.get("selector"), "v1.LabelSelector")),
            ("MaxUnavailable", gorender.pointer(spec.get("maxUnavailable"), "intstr.IntOrString")),
            (
                "UnhealthyPodEvictionPolicy",
                gorender.pointer(
                    spec.get("unhealthyPodEvictionPolicy"), "policy.UnhealthyPodEvictionPolicyType"
                ),
            ),
        ],
    )


def validate_pdb_spec(spec: Obj) -> list[FieldError]:
    """`ValidatePodDisruptionBudgetSpec`: at most one of minAvailable and maxUnavailable."""
    errs: list[FieldError] = []
    if spec.get("minAvailable") is not None and spec.get("maxUnavailable") is not None:
        detail = "minAvailable and maxUnavailable cannot be both set"
        errs.append(invalid("spec", _pdb_spec_value(spec), detail))
    for name in ("minAvailable", "maxUnavailable"):
        if spec.get(name) is not None:
            errs.extend(positive_int_or_percent(spec[name], f"spec.{name}"))
            errs.extend(not_more_than_100(spec[name], f"spec.{name}"))
    errs.extend(validate_selector(spec.get("selector"), "spec.selector"))
    policy = spec.get("unhealthyPodEvictionPolicy")
    if policy is not None and policy not in EVICTION_POLICIES:
        errs.append(not_supported("spec.unhealthyPodEvictionPolicy", policy, EVICTION_POLICIES))
    return errs


def validate_pdb(obj: Obj) -> list[FieldError]:
    """`ValidatePodDisruptionBudget`."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + validate_pdb_spec(obj.get("spec") or {})


def validate_pdb_update(new: Obj, old: Obj) -> list[FieldError]:
    """PDB updates: the create rules on the new object (the spec is mutable since 1.15)."""
    return validate_object_meta_update(new["metadata"], old["metadata"]) + validate_pdb_spec(
        new.get("spec") or {}
    )
