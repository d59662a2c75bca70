"""ClusterRole aggregation: the rules an `aggregationRule` collects from labelled ClusterRoles.

Mirrors the clusterrole-aggregation controller: for each selector, the matching ClusterRoles
(sorted by name, the role itself skipped) contribute their rules in order, exact duplicates
dropped; the result replaces `rules` whenever it differs semantically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

Rule = Mapping[str, Any]
MANAGER = "clusterrole-aggregation-controller"
_RULE_KEYS = ("verbs", "apiGroups", "resources", "resourceNames", "nonResourceURLs")
_MAX_PASSES = 16


class SelectorError(ValueError):
    """A label selector that cannot be turned into a selector (`LabelSelectorAsSelector`)."""


def _requirement_matches(expr: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, operator = str(expr.get("key", "")), expr.get("operator")
    values = list(expr.get("values") or ())
    if operator == "In":
        return key in labels and labels[key] in values
    if operator == "NotIn":
        return key not in labels or labels[key] not in values
    if operator == "Exists":
        return key in labels
    if operator == "DoesNotExist":
        return key not in labels
    raise SelectorError(f'"{operator}" is not a valid label selector operator')


def _check_requirement(expr: Mapping[str, Any]) -> None:
    operator, values = expr.get("operator"), expr.get("values") or ()
    if operator in ("In", "NotIn") and not values:
        raise SelectorError("for 'in', 'notin' operators, values set can't be empty")
    if operator in ("Exists", "DoesNotExist") and values:
        raise SelectorError("values set must be empty for exists and does not exist")


def selector_matches(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a `metav1.LabelSelector` (matchLabels/matchExpressions) selects the labels.

    An empty selector selects everything.

    Raises:
        SelectorError: an unknown operator or values inconsistent with the operator.
    """
    expressions = list(selector.get("matchExpressions") or ())
    for expr in expressions:
        _check_requirement(expr)
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    return all(_requirement_matches(expr, labels) for expr in expressions)


def rule_key(rule: Rule) -> tuple[tuple[str, ...], ...]:
    """A rule's identity under semantic equality (absent, null and empty lists are alike)."""
    return tuple(tuple(rule.get(key) or ()) for key in _RULE_KEYS)


def rules_equal(left: Iterable[Rule], right: Iterable[Rule]) -> bool:
    """Semantic equality of two rule lists (order matters, nil equals empty)."""
    return [rule_key(r) for r in left] == [rule_key(r) for r in right]


def _name(role: Mapping[str, Any]) -> str:
    return str((role.get("metadata") or {}).get("name", ""))


def _labels(role: Mapping[str, Any]) -> Mapping[str, str]:
    return (role.get("metadata") or {}).get("labels") or {}


def aggregated_rules(
    role: Mapping[str, Any], all_cluster_roles: Iterable[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """The rules the aggregation controller would write into `role`.

    Raises:
        SelectorError: one of the role's selectors is invalid (the controller gives up).
    """
    candidates = sorted(all_cluster_roles, key=_name)
    own = _name(role)
    seen: set[tuple[tuple[str, ...], ...]] = set()
    out: list[dict[str, Any]] = []
    for selector in (role.get("aggregationRule") or {}).get("clusterRoleSelectors") or ():
        for other in candidates:
            if _name(other) == own or not selector_matches(selector, _labels(other)):
                continue
            for rule in other.get("rules") or ():
                if rule_key(rule) not in seen:
                    seen.add(rule_key(rule))
                    out.append(dict(rule))
    return out


def pending_aggregations(
    all_cluster_roles: Iterable[Mapping[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """One controller pass: aggregated roles whose rules must be replaced, with the new rules.

    Roles with an invalid selector are skipped, as the controller's sync fails for them.
    """
    roles = list(all_cluster_roles)
    updates: dict[str, list[dict[str, Any]]] = {}
    for role in roles:
        if role.get("aggregationRule") is None:
            continue
        try:
            rules = aggregated_rules(role, roles)
        except SelectorError:
            continue
        if not rules_equal(rules, role.get("rules") or ()):
            updates[_name(role)] = rules
    return updates


def converge_aggregations(
    all_cluster_roles: Iterable[Mapping[str, Any]],
) -> dict[str, list[dict[str, Any]]]:
    """Run controller passes until nothing changes (aggregates of aggregates settle).

    Returns the final rules of every role whose rules changed. Cycles between aggregated roles
    are cut after a fixed number of passes, as the real controller would keep rewriting them.
    """
    roles = {_name(r): dict(r) for r in all_cluster_roles}
    changed: dict[str, list[dict[str, Any]]] = {}
    for _ in range(_MAX_PASSES):
        updates = pending_aggregations(roles.values())
        if not updates:
            break
        for name, rules in updates.items():
            roles[name] = {**roles[name], "rules": rules}
            changed[name] = rules
    return changed
