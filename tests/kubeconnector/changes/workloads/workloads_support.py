"""Shared material for the WORKLOADS action tests: contexts, namespaces, nodes, grants, counts.

Each test that changes the cluster works on objects of its own: a namespace (`Sandbox`) or a
Node created for it, with the admin identity. Extra permissions the seed does not give the
``connector`` identity (``get`` on nodes, ``list`` on HorizontalPodAutoscalers) are granted
only for the tests that need them (`Grant`) and removed afterwards.
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from kubeconnector.changes.base import ActionContext, ChangeOptions
from kubeconnector.kube import ClientOptions, ClusterClient, RetryPolicy, parse_kubeconfig
from kubeconnector.models import Connector, Environment
from kubesim import Cluster
from kubesim.scenarios.workloads import container, deployment, pod_spec

CONNECTOR_USER = "system:serviceaccount:kubeconnector:connector"
FAST_OPTIONS = ChangeOptions(
    rollout_timeout=30.0, token_timeout=10.0, poll_interval=0.05, restart_timeout=30.0
)
APPS = "/apis/apps/v1"
RBAC = "/apis/rbac.authorization.k8s.io/v1"
_NAMES = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test in this process uses."""
    return f"{prefix}-{os.getpid() % 10000}-{next(_NAMES)}"


def connector_model(cluster: Cluster) -> Connector:
    """A stored-looking connector for the cluster (no database needed)."""
    now = datetime.now(UTC)
    return Connector(
        id="00000000-0000-4000-8000-000000000002",
        key_id="k1",
        created_at=now,
        updated_at=now,
        name="sim",
        environment=Environment.DEV,
        server=cluster.url,
    )


def client_for(cluster: Cluster, context: str) -> ClusterClient:
    """A ClusterClient for one kubesim context; retries wait no time."""
    resolved = parse_kubeconfig(cluster.kubeconfig_yaml(context), context)
    retry = RetryPolicy(base_delay=0.0, max_delay=0.0, max_retry_after=0.0)
    return ClusterClient(resolved, ClientOptions(retry=retry), sleep=lambda _: None)


def context_for(
    cluster: Cluster, context: str = "connector", options: ChangeOptions = FAST_OPTIONS
) -> ActionContext:
    """An ActionContext acting as `context`, with short timeouts."""
    return ActionContext(
        client=client_for(cluster, context), connector=connector_model(cluster), options=options
    )


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0) -> None:
    """Poll until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


@dataclass
class Sandbox:
    """A namespace of one's own, and an admin client to set it up and inspect it."""

    cluster: Cluster
    admin: ClusterClient
    namespace: str
    made: list[str] = field(default_factory=list)

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
    admin = client_for(kubesim_cluster, "admin")
    name = unique("wl")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    admin.request("POST", "/api/v1/namespaces", body=body)
    try:
        yield Sandbox(kubesim_cluster, admin, name)
    finally:
        kubesim_cluster.control.clear_faults()
        admin.request("DELETE", f"/api/v1/namespaces/{name}")
        admin.close()


@pytest.fixture
def connector_ctx(kubesim_cluster: Cluster) -> Iterator[ActionContext]:
    """An ActionContext acting as the seed's `connector` identity."""
    ctx = context_for(kubesim_cluster)
    try:
        yield ctx
    finally:
        ctx.client.close()


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


def connector_calls(cluster: Cluster, since: int) -> list[str]:
    """``METHOD path[?dryRun]`` of each request the connector sent after `since`."""
    calls = []
    for entry in cluster.control.requests(since):
        if entry["user"] != CONNECTOR_USER:
            continue
        dry = "?dryRun" if "dryRun" in str(entry.get("query") or "") else ""
        calls.append(f"{entry['method']} {entry['path']}{dry}")
    return calls
