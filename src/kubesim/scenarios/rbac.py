"""Builders for RBAC objects: policy rules, Roles, ClusterRoles, bindings and subjects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kubesim.scenarios.build import Manifest, meta

RBAC_GROUP = "rbac.authorization.k8s.io"
RBAC_V1 = f"{RBAC_GROUP}/v1"


def rule(
    groups: Sequence[str],
    resources: Sequence[str],
    verbs: Sequence[str],
    names: Sequence[str] = (),
) -> Manifest:
    """A resource PolicyRule, restricted to `names` when given."""
    out: Manifest = {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}
    if names:
        out["resourceNames"] = list(names)
    return out


def url_rule(urls: Sequence[str], verbs: Sequence[str]) -> Manifest:
    """A non-resource PolicyRule (ClusterRoles only)."""
    return {"nonResourceURLs": list(urls), "verbs": list(verbs)}


def role(name: str, ns: str, rules: Sequence[Manifest]) -> Manifest:
    """A namespaced Role."""
    return {"apiVersion": RBAC_V1, "kind": "Role", "metadata": meta(name, ns), "rules": list(rules)}


def cluster_role(
    name: str,
    rules: Sequence[Manifest],
    labels: Mapping[str, str] | None = None,
) -> Manifest:
    """A ClusterRole with explicit rules."""
    md = meta(name, labels=labels)
    return {"apiVersion": RBAC_V1, "kind": "ClusterRole", "metadata": md, "rules": list(rules)}


def aggregated_cluster_role(name: str, selectors: Sequence[Mapping[str, str]]) -> Manifest:
    """A ClusterRole whose rules the aggregation controller fills from matching ClusterRoles."""
    return {
        "apiVersion": RBAC_V1,
        "kind": "ClusterRole",
        "metadata": meta(name),
        "aggregationRule": {
            "clusterRoleSelectors": [{"matchLabels": dict(sel)} for sel in selectors]
        },
        "rules": [],
    }


def user(name: str) -> Manifest:
    """A User subject."""
    return {"kind": "User", "apiGroup": RBAC_GROUP, "name": name}


def group(name: str) -> Manifest:
    """A Group subject."""
    return {"kind": "Group", "apiGroup": RBAC_GROUP, "name": name}


def sa(name: str, ns: str) -> Manifest:
    """A ServiceAccount subject (always with its namespace, as ClusterRoleBindings need)."""
    return {"kind": "ServiceAccount", "name": name, "namespace": ns}


def role_binding(
    name: str,
    ns: str,
    role_kind: str,
    role_name: str,
    subjects: Sequence[Manifest],
) -> Manifest:
    """A RoleBinding to a Role or (scoped to `ns`) a ClusterRole."""
    return {
        "apiVersion": RBAC_V1,
        "kind": "RoleBinding",
        "metadata": meta(name, ns),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": role_name},
        "subjects": list(subjects),
    }


def cluster_role_binding(name: str, role_name: str, subjects: Sequence[Manifest]) -> Manifest:
    """A ClusterRoleBinding to a ClusterRole."""
    return {
        "apiVersion": RBAC_V1,
        "kind": "ClusterRoleBinding",
        "metadata": meta(name),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role_name},
        "subjects": list(subjects),
    }
