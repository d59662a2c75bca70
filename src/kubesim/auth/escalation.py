"""Privilege-escalation prevention for writes of roles and bindings (the RBAC registry layer).

A user may only create or update a Role/ClusterRole whose rules they already hold (unless they
may `escalate` it), and may only bind a role whose rules they already hold (unless they may
`bind` it). `system:masters` skips both checks. The denial lists the missing permissions in the
compact form and order of `pkg/registry/rbac/validation`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from kubesim.api import status
from kubesim.api.fielderrors import go_quote
from kubesim.api.status import GroupResource
from kubesim.auth.rbac import (
    RBAC_GROUP,
    Authorizer,
    RoleResolutionError,
    RuleResolver,
    aggregate_errors,
    go_list,
)
from kubesim.auth.user import MASTERS, Attributes, UserInfo

Rule = Mapping[str, Any]

FULL_AUTHORITY: tuple[dict[str, list[str]], ...] = (
    {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
    {"verbs": ["*"], "nonResourceURLs": ["*"]},
)
AGGREGATION_DENIED = "must have cluster-admin privileges to use the aggregationRule"
_GC_FIELDS = ("ownerReferences", "finalizers", "selfLink", "managedFields")
_ROLE_KINDS = {"ClusterRole": "clusterroles", "Role": "roles"}


def _strings(rule: Rule, key: str) -> list[str]:
    return list(rule.get(key) or ())


def breakdown_rule(rule: Rule) -> list[dict[str, list[str]]]:
    """Split a rule into atomic sub-rules: one group, resource, verb and name (or URL, verb)."""
    out: list[dict[str, list[str]]] = []
    names = _strings(rule, "resourceNames")
    for group in _strings(rule, "apiGroups"):
        for resource in _strings(rule, "resources"):
            for verb in _strings(rule, "verbs"):
                base = {"apiGroups": [group], "resources": [resource], "verbs": [verb]}
                out.extend({**base, "resourceNames": [n]} for n in names)
                if not names:
                    out.append(base)
    for url in _strings(rule, "nonResourceURLs"):
        out.extend({"nonResourceURLs": [url], "verbs": [verb]} for verb in _strings(rule, "verbs"))
    return out


def _resources_cover(owned: list[str], wanted: list[str]) -> bool:
    if "*" in owned or set(wanted) <= set(owned):
        return True
    for path in wanted:
        if path in owned:
            continue
        if "/" not in path or "*/" + path.split("/", 1)[1] not in owned:
            return False
    return True


def _url_covers(owner: str, path: str) -> bool:
    return owner == path or (owner.endswith("*") and path.startswith(owner.rstrip("*")))


def _names_cover(owned: list[str], wanted: list[str]) -> bool:
    if not wanted:
        return not owned
    return not owned or set(wanted) <= set(owned)


def rule_covers(owner: Rule, sub: Rule) -> bool:
    """Whether one owner rule covers an atomic sub-rule (`ruleCovers`)."""
    verbs, groups = _strings(owner, "verbs"), _strings(owner, "apiGroups")
    urls = _strings(owner, "nonResourceURLs")
    return (
        ("*" in verbs or set(_strings(sub, "verbs")) <= set(verbs))
        and ("*" in groups or set(_strings(sub, "apiGroups")) <= set(groups))
        and _resources_cover(_strings(owner, "resources"), _strings(sub, "resources"))
        and all(any(_url_covers(o, p) for o in urls) for p in _strings(sub, "nonResourceURLs"))
        and _names_cover(_strings(owner, "resourceNames"), _strings(sub, "resourceNames"))
    )


def covers(owner_rules: Sequence[Rule], servant_rules: Iterable[Rule]) -> tuple[bool, list[Rule]]:
    """Whether the owner rules cover every servant rule, and the atomic sub-rules they miss."""
    missing: list[Rule] = []
    for rule in servant_rules:
        for sub in breakdown_rule(rule):
            if not any(rule_covers(owner, sub) for owner in owner_rules):
                missing.append(sub)
    return not missing, missing


def compact_rules(rules: Iterable[Rule]) -> list[Rule]:
    """Merge rules of one group and one resource that differ only in verbs (`CompactRules`)."""
    compacted: list[Rule] = []
    simple: dict[tuple[str, str], dict[str, list[str]]] = {}
    for rule in rules:
        groups, resources = _strings(rule, "apiGroups"), _strings(rule, "resources")
        plain = not (rule.get("resourceNames") or rule.get("nonResourceURLs"))
        if not (plain and len(groups) == 1 and len(resources) == 1):
            compacted.append(rule)
            continue
        key = (groups[0], resources[0])
        if key in simple:
            simple[key]["verbs"] += _strings(rule, "verbs")
        else:
            simple[key] = {
                "apiGroups": groups,
                "resources": resources,
                "verbs": _strings(rule, "verbs"),
            }
    return compacted + list(simple.values())


def compact_string(rule: Rule) -> str:
    """A rule as escalation messages print it: `{APIGroups:[""], Verbs:["get"]}` and so on."""
    fields = (
        ("APIGroups", "apiGroups"),
        ("Resources", "resources"),
        ("NonResourceURLs", "nonResourceURLs"),
        ("ResourceNames", "resourceNames"),
        ("Verbs", "verbs"),
    )
    parts = [f"{label}:{go_list(rule[key])}" for label, key in fields if rule.get(key)]
    return "{" + ", ".join(parts) + "}"


def confirm_no_escalation(
    resolver: RuleResolver, user: UserInfo, namespace: str, rules: Iterable[Rule]
) -> str | None:
    """The escalation error text if the user does not already hold `rules`, else None."""
    owner_rules, errors = resolver.rules_for(user, namespace)
    covered, missing = covers(owner_rules, rules)
    if covered:
        return None
    lines = sorted({compact_string(rule) for rule in compact_rules(missing)})
    message = (
        f"user {go_quote(user.name)} (groups={go_list(user.groups)}) is attempting to grant"
        " RBAC permissions not currently held:\n" + "\n".join(lines)
    )
    if errors:
        message += f"; resolution errors: [{aggregate_errors(errors)}]"
    return message


def escalation_allowed(user: UserInfo) -> bool:
    """`system:masters` may write any role or binding (`EscalationAllowed`)."""
    return MASTERS in user.groups


def _semantic(value: Any) -> Any:
    # Go's semantic equality treats nil and empty (and absent) alike.
    if isinstance(value, Mapping):
        normal = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in normal.items() if v not in (None, "", 0, {}, [])}
    if isinstance(value, list | tuple):
        return [_semantic(v) for v in value]
    return value


def only_gc_fields_changed(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Whether an update changes nothing but GC fields (`IsOnlyMutatingGCFields`)."""
    candidate = copy.deepcopy(dict(new))
    meta = candidate["metadata"] = dict(candidate.get("metadata") or {})
    old_meta = old.get("metadata") or {}
    for key in _GC_FIELDS:
        meta.pop(key, None)
        if key in old_meta:
            meta[key] = old_meta[key]
    ignored = ("kind", "apiVersion")
    left = _semantic({k: v for k, v in candidate.items() if k not in ignored})
    right = _semantic({k: v for k, v in old.items() if k not in ignored})
    return bool(left == right)


