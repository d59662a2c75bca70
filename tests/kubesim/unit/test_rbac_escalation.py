"""Escalation prevention: covers, compact messages, escalate/bind, aggregation, GC-only updates."""

from __future__ import annotations

from typing import Any

import pytest
from test_rbac_fixtures import AUTH, FakeSource, binding, group, role, rule, urls, user

from kubesim.api.status import StatusError
from kubesim.auth.escalation import (
    breakdown_rule,
    check_binding_write,
    check_role_write,
    compact_rules,
    compact_string,
    covers,
)
from kubesim.auth.rbac import Authorizer
from kubesim.auth.user import UserInfo

ALICE = UserInfo("alice", groups=("dev", AUTH))
ADMIN = UserInfo("root", groups=("system:masters", AUTH))
HEADER = (
    'user "alice" (groups=["dev" "system:authenticated"]) is attempting to grant RBAC'
    " permissions not currently held:\n"
)


def alice_cluster(*extra: dict[str, Any]) -> Authorizer:
    """Alice holds get/list on secrets and configmaps in `dev`, plus /healthz cluster-wide."""
    return Authorizer(
        FakeSource(
            role("reader", rule("get list", "-", "secrets configmaps")),
            role("health", urls("get", "/healthz")),
            binding("alice-reads", "ClusterRole/reader", [user("alice")], "dev"),
            binding("health", "ClusterRole/health", [group(AUTH)]),
            *extra,
        )
    )


def new_role(name: str, *rules: dict[str, Any], namespace: str = "dev") -> dict[str, Any]:
    return role(name, *rules, namespace=namespace)


def raised(call: Any, *args: Any, **kwargs: Any) -> StatusError:
    with pytest.raises(StatusError) as info:
        call(*args, **kwargs)
    return info.value


def test_a_role_within_the_users_own_permissions_may_be_created() -> None:
    rules = rule("get", "-", "secrets")
    check_role_write(alice_cluster(), ALICE, "roles", new_role("r", rules), namespace="dev")


def test_granting_more_than_held_is_forbidden_with_compacted_sorted_missing_rules() -> None:
    wanted = new_role("r", rule("get list delete", "-", "secrets configmaps"))
    err = raised(check_role_write, alice_cluster(), ALICE, "roles", wanted, namespace="dev")
    assert err.code == 403
    assert err.message == (
        'roles.rbac.authorization.k8s.io "r" is forbidden: ' + HEADER + '{APIGroups:[""],'
        ' Resources:["configmaps"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"],'
        ' Verbs:["delete"]}'
    )
    assert err.details == {"name": "r", "group": "rbac.authorization.k8s.io", "kind": "roles"}


def test_the_role_namespace_decides_which_role_bindings_count() -> None:
    wanted = new_role("r", rule("get list", "-", "secrets"), namespace="prod")
    err = raised(check_role_write, alice_cluster(), ALICE, "roles", wanted, namespace="prod")
    assert err.message.endswith('{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}')


def test_cluster_roles_are_checked_against_cluster_role_bindings_only() -> None:
    wanted = role("cr", rule("get", "-", "secrets"), urls("get", "/healthz"))
    err = raised(check_role_write, alice_cluster(), ALICE, "clusterroles", wanted)
    assert err.message == (
        'clusterroles.rbac.authorization.k8s.io "cr" is forbidden: '
        + HEADER
        + '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}'
    )


def test_resource_names_and_urls_are_listed_atomically() -> None:
    wanted = role("cr", rule("get", "-", "secrets", "a b"), urls("get post", "/metrics"))
    err = raised(check_role_write, alice_cluster(), ALICE, "clusterroles", wanted)
    assert err.message.split("\n")[1:] == [
        '{APIGroups:[""], Resources:["secrets"], ResourceNames:["a"], Verbs:["get"]}',
        '{APIGroups:[""], Resources:["secrets"], ResourceNames:["b"], Verbs:["get"]}',
        '{NonResourceURLs:["/metrics"], Verbs:["get"]}',
        '{NonResourceURLs:["/metrics"], Verbs:["post"]}',
    ]


