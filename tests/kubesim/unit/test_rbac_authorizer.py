"""The RBAC authorizer: binding walk, subject and rule matching, reasons, the 403, rules."""

from __future__ import annotations

import time
from typing import Any

import pytest
from test_rbac_fixtures import (
    AUTH,
    FakeSource,
    binding,
    group,
    path,
    res,
    role,
    rule,
    sa,
    urls,
    user,
)

from kubesim.auth.rbac import Authorizer, Decision, forbidden_error, rule_allows
from kubesim.auth.user import Attributes, UserInfo, service_account_user


def cluster() -> FakeSource:
    return FakeSource(
        role("pod-reader", rule("get list", "-", "pods")),
        role("secret-x", rule("get", "-", "secrets", "x")),
        role("deploy-scale", rule("patch", "apps", "deployments/scale")),
        role("any-status", rule("get", "*", "*/status")),
        role("all", rule("*", "*", "*"), urls("*", "*")),
        role("paths", urls("get", "/healthz /logs/*")),
        role("cm-writer", rule("create", "-", "configmaps"), namespace="prod"),
        binding("readers", "ClusterRole/pod-reader", [user("alice")]),
        binding("status", "ClusterRole/any-status", [user("eve")]),
        binding("paths", "ClusterRole/paths", [group(AUTH)]),
        binding("sa-no-ns", "ClusterRole/all", [sa("root")]),
        binding("missing-cr", "ClusterRole/nope", [user("carol")]),
        binding("write-cm", "Role/cm-writer", [group("devs")], "prod"),
        binding("sa-secret", "ClusterRole/secret-x", [sa("bot")], "prod"),
        binding("other-sa", "ClusterRole/deploy-scale", [sa("ci", "tools")], "prod"),
        binding("ghost", "Role/ghost", [user("carol")], "dev"),
    )


ALICE = UserInfo("alice", groups=("dev", AUTH))
BOB = UserInfo("bob", groups=("devs", AUTH))
EVE = UserInfo("eve", groups=(AUTH,))
CAROL = UserInfo("carol", groups=(AUTH,))
BOT = service_account_user("prod", "bot")
CI = service_account_user("tools", "ci")


@pytest.mark.parametrize(
    ("attrs", "reason"),
    [
        (
            res(ALICE, "get", "pods", "default"),
            'RBAC: allowed by ClusterRoleBinding "readers" of ClusterRole "pod-reader"'
            ' to User "alice"',
        ),
        (
            res(BOB, "create", "configmaps", "prod"),
            'RBAC: allowed by RoleBinding "write-cm/prod" of Role "cm-writer" to Group "devs"',
        ),
        (
            res(BOT, "get", "secrets", "prod", "x"),
            'RBAC: allowed by RoleBinding "sa-secret/prod" of ClusterRole "secret-x"'
            ' to ServiceAccount "bot/prod"',
        ),
        (
            res(CI, "patch", "apps:deployments/scale", "prod", "web"),
            'RBAC: allowed by RoleBinding "other-sa/prod" of ClusterRole "deploy-scale"'
            ' to ServiceAccount "ci/tools"',
        ),
        (
            res(EVE, "get", "apps:deployments/status", "prod", "web"),
            'RBAC: allowed by ClusterRoleBinding "status" of ClusterRole "any-status"'
            ' to User "eve"',
        ),
        (
            path(EVE, "get", "/healthz"),
            'RBAC: allowed by ClusterRoleBinding "paths" of ClusterRole "paths"'
            ' to Group "system:authenticated"',
        ),
        (
            path(EVE, "get", "/logs/kube/apiserver.log"),
            'RBAC: allowed by ClusterRoleBinding "paths" of ClusterRole "paths"'
            ' to Group "system:authenticated"',
        ),
    ],
)
def test_a_matching_rule_allows_with_the_binding_named_in_the_reason(
    attrs: Attributes, reason: str
) -> None:
    assert Authorizer(cluster()).authorize(attrs) == Decision(True, reason)