def _name(obj: Mapping[str, Any]) -> str:
    return str((obj.get("metadata") or {}).get("name", ""))


def _namespace(resource: str, obj: Mapping[str, Any], given: str) -> str:
    if resource not in ("roles", "rolebindings"):
        return ""
    return given or str((obj.get("metadata") or {}).get("namespace", ""))


def _has_aggregation(role: Mapping[str, Any] | None) -> bool:
    rule = (role or {}).get("aggregationRule") or {}
    return bool(rule.get("clusterRoleSelectors"))


def _allowed(authz: Authorizer, user: UserInfo, verb: str, ref: tuple[str, str, str, str]) -> bool:
    group, resource, namespace, name = ref
    version = "*" if verb == "escalate" else ""
    attrs = Attributes(user, verb, True, group, version, resource, "", namespace, name)
    return bool(authz.authorize(attrs).allowed)


def check_role_write(
    authz: Authorizer,
    user: UserInfo,
    resource: str,
    new: Mapping[str, Any],
    old: Mapping[str, Any] | None = None,
    *,
    namespace: str = "",
    request_name: str | None = None,
) -> None:
    """Refuse a Role/ClusterRole create or update that would grant permissions not held.

    Args:
        authz: The full authorizer chain (used for the `escalate` check and rule lookups).
        user: The requesting user.
        resource: `roles` or `clusterroles`.
        new: The object as written (before the server fills system fields).
        old: The stored object on update; None on create.
        namespace: The request namespace (roles only; defaults to the object's).
        request_name: The name in the URL; defaults to "" on create, the object name on update.

    Raises:
        StatusError: 403 Forbidden with the server's exact message.
    """
    name = _name(new)
    url_name = request_name if request_name is not None else ("" if old is None else name)
    namespace = _namespace(resource, new, namespace)
    if escalation_allowed(user):
        return
    if _allowed(authz, user, "escalate", (RBAC_GROUP, resource, namespace, url_name)):
        return
    if old is not None and only_gc_fields_changed(new, old):
        return
    gr = GroupResource(RBAC_GROUP, resource)
    resolver = RuleResolver(authz.source, registry_errors=True)
    denied = confirm_no_escalation(resolver, user, namespace, new.get("rules") or ())
    if denied:
        raise status.forbidden(gr, name, denied)
    # An aggregationRule can gather anything (and removing one can stop tightening).
    aggregating = resource == "clusterroles" and (_has_aggregation(new) or _has_aggregation(old))
    if aggregating and confirm_no_escalation(resolver, user, "", FULL_AUTHORITY):
        raise status.forbidden(gr, name, AGGREGATION_DENIED)


