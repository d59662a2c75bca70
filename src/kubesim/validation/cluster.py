"""ServiceAccounts, Namespaces, Nodes and Events (core validation of the simpler kinds)."""

from __future__ import annotations

from typing import Any

from kubesim.api.fielderrors import FieldError, forbidden, invalid
from kubesim.validation import formats
from kubesim.validation.meta import (
    kube_finalizer_name,
    name_is_dns_label,
    name_is_dns_subdomain,
    validate_finalizers,
    validate_object_meta,
    validate_object_meta_update,
)
from kubesim.validation.podspec import validate_taints

Obj = dict[str, Any]

NODE_FIXED = (
    "node updates may only change labels, taints, or capacity (or configSource, if the "
    "DynamicKubeletConfig feature gate is enabled)"
)
POD_CIDR = 'node updates may not change podCIDR except from "" to valid'
PROVIDER_ID = 'node updates may not change providerID except from "" to valid'


def validate_service_account(obj: Obj) -> list[FieldError]:
    """`ValidateServiceAccount`: metadata only (secret references are not checked upstream)."""
    return validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)


def validate_namespace(obj: Obj) -> list[FieldError]:
    """`ValidateNamespace`: a DNS-1123 label name and valid spec finalizer names."""
    errs = validate_object_meta(obj["metadata"], False, name_is_dns_label)
    for name in (obj.get("spec") or {}).get("finalizers") or []:
        errs.extend(validate_finalizers([name], "spec.finalizers"))
        errs.extend(kube_finalizer_name(name, "spec.finalizers"))
    return errs


def validate_node(obj: Obj) -> list[FieldError]:
    """`ValidateNode`: metadata and taints (upstream reports taints under `metadata.taints`)."""
    errs = validate_object_meta(obj["metadata"], False, name_is_dns_subdomain)
    errs.extend(validate_taints((obj.get("spec") or {}).get("taints"), "metadata.taints"))
    return errs


def _node_spec_changes(new: Obj, old: Obj) -> tuple[list[FieldError], Obj]:
    """Upstream's podCIDRs and providerID rules; returns the old spec with allowed changes."""
    errs: list[FieldError] = []
    allowed = dict(old)
    old_cidrs, new_cidrs = old.get("podCIDRs") or [], new.get("podCIDRs") or []
    if old_cidrs:
        if len(old_cidrs) != len(new_cidrs):
            errs.append(forbidden("spec.podCIDRs", POD_CIDR))
        else:
            errs.extend(
                forbidden("spec.podCIDRs", POD_CIDR)
                for a, b in zip(old_cidrs, new_cidrs, strict=True)
                if a != b
            )
    else:
        for key in ("podCIDR", "podCIDRs"):
            _copy_key(new, allowed, key)
    if not old.get("providerID"):
        _copy_key(new, allowed, "providerID")
    elif old.get("providerID") != new.get("providerID"):
        errs.append(forbidden("spec.providerID", PROVIDER_ID))
    for key in ("unschedulable", "taints", "configSource"):
        _copy_key(new, allowed, key)
    return errs, allowed


def _copy_key(source: Obj, target: Obj, key: str) -> None:
    if key in source:
        target[key] = source[key]
    else:
        target.pop(key, None)


def validate_node_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateNodeUpdate`: only labels, taints, unschedulable and status may change."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    new_spec = new.get("spec") or {}
    spec_errs, allowed = _node_spec_changes(new_spec, old.get("spec") or {})
    errs.extend(spec_errs)
    errs.extend(validate_taints(new_spec.get("taints"), "metadata.taints"))
    if allowed != new_spec:
        # Upstream reports this on the root path, which prints as "[]".
        errs.append(forbidden("[]", NODE_FIXED))
    return errs


def _event_namespace(obj: Obj) -> list[FieldError]:
    namespace = obj["metadata"].get("namespace") or ""
    involved = (obj.get("involvedObject") or {}).get("namespace") or ""
    errs: list[FieldError] = []
    if not obj.get("eventTime"):
        mismatch = namespace not in ("", "default") if not involved else namespace != involved
        if mismatch:
            errs.append(
                invalid("involvedObject.namespace", involved, "does not match event.namespace")
            )
    errs.extend(
        invalid("namespace", namespace, msg) for msg in formats.dns1123_subdomain(namespace)
    )
    return errs


def validate_event(obj: Obj) -> list[FieldError]:
    """Legacy core/v1 event validation: metadata and the involved object's namespace."""
    errs = validate_object_meta(obj["metadata"], True, name_is_dns_subdomain)
    return errs + _event_namespace(obj)


def validate_event_update(new: Obj, old: Obj) -> list[FieldError]:
    """core/v1 event updates: metadata rules and the namespace check again."""
    return validate_object_meta_update(new["metadata"], old["metadata"]) + _event_namespace(new)


def validate_service_account_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateServiceAccountUpdate`."""
    errs = validate_object_meta_update(new["metadata"], old["metadata"])
    return errs + validate_service_account(new)


def validate_namespace_update(new: Obj, old: Obj) -> list[FieldError]:
    """`ValidateNamespaceUpdate`: metadata rules only (spec and status are server-kept)."""
    return validate_object_meta_update(new["metadata"], old["metadata"])
