"""Pod spec validation (`ValidatePodSpec`, `ValidateVolumes`, `ValidateTolerations`) and pod
template specs as workload controllers embed them.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import (
    ErrorType,
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from kubesim.validation import formats, gorender
from kubesim.validation.containers import (
    dns_label_errors,
    validate_containers,
    validate_init_containers,
)
from kubesim.validation.meta import (
    name_is_dns_subdomain,
    validate_annotations,
    validate_labels,
)

Obj = dict[str, Any]

RESTART_POLICIES = ("Always", "OnFailure", "Never")
DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")
TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")
HOST_PATH_TYPES = (
    "",
    "DirectoryOrCreate",
    "Directory",
    "FileOrCreate",
    "File",
    "Socket",
    "CharDevice",
    "BlockDevice",
)
# VolumeSource members in the order upstream checks them.
VOLUME_SOURCES = (
    "emptyDir",
    "hostPath",
    "gitRepo",
    "gcePersistentDisk",
    "awsElasticBlockStore",
    "secret",
    "nfs",
    "iscsi",
    "glusterfs",
    "flocker",
    "persistentVolumeClaim",
    "rbd",
    "cinder",
    "cephfs",
    "quobyte",
    "downwardAPI",
    "fc",
    "flexVolume",
    "configMap",
    "azureFile",
    "vsphereVolume",
    "photonPersistentDisk",
    "portworxVolume",
    "azureDisk",
    "storageos",
    "projected",
    "scaleIO",
    "csi",
    "ephemeral",
)
FILE_MODE = "must be a number between 0 and 0777 (octal), both inclusive"
DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
MAX_INT32 = 2**31 - 1
MATCH_ALL = (
    'operator must be Exists when `key` is empty, which means "match all values and all keys"'
)


def _mode(source: Obj, path: str) -> list[FieldError]:
    mode = source.get("defaultMode")
    if isinstance(mode, int) and not 0 <= mode <= 0o777:
        return [invalid(path + ".defaultMode", mode, FILE_MODE)]
    return []


def _source_errors(kind: str, source: Any, path: str) -> list[FieldError]:
    source = source if isinstance(source, dict) else {}
    required_field = {
        "secret": "secretName",
        "configMap": "name",
        "persistentVolumeClaim": "claimName",
        "hostPath": "path",
    }.get(kind)
    errs: list[FieldError] = []
    if required_field and not source.get(required_field):
        errs.append(required(f"{path}.{required_field}"))
    if kind == "hostPath" and (source.get("type") or "") not in HOST_PATH_TYPES:
        errs.append(not_supported(path + ".type", source["type"], HOST_PATH_TYPES))
    if kind in ("secret", "configMap", "projected", "downwardAPI"):
        errs.extend(_mode(source, path))
    return errs


def _volume_source(volume: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    found = False
    for kind in VOLUME_SOURCES:
        if volume.get(kind) is None:
            continue
        if found:
            errs.append(forbidden(f"{path}.{kind}", "may not specify more than 1 volume type"))
            continue
        found = True
        errs.extend(_source_errors(kind, volume[kind], f"{path}.{kind}"))
    if not found:
        errs.append(required(path, "must specify a volume type"))
    return errs


def validate_volumes(volumes: Any, path: str) -> tuple[set[str], list[FieldError]]:
    """`ValidateVolumes`: returns the names of the valid volumes and the errors."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, volume in enumerate(volumes or []):
        at = f"{path}[{i}]"
        name = volume.get("name") or ""
        own = _volume_source(volume, at)
        own.extend([required(at + ".name")] if not name else dns_label_errors(name, at + ".name"))
        if name in names:
            own.append(duplicate(at + ".name", name))
        if own:
            errs.extend(own)
        else:
            names.add(name)
    return names, errs


def _policy(value: Any, path: str, allowed: tuple[str, ...]) -> list[FieldError]:
    if not value:
        return [required(path)]
    return [] if value in allowed else [not_supported(path, value, allowed)]


def _effect(effect: Any, path: str, allow_empty: bool) -> list[FieldError]:
    if not effect:
        return [] if allow_empty else [required(path)]
    return [] if effect in TAINT_EFFECTS else [not_supported(path, effect, TAINT_EFFECTS)]


def _toleration(item: Obj, at: str) -> list[FieldError]:
    errs: list[FieldError] = []
    key, operator = item.get("key") or "", item.get("operator") or ""
    value, effect = item.get("value") or "", item.get("effect") or ""
    if key:
        errs.extend(invalid(at + ".key", key, msg) for msg in formats.qualified_name(key))
    if not key and operator != "Exists":
        errs.append(invalid(at + ".operator", operator, MATCH_ALL))
    if item.get("tolerationSeconds") is not None and effect != "NoExecute":
        detail = "effect must be 'NoExecute' when `tolerationSeconds` is set"
        errs.append(invalid(at + ".effect", effect, detail))
    if operator in ("Equal", ""):
        msgs = formats.label_value(value)
        if msgs:
            errs.append(invalid(at + ".operator", value, ";".join(msgs)))
    elif operator == "Exists":
        if value:
            detail = "value must be empty when `operator` is 'Exists'"
            errs.append(invalid(at + ".operator", gorender.toleration(item), detail))
    else:
        errs.append(not_supported(at + ".operator", operator, ("Equal", "Exists")))
    return errs + _effect(effect, at + ".effect", True)


