"""The catalog of served kinds for the Python client modules: client methods and typed bodies.

This module has no tests; `test_python_client_crud` and `test_python_client_dryrun` iterate it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import meta, pod_spec, template

RBAC = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class Kind:
    """One served kind: its client API class, method suffix, scope and a typed body."""

    name: str
    api: Callable[[ApiClient], Any]
    snake: str
    namespaced: bool
    group: str
    resource: str
    body: Callable[[str, str], Any]  # (name, namespace) -> a typed model
    model: type

    def method(self, api: ApiClient, verb: str, suffix: str = "") -> Callable[..., Any]:
        """The generated client method, e.g. `create_namespaced_secret_with_http_info`."""
        scope = "namespaced_" if self.namespaced else ""
        return getattr(self.api(api), f"{verb}_{scope}{self.snake}{suffix}")

    def args(self, namespace: str, *rest: Any) -> tuple[Any, ...]:
        """Positional arguments: the namespace goes after the name (or first, for create)."""
        if not self.namespaced:
            return rest
        if len(rest) == 1 and not isinstance(rest[0], str):
            return (namespace, rest[0])
        return (rest[0], namespace, *rest[1:])

    def gr(self) -> str:
        """The group-qualified resource of messages (`deployments.apps`)."""
        return f"{self.resource}.{self.group}" if self.group else self.resource

    def details(self, name: str) -> dict[str, str]:
        """Status details naming an object of this kind (empty fields omitted)."""
        found = {"name": name, "group": self.group, "kind": self.resource}
        return {k: v for k, v in found.items() if v}


def _app(name: str) -> dict[str, str]:
    return {"app": name}


def _selector(name: str) -> client.V1LabelSelector:
    return client.V1LabelSelector(match_labels=_app(name))


def _namespace(name: str, namespace: str) -> Any:
    return client.V1Namespace(metadata=meta(name))


def _node(name: str, namespace: str) -> Any:
    return client.V1Node(metadata=meta(name))


def _pod(name: str, namespace: str) -> Any:
    return client.V1Pod(metadata=meta(name), spec=pod_spec())


def _secret(name: str, namespace: str) -> Any:
    return client.V1Secret(metadata=meta(name), string_data={"k": "v"})


def _config_map(name: str, namespace: str) -> Any:
    return client.V1ConfigMap(metadata=meta(name), data={"k": "v"})


def _service_account(name: str, namespace: str) -> Any:
    return client.V1ServiceAccount(metadata=meta(name))


def _service(name: str, namespace: str) -> Any:
    ports = [client.V1ServicePort(port=80)]
    return client.V1Service(
        metadata=meta(name), spec=client.V1ServiceSpec(ports=ports, selector=_app(name))
    )


def _event(name: str, namespace: str) -> Any:
    return client.CoreV1Event(
        metadata=meta(name),
        involved_object=client.V1ObjectReference(kind="Pod", name="p", namespace=namespace),
        reason="Tested",
        message="created by a test",
        type="Normal",
    )


def _deployment(name: str, namespace: str) -> Any:
    spec = client.V1DeploymentSpec(
        replicas=0, selector=_selector(name), template=template(_app(name))
    )
    return client.V1Deployment(metadata=meta(name), spec=spec)


def _replica_set(name: str, namespace: str) -> Any:
    spec = client.V1ReplicaSetSpec(
        replicas=0, selector=_selector(name), template=template(_app(name))
    )
    return client.V1ReplicaSet(metadata=meta(name), spec=spec)


def _daemon_set(name: str, namespace: str) -> Any:
    spec = client.V1DaemonSetSpec(selector=_selector(name), template=template(_app(name)))
    return client.V1DaemonSet(metadata=meta(name), spec=spec)


def _stateful_set(name: str, namespace: str) -> Any:
    spec = client.V1StatefulSetSpec(
        replicas=0, service_name=name, selector=_selector(name), template=template(_app(name))
    )
    return client.V1StatefulSet(metadata=meta(name), spec=spec)


def _controller_revision(name: str, namespace: str) -> Any:
    return client.V1ControllerRevision(metadata=meta(name), revision=1, data={})


def _hpa(name: str, namespace: str) -> Any:
    target = client.V2CrossVersionObjectReference(
        api_version="apps/v1", kind="Deployment", name=name
    )
    spec = client.V2HorizontalPodAutoscalerSpec(max_replicas=3, scale_target_ref=target)
    return client.V2HorizontalPodAutoscaler(metadata=meta(name), spec=spec)


def _pdb(name: str, namespace: str) -> Any:
    spec = client.V1PodDisruptionBudgetSpec(min_available=1, selector=_selector(name))
    return client.V1PodDisruptionBudget(metadata=meta(name), spec=spec)


def _role(name: str, namespace: str) -> Any:
    rule = client.V1PolicyRule(api_groups=[""], resources=["configmaps"], verbs=["get"])
    return client.V1Role(metadata=meta(name), rules=[rule])


def _role_binding(name: str, namespace: str) -> Any:
    return client.V1RoleBinding(
        metadata=meta(name),
        role_ref=client.V1RoleRef(api_group=RBAC, kind="ClusterRole", name="view"),
        subjects=[client.RbacV1Subject(kind="ServiceAccount", name="default", namespace=namespace)],
    )


def _cluster_role(name: str, namespace: str) -> Any:
    rule = client.V1PolicyRule(non_resource_urls=["/healthz"], verbs=["get"])
    return client.V1ClusterRole(metadata=meta(name), rules=[rule])


def _cluster_role_binding(name: str, namespace: str) -> Any:
    return client.V1ClusterRoleBinding(
        metadata=meta(name),
        role_ref=client.V1RoleRef(api_group=RBAC, kind="ClusterRole", name="view"),
        subjects=[client.RbacV1Subject(kind="User", name=name, api_group=RBAC)],
    )


CORE = client.CoreV1Api
APPS = client.AppsV1Api
KINDS = [
    Kind("Namespace", CORE, "namespace", False, "", "namespaces", _namespace, client.V1Namespace),
    Kind("Node", CORE, "node", False, "", "nodes", _node, client.V1Node),
    Kind("Pod", CORE, "pod", True, "", "pods", _pod, client.V1Pod),
    Kind("Secret", CORE, "secret", True, "", "secrets", _secret, client.V1Secret),
    Kind("ConfigMap", CORE, "config_map", True, "", "configmaps", _config_map, client.V1ConfigMap),
    Kind(
        "ServiceAccount",
        CORE,
        "service_account",
        True,
        "",
        "serviceaccounts",
        _service_account,
        client.V1ServiceAccount,
    ),
    Kind("Service", CORE, "service", True, "", "services", _service, client.V1Service),
    Kind("Event", CORE, "event", True, "", "events", _event, client.CoreV1Event),
    Kind(
        "Deployment",
        APPS,
        "deployment",
        True,
        "apps",
        "deployments",
        _deployment,
        client.V1Deployment,
    ),
    Kind(
        "ReplicaSet",
        APPS,
        "replica_set",
        True,
        "apps",
        "replicasets",
        _replica_set,
        client.V1ReplicaSet,
    ),
    Kind(
        "DaemonSet",
        APPS,
        "daemon_set",
        True,
        "apps",
        "daemonsets",
        _daemon_set,
        client.V1DaemonSet,
    ),
    Kind(
        "StatefulSet",
        APPS,
        "stateful_set",
        True,
        "apps",
        "statefulsets",
        _stateful_set,
        client.V1StatefulSet,
    ),
    Kind(
        "ControllerRevision",
        APPS,
        "controller_revision",
        True,
        "apps",
        "controllerrevisions",
        _controller_revision,
        client.V1ControllerRevision,
    ),
    Kind(
        "HorizontalPodAutoscaler",
        client.AutoscalingV2Api,
        "horizontal_pod_autoscaler",
        True,
        "autoscaling",
        "horizontalpodautoscalers",
        _hpa,
        client.V2HorizontalPodAutoscaler,
    ),
    Kind(
        "PodDisruptionBudget",
        client.PolicyV1Api,
        "pod_disruption_budget",
        True,
        "policy",
        "poddisruptionbudgets",
        _pdb,
        client.V1PodDisruptionBudget,
    ),
    Kind("Role", client.RbacAuthorizationV1Api, "role", True, RBAC, "roles", _role, client.V1Role),
    Kind(
        "RoleBinding",
        client.RbacAuthorizationV1Api,
        "role_binding",
        True,
        RBAC,
        "rolebindings",
        _role_binding,
        client.V1RoleBinding,
    ),
    Kind(
        "ClusterRole",
        client.RbacAuthorizationV1Api,
        "cluster_role",
        False,
        RBAC,
        "clusterroles",
        _cluster_role,
        client.V1ClusterRole,
    ),
    Kind(
        "ClusterRoleBinding",
        client.RbacAuthorizationV1Api,
        "cluster_role_binding",
        False,
        RBAC,
        "clusterrolebindings",
        _cluster_role_binding,
        client.V1ClusterRoleBinding,
    ),
]
