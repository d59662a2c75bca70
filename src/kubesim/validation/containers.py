"""Container validation (`validateContainers` and `validateContainerCommon` of core validation).

Covers names, images, termination message policy, ports, env and envFrom, volume mounts,
pull policy and probes; resource quantities, security contexts and lifecycle hooks are not
checked.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_found,
    not_supported,
    required,
)
from kubesim.validation import formats
from kubesim.validation.meta import name_is_dns_subdomain

Obj = dict[str, Any]

PROTOCOLS = ("SCTP", "TCP", "UDP")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
MESSAGE_POLICIES = ("File", "FallbackToLogsOnError")
ENV_FIELD_PATHS = (
    "metadata.name",
    "metadata.namespace",
    "metadata.uid",
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.hostIP",
    "status.hostIPs",
    "status.podIP",
    "status.podIPs",
)
NONNEGATIVE = "must be greater than or equal to 0"
HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
VALUE_FROM_SOURCES = (
    "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"
)


def dns_label_errors(value: str, path: str) -> list[FieldError]:
    """`ValidateDNS1123Label`."""
    return [invalid(path, value, msg) for msg in formats.dns1123_label(value)]


def validate_ports(ports: Any, path: str) -> list[FieldError]:
    """`validateContainerPorts`."""
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, port in enumerate(ports or []):
        at = f"{path}[{i}]"
        name = port.get("name") or ""
        if name:
            msgs = formats.port_name(name)
            errs.extend(invalid(at + ".name", name, msg) for msg in msgs)
            if not msgs and name in names:
                errs.append(duplicate(at + ".name", name))
            names.add(name)
        errs.extend(_port_number_errors(port, at))
        protocol = port.get("protocol") or ""
        if not protocol:
            errs.append(required(at + ".protocol"))
        elif protocol not in PROTOCOLS:
            errs.append(not_supported(at + ".protocol", protocol, PROTOCOLS))
    return errs


def _port_number_errors(port: Obj, at: str) -> list[FieldError]:
    errs: list[FieldError] = []
    container_port = port.get("containerPort") or 0
    if not container_port:
        errs.append(required(at + ".containerPort"))
    else:
        msgs = formats.port_number(container_port)
        errs.extend(invalid(at + ".containerPort", container_port, m) for m in msgs)
    host_port = port.get("hostPort") or 0
    if host_port:
        errs.extend(invalid(at + ".hostPort", host_port, m) for m in formats.port_number(host_port))
    return errs


def _key_selector(ref: Obj, path: str) -> list[FieldError]:
    name, key = ref.get("name") or "", ref.get("key") or ""
    errs = [invalid(path + ".name", name, msg) for msg in name_is_dns_subdomain(name, False)]
    if not key:
        errs.append(required(path + ".key"))
    else:
        errs.extend(invalid(path + ".key", key, msg) for msg in formats.config_map_key(key))
    return errs


def _field_selector(ref: Obj, path: str) -> list[FieldError]:
    if not ref.get("apiVersion"):
        return [required(path + ".apiVersion")]
    field_path = ref.get("fieldPath") or ""
    if not field_path:
        return [required(path + ".fieldPath")]
    if field_path.endswith("']") and "['" in field_path:
        base, _, subscript = field_path[:-2].partition("['")
        if base == "metadata.annotations":
            return [
                invalid(path, subscript.lower(), m)
                for m in formats.qualified_name(subscript.lower())
            ]
        if base == "metadata.labels":
            return [invalid(path, subscript, m) for m in formats.qualified_name(subscript)]
        return [invalid(path, base, "does not support subscript")]
    if field_path not in ENV_FIELD_PATHS:
        return [not_supported(path + ".fieldPath", field_path, ENV_FIELD_PATHS)]
    return []


def _value_from(var: Obj, path: str) -> list[FieldError]:
    source = var.get("valueFrom")
    if source is None:
        return []
    errs: list[FieldError] = []
    count = 0
    for name, check in (
        ("fieldRef", _field_selector),
        ("resourceFieldRef", None),
        ("configMapKeyRef", _key_selector),
        ("secretKeyRef", _key_selector),
    ):
        if source.get(name) is not None:
            count += 1
            errs.extend(check(source[name], f"{path}.{name}") if check else [])
    if count == 0:
        errs.append(invalid(path, "", VALUE_FROM_SOURCES))
    elif var.get("value"):
        errs.append(invalid(path, "", "may not be specified when `value` is not empty"))
    elif count > 1:
        errs.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errs


def validate_env(env: Any, path: str) -> list[FieldError]:
    """`ValidateEnv` (strict environment variable names)."""
    errs: list[FieldError] = []
    for i, var in enumerate(env or []):
        at = f"{path}[{i}]"
        name = var.get("name") or ""
        if not name:
            errs.append(required(at + ".name"))
        errs.extend(invalid(at + ".name", name, msg) for msg in formats.env_var_name(name))
        errs.extend(_value_from(var, at + ".valueFrom"))
    return errs


def _env_source(ref: Obj, path: str) -> list[FieldError]:
    name = ref.get("name") or ""
    if not name:
        return [required(path + ".name")]
    return [invalid(path + ".name", name, msg) for msg in name_is_dns_subdomain(name, True)]


def validate_env_from(sources: Any, path: str) -> list[FieldError]:
    """`ValidateEnvFrom`."""
    errs: list[FieldError] = []
    for i, source in enumerate(sources or []):
        at = f"{path}[{i}]"
        prefix = source.get("prefix") or ""
        if prefix:
            errs.extend(invalid(at + ".prefix", prefix, m) for m in formats.env_var_name(prefix))
        refs = [name for name in ("configMapRef", "secretRef") if source.get(name) is not None]
        for name in refs:
            errs.extend(_env_source(source[name], f"{at}.{name}"))
        if not refs:
            errs.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif len(refs) > 1:
            errs.append(invalid(path, "", "may not have more than one field specified at a time"))
    return errs


def validate_volume_mounts(mounts: Any, volumes: set[str], path: str) -> list[FieldError]:
    """`ValidateVolumeMounts`: names refer to valid volumes, mount paths set and unique."""
    errs: list[FieldError] = []
    seen: set[str] = set()
    for i, mount in enumerate(mounts or []):
        at = f"{path}[{i}]"
        name, mount_path = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            errs.append(required(at + ".name"))
        if name not in volumes:
            errs.append(not_found(at + ".name", name))
        if not mount_path:
            errs.append(required(at + ".mountPath"))
        if mount_path in seen:
            errs.append(invalid(at + ".mountPath", mount_path, "must be unique"))
        seen.add(mount_path)
    return errs


def _choice(value: Any, path: str, allowed: tuple[str, ...], detail: str = "") -> list[FieldError]:
    if not value:
        return [required(path, detail)]
    return [] if value in allowed else [not_supported(path, value, allowed)]


def _probe(probe: Any, path: str, must_succeed_once: bool) -> list[FieldError]:
    if probe is None:
        return []
    errs: list[FieldError] = []
    handlers = [name for name in HANDLERS if probe.get(name) is not None]
    if not handlers:
        errs.append(required(path, "must specify a handler type"))
    errs.extend(
        forbidden(f"{path}.{name}", "may not specify more than 1 handler type")
        for name in handlers[1:]
    )
    for name in (
        "initialDelaySeconds",
        "timeoutSeconds",
        "periodSeconds",
        "successThreshold",
        "failureThreshold",
    ):
        value = probe.get(name) or 0
        if value < 0:
            errs.append(invalid(f"{path}.{name}", value, NONNEGATIVE))
    success = probe.get("successThreshold", 1)
    if must_succeed_once and success != 1:
        errs.append(invalid(path + ".successThreshold", success, "must be 1"))
    return errs


def _container_common(ctr: Obj, volumes: set[str], path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = ctr.get("name") or ""
    errs.extend([required(path + ".name")] if not name else dns_label_errors(name, path + ".name"))
    if not ctr.get("image"):
        errs.append(required(path + ".image"))
    errs.extend(
        _choice(
            ctr.get("terminationMessagePolicy"),
            path + ".terminationMessagePolicy",
            MESSAGE_POLICIES,
            "must be 'File' or 'FallbackToLogsOnError'",
        )
    )
    errs.extend(validate_ports(ctr.get("ports"), path + ".ports"))
    errs.extend(validate_env(ctr.get("env"), path + ".env"))
    errs.extend(validate_env_from(ctr.get("envFrom"), path + ".envFrom"))
    errs.extend(validate_volume_mounts(ctr.get("volumeMounts"), volumes, path + ".volumeMounts"))
    errs.extend(_choice(ctr.get("imagePullPolicy"), path + ".imagePullPolicy", PULL_POLICIES))
    return errs


def validate_containers(containers: Any, volumes: set[str], path: str) -> list[FieldError]:
    """`validateContainers` for regular containers."""
    if not containers:
        return [required(path)]
    errs: list[FieldError] = []
    names: set[str] = set()
    for i, ctr in enumerate(containers):
        at = f"{path}[{i}]"
        errs.extend(_container_common(ctr, volumes, at))
        name = ctr.get("name") or ""
        if name in names:
            errs.append(duplicate(at + ".name", name))
        names.add(name)
        errs.extend(_probe(ctr.get("livenessProbe"), at + ".livenessProbe", True))
        errs.extend(_probe(ctr.get("readinessProbe"), at + ".readinessProbe", False))
        errs.extend(_probe(ctr.get("startupProbe"), at + ".startupProbe", True))
        if ctr.get("restartPolicy") is not None:
            errs.append(forbidden(at + ".restartPolicy", "may not be set for non-init containers"))
    return errs


def validate_init_containers(
    containers: Any, regular: Any, volumes: set[str], path: str
) -> list[FieldError]:
    """`validateInitContainers`: names unique across init and regular containers."""
    errs: list[FieldError] = []
    names = {ctr.get("name") or "" for ctr in regular or []}
    for i, ctr in enumerate(containers or []):
        at = f"{path}[{i}]"
        errs.extend(_container_common(ctr, volumes, at))
        name = ctr.get("name") or ""
        if name in names:
            errs.append(duplicate(at + ".name", name))
        elif name:
            names.add(name)
        policy = ctr.get("restartPolicy")
        if policy is not None and policy != "Always":
            errs.append(not_supported(at + ".restartPolicy", policy, ("Always",)))
    return errs
