"""Default roles and bindings: metadata, content, aggregation, and what they grant."""

from __future__ import annotations

from typing import Any

import pytest
from test_rbac_fixtures import AUTH, FakeSource, path, res

from kubesim.auth.aggregation import pending_aggregations
from kubesim.auth.bootstrap import default_cluster_role_bindings, default_cluster_roles
from kubesim.auth.rbac import Authorizer
from kubesim.auth.user import UserInfo, service_account_user
from kubesim.validation.rbac import validate_rbac

ROLES = {r["metadata"]["name"]: r for r in default_cluster_roles()}
BINDINGS = {b["metadata"]["name"]: b for b in default_cluster_role_bindings()}


def bootstrap_authorizer(*extra: dict[str, Any]) -> Authorizer:
    objs = [*default_cluster_roles(), *default_cluster_role_bindings(), *extra]
    return Authorizer(FakeSource(*objs))


def test_every_default_object_carries_the_bootstrap_label_and_autoupdate_annotation() -> None:
    for obj in [*ROLES.values(), *BINDINGS.values()]:
        meta = obj["metadata"]
        assert meta["labels"]["kubernetes.io/bootstrapping"] == "rbac-defaults"
        assert meta["annotations"] == {"rbac.authorization.kubernetes.io/autoupdate": "true"}
        assert obj["apiVersion"] == "rbac.authorization.k8s.io/v1"


def test_defaults_are_valid_rbac_objects() -> None:
    for role in ROLES.values():
        assert validate_rbac("clusterroles", role) == []
    for crb in BINDINGS.values():
        assert validate_rbac("clusterrolebindings", crb) == []


def test_aggregated_roles_are_already_settled() -> None:
    assert pending_aggregations(ROLES.values()) == {}
    assert ROLES["view"]["rules"] == ROLES["system:aggregate-to-view"]["rules"]
    edit = ROLES["edit"]["rules"]
    assert edit == ROLES["system:aggregate-to-edit"]["rules"] + ROLES["view"]["rules"]
    assert ROLES["admin"]["rules"] == edit + ROLES["system:aggregate-to-admin"]["rules"]


def test_the_aggregation_labels_chain_view_into_edit_into_admin() -> None:
    assert (
        ROLES["view"]["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"] == "true"
    )
    assert (
        ROLES["edit"]["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-admin"]
        == "true"
    )
    selector = ROLES["admin"]["aggregationRule"]["clusterRoleSelectors"][0]
    assert selector == {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-admin": "true"}}


def test_cluster_admin_and_discovery_rules_match_the_testdata() -> None:
    assert ROLES["cluster-admin"]["rules"] == [
        {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]},
        {"verbs": ["*"], "nonResourceURLs": ["*"]},
    ]
    assert ROLES["system:discovery"]["rules"] == [
        {
            "verbs": ["get"],
            "nonResourceURLs": [
                "/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi",
                "/openapi/*", "/readyz", "/version", "/version/",
            ],
        }
    ]  # fmt: skip


def test_bindings_name_the_documented_groups() -> None:
    subjects = {name: [s["name"] for s in b["subjects"]] for name, b in BINDINGS.items()}
    assert subjects == {
        "cluster-admin": ["system:masters"],
        "system:basic-user": [AUTH],
        "system:discovery": [AUTH],
        "system:monitoring": ["system:monitoring"],
        "system:public-info-viewer": [AUTH, "system:unauthenticated"],
        "system:service-account-issuer-discovery": ["system:serviceaccounts"],
    }


ANON = UserInfo("system:anonymous", groups=("system:unauthenticated",))
BOB = UserInfo("bob", groups=(AUTH,))
DEFAULT_SA = service_account_user("default", "default")


@pytest.mark.parametrize(
    ("attrs", "allowed"),
    [
        (path(ANON, "get", "/healthz"), True),
        (path(ANON, "get", "/version/"), True),
        (path(ANON, "get", "/api"), False),
        (path(BOB, "get", "/apis/apps/v1"), True),
        (path(BOB, "get", "/metrics"), False),
        (res(BOB, "create", "authorization.k8s.io:selfsubjectaccessreviews"), True),
        (res(BOB, "create", "authentication.k8s.io:selfsubjectreviews"), True),
        (res(BOB, "create", "authorization.k8s.io:subjectaccessreviews"), False),
        (res(DEFAULT_SA, "list", "pods", "default"), False),
        (path(DEFAULT_SA, "get", "/openid/v1/jwks"), True),
    ],
)
def test_default_bindings_grant_exactly_the_public_permissions(attrs: Any, allowed: bool) -> None:
    assert bootstrap_authorizer().authorize(attrs).allowed is allowed


def crb(role: str, who: str) -> dict[str, Any]:
    return {
        "kind": "ClusterRoleBinding",
        "metadata": {"name": f"{who}-{role}"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
        "subjects": [{"kind": "User", "apiGroup": "rbac.authorization.k8s.io", "name": who}],
    }


@pytest.mark.parametrize(
    ("role", "attrs", "allowed"),
    [
        ("view", res(BOB, "list", "apps:deployments", "x"), True),
        ("view", res(BOB, "get", "secrets", "x", "s"), False),
        ("view", res(BOB, "get", "pods/log", "x", "p"), True),
        ("edit", res(BOB, "get", "secrets", "x", "s"), True),
        ("edit", res(BOB, "create", "serviceaccounts/token", "x", "sa"), True),
        ("edit", res(BOB, "patch", "apps:deployments/scale", "x", "d"), True),
        ("edit", res(BOB, "create", "rbac.authorization.k8s.io:roles", "x"), False),
        ("admin", res(BOB, "create", "rbac.authorization.k8s.io:rolebindings", "x"), True),
        ("admin", res(BOB, "create", "authorization.k8s.io:localsubjectaccessreviews", "x"), True),
        ("admin", res(BOB, "list", "nodes"), False),
        ("admin", res(BOB, "delete", "namespaces", "", "x"), False),
        ("system:auth-delegator", res(BOB, "create", "authentication.k8s.io:tokenreviews"), True),
    ],
)
def test_the_aggregated_user_facing_roles_grant_what_a_real_cluster_grants(
    role: str, attrs: Any, allowed: bool
) -> None:
    assert bootstrap_authorizer(crb(role, "bob")).authorize(attrs).allowed is allowed


def test_the_returned_objects_do_not_share_rule_lists() -> None:
    roles = default_cluster_roles()
    by_name = {r["metadata"]["name"]: r for r in roles}
    by_name["view"]["rules"][0]["verbs"].append("delete")
    assert "delete" not in by_name["edit"]["rules"][-10]["verbs"]
