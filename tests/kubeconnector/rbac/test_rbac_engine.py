"""Snapshots, decisions, who-can with provenance and caveats, effective permissions."""

from __future__ import annotations

import json

import pytest
from tests.kubeconnector.rbac.rbac_objects import (
    DEFAULTS,
    cluster_role,
    crb,
    engine,
    group,
    rb,
    role,
    rule,
    sa,
    urls,
    user,
)

from kubeconnector.models import DiscoveredAsset
from kubeconnector.rbac import Identity, RbacEngine, RbacSnapshot, ResourceRequest, rbac_details
from kubeconnector.rbac.model import RoleKey

AGG = "example.com/aggregate-to-monitoring"

CLUSTER = [
    *DEFAULTS,
    cluster_role("secret-reader", [rule([""], ["secrets"], ["get", "list", "watch"])]),
    cluster_role("named-secrets", [rule([""], ["secrets"], ["get"], ["db", "api"])]),
    cluster_role("scaler", [rule(["apps"], ["*/scale"], ["update", "patch"])]),
    cluster_role("metrics", [urls(["/metrics", "/healthz/*"], ["get"])]),
    cluster_role("monitoring", [], selectors=[{"matchLabels": {AGG: "true"}}]),
    cluster_role("mon-pods", [rule([""], ["pods"], ["get"])], {AGG: "true"}),
    cluster_role("mon-apps", [rule(["apps"], ["deployments"], ["get"])], {AGG: "true"}),
    role("debugger", "shop", [rule([""], ["pods/exec"], ["create"])]),
    crb("prometheus-secrets", "secret-reader", [sa("prometheus", "monitoring")]),
    crb("oncall-metrics", "metrics", [group("oncall"), sa("nowhere")]),
    crb("sre-monitoring", "monitoring", [group("sre")]),
    rb("shop-secrets", "shop", "ClusterRole", "named-secrets", [sa("web"), user("bob")]),
    rb("shop-debug", "shop", "Role", "debugger", [group("shop-oncall")]),
    rb("shop-scale", "shop", "ClusterRole", "scaler", [group("system:serviceaccounts:ci")]),
    rb("dangling", "shop", "Role", "not-there", [user("carol")]),
]


@pytest.fixture(scope="module")
def rbac() -> RbacEngine:
    return engine(*CLUSTER)


# -- snapshots ---------------------------------------------------------------------------


def test_list_items_without_kind_are_recognised_by_shape() -> None:
    items = [{k: v for k, v in obj.items() if k != "kind"} for obj in CLUSTER]
    snapshot = RbacSnapshot.from_objects(items)
    assert RoleKey("Role", "shop", "debugger") in snapshot.roles
    kinds = {(b.kind, b.name) for b in snapshot.bindings}
    assert ("RoleBinding", "shop-debug") in kinds
    assert ("ClusterRoleBinding", "prometheus-secrets") in kinds


def test_a_whole_list_response_is_accepted_and_other_kinds_are_skipped() -> None:
    listing = {"kind": "ClusterRoleList", "items": [cluster_role("a", []), cluster_role("b", [])]}
    secret = {"kind": "Secret", "metadata": {"name": "s", "namespace": "x"}}
    snapshot = RbacSnapshot.from_objects([listing, secret])
    assert sorted(k.name for k in snapshot.roles) == ["a", "b"]
    assert snapshot.object_count == 2


def test_assets_load_like_raw_objects_and_deleted_ones_are_skipped() -> None:
    assets = [
        DiscoveredAsset(
            kind=obj["kind"],
            namespace=obj["metadata"].get("namespace", ""),
            name=obj["metadata"]["name"],
            labels=obj["metadata"].get("labels", {}),
            details=rbac_details(obj),
        )
        for obj in CLUSTER
    ]
    snapshot = RbacSnapshot.from_assets(assets)
    raw = RbacSnapshot.from_objects(CLUSTER)
    assert snapshot.object_count == raw.object_count
    assert RbacEngine(snapshot).allowed(
        "user:bob", "get", "", "secrets", namespace="shop", name="db"
    )


