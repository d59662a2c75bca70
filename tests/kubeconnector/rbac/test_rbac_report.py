"""The permission report of "test connection", computed from rules reviews, and its fix."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from kubeconnector.rbac import (
    ACTION_IDS,
    EXTRAS,
    SEED_RULES,
    CellStatus,
    Permission,
    RulesReview,
    build_report,
    fix_yaml,
    probe_namespace,
)
from kubeconnector.rbac.requirements import seed_permissions

CONNECTOR = "system:serviceaccount:kubeconnector:connector"


def seed_rules(section: str | None = None) -> list[dict[str, Any]]:
    return [
        {"apiGroups": [r.group], "resources": list(r.resources), "verbs": list(r.verbs)}
        for r in SEED_RULES
        if section is None or r.section == section
    ]


def review(rules: list[dict[str, Any]], **status: Any) -> dict[str, Any]:
    return {
        "kind": "SelfSubjectRulesReview",
        "apiVersion": "authorization.k8s.io/v1",
        "status": {"resourceRules": rules, "nonResourceRules": [], **status},
    }


def test_the_seed_cluster_role_allows_every_seed_cell_and_misses_the_extras() -> None:
    report = build_report(review(seed_rules()))
    seed = seed_permissions()
    assert {c.permission for c in report.cells if c.in_seed} == seed
    assert all(report.cell(p.group, p.resource, p.verb).ok for p in seed)
    missing = [str(c.permission) for c in report.missing()]
    assert missing == [
        "get nodes",
        "list nodes",
        "create selfsubjectaccessreviews.authorization.k8s.io",
        "list horizontalpodautoscalers.autoscaling",
        "patch daemonsets.apps",
        "patch statefulsets.apps",
    ]
    assert all(c.why for c in report.missing())


def test_the_seed_cluster_role_runs_no_change_without_access_reviews() -> None:
    report = build_report(review(seed_rules()))
    assert ACTION_IDS == (
        "discovery",
        "rotate-secret",
        "delete-secret",
        "rotate-sa-token",
        "patch-deployment",
        "scale-deployment",
        "cordon-node",
        "uncordon-node",
    )
    assert {a.action: a.can_run for a in report.actions} == dict.fromkeys(ACTION_IDS, False)
    assert [str(p) for p in report.action("discovery").missing] == ["get nodes", "list nodes"]
    cordon = report.action("cordon-node")
    assert [str(p) for p in cordon.missing] == [
        "get nodes",
        "create selfsubjectaccessreviews.authorization.k8s.io",
    ]


def test_with_basic_user_the_seed_runs_every_action_but_discovery_and_cordons() -> None:
    basic_user = {
        "apiGroups": ["authorization.k8s.io"],
        "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
        "verbs": ["create"],
    }
    report = build_report(review([*seed_rules(), basic_user]))
    can_run = {a.action: a.can_run for a in report.actions}
    assert can_run == {
        "discovery": False,
        "rotate-secret": True,
        "delete-secret": True,
        "rotate-sa-token": True,
        "patch-deployment": True,
        "scale-deployment": True,
        "cordon-node": False,
        "uncordon-node": False,
    }
    assert [str(p) for p in report.action("scale-deployment").degraded] == [
        "list horizontalpodautoscalers.autoscaling"
    ]
    assert [str(p) for p in report.action("rotate-secret").degraded] == [
        "patch daemonsets.apps",
        "patch statefulsets.apps",
    ]


def test_the_fix_yaml_grants_exactly_the_missing_extras_to_the_service_account() -> None:
    text = fix_yaml(build_report(review(seed_rules())), CONNECTOR)
    role, binding = yaml.safe_load_all(text)
    assert role == {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": {"name": "kubeconnector-missing-permissions"},
        "rules": [
            {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list"]},
            {
                "apiGroups": ["authorization.k8s.io"],
                "resources": ["selfsubjectaccessreviews"],
                "verbs": ["create"],
            },
            {
                "apiGroups": ["autoscaling"],
                "resources": ["horizontalpodautoscalers"],
                "verbs": ["list"],
            },
            {
                "apiGroups": ["apps"],
                "resources": ["daemonsets", "statefulsets"],
                "verbs": ["patch"],
            },
        ],
    }
    assert binding["kind"] == "ClusterRoleBinding"
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": "kubeconnector-missing-permissions",
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "connector", "namespace": "kubeconnector"}
    ]
    assert "  verbs: [get, list]\n" in text


def test_the_fix_yaml_grants_the_extras_the_seed_rules_list() -> None:
    extras = {p for e in EXTRAS for p in e.permissions()}
    report = build_report(review(seed_rules()))
    assert {c.permission for c in report.missing()} == extras
    without_optional = {c.permission for c in report.missing(include_optional=False)}
    assert without_optional == {p for e in EXTRAS if not e.optional for p in e.permissions()}
    role = next(yaml.safe_load_all(fix_yaml(report, CONNECTOR, include_optional=False)))
    assert [r["resources"] for r in role["rules"]] == [["nodes"], ["selfsubjectaccessreviews"]]


def test_nothing_missing_gives_no_yaml() -> None:
    everything = [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}]
    report = build_report(review(everything))
    assert report.missing() == []
    assert all(a.can_run for a in report.actions)
    assert fix_yaml(report, "alice") == ""


def test_discovery_alone_can_discover_but_change_nothing() -> None:
    report = build_report(review(seed_rules("discovery")))
    assert not report.cell("", "secrets", "update").ok
    assert report.cell("", "secrets", "list").status == CellStatus.ALLOWED_CLUSTER_WIDE
    assert not any(a.can_run for a in report.actions)


def test_a_namespaced_connector_needs_namespaced_rights_only_in_its_namespace() -> None:
    cluster = review([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "patch"]}])
    shop = review(seed_rules())
    report = build_report(cluster, {"shop": shop}, namespace="shop")
    secrets = report.cell("", "secrets", "get")
    assert (secrets.status, secrets.scope, secrets.namespaces, secrets.ok) == (
        CellStatus.ALLOWED_IN_NAMESPACE,
        "shop",
        ("shop",),
        True,
    )
    nodes_list = report.cell("", "nodes", "list")
    assert (nodes_list.scope, nodes_list.ok, nodes_list.optional) == ("cluster", False, True)
    discovery = report.action("discovery")
    assert discovery.can_run
    assert "list namespaces" in [str(p) for p in discovery.degraded]


def test_a_namespaced_connector_gets_a_role_plus_a_cluster_role_for_cluster_scoped_needs() -> None:
    report = build_report(review([]), {"shop": review(seed_rules())}, namespace="shop")
    docs = list(yaml.safe_load_all(fix_yaml(report, "alice@example.com")))
    assert [(d["kind"], d["metadata"].get("namespace")) for d in docs] == [
        ("ClusterRole", None),
        ("ClusterRoleBinding", None),
        ("Role", "shop"),
        ("RoleBinding", "shop"),
    ]
    cluster_resources = {r for rule in docs[0]["rules"] for r in rule["resources"]}
    assert cluster_resources == {
        "namespaces",
        "clusterroles",
        "clusterrolebindings",
        "nodes",
        "selfsubjectaccessreviews",
    }
    assert docs[2]["rules"] == [
        {
            "apiGroups": ["autoscaling"],
            "resources": ["horizontalpodautoscalers"],
            "verbs": ["list"],
        },
        {"apiGroups": ["apps"], "resources": ["daemonsets", "statefulsets"], "verbs": ["patch"]},
    ]
    assert docs[3]["subjects"] == [
        {"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": "alice@example.com"}
    ]


def test_a_cluster_wide_connector_granted_only_in_a_namespace_is_still_missing_it() -> None:
    report = build_report(review([]), {"shop": review(seed_rules())})
    pods = report.cell("", "pods", "list")
    assert (pods.status, pods.namespaces, pods.ok) == (
        CellStatus.ALLOWED_IN_NAMESPACE,
        ("shop",),
        False,
    )
    assert report.cell("", "nodes", "patch").status == CellStatus.MISSING


def test_rules_limited_to_names_do_not_satisfy_a_permission() -> None:
    named = [
        {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["a"]}
    ]
    assert not build_report(review(named)).cell("", "secrets", "get").ok


def test_incomplete_reviews_and_evaluation_errors_are_reported() -> None:
    cluster = review([], incomplete=True, evaluationError='role.rbac "x" not found')
    report = build_report(cluster, {"shop": review([], evaluationError='role.rbac "x" not found')})
    assert report.incomplete
    assert report.evaluation_errors == ('role.rbac "x" not found',)


def test_a_review_is_read_from_the_whole_object_or_its_status() -> None:
    whole = review(seed_rules())
    assert RulesReview.from_raw(whole) == RulesReview.from_raw(whole["status"])
    assert RulesReview.from_raw({}) == RulesReview()
    assert RulesReview.from_raw(review(seed_rules())).allows(
        Permission("apps", "deployments", "patch")
    )


def test_the_report_serialises_to_json_with_every_action() -> None:
    data = json.loads(json.dumps(build_report(review(seed_rules())).to_dict()))
    assert [a["action"] for a in data["actions"]] == list(ACTION_IDS)
    nodes = next(p for p in data["permissions"] if p["resource"] == "nodes" and p["verb"] == "get")
    assert nodes["status"] == "missing"
    assert nodes["usedBy"] == ["discovery", "cordon-node", "uncordon-node"]


def test_scaling_needs_no_scale_subresource() -> None:
    report = build_report(review(seed_rules()))
    with pytest.raises(KeyError):
        report.cell("apps", "deployments/scale", "update")


def test_the_probe_namespace_is_a_valid_name_that_nobody_uses() -> None:
    assert probe_namespace("A1b2") == "kubeconnector-probe-a1b2"
    assert len(probe_namespace("x" * 80)) == 63
