"""The default ClusterRoles and ClusterRoleBindings a 1.30 API server creates at startup.

Content follows `plugin/pkg/auth/authorizer/rbac/bootstrappolicy/testdata` (rule order, sorted
verbs and resources included). The aggregated roles (admin, edit, view) are returned with their
rules already aggregated, as the aggregation controller leaves them.
"""

from __future__ import annotations

import copy
from typing import Any

from kubesim.auth.aggregation import converge_aggregations

API_VERSION = "rbac.authorization.k8s.io/v1"
RBAC_GROUP = "rbac.authorization.k8s.io"
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
AGGREGATE_TO = "rbac.authorization.k8s.io/aggregate-to-"

READ = "get list watch"
WRITE = "create delete deletecollection patch update"
READ_WRITE = "create delete deletecollection get list patch update watch"


def _rule(groups: list[str], resources: str, verbs: str) -> dict[str, Any]:
    return {"verbs": verbs.split(), "apiGroups": groups, "resources": resources.split()}


def _urls(urls: str, verbs: str = "get") -> dict[str, Any]:
    return {"verbs": verbs.split(), "nonResourceURLs": urls.split()}


def _aggregate_to_admin() -> list[dict[str, Any]]:
    return [
        _rule(["authorization.k8s.io"], "localsubjectaccessreviews", "create"),
        _rule([RBAC_GROUP], "rolebindings roles", READ_WRITE),
    ]


def _aggregate_to_edit() -> list[dict[str, Any]]:
    core = [""]
    return [
        _rule(
            core, "pods/attach pods/exec pods/portforward pods/proxy secrets services/proxy", READ
        ),
        _rule(core, "serviceaccounts", "impersonate"),
        _rule(core, "pods pods/attach pods/exec pods/portforward pods/proxy", WRITE),
        _rule(core, "pods/eviction", "create"),
        _rule(
            core,
            "configmaps events persistentvolumeclaims replicationcontrollers"
            " replicationcontrollers/scale secrets serviceaccounts services services/proxy",
            WRITE,
        ),
        _rule(core, "serviceaccounts/token", "create"),
        _rule(
            ["apps"],
            "daemonsets deployments deployments/rollback deployments/scale replicasets"
            " replicasets/scale statefulsets statefulsets/scale",
            WRITE,
        ),
        _rule(["autoscaling"], "horizontalpodautoscalers", WRITE),
        _rule(["batch"], "cronjobs jobs", WRITE),
        _rule(
            ["extensions"],
            "daemonsets deployments deployments/rollback deployments/scale ingresses"
            " networkpolicies replicasets replicasets/scale replicationcontrollers/scale",
            WRITE,
        ),
        _rule(["policy"], "poddisruptionbudgets", WRITE),
        _rule(["networking.k8s.io"], "ingresses networkpolicies", WRITE),
        _rule(["coordination.k8s.io"], "leases", READ_WRITE),
    ]


def _aggregate_to_view() -> list[dict[str, Any]]:
    core = [""]
    return [
        _rule(
            core,
            "configmaps endpoints persistentvolumeclaims persistentvolumeclaims/status pods"
            " replicationcontrollers replicationcontrollers/scale serviceaccounts services"
            " services/status",
            READ,
        ),
        _rule(
            core,
            "bindings events limitranges namespaces/status pods/log pods/status"
            " replicationcontrollers/status resourcequotas resourcequotas/status",
            READ,
        ),
        _rule(core, "namespaces", READ),
        _rule(["discovery.k8s.io"], "endpointslices", READ),
        _rule(
            ["apps"],
            "controllerrevisions daemonsets daemonsets/status deployments deployments/scale"
            " deployments/status replicasets replicasets/scale replicasets/status statefulsets"
            " statefulsets/scale statefulsets/status",
            READ,
        ),
        _rule(["autoscaling"], "horizontalpodautoscalers horizontalpodautoscalers/status", READ),
        _rule(["batch"], "cronjobs cronjobs/status jobs jobs/status", READ),
        _rule(
            ["extensions"],
            "daemonsets daemonsets/status deployments deployments/scale deployments/status"
            " ingresses ingresses/status networkpolicies replicasets replicasets/scale"
            " replicasets/status replicationcontrollers/scale",
            READ,
        ),
        _rule(["policy"], "poddisruptionbudgets poddisruptionbudgets/status", READ),
        _rule(["networking.k8s.io"], "ingresses ingresses/status networkpolicies", READ),
    ]