def test_resolution_errors_are_appended_to_the_escalation_message() -> None:
    authz = alice_cluster(binding("broken", "ClusterRole/nope", [user("alice")]))
    err = raised(check_role_write, authz, ALICE, "clusterroles", role("cr", rule("get", "-", "x")))
    assert err.message.endswith(
        'Verbs:["get"]}; resolution errors:'
        ' [clusterroles.rbac.authorization.k8s.io "nope" not found]'
    )


def test_system_masters_may_write_any_role() -> None:
    check_role_write(
        Authorizer(FakeSource()), ADMIN, "clusterroles", role("x", rule("*", "*", "*"))
    )


def test_the_escalate_verb_lets_a_user_write_roles_beyond_their_permissions() -> None:
    escalator = role("escalator", rule("escalate", "rbac.authorization.k8s.io", "roles"))
    authz = alice_cluster(
        escalator, binding("esc", "ClusterRole/escalator", [user("alice")], "dev")
    )
    check_role_write(authz, ALICE, "roles", new_role("r", rule("*", "*", "*")), namespace="dev")


def test_escalate_limited_to_a_name_applies_to_updates_but_not_to_creates() -> None:
    named = role("esc-r", rule("escalate", "rbac.authorization.k8s.io", "roles", "r"))
    authz = alice_cluster(named, binding("esc", "ClusterRole/esc-r", [user("alice")], "dev"))
    old = new_role("r", rule("get", "-", "secrets"))
    grown = new_role("r", rule("*", "*", "*"))
    check_role_write(authz, ALICE, "roles", grown, old, namespace="dev")
    err = raised(check_role_write, authz, ALICE, "roles", grown, namespace="dev")
    assert err.code == 403


