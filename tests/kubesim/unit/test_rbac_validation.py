"""RBAC object validation and defaulting: exact field errors in server order."""

from __future__ import annotations

from typing import Any

import pytest

from kubesim.api.fielderrors import aggregate
from kubesim.validation.rbac import default_rbac, validate_rbac, validate_rbac_name

G = "rbac.authorization.k8s.io"


def messages(resource: str, obj: dict[str, Any], old: dict[str, Any] | None = None) -> list[str]:
    return [str(err) for err in validate_rbac(resource, obj, old)]


def cluster_role(name: str = "r", **fields: Any) -> dict[str, Any]:
    return {"metadata": {"name": name}, **fields}


def rb(ref: dict[str, str], *subjects: dict[str, str]) -> dict[str, Any]:
    return {"metadata": {"name": "b", "namespace": "n"}, "roleRef": ref, "subjects": list(subjects)}


REF = {"apiGroup": G, "kind": "ClusterRole", "name": "view"}


@pytest.mark.parametrize(
    ("name", "errors"),
    [
        ("system:discovery", []),
        (".", ["may not be '.'"]),
        ("..", ["may not be '..'"]),
        ("a/b%c", ["may not contain '/'", "may not contain '%'"]),
    ],
)
def test_role_names_are_path_segments(name: str, errors: list[str]) -> None:
    assert validate_rbac_name(name) == errors


def test_a_missing_name_is_required() -> None:
    assert messages("clusterroles", {"metadata": {}}) == [
        "metadata.name: Required value: name or generateName is required"
    ]


def test_an_invalid_name_reports_each_problem() -> None:
    assert messages("roles", {"metadata": {"name": "a/b"}}) == [
        "metadata.name: Invalid value: \"a/b\": may not contain '/'"
    ]


@pytest.mark.parametrize(
    ("resource", "rule", "errors"),
    [
        (
            "clusterroles",
            {"apiGroups": [""], "resources": ["pods"]},
            ["rules[0].verbs: Required value: verbs must contain at least one value"],
        ),
        (
            "clusterroles",
            {"verbs": ["get"]},
            [
                "rules[0].apiGroups: Required value: resource rules must supply at least one"
                " api group",
                "rules[0].resources: Required value: resource rules must supply at least one"
                " resource",
            ],
        ),
        (
            "roles",
            {"verbs": ["get"], "nonResourceURLs": ["/metrics"]},
            [
                'rules[0].nonResourceURLs: Invalid value: []string{"/metrics"}: namespaced rules'
                " cannot apply to non-resource URLs"
            ],
        ),
        (
            "clusterroles",
            {"verbs": ["get"], "nonResourceURLs": ["/metrics"], "resources": ["pods"]},
            [
                'rules[0].nonResourceURLs: Invalid value: []string{"/metrics"}: rules cannot apply'
                " to both regular resources and non-resource URLs"
            ],
        ),
        ("clusterroles", {"verbs": ["get"], "nonResourceURLs": ["/metrics"]}, []),
    ],
)
def test_policy_rules_are_validated(resource: str, rule: dict[str, Any], errors: list[str]) -> None:
    assert messages(resource, cluster_role(rules=[rule])) == errors


def test_an_aggregation_rule_needs_a_selector() -> None:
    role = cluster_role(aggregationRule={"clusterRoleSelectors": []})
    assert messages("clusterroles", role) == [
        "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector"
        " required if aggregationRule is non-nil"
    ]


def test_invalid_aggregation_selectors_report_the_field_and_the_failed_conversion() -> None:
    selector = {"matchExpressions": [{"key": "a", "operator": "In"}]}
    role = cluster_role(aggregationRule={"clusterRoleSelectors": [selector]})
    assert messages("clusterroles", role) == [
        "aggregationRule.clusterRoleSelectors[0].matchExpressions[0].values: Required value:"
        " must be specified when `operator` is 'In' or 'NotIn'",
        'aggregationRule.clusterRoleSelectors[0]: Invalid value: "null": invalid label selector.',
    ]


