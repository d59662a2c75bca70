"""Validation and defaulting of the RBAC kinds (`pkg/apis/rbac/validation`, `rbac/v1` defaults).

Covers what is specific to Roles, ClusterRoles, RoleBindings and ClusterRoleBindings: the
path-segment name rule (colons allowed), policy rules, aggregation selectors, roleRef and
subjects. Generic ObjectMeta checks other than the name (labels, annotations, immutable fields)
belong to the common metadata validator, which must use `validate_rbac_name` for these kinds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from kubesim.api.fielderrors import (
    FieldError,
    GoLiteral,
    forbidden,
    go_quote,
    invalid,
    not_supported,
    required,
)

RBAC_GROUP = "rbac.authorization.k8s.io"
ROLE_KINDS = ("roles", "clusterroles")
BINDING_KINDS = ("rolebindings", "clusterrolebindings")
SUBJECT_KINDS = ["ServiceAccount", "User", "Group"]

_QUALIFIED = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_MSG = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an"
    " alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for"
    " validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
)
_SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or"
    " '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used"
    r" for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
_LABEL_VALUE_MSG = (
    "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or"
    " '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or"
    " 'my_value',  or '12345', regex used for validation is"
    " '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
)


def validate_rbac_name(name: str, prefix: bool = False) -> list[str]:
    """Path-segment name rule (`path.IsValidPathSegmentName`); `prefix` is unused, as upstream."""
    del prefix
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def dns_subdomain_errors(value: str) -> list[str]:
    """`IsDNS1123Subdomain` messages."""
    errors = ["must be no more than 253 characters"] if len(value) > 253 else []
    if not _SUBDOMAIN.match(value):
        errors.append(_SUBDOMAIN_MSG)
    return errors


def qualified_name_errors(value: str) -> list[str]:
    """`IsQualifiedName` messages (label keys)."""
    parts = value.split("/")
    if len(parts) > 2:
        return [
            "a qualified name " + _QUALIFIED_MSG + " with an optional DNS subdomain prefix"
            " and '/' (e.g. 'example.com/MyName')"
        ]
    errors: list[str] = []
    name = parts[-1]
    if len(parts) == 2:
        if not parts[0]:
            errors.append("prefix part must be non-empty")
        else:
            errors += ["prefix part " + msg for msg in dns_subdomain_errors(parts[0])]
    if not name:
        errors.append("name part must be non-empty")
    elif len(name) > 63:
        errors.append("name part must be no more than 63 characters")
    if not _QUALIFIED.match(name):
        errors.append("name part " + _QUALIFIED_MSG)
    return errors


def label_value_errors(value: str) -> list[str]:
    """`IsValidLabelValue` messages."""
    errors = ["must be no more than 63 characters"] if len(value) > 63 else []
    if not _LABEL_VALUE.match(value):
        errors.append(_LABEL_VALUE_MSG)
    return errors


def _name_errors(meta: Mapping[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    generate = str(meta.get("generateName") or "")
    if generate:
        errors += [
            invalid("metadata.generateName", generate, m) for m in validate_rbac_name(generate)
        ]
    name = str(meta.get("name") or "")
    if not name:
        return [*errors, required("metadata.name", "name or generateName is required")]
    return errors + [invalid("metadata.name", name, m) for m in validate_rbac_name(name)]


def _rule_errors(rule: Mapping[str, Any], namespaced: bool, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if not rule.get("verbs"):
        errors.append(required(f"{path}.verbs", "verbs must contain at least one value"))
    urls = rule.get("nonResourceURLs")
    if urls:
        if namespaced:
            detail = "namespaced rules cannot apply to non-resource URLs"
            errors.append(invalid(f"{path}.nonResourceURLs", list(urls), detail))
        if rule.get("apiGroups") or rule.get("resources") or rule.get("resourceNames"):
            detail = "rules cannot apply to both regular resources and non-resource URLs"
            errors.append(invalid(f"{path}.nonResourceURLs", list(urls), detail))
        return errors
    if not rule.get("apiGroups"):
        detail = "resource rules must supply at least one api group"
        errors.append(required(f"{path}.apiGroups", detail))
    if not rule.get("resources"):
        errors.append(
            required(f"{path}.resources", "resource rules must supply at least one resource")
        )
    return errors


def _requirement_errors(expr: Mapping[str, Any], path: str, lax: bool) -> list[FieldError]:
    operator, values = expr.get("operator"), list(expr.get("values") or ())
    errors: list[FieldError] = []
    if operator in ("In", "NotIn"):
        if not values:
            detail = "must be specified when `operator` is 'In' or 'NotIn'"
            errors.append(required(f"{path}.values", detail))
    elif operator in ("Exists", "DoesNotExist"):
        if values:
            detail = "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
            errors.append(forbidden(f"{path}.values", detail))
    else:
        errors.append(
            invalid(f"{path}.operator", str(operator or ""), "not a valid selector operator")
        )
    key = str(expr.get("key") or "")
    errors += [invalid(f"{path}.key", key, m) for m in qualified_name_errors(key)]
    if not lax:
        for i, value in enumerate(values):
            errors += [invalid(f"{path}.values[{i}]", value, m) for m in label_value_errors(value)]
    return errors


def _selector_errors(selector: Mapping[str, Any], path: str, lax: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    for key, value in (selector.get("matchLabels") or {}).items():
        errors += [invalid(f"{path}.matchLabels", key, m) for m in qualified_name_errors(key)]
        errors += [invalid(f"{path}.matchLabels", value, m) for m in label_value_errors(value)]
    exprs = selector.get("matchExpressions") or ()
    for i, expr in enumerate(exprs):
        errors += _requirement_errors(expr, f"{path}.matchExpressions[{i}]", lax)
    if any(_requirement_errors(expr, "", lax) for expr in exprs) or _bad_match_labels(selector):
        # LabelSelectorAsSelector fails too; its nil selector renders as "null".
        errors.append(invalid(path, None, "invalid label selector."))
    return errors


def _bad_match_labels(selector: Mapping[str, Any]) -> bool:
    labels = selector.get("matchLabels") or {}
    return any(qualified_name_errors(k) or label_value_errors(v) for k, v in labels.items())


def _has_invalid_values(role: Mapping[str, Any] | None) -> bool:
    for selector in _selectors(role or {}):
        for expr in selector.get("matchExpressions") or ():
            if any(label_value_errors(str(v)) for v in expr.get("values") or ()):
                return True
    return False


def _selectors(role: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return list((role.get("aggregationRule") or {}).get("clusterRoleSelectors") or ())


def _aggregation_errors(role: Mapping[str, Any], old: Mapping[str, Any] | None) -> list[FieldError]:
    if role.get("aggregationRule") is None:
        return []
    base = "aggregationRule.clusterRoleSelectors"
    selectors = _selectors(role)
    errors: list[FieldError] = []
    if not selectors:
        detail = "at least one clusterRoleSelector required if aggregationRule is non-nil"
        errors.append(required(base, detail))
    lax = _has_invalid_values(old)
    for i, selector in enumerate(selectors):
        errors += _selector_errors(selector, f"{base}[{i}]", lax)
    return errors


def _role_errors(
    resource: str, obj: Mapping[str, Any], old: Mapping[str, Any] | None
) -> list[FieldError]:
    namespaced = resource == "roles"
    errors: list[FieldError] = []
    for i, rule in enumerate(obj.get("rules") or ()):
        errors += _rule_errors(rule, namespaced, f"rules[{i}]")
    if not namespaced:
        errors += _aggregation_errors(obj, old)
    return errors


def _go_role_ref(ref: Mapping[str, Any]) -> GoLiteral:
    fields = ("APIGroup", "apiGroup"), ("Kind", "kind"), ("Name", "name")
    inner = ", ".join(f"{label}:{go_quote(str(ref.get(key) or ''))}" for label, key in fields)
    return GoLiteral("rbac.RoleRef{" + inner + "}")


def _role_ref_errors(ref: Mapping[str, Any], kinds: list[str]) -> list[FieldError]:
    errors: list[FieldError] = []
    group, kind, name = (str(ref.get(k) or "") for k in ("apiGroup", "kind", "name"))
    if group != RBAC_GROUP:
        errors.append(not_supported("roleRef.apiGroup", group, [RBAC_GROUP]))
    if kind not in kinds:
        errors.append(not_supported("roleRef.kind", kind, kinds))
    if not name:
        return [*errors, required("roleRef.name")]
    return errors + [invalid("roleRef.name", name, m) for m in validate_rbac_name(name)]


def _subject_errors(subject: Mapping[str, Any], namespaced: bool, path: str) -> list[FieldError]:
    kind, name = subject.get("kind"), str(subject.get("name") or "")
    group = str(subject.get("apiGroup") or "")
    errors = [] if name else [required(f"{path}.name")]
    if kind == "ServiceAccount":
        if name:
            errors += [invalid(f"{path}.name", name, m) for m in dns_subdomain_errors(name)]
        if group:
            errors.append(not_supported(f"{path}.apiGroup", group, [""]))
        if not namespaced and not subject.get("namespace"):
            errors.append(required(f"{path}.namespace"))
    elif kind in ("User", "Group"):
        if group != RBAC_GROUP:
            errors.append(not_supported(f"{path}.apiGroup", group, [RBAC_GROUP]))
    else:
        errors.append(not_supported(f"{path}.kind", str(kind or ""), SUBJECT_KINDS))
    return errors


def _binding_errors(
    resource: str, obj: Mapping[str, Any], old: Mapping[str, Any] | None
) -> list[FieldError]:
    namespaced = resource == "rolebindings"
    kinds = ["Role", "ClusterRole"] if namespaced else ["ClusterRole"]
    ref = obj.get("roleRef") or {}
    errors = _role_ref_errors(ref, kinds)
    for i, subject in enumerate(obj.get("subjects") or ()):
        errors += _subject_errors(subject, namespaced, f"subjects[{i}]")
    if old is not None and _ref_tuple(old.get("roleRef") or {}) != _ref_tuple(ref):
        errors.append(invalid("roleRef", _go_role_ref(ref), "cannot change roleRef"))
    return errors


def _ref_tuple(ref: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(ref.get(k) or "") for k in ("apiGroup", "kind", "name"))


_VALIDATORS: dict[
    str, Callable[[str, Mapping[str, Any], Mapping[str, Any] | None], list[FieldError]]
] = {
    "roles": _role_errors,
    "clusterroles": _role_errors,
    "rolebindings": _binding_errors,
    "clusterrolebindings": _binding_errors,
}


def validate_rbac(
    resource: str, obj: Mapping[str, Any], old: Mapping[str, Any] | None = None
) -> list[FieldError]:
    """The RBAC-specific field errors of a create (`old` None) or update, in server order.

    The name errors (`metadata.name`/`metadata.generateName`, path-segment rule) come first,
    as ObjectMeta validation runs first; other metadata checks are the caller's.

    Args:
        resource: `roles`, `clusterroles`, `rolebindings` or `clusterrolebindings`.
        obj: The object after defaulting (`default_rbac`).
        old: The stored object on update.

    Raises:
        KeyError: `resource` is not an RBAC resource.
    """
    validator = _VALIDATORS[resource]
    return _name_errors(obj.get("metadata") or {}) + validator(resource, obj, old)


_RULE_ORDER = ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")
_SUBJECT_ORDER = ("kind", "apiGroup", "name", "namespace")
_REF_ORDER = ("apiGroup", "kind", "name")


def _ordered(obj: Mapping[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {key: obj[key] for key in order if key in obj}
    out.update({k: v for k, v in obj.items() if k not in out})
    return out


def _default_subject(subject: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(subject)
    if not out.get("apiGroup") and out.get("kind") in ("User", "Group"):
        out["apiGroup"] = RBAC_GROUP
    return _ordered(out, _SUBJECT_ORDER)


def default_rbac(resource: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    """Apply the server's defaulting: roleRef/subject apiGroup, and wire field order.

    User and Group subjects without `apiGroup` get `rbac.authorization.k8s.io`; a roleRef
    without `apiGroup` gets it too. ServiceAccount subjects keep `""`. Returns a new dict.
    """
    out = dict(obj)
    if resource in ROLE_KINDS and out.get("rules"):
        out["rules"] = [_ordered(rule, _RULE_ORDER) for rule in out["rules"]]
    if resource in BINDING_KINDS:
        ref = dict(out.get("roleRef") or {})
        if not ref.get("apiGroup"):
            ref["apiGroup"] = RBAC_GROUP
        out["roleRef"] = _ordered(ref, _REF_ORDER)
        if out.get("subjects"):
            out["subjects"] = [_default_subject(s) for s in out["subjects"]]
    return out