def test_rbac_details_keep_the_wire_shape_discovery_stores() -> None:
    aggregated = cluster_role("agg", None, selectors=[{"matchLabels": {"a": "b"}}])
    assert rbac_details(aggregated) == {
        "rules": None,
        "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]},
    }
    binding = rb("x", "ns", "Role", "r", [user("u")])
    assert rbac_details(binding) == {"roleRef": binding["roleRef"], "subjects": [user("u")]}
    json.dumps(rbac_details(binding))


def test_empty_rules_of_an_aggregated_role_are_filled_from_its_selectors(rbac: RbacEngine) -> None:
    monitoring = rbac.snapshot.roles[RoleKey("ClusterRole", "", "monitoring")]
    assert monitoring.aggregated_locally
    assert [str(r) for r in monitoring.rules] == ["get deployments [apps]", "get pods [core]"]


def test_stored_rules_of_an_aggregated_role_are_used_as_they_are() -> None:
    stored = cluster_role("agg", [rule([""], ["pods"], ["list"])], selectors=[{}])
    other = cluster_role("other", [rule([""], ["secrets"], ["get"])])
    role_ = RbacSnapshot.from_objects([stored, other]).roles[RoleKey("ClusterRole", "", "agg")]
    assert (role_.aggregated_locally, len(role_.rules)) == (False, 1)


def test_aggregation_selects_with_match_expressions_and_survives_cycles() -> None:
    selector = {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]}]}
    a = cluster_role("a", None, {"tier": "a"}, [selector])
    b = cluster_role("b", None, {"tier": "b"}, [selector])
    c = cluster_role("c", [rule([""], ["pods"], ["get"])], {"tier": "b"})
    d = cluster_role("d", [rule([""], ["pods"], ["list"])], {"tier": "z"})
    roles = RbacSnapshot.from_objects([a, b, c, d]).roles
    assert [str(r) for r in roles[RoleKey("ClusterRole", "", "a")].rules] == ["get pods [core]"]


# -- decisions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "verb", "group_", "resource", "sub", "namespace", "name", "allowed"),
    [
        ("serviceaccount:monitoring:prometheus", "list", "", "secrets", "", "", "", True),
        ("serviceaccount:monitoring:prometheus", "get", "", "secrets", "", "shop", "x", True),
        ("serviceaccount:shop:web", "get", "", "secrets", "", "shop", "db", True),
        ("serviceaccount:shop:web", "get", "", "secrets", "", "shop", "other", False),
        ("serviceaccount:shop:web", "get", "", "secrets", "", "payments", "db", False),
        ("serviceaccount:shop:web", "get", "", "secrets", "", "", "db", False),
        ("serviceaccount:shop:web", "list", "", "secrets", "", "shop", "", False),
        ("user:bob", "get", "", "secrets", "", "shop", "api", True),
        ("serviceaccount:ci:deployer", "patch", "apps", "deployments", "scale", "shop", "w", True),
        ("serviceaccount:ci:deployer", "patch", "apps", "deployments", "", "shop", "w", False),
        ("serviceaccount:ci:deployer", "patch", "apps", "deployments", "scale", "ci", "w", False),
        ("group:shop-oncall", "create", "", "pods", "exec", "shop", "p", True),
        ("group:sre", "get", "apps", "deployments", "", "any", "", True),
        ("user:carol", "get", "", "pods", "", "shop", "", False),
        (
            "user:nobody",
            "create",
            "authorization.k8s.io",
            "selfsubjectaccessreviews",
            "",
            "",
            "",
            True,
        ),
    ],
)
def test_decisions_follow_the_rbac_authorizer(
    rbac: RbacEngine,
    who: str,
    verb: str,
    group_: str,
    resource: str,
    sub: str,
    namespace: str,
    name: str,
    allowed: bool,
) -> None:
    assert rbac.allowed(who, verb, group_, resource, sub, namespace, name) is allowed


def test_system_masters_is_allowed_everything_without_a_binding() -> None:
    empty = engine()
    root = Identity("root", frozenset({"system:masters"}))
    assert empty.allowed(root, "delete", "", "nodes", name="n1")
    assert empty.allowed_url(root, "post", "/anything")
    assert empty.decide(root, ResourceRequest("get", "", "pods")) is None