def test_aggregation_selector_label_values_are_checked() -> None:
    selector = {"matchLabels": {"a": "bad value"}}
    role = cluster_role(aggregationRule={"clusterRoleSelectors": [selector]})
    assert messages("clusterroles", role)[0].startswith(
        'aggregationRule.clusterRoleSelectors[0].matchLabels: Invalid value: "bad value":'
        " a valid label must be an empty string"
    )


def test_a_valid_binding_has_no_errors() -> None:
    subjects = [
        {"kind": "User", "apiGroup": G, "name": "alice"},
        {"kind": "Group", "apiGroup": G, "name": "devs"},
        {"kind": "ServiceAccount", "name": "bot"},
    ]
    assert messages("rolebindings", rb(REF, *subjects)) == []


def test_role_refs_are_validated() -> None:
    ref = {"apiGroup": "example.com", "kind": "Role", "name": ""}
    assert messages("clusterrolebindings", rb(ref)) == [
        'roleRef.apiGroup: Unsupported value: "example.com": supported values:'
        ' "rbac.authorization.k8s.io"',
        'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
        "roleRef.name: Required value",
    ]


def test_role_ref_cannot_change_on_update() -> None:
    old = rb(REF)
    new = rb({**REF, "name": "edit"})
    assert messages("rolebindings", new, old) == [
        'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io",'
        ' Kind:"ClusterRole", Name:"edit"}: cannot change roleRef'
    ]


@pytest.mark.parametrize(
    ("resource", "subject", "errors"),
    [
        (
            "clusterrolebindings",
            {"kind": "ServiceAccount", "name": "bot"},
            ["subjects[0].namespace: Required value"],
        ),
        (
            "rolebindings",
            {"kind": "ServiceAccount", "apiGroup": G, "name": "Bot"},
            [
                'subjects[0].name: Invalid value: "Bot": a lowercase RFC 1123 subdomain must'
                " consist of lower case alphanumeric characters, '-' or '.', and must start and"
                " end with an alphanumeric character (e.g. 'example.com', regex used for"
                " validation is"
                " '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
                'subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io":'
                ' supported values: ""',
            ],
        ),
        (
            "rolebindings",
            {"kind": "User", "name": ""},
            [
                "subjects[0].name: Required value",
                'subjects[0].apiGroup: Unsupported value: "": supported values:'
                ' "rbac.authorization.k8s.io"',
            ],
        ),
        (
            "rolebindings",
            {"kind": "Robot", "name": "r"},
            [
                'subjects[0].kind: Unsupported value: "Robot": supported values:'
                ' "ServiceAccount", "User", "Group"'
            ],
        ),
    ],
)
def test_subjects_are_validated(resource: str, subject: dict[str, str], errors: list[str]) -> None:
    assert messages(resource, rb(REF, subject)) == errors


def test_defaulting_fills_api_groups_and_wire_order() -> None:
    obj = {
        "metadata": {"name": "b"},
        "subjects": [{"name": "alice", "kind": "User"}, {"name": "bot", "kind": "ServiceAccount"}],
        "roleRef": {"name": "view", "kind": "ClusterRole"},
    }
    out = default_rbac("rolebindings", obj)
    assert out["roleRef"] == {"apiGroup": G, "kind": "ClusterRole", "name": "view"}
    assert list(out["roleRef"]) == ["apiGroup", "kind", "name"]
    assert out["subjects"] == [
        {"kind": "User", "apiGroup": G, "name": "alice"},
        {"kind": "ServiceAccount", "name": "bot"},
    ]
    assert list(out["subjects"][0]) == ["kind", "apiGroup", "name"]
    assert messages("rolebindings", out) == []
    assert "apiGroup" not in obj["roleRef"]


def test_defaulting_orders_rule_fields_as_the_server_serializes_them() -> None:
    out = default_rbac(
        "roles", {"rules": [{"resources": ["pods"], "apiGroups": [""], "verbs": ["get"]}]}
    )
    assert list(out["rules"][0]) == ["verbs", "apiGroups", "resources"]


def test_several_errors_aggregate_into_one_bracketed_message() -> None:
    errors = validate_rbac("clusterroles", cluster_role(".", rules=[{}]))
    assert aggregate(errors).startswith("[metadata.name: Invalid value: \".\": may not be '.', ")