def validate_tolerations(tolerations: Any, path: str) -> list[FieldError]:
    """`ValidateTolerations`."""
    errs: list[FieldError] = []
    for i, item in enumerate(tolerations or []):
        errs.extend(_toleration(item, f"{path}[{i}]"))
    return errs


def validate_taints(taints: Any, path: str) -> list[FieldError]:
    """`validateNodeTaints`: keys, values, effects, unique (key, effect) pairs."""
    errs: list[FieldError] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(taints or []):
        at = f"{path}[{i}]"
        key, value = item.get("key") or "", item.get("value") or ""
        effect = item.get("effect") or ""
        errs.extend(invalid(at + ".key", key, msg) for msg in formats.qualified_name(key))
        msgs = formats.label_value(value)
        if msgs:
            errs.append(invalid(at + ".value", value, ";".join(msgs)))
        errs.extend(_effect(effect, at + ".effect", False))
        if (key, effect) in seen:
            detail = "taints must be unique by key and effect pair"
            errs.append(FieldError(ErrorType.DUPLICATE, at, gorender.taint(item), detail))
            continue
        seen.add((key, effect))
    return errs


def _named(spec: Obj, name: str, path: str, check: Any) -> list[FieldError]:
    value = spec.get(name) or ""
    return [invalid(f"{path}.{name}", value, m) for m in check(value)] if value else []


def _spec_scalars(spec: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    errs.extend(_named(spec, "serviceAccountName", path, lambda v: name_is_dns_subdomain(v, False)))
    errs.extend(_named(spec, "nodeName", path, lambda v: name_is_dns_subdomain(v, False)))
    deadline = spec.get("activeDeadlineSeconds")
    if deadline is not None and not 1 <= deadline <= MAX_INT32:
        detail = formats.inclusive_range_error(1, MAX_INT32)
        errs.append(invalid(path + ".activeDeadlineSeconds", deadline, detail))
    errs.extend(_named(spec, "hostname", path, formats.dns1123_label))
    errs.extend(_named(spec, "subdomain", path, formats.dns1123_label))
    errs.extend(validate_tolerations(spec.get("tolerations"), path + ".tolerations"))
    errs.extend(_named(spec, "priorityClassName", path, lambda v: name_is_dns_subdomain(v, False)))
    return errs


def validate_pod_spec(spec: Obj, path: str) -> list[FieldError]:
    """`ValidatePodSpec` (the parts kubesim checks, in upstream order)."""
    volumes, errs = validate_volumes(spec.get("volumes"), path + ".volumes")
    errs.extend(validate_containers(spec.get("containers"), volumes, path + ".containers"))
    errs.extend(
        validate_init_containers(
            spec.get("initContainers"), spec.get("containers"), volumes, path + ".initContainers"
        )
    )
    errs.extend(_policy(spec.get("restartPolicy"), path + ".restartPolicy", RESTART_POLICIES))
    errs.extend(_policy(spec.get("dnsPolicy"), path + ".dnsPolicy", DNS_POLICIES))
    errs.extend(validate_labels(spec.get("nodeSelector"), path + ".nodeSelector"))
    errs.extend(_spec_scalars(spec, path))
    return errs


def pod_annotations(annotations: Any, path: str) -> list[FieldError]:
    """`ValidatePodSpecificAnnotations` (the deletion-cost check)."""
    value = (annotations or {}).get(DELETION_COST)
    if value is None:
        return []
    try:
        cost = int(value)
    except ValueError:
        cost = MAX_INT32 + 1
    if -(2**31) <= cost <= MAX_INT32:
        return []
    return [invalid(f"{path}[{DELETION_COST}]", value, "must be a 32bit integer")]


def validate_pod_template(template: Any, path: str) -> list[FieldError]:
    """`ValidatePodTemplateSpec` (labels are reported on `<path>.labels`, as upstream does)."""
    if not isinstance(template, dict):
        return [required(path)]
    meta = template.get("metadata") or {}
    errs = validate_labels(meta.get("labels"), path + ".labels")
    errs.extend(validate_annotations(meta.get("annotations"), path + ".annotations"))
    errs.extend(pod_annotations(meta.get("annotations"), path + ".annotations"))
    errs.extend(validate_pod_spec(template.get("spec") or {}, path + ".spec"))
    return errs
