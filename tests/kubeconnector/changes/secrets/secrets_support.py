"""Shared material for the SECRETS action tests: contexts, sandboxes, objects, request counts.

Each test that changes the cluster works in its own namespace (`Sandbox`), created and
deleted with the admin identity, so tests do not disturb each other or the demo content.
"""

from __future__ import annotations

import base64
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
from kubesim.scenarios.build import secret
from kubesim.scenarios.workloads import container, deployment, pod_spec

CONNECTOR_USER = "system:serviceaccount:kubeconnector:connector"
FAST_OPTIONS = ChangeOptions(
    rollout_timeout=30.0, token_timeout=10.0, poll_interval=0.05, restart_timeout=30.0
)
_NAMES = itertools.count(1)


def connector_model(cluster: Cluster) -> Connector:
    """A stored-looking connector for the cluster (no database needed)."""
    now = datetime.now(UTC)
    return Connector(
        id="00000000-0000-4000-8000-000000000001",
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


def context_for(cluster: Cluster, context: str = "connector") -> ActionContext:
    """An ActionContext acting as `context`, with short timeouts."""
    return ActionContext(
        client=client_for(cluster, context),
        connector=connector_model(cluster),
        options=FAST_OPTIONS,
    )


def b64(text: str | bytes) -> str:
    """Base64 as Secret ``data`` carries it."""
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    """Secret ``data`` value as bytes."""
    return base64.b64decode(text)


@dataclass
class Sandbox:
    """A namespace of one's own, and an admin client to set it up."""

    cluster: Cluster
    admin: ClusterClient
    namespace: str
    made: list[str] = field(default_factory=list)

    def create(self, manifest: dict[str, Any]) -> dict[str, Any]:
        """Create an object in the sandbox (as admin)."""
        manifest.setdefault("metadata", {})["namespace"] = self.namespace
        path = _collection(manifest["apiVersion"], manifest["kind"], self.namespace)
        return self.admin.request("POST", path, body=manifest)

    def get(self, kind: str, name: str) -> dict[str, Any]:
        """Read an object (as admin)."""
        return self.admin.request("GET", self.path(kind, name))

    def path(self, kind: str, name: str) -> str:
        """An object's path."""
        api = "apps/v1" if kind in ("Deployment", "DaemonSet", "StatefulSet") else "v1"
        return f"{_collection(api, kind, self.namespace)}/{name}"

    def secret(self, name: str, data: dict[str, str], **extra: Any) -> dict[str, Any]:
        """Create an Opaque (or `type_`) Secret from plain-text values."""
        return self.create(secret(name, self.namespace, data, **extra))

    def deployment(self, name: str, spec: dict[str, Any], replicas: int = 1) -> dict[str, Any]:
        """Create a Deployment with this pod spec."""
        return self.create(deployment(name, self.namespace, replicas, {"app": name}, spec))

    def app(self, name: str, replicas: int = 1, **parts: Any) -> dict[str, Any]:
        """A one-container Deployment; `parts` are container fields (env, envFrom, ...)."""
        volumes = parts.pop("volumes", None)
        spec = pod_spec([container("app", "nginx:1.25.3", **parts)], volumes=volumes)
        return self.deployment(name, spec, replicas)

    def edit_secret(self, name: str, **changes: str) -> dict[str, Any]:
        """Change keys of a Secret as admin (a concurrent edit), by merge patch."""
        body = {"data": {k: b64(v) for k, v in changes.items()}}
        return self.admin.request(
            "PATCH",
            self.path("Secret", name),
            body=body,
            content_type="application/merge-patch+json",
        )

    def wait(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        """Poll until `predicate()` holds."""
        deadline = time.monotonic() + timeout
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting")
            time.sleep(0.05)

    def running_pods(self, count: int) -> None:
        """Wait until `count` Pods of the sandbox run and are ready."""

        def ready() -> bool:
            path = f"/api/v1/namespaces/{self.namespace}/pods"
            pods = self.admin.request("GET", path)["items"]
            conditions = [
                c
                for p in pods
                for c in (p.get("status") or {}).get("conditions") or []
                if c.get("type") == "Ready" and c.get("status") == "True"
            ]
            return len(conditions) >= count

        self.wait(ready)


def _collection(api_version: str, kind: str, namespace: str) -> str:
    plural = {
        "Secret": "secrets",
        "Deployment": "deployments",
        "DaemonSet": "daemonsets",
        "StatefulSet": "statefulsets",
        "Pod": "pods",
        "ServiceAccount": "serviceaccounts",
        "Service": "services",
    }[kind]
    prefix = "/api/v1" if api_version == "v1" else f"/apis/{api_version}"
    return f"{prefix}/namespaces/{namespace}/{plural}"


@pytest.fixture
def sandbox(kubesim_cluster: Cluster) -> Iterator[Sandbox]:
    """A fresh namespace (deleted afterwards), with an admin client."""
    admin = client_for(kubesim_cluster, "admin")
    name = f"sec-{os.getpid() % 10000}-{next(_NAMES)}"
    admin.request(
        "POST",
        "/api/v1/namespaces",
        body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}},
    )
    box = Sandbox(kubesim_cluster, admin, name)
    try:
        yield box
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


def connector_calls(cluster: Cluster, since: int) -> list[str]:
    """``METHOD path[?dryRun]`` of each request the connector sent after `since`."""
    calls = []
    for entry in cluster.control.requests(since):
        if entry["user"] != CONNECTOR_USER:
            continue
        dry = "?dryRun" if "dryRun" in (entry.get("query") or "") else ""
        calls.append(f"{entry['method']} {entry['path']}{dry}")
    return calls
