"""Deployments and ReplicaSets (`pkg/apis/apps/validation`): selector, template, strategy,
counters, and the selector immutability apps/v1 enforces on update.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import (
    FieldError,
    GoLiteral,
    forbidden,
    invalid,
    not_supported,
    required,
)
from kubesim.validation import gorender
from kubesim.validation.meta import (
    IMMUTABLE,
    name_is_dns_subdomain,
    validate_object_meta,
    validate_object_meta_update,
)
from kubesim.validation.podspec import validate_pod_template
from kubesim.validation.selectors import (
    convertible,
    int_or_percent_value,
    nonnegative,
    not_more_than_100,
    positive_int_or_percent,
    selector_errors,
    template_labels_error,
)

Obj = dict[str, Any]


def template_for_controller(spec: Obj, path: str, kind: str) -> list[FieldError]:
    """`ValidatePodTemplateSpecForReplicaSet`: labels match, pod rules, restartPolicy Always."""
    selector, template = spec.get("selector"), spec.get("template")
    if not convertible(selector):
        return [
            invalid(path + ".selector", gorender.label_selector(selector), "invalid label selector")
        ]
    at = path + ".template"
    if not isinstance(template, dict):
        return [required(at)]
    errs = template_labels_error(selector, template, at)
    errs.extend(validate_pod_template(template, at))
    pod_spec = template.get("spec") or {}
    policy = pod_spec.get("restartPolicy") or ""
    if policy != "Always":
        errs.append(not_supported(at + ".spec.restartPolicy", policy, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        detail = f"activeDeadlineSeconds in {kind} is not Supported"
        errs.append(forbidden(at + ".spec.activeDeadlineSeconds", detail))
    return errs


def _rolling_update(rolling: Obj, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = positive_int_or_percent(unavailable, path + ".maxUnavailable")
    errs.extend(positive_int_or_percent(surge, path + ".maxSurge"))
    if int_or_percent_value(unavailable) == 0 and int_or_percent_value(surge) == 0:
        detail = "may not be 0 when `maxSurge` is 0"
        value = gorender.int_or_string(unavailable if unavailable is not None else 0)
        errs.append(invalid(path + ".maxUnavailable", value, detail))
    errs.extend(not_more_than_100(unavailable, path + ".maxUnavailable"))
    return errs


def _strategy(strategy: Obj, path: str) -> list[FieldError]:
    kind, rolling = strategy.get("type") or "", strategy.get("rollingUpdate")
    if kind == "Recreate":
        if rolling is None:
            return []
        detail = "may not be specified when strategy `type` is 'Recreate'"
        return [forbidden(path + ".rollingUpdate", detail)]
    if kind == "RollingUpdate":
        if rolling is None:
            return [required(path + ".rollingUpdate", "this should be defaulted and never be nil")]
        return _rolling_update(rolling, path + ".rollingUpdate")
    value = gorender.struct(
        "apps.DeploymentStrategy",
        [
            ("Type", gorender.quote(kind)),
            ("RollingUpdate", gorender.pointer(rolling, "apps.RollingUpdateDeployment")),
        ],
    )
    return [not_supported(path, value, ("Recreate", "RollingUpdate"))]


def validate_deployment_spec(spec: Obj) -> list[FieldError]:
    """`ValidateDeploymentSpec`."""
    path = "spec"
    errs = nonnegative(spec, "replicas", path)
    errs.extend(selector_errors(spec.get("selector"), "deployment", path))
    errs.extend(template_for_controller(spec, path, "ReplicaSet"))
    errs.extend(_strategy(spec.get("strategy") or {}, path + ".strategy"))
    errs.extend(nonnegative(spec, "minReadySeconds", path))
    errs.extend(nonnegative(spec, "revisionHistoryLimit", path))
    deadline = spec.get("progressDeadlineSeconds")
    if isinstance(deadline, int):
        errs.extend(nonnegative(spec, "progressDeadlineSeconds", path))
        if deadline <= (spec.get("minReadySeconds") or 0):
            detail = "must be greater than minReadySeconds"
            errs.append(invalid(path + ".progressDeadlineSeconds", deadline, detail))
    return errs


def validate_replica_set_spec(spec: Obj) -> list[FieldError]:
    """`ValidateReplicaSetSpec` (upstream's empty-selector text names deployments here too)."""
    path = "spec"
    errs = nonnegative(spec, "replicas", path)
    errs.extend(nonnegative(spec, "minReadySeconds", path))
    errs.extend(selector_errors(spec.get("selector"), "deployment", path))
    errs.extend(template_for_controller(spec, path, "ReplicaSet"))
    return errs


def selector_immutable(new: Obj, old: Obj) -> list[FieldError]:
    """apps/v1 strategies refuse any change of `spec.selector`."""
    selector = (new.get("spec") or {}).get("selector")
    if selector == (old.get("spec") or {}).get("selector"):
        return []
    return [invalid("spec.selector", gorender.label_selector(selector), IMMUTABLE)]


def validate_deployment(obj: Obj) -> list[FieldError]:
    """`ValidateDeployment`."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + validate_deployment_spec(obj.get("spec") or {})


def validate_deployment_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateDeploymentUpdate` plus the strategy's selector immutability."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(validate_deployment_spec(new.get("spec") or {}))
    return errs + selector_immutable(new, old)


def validate_replica_set(obj: Obj) -> list[FieldError]:
    """`ValidateReplicaSet`."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + validate_replica_set_spec(obj.get("spec") or {})


def validate_replica_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateReplicaSetUpdate` plus the strategy's selector immutability."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(validate_replica_set_spec(new.get("spec") or {}))
    return errs + selector_immutable(new, old)


def validate_controller_revision(obj: Obj) -> list[FieldError]:
    """`ValidateControllerRevision`: data is mandatory, revision non-negative."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    if obj.get("data") is None:
        errs.append(required("data", "data is mandatory"))
    return errs + nonnegative(obj, "revision", "")


def validate_controller_revision_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateControllerRevisionUpdate`: data never changes."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(validate_controller_revision(new))
    if new.get("data") != old.get("data"):
        errs.append(invalid("data", GoLiteral("runtime.RawExtension{}"), IMMUTABLE))
    return errs
