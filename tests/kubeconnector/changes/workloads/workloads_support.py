"""Shared material for the WORKLOADS action tests: namespaces, nodes, grants.

Each test that changes the cluster works on objects of its own: a namespace (`Sandbox`) or a
Node created for it, with the admin identity. Extra permissions the seed does not give the
``connector`` identity (``get`` on nodes, ``list`` on HorizontalPodAutoscalers) are granted
only for the tests that need them (`Grant`) and removed afterwards. Contexts and request
counts come from `tests.kubeconnector.changes.support`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from tests.kubeconnector.changes.support import (
    OwnNamespace,
    client_for,
    context_for,
    own_namespace,
    unique,
    wait_until,
)

from kubeconnector.changes.base import ActionContext
from kubeconnector.kube import ClusterClient
from kubesim import Cluster
from kubesim.scenarios.workloads import container, deployment, pod_spec

APPS = "/apis/apps/v1"
RBAC = "/apis/rbac.authorization.k8s.io/v1"


class Sandbox(OwnNamespace):
    """A namespace of one's own: Deployments to change and inspect."""

    def path(self, name: str) -> str:
        """A Deployment's path."""
        return f"{APPS}/namespaces/{self.namespace}/deployments/{name}"

    def app(
        self, name: str, replicas: int = 2, image: str = "nginx:1.25.3", **parts: Any
    ) -> dict[str, Any]:
        """Create a one-container (``app``) Deployment and wait until it is available."""
        spec = pod_spec([container("app", image, **parts)])
        body = deployment(name, self.namespace, replicas, {"app": name}, spec)
        body["spec"]["progressDeadlineSeconds"] = 600
        self.admin.request("POST", f"{APPS}/namespaces/{self.namespace}/deployments", body=body)
        wait_until(lambda: self.available(name))
        return self.get(name)

    def get(self, name: str) -> dict[str, Any]:
        """Read a Deployment (as admin)."""
        return self.admin.request("GET", self.path(name))

    def available(self, name: str) -> bool:
        """Its rollout is complete: every replica updated and available."""
        d = self.get(name)
        status, wanted = d.get("status") or {}, d["spec"]["replicas"]
        observed = status.get("observedGeneration", 0) >= d["metadata"]["generation"]
        counts = [status.get(k, 0) for k in ("replicas", "updatedReplicas", "availableReplicas")]
        return observed and counts == [wanted] * 3

    def merge(self, name: str, body: dict[str, Any]) -> dict[str, Any]:
        """Change a Deployment as admin (a concurrent edit), by strategic merge patch."""
        return self.admin.request(
            "PATCH",
            self.path(name),
            body=body,
            content_type="application/strategic-merge-patch+json",
        )

    def create(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Create any object in the sandbox namespace (as admin)."""
        body.setdefault("metadata", {})["namespace"] = self.namespace
        return self.admin.request("POST", path, body=body)


def container_of(d: dict[str, Any], name: str = "app") -> dict[str, Any]:
    """A Deployment's container."""
    return next(c for c in d["spec"]["template"]["spec"]["containers"] if c["name"] == name)


@pytest.fixture
def sandbox(kubesim_cluster: Cluster) -> Iterator[Sandbox]:
    """A fresh namespace (deleted afterwards), with an admin client."""
    with own_namespace(kubesim_cluster, "wl") as (admin, name):
        yield Sandbox(kubesim_cluster, admin, name)


@pytest.fixture
def discovery_ctx(kubesim_cluster: Cluster) -> Iterator[ActionContext]:
    """An ActionContext acting as the read-only `discovery` identity."""
    ctx = context_for(kubesim_cluster, "discovery")
    try:
        yield ctx
    finally:
        ctx.client.close()


@dataclass
class Grant:
    """An extra ClusterRole bound to the connector's ServiceAccount while it exists."""

    admin: ClusterClient
    name: str

    def add(self, rules: list[dict[str, Any]]) -> None:
        """Create the ClusterRole and its binding."""
        role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole"}
        self.admin.request(
            "POST",
            f"{RBAC}/clusterroles",
            body={**role, "metadata": {"name": self.name}, "rules": rules},
        )
        subject = {"kind": "ServiceAccount", "name": "connector", "namespace": "kubeconnector"}
        binding = {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "ClusterRoleBinding",
            "metadata": {"name": self.name},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": self.name,
            },
            "subjects": [subject],
        }
        self.admin.request("POST", f"{RBAC}/clusterrolebindings", body=binding)

    def remove(self) -> None:
        """Delete the binding and the ClusterRole."""
        for kind in ("clusterrolebindings", "clusterroles"):
            self.admin.request("DELETE", f"{RBAC}/{kind}/{self.name}")


@pytest.fixture
def admin(kubesim_cluster: Cluster) -> Iterator[ClusterClient]:
    """A client with the admin identity."""
    client = client_for(kubesim_cluster, "admin")
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def node_reader(admin: ClusterClient) -> Iterator[Grant]:
    """The connector may also get nodes (beyond the seed), while the test runs."""
    grant = Grant(admin, unique("wl-node-reader"))
    grant.add([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}])
    try:
        yield grant
    finally:
        grant.remove()


@pytest.fixture
def hpa_reader(admin: ClusterClient) -> Iterator[Grant]:
    """The connector may also list HorizontalPodAutoscalers, while the test runs."""
    grant = Grant(admin, unique("wl-hpa-reader"))
    rule = {"apiGroups": ["autoscaling"], "resources": ["horizontalpodautoscalers"]}
    grant.add([{**rule, "verbs": ["list"]}])
    try:
        yield grant
    finally:
        grant.remove()


@pytest.fixture
def node(kubesim_cluster: Cluster, admin: ClusterClient) -> Iterator[str]:
    """A Node of the test's own (no pods are scheduled on it by others), deleted afterwards."""
    name = unique("wl-node")
    body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name}, "spec": {}}
    admin.request("POST", "/api/v1/nodes", body=body)
    try:
        yield name
    finally:
        kubesim_cluster.control.clear_faults()
        admin.request("DELETE", f"/api/v1/nodes/{name}")
