"""DaemonSets and StatefulSets (`pkg/apis/apps/validation`): update strategies, retention
policy, and the StatefulSet rule that most of its spec is fixed after create.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import FieldError, forbidden, invalid, not_supported, required
from kubesim.validation import gorender
from kubesim.validation.apps import selector_immutable
from kubesim.validation.meta import (
    name_is_dns_subdomain,
    validate_object_meta,
    validate_object_meta_update,
)
from kubesim.validation.podspec import validate_pod_template
from kubesim.validation.selectors import (
    convertible,
    int_or_percent_value,
    is_empty,
    nonnegative,
    not_more_than_100,
    positive_int_or_percent,
    selector_errors,
    template_labels_error,
    validate_selector,
)

Obj = dict[str, Any]

STS_MUTABLE = (
    "replicas",
    "ordinals",
    "template",
    "updateStrategy",
    "revisionHistoryLimit",
    "persistentVolumeClaimRetentionPolicy",
    "minReadySeconds",
)
STS_FORBIDDEN = (
    "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
    "'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and "
    "'minReadySeconds' are forbidden"
)
RETENTION = ("Delete", "Retain")


def _restart_rules(template: Any, path: str, kind: str) -> list[FieldError]:
    pod_spec = (template or {}).get("spec") or {}
    policy = pod_spec.get("restartPolicy") or ""
    errs: list[FieldError] = []
    if policy != "Always":
        errs.append(not_supported(path + ".spec.restartPolicy", policy, ("Always",)))
    if pod_spec.get("activeDeadlineSeconds") is not None:
        detail = f"activeDeadlineSeconds in {kind} is not Supported"
        errs.append(forbidden(path + ".spec.activeDeadlineSeconds", detail))
    return errs


def _rolling_daemon(rolling: Obj, path: str) -> list[FieldError]:
    unavailable, surge = rolling.get("maxUnavailable"), rolling.get("maxSurge")
    errs = positive_int_or_percent(unavailable, path + ".maxUnavailable")
    errs.extend(positive_int_or_percent(surge, path + ".maxSurge"))
    errs.extend(not_more_than_100(unavailable, path + ".maxUnavailable"))
    errs.extend(not_more_than_100(surge, path + ".maxSurge"))
    has_unavailable = int_or_percent_value(unavailable) != 0
    has_surge = int_or_percent_value(surge) != 0
    if has_unavailable and has_surge:
        detail = "may not be set when maxUnavailable is non-zero"
        errs.append(invalid(path + ".maxSurge", gorender.int_or_string(surge), detail))
    elif not has_unavailable and not has_surge:
        errs.append(required(path + ".maxUnavailable", "cannot be 0 when maxSurge is 0"))
    return errs


def _daemon_strategy(strategy: Obj, path: str) -> list[FieldError]:
    kind, rolling = strategy.get("type") or "", strategy.get("rollingUpdate")
    if kind == "OnDelete":
        return []
    if kind == "RollingUpdate":
        if rolling is None:
            return [required(path + ".rollingUpdate")]
        return _rolling_daemon(rolling, path + ".rollingUpdate")
    value = gorender.struct(
        "apps.DaemonSetUpdateStrategy",
        [
            ("Type", gorender.quote(kind)),
            ("RollingUpdate", gorender.pointer(rolling, "apps.RollingUpdateDaemonSet")),
        ],
    )
    return [not_supported(path, value, ("RollingUpdate", "OnDelete"))]


def validate_daemon_set_spec(spec: Obj) -> list[FieldError]:
    """`ValidateDaemonSetSpec`."""
    path = "spec"
    selector, template = spec.get("selector"), spec.get("template")
    errs = validate_selector(selector, path + ".selector")
    if convertible(selector):
        errs.extend(template_labels_error(selector, template, path + ".template"))
    if is_empty(selector):
        detail = "empty selector is invalid for daemonset"
        errs.append(invalid(path + ".selector", gorender.label_selector(selector), detail))
    errs.extend(validate_pod_template(template, path + ".template"))
    errs.extend(_restart_rules(template, path + ".template", "DaemonSet"))
    errs.extend(nonnegative(spec, "minReadySeconds", path))
    errs.extend(nonnegative(spec, "templateGeneration", path))
    errs.extend(_daemon_strategy(spec.get("updateStrategy") or {}, path + ".updateStrategy"))
    errs.extend(nonnegative(spec, "revisionHistoryLimit", path))
    return errs


def _sts_strategy(strategy: Obj, path: str) -> list[FieldError]:
    kind, rolling = strategy.get("type") or "", strategy.get("rollingUpdate")
    if not kind:
        return [required(path)]
    if kind == "OnDelete":
        if rolling is None:
            return []
        value = gorender.struct(
            "apps.RollingUpdateStatefulSetStrategy",
            [
                ("Partition", str(rolling.get("partition") or 0)),
                (
                    "MaxUnavailable",
                    gorender.pointer(rolling.get("maxUnavailable"), "intstr.IntOrString"),
                ),
            ],
        )
        return [
            invalid(
                path + ".rollingUpdate", value, "only allowed for updateStrategy 'RollingUpdate'"
            )
        ]
    if kind == "RollingUpdate":
        return _sts_rolling(rolling, path + ".rollingUpdate") if rolling is not None else []
    value = gorender.struct(
        "apps.StatefulSetUpdateStrategy",
        [
            ("Type", gorender.quote(kind)),
            ("RollingUpdate", gorender.pointer(rolling, "apps.RollingUpdateStatefulSetStrategy")),
        ],
    )
    return [invalid(path, value, "must be 'RollingUpdate' or 'OnDelete'")]


def _sts_rolling(rolling: Obj, path: str) -> list[FieldError]:
    errs = nonnegative(rolling, "partition", path)
    unavailable = rolling.get("maxUnavailable")
    if unavailable is not None:
        errs.extend(positive_int_or_percent(unavailable, path + ".maxUnavailable"))
        if int_or_percent_value(unavailable) == 0:
            value = gorender.int_or_string(unavailable)
            errs.append(invalid(path + ".maxUnavailable", value, "must be greater than zero"))
        errs.extend(not_more_than_100(unavailable, path + ".maxUnavailable"))
    return errs


def _retention(policy: Any, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    for name in ("whenDeleted", "whenScaled"):
        value = (policy or {}).get(name) or ""
        if policy is not None and value not in RETENTION:
            errs.append(not_supported(f"{path}.{name}", value, RETENTION))
    return errs


def _management_policy(spec: Obj, path: str) -> list[FieldError]:
    policy = spec.get("podManagementPolicy") or ""
    if not policy:
        return [required(path + ".podManagementPolicy")]
    if policy in ("OrderedReady", "Parallel"):
        return []
    detail = "must be 'OrderedReady' or 'Parallel'"
    return [invalid(path + ".podManagementPolicy", policy, detail)]


def _sts_template(spec: Obj, path: str) -> list[FieldError]:
    selector, template = spec.get("selector"), spec.get("template")
    if not convertible(selector):
        return [invalid(path + ".selector", gorender.label_selector(selector), "")]
    at = path + ".template"
    errs = [] if is_empty(selector) else template_labels_error(selector, template, at)
    claims = [c.get("metadata", {}).get("name") for c in spec.get("volumeClaimTemplates") or []]
    if isinstance(template, dict) and claims:
        # Claim templates become pod volumes, so mounts may refer to them.
        pod_spec = dict(template.get("spec") or {})
        extra = [{"name": n, "persistentVolumeClaim": {"claimName": n}} for n in claims if n]
        pod_spec["volumes"] = [*(pod_spec.get("volumes") or []), *extra]
        template = {**template, "spec": pod_spec}
    errs.extend(validate_pod_template(template, at))
    return errs


def validate_stateful_set_spec(spec: Obj) -> list[FieldError]:
    """`ValidateStatefulSetSpec`."""
    path = "spec"
    errs = _management_policy(spec, path)
    errs.extend(_sts_strategy(spec.get("updateStrategy") or {}, path + ".updateStrategy"))
    errs.extend(
        _retention(
            spec.get("persistentVolumeClaimRetentionPolicy"),
            path + ".persistentVolumeClaimRetentionPolicy",
        )
    )
    errs.extend(nonnegative(spec, "replicas", path))
    errs.extend(nonnegative(spec, "minReadySeconds", path))
    errs.extend(selector_errors(spec.get("selector"), "statefulset", path))
    errs.extend(_sts_template(spec, path))
    errs.extend(_restart_rules(spec.get("template"), path + ".template", "StatefulSet"))
    return errs


def validate_daemon_set(obj: Obj) -> list[FieldError]:
    """`ValidateDaemonSet`."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + validate_daemon_set_spec(obj.get("spec") or {})


def validate_daemon_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateDaemonSetUpdate` plus the strategy's selector immutability."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(validate_daemon_set_spec(new.get("spec") or {}))
    return errs + selector_immutable(new, old)


def validate_stateful_set(obj: Obj) -> list[FieldError]:
    """`ValidateStatefulSet`."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + validate_stateful_set_spec(obj.get("spec") or {})


def validate_stateful_set_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateStatefulSetUpdate`: only the listed spec fields may change."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(validate_stateful_set_spec(new.get("spec") or {}))
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    fixed_new = {k: v for k, v in new_spec.items() if k not in STS_MUTABLE}
    fixed_old = {k: v for k, v in old_spec.items() if k not in STS_MUTABLE}
    if fixed_new != fixed_old:
        errs.append(forbidden("spec", STS_FORBIDDEN))
    return errs