@pytest.mark.parametrize(
    "attrs",
    [
        res(ALICE, "get", "pods/log", "default", "p"),  # resource does not grant subresource
        res(ALICE, "delete", "pods", "default", "p"),  # verb not listed
        res(ALICE, "get", "apps:pods", "default"),  # group not listed
        res(BOB, "create", "configmaps", "staging"),  # RoleBinding applies in its namespace only
        res(BOT, "get", "secrets", "prod", "y"),  # name not in resourceNames
        res(BOT, "list", "secrets", "prod"),  # nameless request never matches resourceNames
        res(service_account_user("dev", "bot"), "get", "secrets", "prod", "x"),
        res(CI, "patch", "apps:deployments", "prod", "web"),  # subresource rule only
        res(EVE, "get", "apps:deployments", "prod", "web"),  # */status is not the resource
        path(EVE, "get", "/healthzz"),
        path(EVE, "post", "/healthz"),
        res(service_account_user("x", "root"), "get", "pods"),  # CRB SA without namespace
    ],
)
def test_requests_outside_every_rule_are_denied_without_reason(attrs: Attributes) -> None:
    assert Authorizer(cluster()).authorize(attrs) == Decision(False, "")


def test_missing_roles_are_reported_in_the_denial_reason_in_walk_order() -> None:
    authz = Authorizer(cluster())
    in_dev = authz.authorize(res(CAROL, "get", "pods", "dev"))
    cluster_wide = authz.authorize(res(CAROL, "list", "nodes"))
    assert in_dev.reason == (
        'RBAC: [clusterrole.rbac.authorization.k8s.io "nope" not found,'
        ' role.rbac.authorization.k8s.io "ghost" not found]'
    )
    assert cluster_wide.reason == 'RBAC: clusterrole.rbac.authorization.k8s.io "nope" not found'


def test_resolution_errors_are_ignored_once_a_later_rule_allows() -> None:
    source = cluster()
    source.add(binding("carol-reads", "ClusterRole/pod-reader", [user("carol")]))
    decision = Authorizer(source).authorize(res(CAROL, "get", "pods", "dev"))
    assert decision.allowed
    assert decision.reason.endswith('"carol-reads" of ClusterRole "pod-reader" to User "carol"')


def test_system_masters_is_allowed_everything_with_an_empty_reason() -> None:
    admin = UserInfo("root", groups=("system:masters",))
    assert Authorizer(FakeSource()).authorize(res(admin, "delete", "nodes", "", "n")) == Decision(
        True
    )


def test_a_binding_added_later_takes_effect_because_the_generation_moved() -> None:
    source = cluster()
    authz = Authorizer(source)
    attrs = res(EVE, "list", "pods", "default")
    assert not authz.authorize(attrs).allowed
    source.add(binding("eve-reads", "ClusterRole/pod-reader", [user("eve")]))
    assert authz.authorize(attrs).allowed


def test_the_first_matching_subject_of_a_binding_is_the_one_described() -> None:
    source = FakeSource(
        role("pod-reader", rule("get", "-", "pods")),
        binding("both", "ClusterRole/pod-reader", [group("devs"), user("bob")]),
    )
    decision = Authorizer(source).authorize(res(BOB, "get", "pods", "x"))
    assert decision.reason == (
        'RBAC: allowed by ClusterRoleBinding "both" of ClusterRole "pod-reader" to Group "devs"'
    )


@pytest.mark.parametrize(
    ("rule_dict", "attrs", "allowed"),
    [
        (rule("*", "*", "*"), res(EVE, "escalate", "rbac.authorization.k8s.io:roles"), True),
        (rule("get", "*", "*"), res(EVE, "get", "pods/exec", "x", "p"), True),
        (rule("get", "-", "*/exec"), res(EVE, "get", "pods/exec", "x", "p"), True),
        (rule("get", "-", "*/exec"), res(EVE, "get", "pods", "x", "p"), False),
        (rule("get", "-", "pods/*"), res(EVE, "get", "pods/exec", "x", "p"), False),
        (
            rule("create", "-", "serviceaccounts"),
            res(EVE, "create", "serviceaccounts/token"),
            False,
        ),
        (urls("get", "*"), path(EVE, "get", "/anything"), True),
        (urls("get", "/api/*"), path(EVE, "get", "/api"), False),
        (urls("get", "/api*"), path(EVE, "get", "/apis/apps"), True),
        (urls("get", "/version"), res(EVE, "get", "version"), False),
    ],
)
def test_rule_matching_follows_the_wildcard_and_subresource_rules(
    rule_dict: dict[str, Any], attrs: Attributes, allowed: bool
) -> None:
    assert rule_allows(attrs, rule_dict) is allowed