def _metadata(name: str, extra_labels: dict[str, str] | None = None) -> dict[str, Any]:
    return {
        "name": name,
        "labels": {**BOOTSTRAP_LABELS, **(extra_labels or {})},
        "annotations": dict(AUTOUPDATE),
    }


def _cluster_role(
    name: str, rules: list[dict[str, Any]] | None, labels: dict[str, str] | None = None
) -> dict[str, Any]:
    role: dict[str, Any] = {"apiVersion": API_VERSION, "kind": "ClusterRole"}
    role["metadata"] = _metadata(name, labels)
    role["rules"] = rules
    return role


def _aggregated(name: str, target: str, labels: dict[str, str] | None = None) -> dict[str, Any]:
    role = _cluster_role(name, None, labels)
    selector = {"matchLabels": {AGGREGATE_TO + target: "true"}}
    role["aggregationRule"] = {"clusterRoleSelectors": [selector]}
    return role


def _to(target: str) -> dict[str, str]:
    return {AGGREGATE_TO + target: "true"}


def _user_facing_roles() -> list[dict[str, Any]]:
    return [
        _cluster_role(
            "cluster-admin",
            [_rule(["*"], "*", "*"), _urls("*", "*")],
        ),
        _cluster_role("system:aggregate-to-admin", _aggregate_to_admin(), _to("admin")),
        _cluster_role("system:aggregate-to-edit", _aggregate_to_edit(), _to("edit")),
        _cluster_role("system:aggregate-to-view", _aggregate_to_view(), _to("view")),
        _aggregated("admin", "admin"),
        _aggregated("edit", "edit", _to("admin")),
        _aggregated("view", "view", _to("edit")),
    ]


def _system_roles() -> list[dict[str, Any]]:
    return [
        _cluster_role(
            "system:auth-delegator",
            [
                _rule(["authentication.k8s.io"], "tokenreviews", "create"),
                _rule(["authorization.k8s.io"], "subjectaccessreviews", "create"),
            ],
        ),
        _cluster_role(
            "system:basic-user",
            [
                _rule(
                    ["authorization.k8s.io"],
                    "selfsubjectaccessreviews selfsubjectrulesreviews",
                    "create",
                ),
                _rule(["authentication.k8s.io"], "selfsubjectreviews", "create"),
            ],
        ),
        _cluster_role(
            "system:discovery",
            [
                _urls(
                    "/api /api/* /apis /apis/* /healthz /livez /openapi /openapi/* /readyz"
                    " /version /version/"
                )
            ],
        ),
        _cluster_role(
            "system:monitoring",
            [_urls("/healthz /healthz/* /livez /livez/* /metrics /metrics/slis /readyz /readyz/*")],
        ),
        _cluster_role(
            "system:public-info-viewer", [_urls("/healthz /livez /readyz /version /version/")]
        ),
        _cluster_role(
            "system:service-account-issuer-discovery",
            [_urls("/.well-known/openid-configuration /openid/v1/jwks")],
        ),
    ]


def default_cluster_roles() -> list[dict[str, Any]]:
    """The default ClusterRoles, sorted by name, aggregated roles already filled in."""
    roles = [*_user_facing_roles(), *_system_roles()]
    filled = converge_aggregations(roles)
    for role in roles:
        name = role["metadata"]["name"]
        if name in filled:
            role["rules"] = filled[name]
    # Aggregated rules share lists with their sources; callers get independent objects.
    return [copy.deepcopy(r) for r in sorted(roles, key=lambda r: str(r["metadata"]["name"]))]


def _group(name: str) -> dict[str, str]:
    return {"kind": "Group", "apiGroup": RBAC_GROUP, "name": name}


def _binding(name: str, *groups: str) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "ClusterRoleBinding",
        "metadata": _metadata(name),
        "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": name},
        "subjects": [_group(g) for g in groups],
    }


def default_cluster_role_bindings() -> list[dict[str, Any]]:
    """The default ClusterRoleBindings of the roles above, sorted by name."""
    return [
        _binding("cluster-admin", "system:masters"),
        _binding("system:basic-user", "system:authenticated"),
        _binding("system:discovery", "system:authenticated"),
        _binding("system:monitoring", "system:monitoring"),
        _binding("system:public-info-viewer", "system:authenticated", "system:unauthenticated"),
        _binding("system:service-account-issuer-discovery", "system:serviceaccounts"),
    ]
