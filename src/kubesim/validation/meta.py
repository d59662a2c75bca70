"""Object metadata validation on create and update (`apimachinery/pkg/api/validation/objectmeta.go`
plus the core wrapper that also checks Kubernetes finalizer names).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.api.fielderrors import FieldError, GoLiteral, forbidden, invalid, required, too_long
from kubesim.validation import formats, gorender

NameFn = Callable[[str, bool], tuple[str, ...]]
Obj = dict[str, Any]

ANNOTATIONS_LIMIT = 256 * 1024
STANDARD_FINALIZERS = frozenset({"kubernetes", "orphan", "foregroundDeletion"})
IMMUTABLE = "field is immutable"


def name_is_dns_subdomain(name: str, prefix: bool) -> tuple[str, ...]:
    """`NameIsDNSSubdomain` (most kinds)."""
    return formats.dns1123_subdomain(formats.mask_trailing_dash(name) if prefix else name)


def name_is_dns_label(name: str, prefix: bool) -> tuple[str, ...]:
    """`NameIsDNSLabel` (namespaces)."""
    return formats.dns1123_label(formats.mask_trailing_dash(name) if prefix else name)


def name_is_dns1035_label(name: str, prefix: bool) -> tuple[str, ...]:
    """`NameIsDNS1035Label` (services)."""
    return formats.dns1035_label(formats.mask_trailing_dash(name) if prefix else name)


def validate_labels(labels: Any, path: str) -> list[FieldError]:
    """`ValidateLabels`: every key a qualified name, every value a label value."""
    errs: list[FieldError] = []
    if not labels:
        return errs
    for key, value in labels.items():
        errs.extend(invalid(path, key, msg) for msg in formats.qualified_name(key))
        text = value if isinstance(value, str) else ""
        errs.extend(invalid(path, text, msg) for msg in formats.label_value(text))
    return errs


def validate_annotations(annotations: Any, path: str) -> list[FieldError]:
    """`ValidateAnnotations`: keys are case-insensitive qualified names; 256 KiB in total."""
    errs: list[FieldError] = []
    if not annotations:
        return errs
    total = 0
    for key, value in annotations.items():
        errs.extend(invalid(path, key, msg) for msg in formats.qualified_name(key.lower()))
        total += len(key.encode()) + len(value.encode() if isinstance(value, str) else b"")
    if total > ANNOTATIONS_LIMIT:
        errs.append(too_long(path, f"must have at most {ANNOTATIONS_LIMIT} bytes"))
    return errs


def _parse_gv(api_version: str) -> tuple[str, str] | None:
    if api_version in ("", "/"):
        return "", ""
    parts = api_version.split("/")
    if len(parts) == 1:
        return "", parts[0]
    if len(parts) == 2:
        return parts[0], parts[1]
    return None


def _owner_ref_text(ref: Obj) -> str:
    return (
        f"v1.OwnerReference{{APIVersion:{gorender.quote(ref.get('apiVersion', ''))}, "
        f"Kind:{gorender.quote(ref.get('kind', ''))}, Name:{gorender.quote(ref.get('name', ''))}, "
        f"UID:{gorender.quote(ref.get('uid', ''))}, "
        f"Controller:{gorender.pointer(ref.get('controller'), 'bool')}, "
        f"BlockOwnerDeletion:{gorender.pointer(ref.get('blockOwnerDeletion'), 'bool')}}}"
    )


def _validate_owner_reference(ref: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    api_version, kind = ref.get("apiVersion") or "", ref.get("kind") or ""
    group, version = _parse_gv(api_version) or ("", "")
    if not version:
        errs.append(invalid(path + ".apiVersion", api_version, "version must not be empty"))
    if not kind:
        errs.append(invalid(path + ".kind", kind, "must not be empty"))
    if not ref.get("name"):
        errs.append(invalid(path + ".name", ref.get("name") or "", "must not be empty"))
    if not ref.get("uid"):
        errs.append(invalid(path + ".uid", ref.get("uid") or "", "must not be empty"))
    if (group, version, kind) == ("", "v1", "Event"):
        detail = "/v1, Kind=Event is disallowed from being an owner"
        errs.append(invalid(path, GoLiteral(_owner_ref_text(ref)), detail))
    return errs


def validate_owner_references(refs: Any, path: str) -> list[FieldError]:
    """`ValidateOwnerReferences`: required fields, banned owners, at most one controller."""
    errs: list[FieldError] = []
    first_controller = ""
    for ref in refs or []:
        errs.extend(_validate_owner_reference(ref, path))
        if ref.get("controller") is not True:
            continue
        current = f"{ref.get('kind', '')}/{ref.get('name', '')}"
        if not first_controller:
            first_controller = current
            continue
        rendered = "[]v1.OwnerReference{" + ", ".join(_owner_ref_text(r) for r in refs) + "}"
        detail = (
            'Only one reference can have Controller set to true. Found "true" in references for '
            f"{first_controller} and {current}"
        )
        errs.append(invalid(path, GoLiteral(rendered), detail))
    return errs


def validate_finalizers(finalizers: Any, path: str) -> list[FieldError]:
    """`ValidateFinalizers`: qualified names, and not both orphan and foregroundDeletion."""
    errs: list[FieldError] = []
    names = finalizers or []
    for name in names:
        errs.extend(invalid(path, name, msg) for msg in formats.qualified_name(name))
    if "orphan" in names and "foregroundDeletion" in names:
        detail = "finalizer orphan and foregroundDeletion cannot be both set"
        errs.append(invalid(path, list(names), detail))
    return errs


def kube_finalizer_name(name: str, path: str) -> list[FieldError]:
    """`validateKubeFinalizerName`: a name without `/` must be a standard finalizer."""
    if "/" in name or name in STANDARD_FINALIZERS:
        return []
    return [
        invalid(path, name, "name is neither a standard finalizer name nor is it fully qualified")
    ]


def kube_finalizer_names(finalizers: Any, path: str) -> list[FieldError]:
    """`validateKubeFinalizerName` over a list, reported per index."""
    errs: list[FieldError] = []
    for i, name in enumerate(finalizers or []):
        errs.extend(kube_finalizer_name(name, f"{path}[{i}]"))
    return errs


def name_is_path_segment(name: str, prefix: bool) -> tuple[str, ...]:
    """`ValidatePathSegmentName`: the name must be usable as one URL path segment."""
    if not prefix and name in (".", ".."):
        return (f"may not be '{name}'",)
    return tuple(f"may not contain '{bad}'" for bad in ("/", "%") if bad in name)


def validate_object_meta(
    meta: Obj, namespaced: bool, name_fn: NameFn, path: str = "metadata", *, kube: bool = True
) -> list[FieldError]:
    """`ValidateObjectMeta` (expects name generation to have happened already).

    Args:
        meta: the object's metadata.
        namespaced: whether the kind is namespaced.
        name_fn: the kind's name rule.
        path: the field path of the metadata.
        kube: also apply the core wrapper's finalizer-name rule (off for the generic checks).

    Returns:
        The field errors, in upstream order.
    """
    errs: list[FieldError] = []
    generate_name = meta.get("generateName") or ""
    if generate_name:
        errs.extend(
            invalid(path + ".generateName", generate_name, m) for m in name_fn(generate_name, True)
        )
    name = meta.get("name") or ""
    if not name:
        errs.append(required(path + ".name", "name or generateName is required"))
    else:
        errs.extend(invalid(path + ".name", name, msg) for msg in name_fn(name, False))
    return errs + validate_meta_except_name(meta, namespaced, path, kube=kube)


def validate_meta_except_name(
    meta: Obj, namespaced: bool, path: str = "metadata", *, kube: bool = True
) -> list[FieldError]:
    """The ObjectMeta checks that follow the name checks (namespace, labels, ...)."""
    errs = _namespace_errors(meta.get("namespace") or "", namespaced, path)
    errs.extend(_common(meta, path))
    errs.extend(validate_finalizers(meta.get("finalizers"), path + ".finalizers"))
    if kube:
        errs.extend(kube_finalizer_names(meta.get("finalizers"), path + ".finalizers"))
    return errs


def _namespace_errors(namespace: str, namespaced: bool, path: str) -> list[FieldError]:
    if not namespaced:
        return [forbidden(path + ".namespace", "not allowed on this type")] if namespace else []
    if not namespace:
        return [required(path + ".namespace")]
    return [invalid(path + ".namespace", namespace, m) for m in formats.dns1123_label(namespace)]


def _common(meta: Obj, path: str) -> list[FieldError]:
    errs: list[FieldError] = []
    generation = meta.get("generation")
    if isinstance(generation, int) and generation < 0:
        errs.append(invalid(path + ".generation", generation, "must be greater than or equal to 0"))
    errs.extend(validate_labels(meta.get("labels"), path + ".labels"))
    errs.extend(validate_annotations(meta.get("annotations"), path + ".annotations"))
    errs.extend(validate_owner_references(meta.get("ownerReferences"), path + ".ownerReferences"))
    return errs


def go_time(value: Any) -> GoLiteral | str:
    """A metav1.Time bad value: Go's `time.Time.String()` of an RFC 3339 UTC timestamp."""
    if not isinstance(value, str) or len(value) < 20 or not value.endswith("Z"):
        return GoLiteral('"null"') if value is None else str(value)
    return GoLiteral(value[:10] + " " + value[11:19] + " +0000 UTC")