def test_non_resource_urls_are_allowed_by_cluster_role_bindings(rbac: RbacEngine) -> None:
    oncall = Identity.of("user:dana", ["oncall"])
    assert rbac.allowed_url(oncall, "get", "/healthz/etcd")
    assert rbac.allowed_url(oncall, "get", "/metrics")
    assert not rbac.allowed_url(oncall, "get", "/metrics/cadvisor")
    assert not rbac.allowed_url(oncall, "post", "/metrics")
    assert rbac.allowed_url("user:dana", "get", "/apis/apps")
    assert not rbac.allowed_url("user:dana", "get", "/healthz/etcd")


def test_a_decision_names_the_grant_that_allowed_it(rbac: RbacEngine) -> None:
    grant = rbac.decide("user:bob", ResourceRequest("get", "", "secrets", "", "shop", "db"))
    assert grant is not None
    assert grant.path == (
        "RoleBinding shop/shop-secrets -> ClusterRole named-secrets -> rules[0] "
        "get secrets [core] names=db,api"
    )


# -- who can -----------------------------------------------------------------------------


def test_who_can_lists_subjects_with_binding_role_and_rule(rbac: RbacEngine) -> None:
    result = rbac.who_can("get", "secrets", namespace="shop", name="db")
    assert [str(s) for s in result.subjects()] == [
        "user:bob",
        "user:system:kube-controller-manager",
        "serviceaccount:kube-system:generic-garbage-collector",
        "serviceaccount:monitoring:prometheus",
        "serviceaccount:shop:web",
        "group:system:masters",
    ]
    web = next(e for e in result.entries if e.subject.name == "web")
    assert [g.path for g in web.grants] == [
        "RoleBinding shop/shop-secrets -> ClusterRole named-secrets -> rules[0] "
        "get secrets [core] names=db,api"
    ]
    assert web.grants[0].to_dict()["scope"] == "shop"


def test_who_can_without_a_name_skips_rules_limited_to_names(rbac: RbacEngine) -> None:
    result = rbac.who_can("list", "secrets", namespace="shop")
    assert "serviceaccount:shop:web" not in [str(s) for s in result.subjects()]


def test_who_can_cluster_wide_counts_cluster_role_bindings_only(rbac: RbacEngine) -> None:
    names = [str(s) for s in rbac.who_can("get", "secrets", name="db").subjects()]
    assert "user:bob" not in names
    assert "serviceaccount:monitoring:prometheus" in names


def test_who_can_in_any_namespace_counts_every_binding(rbac: RbacEngine) -> None:
    result = rbac.who_can("get", "secrets", namespace="*", name="db")
    assert "user:bob" in [str(s) for s in result.subjects()]


def test_who_can_flags_groups_and_always_states_its_caveats(rbac: RbacEngine) -> None:
    groups = rbac.who_can("create", "pods/exec", namespace="shop")
    assert groups.incomplete
    assert groups.caveats == (
        "unresolved-roles",
        "group-members",
        "system-masters",
        "other-authorizers",
    )
    shop_oncall = next(e for e in groups.entries if e.subject.name == "shop-oncall")
    assert shop_oncall.members_unknown
    no_groups = rbac.who_can("list", "secrets", namespace="payments")
    assert [str(s) for s in no_groups.subjects()] == [
        "user:system:kube-controller-manager",
        "serviceaccount:kube-system:generic-garbage-collector",
        "serviceaccount:monitoring:prometheus",
        "group:system:masters",
    ]
    assert no_groups.caveats == ("group-members", "system-masters", "other-authorizers")
    nobody = rbac.who_can("create", "widgets.example.com", namespace="payments")
    assert [str(s) for s in nobody.subjects()] == ["group:system:masters"]


def test_who_can_reports_bindings_to_missing_roles(rbac: RbacEngine) -> None:
    result = rbac.who_can("get", "pods", namespace="shop")
    assert result.unresolved == ("RoleBinding shop/dangling",)
    assert "unresolved-roles" in result.caveats
    assert rbac.who_can("get", "pods", namespace="payments").unresolved == ()


