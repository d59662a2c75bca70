"""The fix for a permission report: the minimal role and binding YAML granting what is missing."""

from __future__ import annotations

from typing import Any

import yaml

from kubeconnector.rbac.report import PermissionReport
from kubeconnector.rbac.requirements import Permission
from kubeconnector.rbac.resources import RBAC_GROUP
from kubeconnector.rbac.subjects import SERVICE_ACCOUNT, USER, Subject

FIX_NAME = "kubeconnector-missing-permissions"


class _Dumper(yaml.SafeDumper):
    """Block mappings, flow lists of strings: ``verbs: [get, list]`` as on the product page."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(item, str) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def fix_yaml(
    report: PermissionReport,
    username: str,
    *,
    name: str = FIX_NAME,
    include_optional: bool = True,
) -> str:
    """The minimal role and binding YAML granting exactly what the report found missing.

    A connector covering the whole cluster gets a ClusterRole and ClusterRoleBinding; a
    namespace-scoped one gets a Role and RoleBinding in its namespace, plus a ClusterRole and
    ClusterRoleBinding for the cluster-scoped permissions only (a Role cannot grant those).

    Args:
        report: The permission report.
        username: The connector's identity, as SelfSubjectReview returns it (a ServiceAccount
            is ``system:serviceaccount:<ns>:<name>``).
        name: The name of the roles and bindings.
        include_optional: Also grant what only optional features need.

    Returns:
        A multi-document YAML string, or ``""`` when nothing is missing.
    """
    missing = [c.permission for c in report.missing(include_optional)]
    namespaced = [p for p in missing if report.namespace and not p.cluster_scoped]
    cluster = [p for p in missing if p not in namespaced]
    subject = _subject_entry(Subject.of(USER, username))
    docs: list[dict[str, Any]] = []
    if cluster:
        docs += _role_and_binding("ClusterRole", "ClusterRoleBinding", name, None, cluster, subject)
    if namespaced:
        docs += _role_and_binding(
            "Role", "RoleBinding", name, report.namespace, namespaced, subject
        )
    if not docs:
        return ""
    return yaml.dump_all(docs, Dumper=_Dumper, sort_keys=False, default_flow_style=False)


def _subject_entry(subject: Subject) -> dict[str, str]:
    if subject.kind == SERVICE_ACCOUNT:
        return {"kind": SERVICE_ACCOUNT, "name": subject.name, "namespace": subject.namespace}
    return {"kind": USER, "apiGroup": RBAC_GROUP, "name": subject.name}


def _role_and_binding(
    role_kind: str,
    binding_kind: str,
    name: str,
    namespace: str | None,
    permissions: list[Permission],
    subject: dict[str, str],
) -> list[dict[str, Any]]:
    metadata: dict[str, str] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    api_version = f"{RBAC_GROUP}/v1"
    role: dict[str, Any] = {"apiVersion": api_version, "kind": role_kind, "metadata": metadata}
    role["rules"] = compact_rules(permissions)
    binding = {
        "apiVersion": api_version,
        "kind": binding_kind,
        "metadata": dict(metadata),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": role_kind, "name": name},
        "subjects": [subject],
    }
    return [role, binding]


def compact_rules(permissions: list[Permission]) -> list[dict[str, list[str]]]:
    """Rules granting exactly the permissions: one per group and set of verbs, in order."""
    verbs: dict[tuple[str, str], list[str]] = {}
    for p in permissions:
        verbs.setdefault((p.group, p.resource), []).append(p.verb)
    merged: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    for (group, resource), resource_verbs in verbs.items():
        merged.setdefault((group, tuple(resource_verbs)), []).append(resource)
    return [
        {"apiGroups": [group], "resources": resources, "verbs": list(rule_verbs)}
        for (group, rule_verbs), resources in merged.items()
    ]
