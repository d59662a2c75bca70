"""Service validation (`ValidateService`, `ValidateServiceUpdate`) and the update-time restoring
of allocated values (`patchAllocatedValues` of the service REST storage).
"""

from __future__ import annotations

import copy
from typing import Any

from kubesim.api.fielderrors import (
    FieldError,
    duplicate,
    forbidden,
    invalid,
    not_supported,
    required,
)
from kubesim.validation import formats, gorender
from kubesim.validation.containers import PROTOCOLS, dns_label_errors
from kubesim.validation.meta import (
    name_is_dns1035_label,
    validate_labels,
    validate_object_meta,
    validate_object_meta_update,
)

Obj = dict[str, Any]

TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
AFFINITIES = ("ClientIP", "None")
FAMILIES = ("IPv4", "IPv6")
FAMILY_POLICIES = ("PreferDualStack", "RequireDualStack", "SingleStack")
KUBELET_PORT = 10250
EXTERNAL_NAME_ONLY = "may not be set for ExternalName services"


def is_headless(spec: Obj) -> bool:
    """A service whose cluster IP is `None`."""
    ips = spec.get("clusterIPs") or []
    return bool(ips) and ips[0] == "None"


def _target_port(value: Any, path: str) -> list[FieldError]:
    if isinstance(value, str):
        return [invalid(path, value, msg) for msg in formats.port_name(value)]
    number = value if isinstance(value, int) else 0
    return [invalid(path, number, msg) for msg in formats.port_number(number)]


def _port(port: Obj, need_name: bool, names: set[str], at: str) -> list[FieldError]:
    errs: list[FieldError] = []
    name = port.get("name") or ""
    if need_name and not name:
        errs.append(required(at + ".name"))
    elif name:
        errs.extend(dns_label_errors(name, at + ".name"))
        if name in names:
            errs.append(duplicate(at + ".name", name))
        names.add(name)
    number = port.get("port") or 0
    errs.extend(invalid(at + ".port", number, msg) for msg in formats.port_number(number))
    protocol = port.get("protocol") or ""
    if not protocol:
        errs.append(required(at + ".protocol"))
    elif protocol not in PROTOCOLS:
        errs.append(not_supported(at + ".protocol", protocol, PROTOCOLS))
    errs.extend(_target_port(port.get("targetPort"), at + ".targetPort"))
    return errs


def _type_rules(spec: Obj) -> list[FieldError]:
    kind = spec.get("type")
    errs: list[FieldError] = []
    if kind == "LoadBalancer":
        detail = f"may not expose port {KUBELET_PORT} externally since it is used by kubelet"
        for i, port in enumerate(spec.get("ports") or []):
            if port.get("port") == KUBELET_PORT:
                errs.append(invalid(f"spec.ports[{i}]", KUBELET_PORT, detail))
    if kind in ("LoadBalancer", "NodePort") and is_headless(spec):
        detail = f"may not be set to 'None' for {kind} services"
        errs.append(invalid("spec.clusterIPs[0]", "None", detail))
    if kind != "ExternalName":
        return errs
    for name in ("clusterIPs", "ipFamilies"):
        if spec.get(name):
            errs.append(forbidden(f"spec.{name}", EXTERNAL_NAME_ONLY))
    if spec.get("ipFamilyPolicy") is not None:
        errs.append(forbidden("spec.ipFamilyPolicy", EXTERNAL_NAME_ONLY))
    cname = (spec.get("externalName") or "").removesuffix(".")
    if not cname:
        return [*errs, required("spec.externalName")]
    return errs + [invalid("spec.externalName", cname, m) for m in formats.dns1123_subdomain(cname)]


def _cluster_ips(spec: Obj) -> list[FieldError]:
    if spec.get("type") == "ExternalName":
        return []
    errs: list[FieldError] = []
    cluster_ip, ips = spec.get("clusterIP") or "", spec.get("clusterIPs") or []
    if cluster_ip and not ips:
        errs.append(required("spec.clusterIPs"))
    elif cluster_ip and ips[0] != cluster_ip:
        errs.append(invalid("spec.clusterIPs", ips, "first value must match `clusterIP`"))
    elif not cluster_ip and ips:
        errs.append(
            invalid("spec.clusterIPs", ips, "must be empty when `clusterIP` is not specified")
        )
    for i, family in enumerate(spec.get("ipFamilies") or []):
        if family not in FAMILIES:
            errs.append(not_supported(f"spec.ipFamilies[{i}]", family, FAMILIES))
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in FAMILY_POLICIES:
        errs.append(not_supported("spec.ipFamilyPolicy", policy, FAMILY_POLICIES))
    for i, ip in enumerate(ips):
        if i == 0 and ip == "None":
            continue
        errs.extend(invalid(f"spec.clusterIPs[{i}]", ip, msg) for msg in formats.ip_address(ip))
    if len(ips) > 2:
        errs.append(invalid("spec.clusterIPs", ips, "may only hold up to 2 values"))
    return errs


