"""The permission report and findings on a running kubesim cluster (official client, TLS)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from tests.kubeconnector.rbac.kube_helpers import api_client, rbac_objects, rules_review

from kubeconnector.rbac import RbacSnapshot, build_report, find_risks, fix_yaml, probe_namespace
from kubesim.runner import Cluster

CONNECTOR = "system:serviceaccount:kubeconnector:connector"


@pytest.fixture(scope="module")
def live_snapshot(kubesim_cluster: Cluster) -> Iterator[RbacSnapshot]:
    with api_client(kubesim_cluster, "admin") as api:
        yield RbacSnapshot.from_objects(rbac_objects(api))


def test_the_connector_identity_has_the_seed_but_not_the_extras(kubesim_cluster: Cluster) -> None:
    with api_client(kubesim_cluster, "connector") as api:
        cluster_review = rules_review(api, probe_namespace("t3st"))
        shop_review = rules_review(api, "shop")
    report = build_report(cluster_review, {"shop": shop_review})
    assert all(c.ok for c in report.cells if c.in_seed)
    assert [str(c.permission) for c in report.missing()] == [
        "get nodes",
        "list nodes",
        "list horizontalpodautoscalers.autoscaling",
        "patch daemonsets.apps",
        "patch statefulsets.apps",
    ]
    assert {a.action for a in report.actions if not a.can_run} == {
        "discovery",
        "cordon-node",
        "uncordon-node",
    }
    role, binding = yaml.safe_load_all(fix_yaml(report, CONNECTOR))
    assert [r["resources"] for r in role["rules"]] == [
        ["nodes"],
        ["horizontalpodautoscalers"],
        ["daemonsets", "statefulsets"],
    ]
    assert binding["subjects"][0] == {
        "kind": "ServiceAccount",
        "name": "connector",
        "namespace": "kubeconnector",
    }


def test_the_discovery_identity_can_run_no_change(kubesim_cluster: Cluster) -> None:
    with api_client(kubesim_cluster, "discovery") as api:
        report = build_report(rules_review(api, probe_namespace("t3st")))
    assert not any(a.can_run for a in report.actions)
    assert report.cell("", "secrets", "list").ok
    assert not report.cell("", "secrets", "update").ok


def test_the_nobody_identity_only_has_what_every_authenticated_user_has(
    kubesim_cluster: Cluster,
) -> None:
    with api_client(kubesim_cluster, "nobody") as api:
        report = build_report(rules_review(api, probe_namespace("t3st")))
    allowed = [str(c.permission) for c in report.cells if c.ok]
    assert allowed == ["create selfsubjectaccessreviews.authorization.k8s.io"]


def test_live_default_grants_are_excluded_and_the_demo_risks_found(
    live_snapshot: RbacSnapshot,
) -> None:
    report = find_risks(live_snapshot)
    assert not [f for f in report.findings if f.binding.is_default]
    assert report.excluded["default-bindings"] > 0
    found = {(f.id, str(f.subject)) for f in report.findings}
    assert {
        ("cluster-admin-binding", "user:alice@example.com"),
        ("anonymous-binding", "group:system:unauthenticated"),
        ("default-serviceaccount-rights", "serviceaccount:payments:default"),
        ("secrets-read-cluster", "serviceaccount:monitoring:prometheus"),
        ("impersonate", "user:support@example.com"),
        ("wildcard-all-namespace", "serviceaccount:ci:deployer"),
        ("pods-exec", "user:bob@example.com"),
    } <= found


def test_include_all_adds_the_live_default_grants(live_snapshot: RbacSnapshot) -> None:
    report = find_risks(live_snapshot, include_all=True)
    masters = [f for f in report.of_kind("cluster-admin-binding") if f.binding.is_default]
    assert [str(f.subject) for f in masters] == ["group:system:masters"]


def test_the_live_aggregated_roles_are_read_as_the_server_filled_them(
    live_snapshot: RbacSnapshot,
) -> None:
    aggregated = [r for r in live_snapshot.roles.values() if r.selectors is not None]
    assert {r.key.name for r in aggregated} >= {"admin", "edit", "view", "monitoring-view"}
    assert all(r.rules and not r.aggregated_locally for r in aggregated)
