"""Builders of raw RBAC objects for the RBAC tests, and a set of built-in default objects.

`DEFAULTS` is a representative subset of what a Kubernetes API server creates at start
(every object labelled ``kubernetes.io/bootstrapping: rbac-defaults``): cluster-admin bound to
system:masters, the discovery and basic-user roles bound to system:authenticated, the
control-plane components' roles bound to system:* users, and controller roles bound to
kube-system ServiceAccounts. Several of them hold grants the catalogue calls risky.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kubeconnector.rbac import RbacEngine, RbacSnapshot

RBAC = "rbac.authorization.k8s.io"
RBAC_V1 = f"{RBAC}/v1"
DEFAULT_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
Obj = dict[str, Any]


def rule(
    groups: Sequence[str],
    resources: Sequence[str],
    verbs: Sequence[str],
    names: Sequence[str] = (),
) -> Obj:
    out: Obj = {"apiGroups": list(groups), "resources": list(resources), "verbs": list(verbs)}
    if names:
        out["resourceNames"] = list(names)
    return out


def urls(paths: Sequence[str], verbs: Sequence[str]) -> Obj:
    return {"nonResourceURLs": list(paths), "verbs": list(verbs)}


def _meta(name: str, namespace: str = "", labels: dict[str, str] | None = None) -> Obj:
    meta: Obj = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    return meta


def cluster_role(
    name: str,
    rules: Sequence[Obj] | None,
    labels: dict[str, str] | None = None,
    selectors: Sequence[Obj] | None = None,
) -> Obj:
    obj: Obj = {"apiVersion": RBAC_V1, "kind": "ClusterRole", "metadata": _meta(name, "", labels)}
    obj["rules"] = None if rules is None else list(rules)
    if selectors is not None:
        obj["aggregationRule"] = {"clusterRoleSelectors": list(selectors)}
    return obj


def role(name: str, namespace: str, rules: Sequence[Obj]) -> Obj:
    return {
        "apiVersion": RBAC_V1,
        "kind": "Role",
        "metadata": _meta(name, namespace),
        "rules": list(rules),
    }


def user(name: str) -> Obj:
    return {"kind": "User", "apiGroup": RBAC, "name": name}


def group(name: str) -> Obj:
    return {"kind": "Group", "apiGroup": RBAC, "name": name}


def sa(name: str, namespace: str = "") -> Obj:
    out: Obj = {"kind": "ServiceAccount", "name": name}
    if namespace:
        out["namespace"] = namespace
    return out


def crb(
    name: str, role_name: str, subjects: Sequence[Obj], labels: dict[str, str] | None = None
) -> Obj:
    return {
        "apiVersion": RBAC_V1,
        "kind": "ClusterRoleBinding",
        "metadata": _meta(name, "", labels),
        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role_name},
        "subjects": list(subjects),
    }


def rb(
    name: str,
    namespace: str,
    role_kind: str,
    role_name: str,
    subjects: Sequence[Obj],
    labels: dict[str, str] | None = None,
) -> Obj:
    return {
        "apiVersion": RBAC_V1,
        "kind": "RoleBinding",
        "metadata": _meta(name, namespace, labels),
        "roleRef": {"apiGroup": RBAC, "kind": role_kind, "name": role_name},
        "subjects": list(subjects),
    }


def engine(*objects: Obj) -> RbacEngine:
    return RbacEngine(RbacSnapshot.from_objects(objects))


def _default_role(name: str, rules: Sequence[Obj], aggregate_to: str = "") -> Obj:
    labels = dict(DEFAULT_LABELS)
    if aggregate_to:
        labels[f"rbac.authorization.k8s.io/aggregate-to-{aggregate_to}"] = "true"
    return cluster_role(name, rules, labels)


def _default_crb(name: str, subjects: Sequence[Obj]) -> Obj:
    return crb(name, name, subjects, DEFAULT_LABELS)


def _controller(name: str, rules: Sequence[Obj]) -> list[Obj]:
    full = f"system:controller:{name}"
    return [_default_role(full, rules), _default_crb(full, [sa(name, "kube-system")])]


ALL = ["*"]
READ = ["get", "list", "watch"]
WRITE = ["create", "update", "patch", "delete"]

DEFAULTS: list[Obj] = [
    _default_role("cluster-admin", [rule(ALL, ALL, ALL), urls(ALL, ALL)]),
    _default_crb("cluster-admin", [group("system:masters")]),
    _default_role(
        "system:basic-user",
        [rule(["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
              ["create"])],
    ),
    _default_crb("system:basic-user", [group("system:authenticated")]),
    _default_role("system:discovery", [urls(["/api", "/api/*", "/apis", "/apis/*"], ["get"])]),
    _default_crb("system:discovery", [group("system:authenticated")]),
    _default_role("system:public-info-viewer", [urls(["/healthz", "/version"], ["get"])]),
    _default_crb(
        "system:public-info-viewer",
        [group("system:authenticated"), group("system:unauthenticated")],
    ),
    _default_role(
        "system:kube-controller-manager",
        [
            rule([""], ["secrets", "serviceaccounts"], ["create", "delete", "get", "update"]),
            rule([""], ["serviceaccounts/token"], ["create"]),
            rule(ALL, ALL, ["list", "watch"]),
        ],
    ),
    _default_crb("system:kube-controller-manager", [user("system:kube-controller-manager")]),
    _default_role(
        "system:kube-scheduler",
        [rule([""], ["pods/binding", "bindings"], ["create"]), rule([""], ["pods/status"],
                                                                    ["patch", "update"])],
    ),
    _default_crb("system:kube-scheduler", [user("system:kube-scheduler")]),
    _default_role(
        "system:node",
        [
            rule([""], ["secrets", "configmaps"], ["get", "list", "watch"]),
            rule([""], ["nodes/status", "pods/status"], ["patch", "update"]),
            rule([""], ["pods"], ["create", "delete"]),
        ],
    ),
    _default_crb("system:node", []),
    _default_role("system:monitoring", [urls(["/metrics", "/livez", "/readyz"], ["get"])]),
    _default_crb("system:monitoring", [group("system:monitoring")]),
    _default_role(
        "system:service-account-issuer-discovery",
        [urls(["/.well-known/openid-configuration", "/openid/v1/jwks"], ["get"])],
    ),
    _default_crb("system:service-account-issuer-discovery", [group("system:serviceaccounts")]),
    *_controller("replicaset-controller", [rule([""], ["pods"], ["create", "delete", "list"])]),
    *_controller(
        "clusterrole-aggregation-controller",
        [rule([RBAC], ["clusterroles"], ["escalate", "get", "list", "patch", "update"])],
    ),
    *_controller(
        "certificate-controller",
        [
            rule(["certificates.k8s.io"], ["certificatesigningrequests/approval"], ["update"]),
            rule(["certificates.k8s.io"], ["signers"], ["approve"],
                 ["kubernetes.io/kube-apiserver-client"]),
        ],
    ),
    *_controller("generic-garbage-collector", [rule(ALL, ALL, ["delete", "get", "list"])]),
    *_controller("daemon-set-controller", [rule(["apps"], ["daemonsets/status"], ["update"]),
                                           rule([""], ["pods"], ["create", "delete"])]),
    cluster_role(
        "view",
        None,
        {**DEFAULT_LABELS, "rbac.authorization.k8s.io/aggregate-to-edit": "true"},
        [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}],
    ),
    _default_role(
        "system:aggregate-to-view", [rule([""], ["pods", "services", "configmaps"], READ)], "view"
    ),
    _default_role(
        "system:aggregate-to-edit",
        [rule([""], ["secrets", "pods", "pods/exec"], [*READ, *WRITE])],
        "edit",
    ),
    cluster_role(
        "edit",
        None,
        DEFAULT_LABELS,
        [{"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-edit": "true"}}],
    ),
]  # fmt: skip