def _ports(spec: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    ports = spec.get("ports") or []
    names: set[str] = set()
    for i, port in enumerate(ports):
        errs.extend(_port(port, len(ports) > 1, names, f"spec.ports[{i}]"))
    return errs


def _port_rules(spec: Obj) -> list[FieldError]:
    errs: list[FieldError] = []
    seen: set[tuple[str, int]] = set()
    for i, port in enumerate(spec.get("ports") or []):
        at = f"spec.ports[{i}]"
        if spec.get("type") == "ClusterIP" and port.get("nodePort"):
            errs.append(forbidden(at + ".nodePort", "may not be used when `type` is 'ClusterIP'"))
        key = (port.get("protocol") or "", port.get("port") or 0)
        if key in seen:
            errs.append(duplicate(at, gorender.service_port_key(*key)))
        seen.add(key)
    return errs


def _affinity(spec: Obj) -> list[FieldError]:
    affinity = spec.get("sessionAffinity") or ""
    if not affinity:
        return [required("spec.sessionAffinity")]
    if affinity not in AFFINITIES:
        return [not_supported("spec.sessionAffinity", affinity, AFFINITIES)]
    if affinity == "None" and spec.get("sessionAffinityConfig") is not None:
        detail = "must not be set when session affinity is None"
        return [forbidden("spec.sessionAffinityConfig", detail)]
    return []


def validate_service(service: Obj) -> list[FieldError]:
    """`ValidateService` (the rules a client meets in practice)."""
    errs = validate_object_meta(service["metadata"], True, name_is_dns1035_label)
    spec = service.get("spec") or {}
    if not spec.get("ports") and not is_headless(spec) and spec.get("type") != "ExternalName":
        errs.append(required("spec.ports"))
    errs.extend(_type_rules(spec))
    errs.extend(_ports(spec))
    if spec.get("selector") is not None:
        errs.extend(validate_labels(spec["selector"], "spec.selector"))
    errs.extend(_affinity(spec))
    errs.extend(_cluster_ips(spec))
    kind = spec.get("type") or ""
    if not kind:
        errs.append(required("spec.type"))
    elif kind not in TYPES:
        errs.append(not_supported("spec.type", kind, TYPES))
    errs.extend(_port_rules(spec))
    return errs


def _ip_changes(new: Obj, old: Obj) -> list[FieldError]:
    if "ExternalName" in (new.get("type"), old.get("type")):
        return []
    if is_headless(new) and is_headless(old):
        return []
    new_ips, old_ips = new.get("clusterIPs") or [], old.get("clusterIPs") or []
    if len(old_ips) == len(new_ips):
        return [
            invalid(f"spec.clusterIPs[{i}]", new_ips, "may not change once set")
            for i, ip in enumerate(old_ips)
            if ip != new_ips[i]
        ]
    if len(old_ips) > len(new_ips) and not new_ips:
        return [invalid("spec.clusterIPs[0]", new_ips, "primary clusterIP can not be unset")]
    if len(old_ips) > len(new_ips) and new_ips[0] != old_ips[0]:
        return [invalid("spec.clusterIPs[0]", new_ips, "may not change once set")]
    return []


def validate_service_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateServiceUpdate`: metadata rules, cluster IP changes, then the create rules."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    errs.extend(_ip_changes(new.get("spec") or {}, old.get("spec") or {}))
    return errs + validate_service(new)


def retain_allocated_values(new: Obj, old: Obj) -> None:
    """Keep the old cluster IPs and node ports when an update leaves them out."""
    new_spec, old_spec = new.get("spec") or {}, old.get("spec") or {}
    if "ExternalName" in (new_spec.get("type"), old_spec.get("type")):
        return
    if not new_spec.get("clusterIP") and old_spec.get("clusterIP"):
        new_spec["clusterIP"] = old_spec["clusterIP"]
    if not new_spec.get("clusterIPs") and old_spec.get("clusterIPs"):
        new_spec["clusterIPs"] = list(old_spec["clusterIPs"])
    for name in ("ipFamilyPolicy", "ipFamilies"):
        if new_spec.get(name) is None and old_spec.get(name) is not None:
            new_spec[name] = copy.deepcopy(old_spec[name])
    node_port_types = ("NodePort", "LoadBalancer")
    if new_spec.get("type") not in node_port_types or old_spec.get("type") not in node_port_types:
        return
    by_name = {p.get("name") or "": p.get("nodePort") for p in old_spec.get("ports") or []}
    used = {p.get("nodePort") for p in new_spec.get("ports") or [] if p.get("nodePort")}
    for port in new_spec.get("ports") or []:
        previous = by_name.get(port.get("name") or "")
        if not port.get("nodePort") and previous and previous not in used:
            port["nodePort"] = previous