def test_an_aggregation_rule_needs_full_authority_even_with_no_rules() -> None:
    wanted = role("agg")
    wanted["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}
    err = raised(check_role_write, alice_cluster(), ALICE, "clusterroles", wanted)
    assert err.message == (
        'clusterroles.rbac.authorization.k8s.io "agg" is forbidden:'
        " must have cluster-admin privileges to use the aggregationRule"
    )


def test_removing_an_aggregation_rule_also_needs_full_authority() -> None:
    old = role("agg")
    old["aggregationRule"] = {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}
    err = raised(check_role_write, alice_cluster(), ALICE, "clusterroles", role("agg"), old)
    assert err.message.endswith("must have cluster-admin privileges to use the aggregationRule")


def test_updates_touching_only_gc_fields_skip_the_check() -> None:
    old = new_role("r", rule("*", "*", "*"))
    old["metadata"]["finalizers"] = ["example.com/keep"]
    new = new_role("r", rule("*", "*", "*"))
    new["metadata"]["ownerReferences"] = [{"kind": "X", "name": "y", "uid": "1"}]
    check_role_write(alice_cluster(), ALICE, "roles", new, old, namespace="dev")
    new["metadata"]["labels"] = {"changed": "yes"}
    assert raised(check_role_write, alice_cluster(), ALICE, "roles", new, old, namespace="dev")


def rb(name: str, ref: str, namespace: str = "dev") -> dict[str, Any]:
    return binding(name, ref, [user("bob")], namespace)


def test_binding_a_role_whose_rules_the_user_holds_is_allowed() -> None:
    authz = alice_cluster(role("sub", rule("get", "-", "secrets")))
    check_binding_write(authz, ALICE, "rolebindings", rb("rb", "ClusterRole/sub"), namespace="dev")


def test_binding_a_role_with_more_permissions_is_forbidden() -> None:
    authz = alice_cluster(role("edit", rule("get list", "-", "secrets"), rule("get", "-", "pods")))
    wanted = rb("rb", "ClusterRole/edit")
    err = raised(check_binding_write, authz, ALICE, "rolebindings", wanted, namespace="dev")
    assert err.message == (
        'rolebindings.rbac.authorization.k8s.io "rb" is forbidden: '
        + HEADER
        + '{APIGroups:[""], Resources:["pods"], Verbs:["get"]}'
    )


def test_the_bind_verb_on_the_role_name_allows_binding_it() -> None:
    binder = role("binder", rule("bind", "rbac.authorization.k8s.io", "clusterroles", "admin"))
    authz = alice_cluster(binder, binding("b", "ClusterRole/binder", [user("alice")], "dev"))
    check_binding_write(
        authz, ALICE, "rolebindings", rb("rb", "ClusterRole/admin"), namespace="dev"
    )
    err = raised(
        check_binding_write,
        authz,
        ALICE,
        "rolebindings",
        rb("rb", "ClusterRole/edit"),
        namespace="dev",
    )
    assert err.code == 404


def test_binding_a_missing_role_without_bind_is_the_registry_not_found() -> None:
    wanted = rb("rb", "Role/ghost")
    err = raised(
        check_binding_write, alice_cluster(), ALICE, "rolebindings", wanted, namespace="dev"
    )
    assert (err.code, err.reason) == (404, "NotFound")
    assert err.message == 'roles.rbac.authorization.k8s.io "ghost" not found'
    assert err.details == {"name": "ghost", "group": "rbac.authorization.k8s.io", "kind": "roles"}


def test_cluster_role_bindings_are_checked_cluster_wide() -> None:
    authz = alice_cluster(role("sub", rule("get", "-", "secrets")))
    wanted = binding("crb", "ClusterRole/sub", [user("bob")])
    err = raised(check_binding_write, authz, ALICE, "clusterrolebindings", wanted)
    assert err.message.startswith(
        'clusterrolebindings.rbac.authorization.k8s.io "crb" is forbidden'
    )


def test_system_masters_may_bind_a_role_that_does_not_exist() -> None:
    check_binding_write(
        Authorizer(FakeSource()), ADMIN, "clusterrolebindings", rb("x", "ClusterRole/no", "")
    )


@pytest.mark.parametrize(
    ("owner", "servant", "covered"),
    [
        (rule("*", "*", "*"), rule("get", "apps", "deployments/scale"), True),
        (rule("get", "apps", "*/scale"), rule("get", "apps", "deployments/scale"), True),
        (rule("get", "apps", "deployments"), rule("get", "apps", "deployments/scale"), False),
        (rule("get", "apps", "deployments"), rule("get", "apps", "*"), False),
        (rule("get", "-", "secrets", "a"), rule("get", "-", "secrets"), False),
        (rule("get", "-", "secrets"), rule("get", "-", "secrets", "a"), True),
        (rule("get", "-", "secrets", "a b"), rule("get", "-", "secrets", "b"), True),
        (rule("*", "-", "secrets"), rule("*", "-", "secrets"), True),
        (rule("get list", "-", "secrets"), rule("*", "-", "secrets"), False),
        (urls("get", "/logs/*"), urls("get", "/logs/a/b"), True),
        (urls("get", "*"), urls("get", "/anything"), True),
        (urls("get", "/logs"), urls("get", "/logs/*"), False),
    ],
)
def test_covers_compares_atomic_sub_rules(
    owner: dict[str, Any], servant: dict[str, Any], covered: bool
) -> None:
    assert covers([owner], [servant])[0] is covered


def test_breakdown_splits_every_dimension() -> None:
    parts = breakdown_rule(rule("get list", "- apps", "pods", "a"))
    assert [compact_string(p) for p in parts] == [
        '{APIGroups:[""], Resources:["pods"], ResourceNames:["a"], Verbs:["get"]}',
        '{APIGroups:[""], Resources:["pods"], ResourceNames:["a"], Verbs:["list"]}',
        '{APIGroups:["apps"], Resources:["pods"], ResourceNames:["a"], Verbs:["get"]}',
        '{APIGroups:["apps"], Resources:["pods"], ResourceNames:["a"], Verbs:["list"]}',
    ]


def test_compaction_merges_verbs_of_simple_rules_in_order() -> None:
    merged = compact_rules(breakdown_rule(rule("watch get", "-", "pods")))
    assert [compact_string(r) for r in merged] == [
        '{APIGroups:[""], Resources:["pods"], Verbs:["watch" "get"]}'
    ]


def test_the_namespace_defaults_to_the_objects_own() -> None:
    authz = alice_cluster(role("sub", rule("get", "-", "secrets")))
    check_role_write(authz, ALICE, "roles", new_role("r", rule("get", "-", "secrets")))
    check_binding_write(authz, ALICE, "rolebindings", rb("rb", "ClusterRole/sub"))
    elsewhere = rb("rb", "ClusterRole/sub", "prod")
    assert raised(check_binding_write, authz, ALICE, "rolebindings", elsewhere).code == 403