def test_who_can_reports_service_accounts_that_can_never_match(rbac: RbacEngine) -> None:
    result = rbac.who_can("get", "/metrics")
    assert result.ignored == ("ClusterRoleBinding oncall-metrics: ServiceAccount 'nowhere'",)
    assert [str(s) for s in result.subjects()] == [
        "group:oncall",
        "group:system:masters",
        "group:system:monitoring",
    ]


def test_who_can_finds_subresource_wildcards_and_infers_groups(rbac: RbacEngine) -> None:
    result = rbac.who_can("update", "sts/scale", namespace="shop")
    assert result.target == "statefulsets.apps/scale"
    assert "group:system:serviceaccounts:ci" in [str(s) for s in result.subjects()]


def test_who_can_answers_as_json(rbac: RbacEngine) -> None:
    data = rbac.who_can("get", "secrets", namespace="shop", name="db").to_dict()
    text = json.dumps(data)
    assert data["incomplete"] is True
    assert data["subjects"][0]["subject"] == {"kind": "User", "name": "bob"}
    assert '"code": "system-masters"' in text


# -- effective permissions ---------------------------------------------------------------


def test_permissions_split_cluster_wide_and_per_namespace(rbac: RbacEngine) -> None:
    perms = rbac.permissions("serviceaccount:shop:web")
    assert perms.implicit_groups == (
        "system:authenticated",
        "system:serviceaccounts",
        "system:serviceaccounts:shop",
    )
    cluster_roles = {g.role.name for g in perms.cluster_wide}
    assert {"system:basic-user", "system:discovery", "system:public-info-viewer"} <= cluster_roles
    assert "system:service-account-issuer-discovery" in cluster_roles
    assert [g.path for g in perms.namespaces["shop"]] == [
        "RoleBinding shop/shop-secrets -> ClusterRole named-secrets -> rules[0] "
        "get secrets [core] names=db,api"
    ]
    assert len(perms.in_namespace("shop")) == len(perms.cluster_wide) + 1


def test_permissions_through_a_group_say_which_group(rbac: RbacEngine) -> None:
    perms = rbac.permissions("serviceaccount:ci:deployer")
    via = {g.subject.name for g in perms.namespaces["shop"]}
    assert via == {"system:serviceaccounts:ci"}


def test_permissions_of_a_user_warn_about_unknown_groups_and_missing_roles(
    rbac: RbacEngine,
) -> None:
    perms = rbac.permissions("user:carol")
    assert perms.unresolved == ("RoleBinding shop/dangling",)
    assert perms.caveats[:2] == ("unresolved-roles", "unknown-groups")
    with_group = rbac.permissions("user:carol", ["sre"])
    assert "monitoring" in {g.role.name for g in with_group.cluster_wide}


def test_permissions_of_a_group_are_only_its_own_bindings(rbac: RbacEngine) -> None:
    perms = rbac.permissions("group:system:masters")
    assert perms.is_master
    assert [g.role.name for g in perms.cluster_wide] == ["cluster-admin", "cluster-admin"]
    assert perms.namespaces == {}


def test_permissions_answer_as_json(rbac: RbacEngine) -> None:
    data = rbac.permissions("serviceaccount:shop:web").to_dict()
    json.dumps(data)
    assert list(data["namespaces"]) == ["shop"]
    assert data["namespaces"]["shop"][0]["binding"] == {
        "kind": "RoleBinding",
        "name": "shop-secrets",
        "namespace": "shop",
    }


def test_who_can_ignores_the_namespace_of_cluster_scoped_resources() -> None:
    nodes = cluster_role("nodes", [rule([""], ["nodes", "namespaces"], ["get"])])
    rbac = engine(nodes, rb("nodes", "shop", "ClusterRole", "nodes", [user("bob")]))
    result = rbac.who_can("get", "nodes", namespace="shop")
    assert (result.namespace, result.subjects()) == ("", [])
    own_namespace = rbac.who_can("get", "namespaces", namespace="other", name="shop")
    assert (own_namespace.namespace, [str(s) for s in own_namespace.subjects()]) == (
        "shop",
        ["user:bob"],
    )
