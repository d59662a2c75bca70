"""ClusterRole aggregation: selector matching, rule collection order, controller passes."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.auth.aggregation import (
    SelectorError,
    aggregated_rules,
    converge_aggregations,
    pending_aggregations,
    selector_matches,
)


def cluster_role(
    name: str, labels: dict[str, str] | None = None, *rules: dict[str, Any]
) -> dict[str, Any]:
    return {"metadata": {"name": name, "labels": labels or {}}, "rules": list(rules)}


def aggregating(
    name: str, *selectors: dict[str, Any], labels: dict[str, str] | None = None
) -> dict[str, Any]:
    role = cluster_role(name, labels)
    role["aggregationRule"] = {"clusterRoleSelectors": list(selectors)}
    return role


def get(resource: str) -> dict[str, Any]:
    return {"verbs": ["get"], "apiGroups": [""], "resources": [resource]}


@pytest.mark.parametrize(
    ("selector", "labels", "matches"),
    [
        ({}, {}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "1", "b": "2"}, True),
        ({"matchLabels": {"a": "1"}}, {"a": "2"}, False),
        (
            {"matchExpressions": [{"key": "a", "operator": "In", "values": ["1", "2"]}]},
            {"a": "2"},
            True,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "In", "values": ["1"]}]}, {}, False),
        ({"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]}, {}, True),
        (
            {"matchExpressions": [{"key": "a", "operator": "NotIn", "values": ["1"]}]},
            {"a": "1"},
            False,
        ),
        ({"matchExpressions": [{"key": "a", "operator": "Exists"}]}, {"a": ""}, True),
        ({"matchExpressions": [{"key": "a", "operator": "DoesNotExist"}]}, {"a": ""}, False),
        (
            {"matchLabels": {"a": "1"}, "matchExpressions": [{"key": "b", "operator": "Exists"}]},
            {"a": "1"},
            False,
        ),
    ],
)
def test_label_selectors_match_like_metav1_selectors(
    selector: dict[str, Any], labels: dict[str, str], matches: bool
) -> None:
    assert selector_matches(selector, labels) is matches


@pytest.mark.parametrize(
    "expr",
    [
        {"key": "a", "operator": "Equals", "values": ["1"]},
        {"key": "a", "operator": "In", "values": []},
        {"key": "a", "operator": "Exists", "values": ["1"]},
    ],
)
def test_invalid_selectors_are_refused(expr: dict[str, Any]) -> None:
    with pytest.raises(SelectorError):
        selector_matches({"matchExpressions": [expr]}, {"a": "1"})


def test_rules_are_collected_by_selector_then_name_without_duplicates_or_self() -> None:
    roles = [
        cluster_role("zeta", {"x": "true"}, get("pods"), get("secrets")),
        cluster_role("alpha", {"x": "true"}, get("secrets"), get("nodes")),
        cluster_role("other", {"y": "true"}, get("configmaps")),
        aggregating(
            "agg",
            {"matchLabels": {"x": "true"}},
            {"matchLabels": {"y": "true"}},
            labels={"x": "true"},
        ),
    ]
    assert aggregated_rules(roles[3], roles) == [
        get("secrets"),
        get("nodes"),
        get("pods"),
        get("configmaps"),
    ]


def test_duplicates_are_judged_semantically() -> None:
    roles = [
        cluster_role("a", {"x": "t"}, {**get("pods"), "resourceNames": []}),
        cluster_role("b", {"x": "t"}, get("pods")),
    ]
    assert aggregated_rules(aggregating("agg", {"matchLabels": {"x": "t"}}), roles) == [
        {**get("pods"), "resourceNames": []}
    ]


def test_a_pass_reports_only_roles_whose_rules_change() -> None:
    settled = aggregating("settled", {"matchLabels": {"x": "t"}})
    settled["rules"] = [get("pods")]
    stale = aggregating("stale", {"matchLabels": {"x": "t"}})
    roles = [cluster_role("src", {"x": "t"}, get("pods")), settled, stale, cluster_role("plain")]
    assert pending_aggregations(roles) == {"stale": [get("pods")]}


def test_an_aggregation_rule_without_selectors_empties_the_rules() -> None:
    role = aggregating("agg")
    role["rules"] = [get("pods")]
    assert pending_aggregations([role]) == {"agg": []}


def test_roles_with_invalid_selectors_are_left_alone() -> None:
    bad = aggregating("bad", {"matchExpressions": [{"key": "a", "operator": "Nope"}]})
    assert pending_aggregations([bad, cluster_role("src", {"a": "1"}, get("pods"))]) == {}


def test_chained_aggregation_converges_like_admin_edit_view() -> None:
    roles = [
        aggregating("admin", {"matchLabels": {"to-admin": "true"}}),
        aggregating("edit", {"matchLabels": {"to-edit": "true"}}, labels={"to-admin": "true"}),
        cluster_role("edit-extra", {"to-edit": "true"}, get("secrets")),
        cluster_role("admin-extra", {"to-admin": "true"}, get("roles")),
    ]
    assert converge_aggregations(roles) == {
        "edit": [get("secrets")],
        "admin": [get("roles"), get("secrets")],
    }