def _bind_authorized(
    authz: Authorizer, user: UserInfo, role_ref: Mapping[str, Any], namespace: str
) -> bool:
    resource = _ROLE_KINDS.get(str(role_ref.get("kind", "")))
    if resource is None:
        return False
    group, name = str(role_ref.get("apiGroup", "")), str(role_ref.get("name", ""))
    return _allowed(authz, user, "bind", (group, resource, namespace, name))


def check_binding_write(
    authz: Authorizer,
    user: UserInfo,
    resource: str,
    new: Mapping[str, Any],
    old: Mapping[str, Any] | None = None,
    *,
    namespace: str = "",
) -> None:
    """Refuse a RoleBinding/ClusterRoleBinding write that binds permissions not held.

    Args:
        authz: The full authorizer chain (used for the `bind` check and rule lookups).
        user: The requesting user.
        resource: `rolebindings` or `clusterrolebindings`.
        new: The object as written (after defaulting).
        old: The stored object on update; None on create.
        namespace: The request namespace (rolebindings only; defaults to the object's).

    Raises:
        StatusError: 403 Forbidden with the exact message, or the 404 of a missing role.
    """
    namespace = _namespace(resource, new, namespace)
    if escalation_allowed(user):
        return
    if old is not None and only_gc_fields_changed(new, old):
        return
    role_ref = new.get("roleRef") or {}
    if _bind_authorized(authz, user, role_ref, namespace):
        return
    resolver = RuleResolver(authz.source, registry_errors=True)
    try:
        rules = resolver.role_reference_rules(role_ref, namespace)
    except RoleResolutionError as err:
        raise err.status_error() from None
    denied = confirm_no_escalation(resolver, user, namespace, rules)
    if denied:
        raise status.forbidden(GroupResource(RBAC_GROUP, resource), _name(new), denied)
