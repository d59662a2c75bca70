"""The `large` scenario's RBAC: ClusterRoles (a few aggregated), Roles and their bindings.

Rules cycle through realistic shapes (read-only, write, wildcards, subresources,
resourceNames, non-resource URLs, impersonate, escalate/bind); subjects mix users, groups and
ServiceAccounts, some from other namespaces.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios.build import Manifest
from kubesim.scenarios.large_core import PULL_SECRET, opaque_name, sa_name
from kubesim.scenarios.large_plan import LargePlan
from kubesim.scenarios.rbac import (
    RBAC_GROUP,
    aggregated_cluster_role,
    cluster_role,
    cluster_role_binding,
    group,
    role,
    role_binding,
    rule,
    sa,
    url_rule,
    user,
)

READ = ("get", "list", "watch")
WRITE = ("create", "update", "patch", "delete")
AGGREGATE_KEY = "rbac.large.example/aggregate-to-set-{}"
MEMBERS_PER_AGGREGATE = 4


def _cluster_rules() -> tuple[tuple[Manifest, ...], ...]:
    # Built per use: manifests must never share mutable parts.
    return (
        (rule([""], ["pods", "services", "configmaps"], READ),),
        (rule(["apps"], ["deployments", "deployments/scale"], (*READ, *WRITE)),),
        (rule([""], ["secrets"], ["get"], names=[PULL_SECRET, opaque_name(0)]),),
        (rule(["*"], ["*"], ["*"]),),
        (rule([""], ["pods/exec", "pods/portforward"], ["create"]), rule([""], ["pods"], READ)),
        (url_rule(["/metrics", "/healthz/*"], ["get"]),),
        (rule([""], ["nodes", "nodes/proxy"], ["get"]),),
        (rule([""], ["users", "groups"], ["impersonate"]),),
        (rule(["*"], ["*/status"], ["get"]), rule(["apps"], ["*/scale"], ["update", "patch"])),
        (rule([RBAC_GROUP], ["roles", "clusterroles"], ["escalate", "bind"]),),
        (rule([""], ["secrets"], READ),),
    )


def _role_rules(secret_name: str) -> tuple[tuple[Manifest, ...], ...]:
    return (
        (rule([""], ["pods", "pods/log"], READ),),
        (rule([""], ["secrets"], READ),),
        (rule([""], ["secrets"], ["get", "update"], names=[secret_name]),),
        (rule(["apps"], ["deployments"], ["*"]),),
        (rule([""], ["pods/exec"], ["create"]), rule([""], ["pods"], ["get"])),
        (rule([""], ["configmaps"], (*READ, *WRITE)),),
        (rule([""], ["serviceaccounts/token"], ["create"]),),
        (rule(["apps", ""], ["*"], ["*"]),),
    )


def objects(p: LargePlan) -> Iterator[Manifest]:
    """ClusterRoles, ClusterRoleBindings, Roles, then RoleBindings."""
    yield from cluster_roles(p)
    yield from cluster_role_bindings(p)
    yield from roles(p)
    yield from role_bindings(p)


def _plain_roles(p: LargePlan) -> int:
    return p.cluster_roles - p.aggregated_roles


def cluster_roles(p: LargePlan) -> Iterator[Manifest]:
    """Plain ClusterRoles (the first few labelled for aggregation), then the aggregators."""
    for c in range(_plain_roles(p)):
        labels = None
        if c < MEMBERS_PER_AGGREGATE * p.aggregated_roles:
            labels = {AGGREGATE_KEY.format(c % p.aggregated_roles): "true"}
        rule_sets = _cluster_rules()
        yield cluster_role(f"tenant-role-{c:04d}", rule_sets[c % len(rule_sets)], labels)
    for a in range(p.aggregated_roles):
        yield aggregated_cluster_role(f"tenant-aggregate-{a}", [{AGGREGATE_KEY.format(a): "true"}])


def _cluster_role_ref(p: LargePlan, b: int) -> str:
    if b % 10 == 0:
        return f"tenant-aggregate-{b // 10 % p.aggregated_roles}"
    if b % 25 == 7:
        return "view"
    return f"tenant-role-{b % _plain_roles(p):04d}"


def _subjects(p: LargePlan, number: int, ns_index: int) -> list[Manifest]:
    kind = number % 3
    if kind == 0:
        subjects = [user(f"user-{number % 500:03d}@example.com")]
    elif kind == 1:
        subjects = [group(f"team-{number % 40:02d}")]
    else:
        sa_count = p.per_ns(p.service_accounts, ns_index)
        subjects = [sa(sa_name(number % sa_count), p.ns_name(ns_index))]
    if number % 4 == 0:
        subjects.append(group(f"oncall-{number % 7}"))
    return subjects


def cluster_role_bindings(p: LargePlan) -> Iterator[Manifest]:
    """ClusterRoleBindings to plain, aggregated and built-in ClusterRoles."""
    for b in range(p.cluster_role_bindings):
        subjects = _subjects(p, b, b % p.namespaces)
        yield cluster_role_binding(f"tenant-crb-{b:04d}", _cluster_role_ref(p, b), subjects)


def roles(p: LargePlan) -> Iterator[Manifest]:
    """Namespaced Roles cycling through the namespaced rule shapes."""
    for r in range(p.roles):
        j, k = p.place(r)
        rule_sets = _role_rules(opaque_name(k % p.per_ns(p.opaque_secrets, j)))
        yield role(f"role-{k:03d}", p.ns_name(j), rule_sets[r % len(rule_sets)])


def role_bindings(p: LargePlan) -> Iterator[Manifest]:
    """RoleBindings, mostly to local Roles, every fifth to a ClusterRole."""
    for r in range(p.role_bindings):
        j, k = p.place(r)
        if k % 5 == 4:
            kind, ref = "ClusterRole", ("view", "edit", _cluster_role_ref(p, r))[r % 3]
        else:
            kind, ref = "Role", f"role-{k % p.per_ns(p.roles, j):03d}"
        # Every seventh binding grants to a ServiceAccount of the neighbouring namespace.
        subject_ns = (j + 1) % p.namespaces if r % 7 == 0 else j
        subjects = _subjects(p, r, subject_ns)
        yield role_binding(f"binding-{k:03d}", p.ns_name(j), kind, ref, subjects)
