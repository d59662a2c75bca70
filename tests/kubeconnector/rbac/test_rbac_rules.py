"""Rule matching, table-driven against the API server's evaluation helpers' behaviour."""

from __future__ import annotations

import pytest

from kubeconnector.rbac import NonResourceRequest, PolicyRule, ResourceRequest, rule_allows
from kubeconnector.rbac.rules import rule_covers


def r(groups: str, resources: str, verbs: str, names: str = "") -> PolicyRule:
    return PolicyRule(
        verbs=tuple(verbs.split()),
        api_groups=tuple(g if g != "core" else "" for g in groups.split()),
        resources=tuple(resources.split()),
        resource_names=tuple(names.split()),
    )


def req(verb: str, group: str, resource: str, name: str = "") -> ResourceRequest:
    resource, _, sub = resource.partition("/")
    return ResourceRequest(verb, group, resource, sub, "ns", name)


RESOURCE_CASES = [
    # (rule, request, allowed)
    (r("core", "pods", "get"), req("get", "", "pods"), True),
    (r("core", "pods", "get"), req("list", "", "pods"), False),
    (r("core", "pods", "*"), req("deletecollection", "", "pods"), True),
    (r("core", "pods", "get"), req("get", "apps", "pods"), False),
    (r("*", "pods", "get"), req("get", "example.com", "pods"), True),
    (r("core", "*", "get"), req("get", "", "secrets"), True),
    (r("core", "*", "get"), req("get", "", "pods/log"), True),
    (r("apps", "deployments", "get"), req("get", "apps", "deployments/scale"), False),
    (r("apps", "deployments/scale", "get"), req("get", "apps", "deployments"), False),
    (r("apps", "deployments/scale", "get"), req("get", "apps", "deployments/scale"), True),
    (r("apps", "*/scale", "update"), req("update", "apps", "statefulsets/scale"), True),
    (r("apps", "*/scale", "update"), req("update", "apps", "statefulsets"), False),
    (r("*", "*/status", "get"), req("get", "", "pods/status"), True),
    (r("*", "*/status", "get"), req("get", "", "pods/statuses"), False),
    (r("core", "pods/*", "create"), req("create", "", "pods/exec"), False),
    (r("core", "*/*", "create"), req("create", "", "pods/exec"), False),
    (r("core", "secrets", "get", "a b"), req("get", "", "secrets", "a"), True),
    (r("core", "secrets", "get", "a b"), req("get", "", "secrets", "c"), False),
    (r("core", "secrets", "get", "a b"), req("get", "", "secrets"), False),
    (r("core", "secrets", "list", "a"), req("list", "", "secrets"), False),
    (r("core", "secrets", "create", "a"), req("create", "", "secrets"), False),
    (r("core", "secrets", "watch", "a"), req("watch", "", "secrets", "a"), True),
    (r("core", "serviceaccounts", "create"), req("create", "", "serviceaccounts/token"), False),
    (r("core", "users groups", "impersonate"), req("impersonate", "", "users", "bob"), True),
    (r("core", "pods", "get"), NonResourceRequest("get", "/api"), False),
]

URL_CASES = [
    # (nonResourceURLs, request path, allowed)
    ("/healthz", "/healthz", True),
    ("/healthz", "/healthz/etcd", False),
    ("/healthz/*", "/healthz/etcd", True),
    ("/healthz/*", "/healthz", False),
    ("/healthz*", "/healthz", True),
    ("/healthz*", "/healthzzz/x", True),
    ("/api/**", "/api/v1", True),
    ("*", "/anything/at/all", True),
    ("/metrics", "/metrics/cadvisor", False),
]


@pytest.mark.parametrize(("rule", "request_", "allowed"), RESOURCE_CASES)
def test_a_rule_allows_exactly_what_the_api_server_allows(
    rule: PolicyRule, request_: ResourceRequest, allowed: bool
) -> None:
    assert rule_allows(rule, request_) is allowed


@pytest.mark.parametrize(("pattern", "path", "allowed"), URL_CASES)
def test_non_resource_urls_match_exactly_through_star_or_a_prefix_star(
    pattern: str, path: str, allowed: bool
) -> None:
    rule = PolicyRule(verbs=("get",), non_resource_urls=(pattern,))
    assert rule_allows(rule, NonResourceRequest("get", path)) is allowed


def test_a_non_resource_rule_needs_the_verb_too() -> None:
    rule = PolicyRule(verbs=("get",), non_resource_urls=("/metrics",))
    assert not rule_allows(rule, NonResourceRequest("post", "/metrics"))


def test_a_resource_rule_never_allows_a_non_resource_url() -> None:
    assert not rule_allows(r("*", "*", "*"), NonResourceRequest("get", "/healthz"))


def test_null_lists_of_an_aggregated_rule_read_as_empty() -> None:
    rule = PolicyRule.from_dict({"verbs": None, "apiGroups": None, "resources": ["pods"]})
    assert rule == PolicyRule(resources=("pods",))


def test_a_rule_round_trips_through_its_wire_form() -> None:
    wire = {"apiGroups": [""], "resources": ["secrets"], "resourceNames": ["a"], "verbs": ["get"]}
    assert PolicyRule.from_dict(wire).to_dict() == wire
    url_wire = {"nonResourceURLs": ["/healthz"], "verbs": ["get"]}
    assert PolicyRule.from_dict(url_wire).to_dict() == url_wire


def test_a_rule_prints_compactly() -> None:
    assert str(r("core apps", "pods", "get list", "a")) == "get,list pods [core,apps] names=a"


@pytest.mark.parametrize(
    ("rule", "verb", "resource", "covered"),
    [
        (r("core", "secrets", "get", "a"), "get", "secrets", True),
        (r("core", "secrets", "get list", "a"), "list", "secrets", False),
        (r("core", "*/exec", "create"), "create", "pods/exec", True),
        (r("core", "pods", "create"), "create", "pods/exec", False),
        (r("*", "*", "*"), "escalate", "clusterroles", True),
    ],
)
def test_covering_ignores_which_names_except_for_verbs_that_carry_none(
    rule: PolicyRule, verb: str, resource: str, covered: bool
) -> None:
    group = "" if resource.startswith(("secrets", "pods")) else "rbac.authorization.k8s.io"
    assert rule_covers(rule, verb, group, resource) is covered