def _immutable(new: Obj, old: Obj, name: str, path: str) -> list[FieldError]:
    value, old_value = new.get(name), old.get(name)
    # Go compares strings and nil pointers: an absent string equals "", an absent pointer nil.
    if value == old_value or (isinstance(value, str | None) and not value and not old_value):
        return []
    if name.endswith("Timestamp"):
        return [invalid(f"{path}.{name}", go_time(value), IMMUTABLE)]
    bad = GoLiteral('"null"') if value is None else value
    return [invalid(f"{path}.{name}", bad, IMMUTABLE)]


def validate_object_meta_update(
    new: Obj, old: Obj, path: str = "metadata", *, kube: bool = True
) -> list[FieldError]:
    """`ValidateObjectMetaUpdate` (resourceVersion presence is checked by the registry).

    Args:
        new: the metadata being written.
        old: the stored metadata.
        path: the field path of the metadata.
        kube: also apply the core wrapper's finalizer-name rule.

    Returns:
        The field errors, in upstream order.
    """
    errs: list[FieldError] = []
    if old.get("deletionTimestamp"):
        added = sorted(set(new.get("finalizers") or []) - set(old.get("finalizers") or []))
        if added:
            detail = (
                "no new finalizers can be added if the object is being deleted, found new "
                f"finalizers {gorender.string_slice(added)}"
            )
            errs.append(forbidden(path + ".finalizers", detail))
    new_generation, old_generation = new.get("generation") or 0, old.get("generation") or 0
    if new_generation < old_generation:
        errs.append(invalid(path + ".generation", new_generation, "must not be decremented"))
    for name in ("name", "namespace", "uid", "creationTimestamp", "deletionTimestamp"):
        errs.extend(_immutable(new, old, name, path))
    errs.extend(_immutable(new, old, "deletionGracePeriodSeconds", path))
    errs.extend(validate_labels(new.get("labels"), path + ".labels"))
    errs.extend(validate_annotations(new.get("annotations"), path + ".annotations"))
    errs.extend(validate_owner_references(new.get("ownerReferences"), path + ".ownerReferences"))
    if kube:
        errs.extend(kube_finalizer_names(new.get("finalizers"), path + ".finalizers"))
    return errs


def common_update_errors(new: Obj, old: Obj, namespaced: bool) -> list[FieldError]:
    """The generic registry's `validateCommonFields`, run before every kind's update rules."""
    errs = validate_object_meta(new, namespaced, name_is_path_segment, kube=False)
    return errs + validate_object_meta_update(new, old, kube=False)