@pytest.mark.parametrize(
    ("attrs", "reason", "message", "details"),
    [
        (
            res(UserInfo("y"), "get", "secrets", "z", "x"),
            "",
            'secrets "x" is forbidden: User "y" cannot get resource "secrets" in API group ""'
            ' in the namespace "z"',
            {"name": "x", "kind": "secrets"},
        ),
        (
            res(service_account_user("z", "bot"), "list", "secrets", "z"),
            "",
            'secrets is forbidden: User "system:serviceaccount:z:bot" cannot list resource'
            ' "secrets" in API group "" in the namespace "z"',
            {"kind": "secrets"},
        ),
        (
            res(UserInfo("u"), "patch", "apps:deployments/scale", "prod", "web"),
            "",
            'deployments.apps "web" is forbidden: User "u" cannot patch resource'
            ' "deployments/scale" in API group "apps" in the namespace "prod"',
            {"name": "web", "group": "apps", "kind": "deployments"},
        ),
        (
            res(UserInfo("u"), "list", "nodes"),
            "",
            'nodes is forbidden: User "u" cannot list resource "nodes" in API group ""'
            " at the cluster scope",
            {"kind": "nodes"},
        ),
        (
            path(UserInfo("system:anonymous"), "get", "/api"),
            "",
            'forbidden: User "system:anonymous" cannot get path "/api"',
            {},
        ),
        (
            res(UserInfo("a<b>&c"), "get", "pods", "n", "p"),
            'RBAC: role.rbac.authorization.k8s.io "<x>" not found',
            'pods "p" is forbidden: User "a&lt;b&gt;&amp;c" cannot get resource "pods" in API'
            ' group "" in the namespace "n": RBAC: role.rbac.authorization.k8s.io "<x>" not found',
            {"name": "p", "kind": "pods"},
        ),
    ],
)
def test_the_403_body_is_exactly_the_servers(
    attrs: Attributes, reason: str, message: str, details: dict[str, str]
) -> None:
    body = forbidden_error(attrs, Decision(False, reason)).to_status()
    assert body == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "Forbidden",
        "details": details,
        "code": 403,
    }


def test_rules_for_lists_raw_rules_split_into_resource_and_non_resource() -> None:
    result = Authorizer(cluster()).rules_for(BOB, "prod")
    assert result.resource_rules == [
        {"verbs": ["create"], "apiGroups": [""], "resources": ["configmaps"]}
    ]
    assert result.non_resource_rules == [
        {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/logs/*"]}
    ]
    assert (result.incomplete, result.evaluation_error) == (False, "")


def test_rules_for_keeps_duplicates_and_resource_names() -> None:
    source = FakeSource(
        role("r", rule("get", "-", "secrets", "a b")),
        binding("one", "ClusterRole/r", [user("eve")]),
        binding("two", "ClusterRole/r", [group(AUTH)]),
    )
    rules = Authorizer(source).rules_for(EVE, "default").resource_rules
    expected = {
        "verbs": ["get"],
        "apiGroups": [""],
        "resources": ["secrets"],
        "resourceNames": ["a", "b"],
    }
    assert rules == [expected, expected]


def test_rules_for_reports_missing_roles_as_the_evaluation_error() -> None:
    result = Authorizer(cluster()).rules_for(CAROL, "dev")
    assert result.evaluation_error == (
        '[clusterrole.rbac.authorization.k8s.io "nope" not found,'
        ' role.rbac.authorization.k8s.io "ghost" not found]'
    )
    assert not result.incomplete


def test_rules_for_a_node_is_incomplete_because_the_node_authorizer_cannot_enumerate() -> None:
    node = UserInfo("system:node:n1", groups=("system:nodes", AUTH))
    result = Authorizer(cluster()).rules_for(node, "default")
    assert result.incomplete
    assert result.evaluation_error == "node authorizer does not support user rule resolution"


def test_rules_for_masters_come_only_from_rbac_bindings() -> None:
    admin = UserInfo("root", groups=("system:masters",))
    result = Authorizer(cluster()).rules_for(admin, "default")
    assert (result.resource_rules, result.non_resource_rules) == ([], [])


def test_thousands_of_decisions_stay_fast_thanks_to_the_rule_cache() -> None:
    source = cluster()
    for i in range(300):
        source.add(role(f"r{i}", rule("get", "-", f"things{i}")))
        source.add(binding(f"b{i}", f"ClusterRole/r{i}", [user(f"user{i % 50}")]))
    authz = Authorizer(source)
    started = time.perf_counter()
    for i in range(6000):
        who = UserInfo(f"user{i % 50}", groups=(AUTH,))
        authz.authorize(res(who, "get", f"things{i % 300}", "default"))
    assert time.perf_counter() - started < 2.0
