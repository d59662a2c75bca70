"""Talking to kubesim with the official client, for the cluster-facing RBAC tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kubernetes import client, config

from kubesim.runner import Cluster

# The generated client sends bodies without a Content-Type header; say it explicitly.
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
RBAC_LISTS = (
    "list_cluster_role",
    "list_cluster_role_binding",
    "list_role_for_all_namespaces",
    "list_role_binding_for_all_namespaces",
)


@contextmanager
def api_client(cluster: Cluster, context: str) -> Iterator[Any]:
    """An official-client ApiClient for one kubeconfig context, closed afterwards."""
    api = config.new_client_from_config_dict(cluster.kubeconfig(context=context))  # type: ignore[no-untyped-call]
    try:
        yield api
    finally:
        api.close()


def rbac_objects(api: Any) -> list[dict[str, Any]]:
    """Every Role, ClusterRole and binding, as raw list items (which carry no kind)."""
    rbac = client.RbacAuthorizationV1Api(api)
    items: list[dict[str, Any]] = []
    for method in RBAC_LISTS:
        response = getattr(rbac, method)(_preload_content=False)
        items.extend(json.loads(response.data)["items"])
    return items


def rules_review(api: Any, namespace: str) -> dict[str, Any]:
    """A SelfSubjectRulesReview in the namespace, raw."""
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectRulesReview",
        "spec": {"namespace": namespace},
    }
    authz: Any = client.AuthorizationV1Api(api)
    response = authz.create_self_subject_rules_review(
        body, _preload_content=False, _headers=JSON_HEADERS
    )
    result: dict[str, Any] = json.loads(response.data)
    return result


def create(api: Any, obj: dict[str, Any]) -> None:
    """Create a Namespace or an RBAC object from its manifest."""
    kind = obj["kind"]
    namespace = obj["metadata"].get("namespace")
    if kind == "Namespace":
        core: Any = client.CoreV1Api(api)
        core.create_namespace(obj, _headers=JSON_HEADERS)
        return
    rbac = client.RbacAuthorizationV1Api(api)
    snake = {
        "ClusterRole": "cluster_role",
        "ClusterRoleBinding": "cluster_role_binding",
        "Role": "namespaced_role",
        "RoleBinding": "namespaced_role_binding",
    }[kind]
    method = getattr(rbac, f"create_{snake}")
    args = (namespace, obj) if namespace else (obj,)
    method(*args, _headers=JSON_HEADERS, _preload_content=False)


def delete(api: Any, obj: dict[str, Any]) -> None:
    """Delete a Namespace or a cluster-scoped RBAC object (namespaced ones go with theirs)."""
    name = obj["metadata"]["name"]
    kind = obj["kind"]
    if kind == "Namespace":
        client.CoreV1Api(api).delete_namespace(name, _preload_content=False)
    elif kind == "ClusterRole":
        client.RbacAuthorizationV1Api(api).delete_cluster_role(name, _preload_content=False)
    elif kind == "ClusterRoleBinding":
        client.RbacAuthorizationV1Api(api).delete_cluster_role_binding(name, _preload_content=False)


def subject_access_review(api: Any, user: str, groups: list[str], attrs: dict[str, Any]) -> bool:
    """Ask the API server whether a user in groups may do something (resource or URL)."""
    key = "nonResourceAttributes" if "path" in attrs else "resourceAttributes"
    spec: dict[str, Any] = {"groups": groups, key: attrs}
    if user:
        spec["user"] = user
    body = {"apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec}
    authz: Any = client.AuthorizationV1Api(api)
    response = authz.create_subject_access_review(
        body, _preload_content=False, _headers=JSON_HEADERS
    )
    return bool(json.loads(response.data)["status"].get("allowed"))


def impersonated_access_review(api: Any, user: str, attrs: dict[str, Any]) -> bool:
    """A SelfSubjectAccessReview impersonating a user alone: the server adds its groups."""
    key = "nonResourceAttributes" if "path" in attrs else "resourceAttributes"
    body = {
        "apiVersion": "authorization.k8s.io/v1",
        "kind": "SelfSubjectAccessReview",
        "spec": {key: attrs},
    }
    headers = {**JSON_HEADERS, "Impersonate-User": user}
    authz: Any = client.AuthorizationV1Api(api)
    response = authz.create_self_subject_access_review(
        body, _preload_content=False, _headers=headers
    )
    return bool(json.loads(response.data)["status"].get("allowed"))
