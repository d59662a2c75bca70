"""Shared material for the SECRETS action tests: sandboxes, objects, base64.

Each test that changes the cluster works in its own namespace (`Sandbox`), created and
deleted with the admin identity, so tests do not disturb each other or the demo content.
Contexts and request counts come from `tests.kubeconnector.changes.support`.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from tests.kubeconnector.changes.support import OwnNamespace, own_namespace, wait_until

from kubesim import Cluster
from kubesim.scenarios.build import secret
from kubesim.scenarios.workloads import container, deployment, pod_spec


def b64(text: str | bytes) -> str:
    """Base64 as Secret ``data`` carries it."""
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def unb64(text: str) -> bytes:
    """Secret ``data`` value as bytes."""
    return base64.b64decode(text)


class Sandbox(OwnNamespace):
    """A namespace of one's own: Secrets and the workloads that use them."""

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
        wait_until(predicate, timeout, step=0.05)

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
    with own_namespace(kubesim_cluster, "sec") as (admin, name):
        yield Sandbox(kubesim_cluster, admin, name)
