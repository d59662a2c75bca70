"""The demo scenario's RBAC: ordinary grants mixed with the risky ones an audit should flag.

The list of risky grants and why each exists is in `kubesim.scenarios.demo`.
"""

from __future__ import annotations

from collections.abc import Iterator

from kubesim.scenarios.build import Manifest
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
AGGREGATE_LABEL = "rbac.example.com/aggregate-to-monitoring"
MISSING_ROLE = "dashboard-reader"


def objects() -> Iterator[Manifest]:
    """ClusterRoles, ClusterRoleBindings, Roles, then RoleBindings."""
    yield from cluster_roles()
    yield from cluster_role_bindings()
    yield from roles()
    yield from role_bindings()


def cluster_roles() -> Iterator[Manifest]:
    """Custom ClusterRoles, including one aggregated from two labelled ones."""
    yield cluster_role("secret-reader", [rule([""], ["secrets"], READ)])
    yield cluster_role(
        "impersonator", [rule([""], ["users", "groups", "serviceaccounts"], ["impersonate"])]
    )
    rbac_kinds = ["roles", "rolebindings", "clusterroles", "clusterrolebindings"]
    yield cluster_role(
        "rbac-manager",
        [
            rule([RBAC_GROUP], rbac_kinds, [*READ, "create", "update", "patch", "delete"]),
            rule([RBAC_GROUP], ["roles", "clusterroles"], ["escalate", "bind"]),
        ],
    )
    yield cluster_role(
        "metrics-scraper",
        [
            rule([""], ["nodes", "nodes/metrics", "services", "endpoints", "pods"], READ),
            url_rule(["/metrics", "/metrics/cadvisor"], ["get"]),
        ],
    )
    yield aggregated_cluster_role("monitoring-view", [{AGGREGATE_LABEL: "true"}])
    labels = {AGGREGATE_LABEL: "true"}
    yield cluster_role("monitoring-pods-reader", [rule([""], ["pods", "pods/log"], READ)], labels)
    yield cluster_role(
        "monitoring-workloads-reader",
        [rule(["apps"], ["deployments", "daemonsets", "statefulsets"], READ)],
        labels,
    )


def cluster_role_bindings() -> Iterator[Manifest]:
    """Cluster-wide grants, several of them risky."""
    yield cluster_role_binding(
        "prometheus-secret-reader", "secret-reader", [sa("prometheus", "monitoring")]
    )
    yield cluster_role_binding(
        "prometheus-metrics", "metrics-scraper", [sa("prometheus", "monitoring")]
    )
    yield cluster_role_binding(
        "support-impersonation", "impersonator", [user("support@example.com")]
    )
    yield cluster_role_binding("platform-rbac-managers", "rbac-manager", [group("platform-admins")])
    yield cluster_role_binding("alice-cluster-admin", "cluster-admin", [user("alice@example.com")])
    yield cluster_role_binding("anonymous-view", "view", [group("system:unauthenticated")])
    yield cluster_role_binding("sre-monitoring-view", "monitoring-view", [group("sre-oncall")])


def roles() -> Iterator[Manifest]:
    """Namespaced Roles: a wildcard one, an exec one and a resourceNames one."""
    yield role("ci-superuser", "ci", [rule(["*"], ["*"], ["*"])])
    yield role(
        "pod-debugger",
        "shop",
        [
            rule([""], ["pods", "pods/log"], READ),
            rule([""], ["pods/exec", "pods/attach"], ["create", "get"]),
        ],
    )
    yield role(
        "payments-api-secrets",
        "payments",
        [rule([""], ["secrets"], ["get"], names=["stripe-api-key", "psp-credentials"])],
    )


def role_bindings() -> Iterator[Manifest]:
    """Namespaced grants, including ClusterRole references and a dangling Role reference."""
    yield role_binding("deployer-superuser", "ci", "Role", "ci-superuser", [sa("deployer", "ci")])
    yield role_binding(
        "oncall-pod-debugger",
        "shop",
        "Role",
        "pod-debugger",
        [group("shop-oncall"), user("bob@example.com")],
    )
    yield role_binding(
        "payments-api-secrets",
        "payments",
        "Role",
        "payments-api-secrets",
        [sa("payments-api", "payments")],
    )
    yield role_binding(
        "default-edit", "payments", "ClusterRole", "edit", [sa("default", "payments")]
    )
    yield role_binding("developers-view", "shop", "ClusterRole", "view", [group("shop-developers")])
    yield role_binding("ci-deployer", "shop", "ClusterRole", "edit", [sa("deployer", "ci")])
    yield role_binding(
        "grafana-dashboards", "monitoring", "Role", MISSING_ROLE, [sa("grafana", "monitoring")]
    )
