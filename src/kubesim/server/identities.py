"""The identities every kubesim cluster has, and the kubeconfig that reaches them.

Contexts: `admin` (client certificate in `system:masters`), `connector` (a ServiceAccount bound
to exactly the seed's minimum permissions for discovery and change execution), `discovery`
(only the discovery rules) and `nobody` (authenticated, no rights beyond the defaults every
authenticated user has). Current context: `connector`.
"""

from __future__ import annotations

import base64
from typing import Any

NAMESPACE = "kubeconnector"
CLUSTER_NAME = "kubesim"
ADMIN_USER = "kubesim-admin"

DISCOVERY_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["pods", "services", "secrets", "serviceaccounts", "namespaces"],
        "verbs": ["get", "list"],
    },
    {
        "apiGroups": ["apps"],
        "resources": ["deployments", "daemonsets", "statefulsets"],
        "verbs": ["get", "list"],
    },
    {
        "apiGroups": ["rbac.authorization.k8s.io"],
        "resources": ["roles", "rolebindings", "clusterroles", "clusterrolebindings"],
        "verbs": ["get", "list"],
    },
]
CHANGE_RULES: list[dict[str, Any]] = [
    {
        "apiGroups": [""],
        "resources": ["secrets", "serviceaccounts"],
        "verbs": ["create", "update", "delete", "patch"],
    },
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["update", "patch"]},
    {"apiGroups": [""], "resources": ["nodes"], "verbs": ["patch"]},
]

# account -> ClusterRole rules (None: no binding at all)
ACCOUNTS: dict[str, list[dict[str, Any]] | None] = {
    "connector": DISCOVERY_RULES + CHANGE_RULES,
    "discovery": DISCOVERY_RULES,
    "nobody": None,
}


def token_secret_name(account: str) -> str:
    return f"{account}-token"


def manifests() -> list[dict[str, Any]]:
    """Namespace, ServiceAccounts, token Secrets, ClusterRoles and bindings of the identities."""
    objs: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}}
    ]
    for account, rules in ACCOUNTS.items():
        objs.append(_account(account))
        objs.append(_token_secret(account))
        if rules is not None:
            objs += _role_and_binding(account, rules)
    return objs


def _labels() -> dict[str, str]:
    return {"app.kubernetes.io/part-of": "kubesim"}


def _account(account: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": {"name": account, "namespace": NAMESPACE, "labels": _labels()},
    }


def _token_secret(account: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "kubernetes.io/service-account-token",
        "metadata": {
            "name": token_secret_name(account),
            "namespace": NAMESPACE,
            "labels": _labels(),
            "annotations": {"kubernetes.io/service-account.name": account},
        },
    }


def _role_and_binding(account: str, rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    role = f"kubeconnector-{account}"
    return [
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRole",
            "metadata": {"name": role, "labels": _labels()},
            "rules": rules,
        },
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": role, "labels": _labels()},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": role,
            },
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": NAMESPACE}],
        },
    ]


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def kubeconfig(
    url: str, ca_pem: bytes, admin_cert: bytes, admin_key: bytes, tokens: dict[str, str]
) -> dict[str, Any]:
    """A kubeconfig with the four contexts; `tokens` maps account -> bearer token."""
    users: list[dict[str, Any]] = [
        {
            "name": "admin",
            "user": {
                "client-certificate-data": _b64(admin_cert),
                "client-key-data": _b64(admin_key),
            },
        }
    ]
    users += [{"name": account, "user": {"token": token}} for account, token in tokens.items()]
    contexts = [
        {"name": user["name"], "context": {"cluster": CLUSTER_NAME, "user": user["name"]}}
        for user in users
    ]
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {
                "name": CLUSTER_NAME,
                "cluster": {"server": url, "certificate-authority-data": _b64(ca_pem)},
            }
        ],
        "users": users,
        "contexts": contexts,
        "current-context": "connector",
        "preferences": {},
    }
