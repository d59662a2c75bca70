"""Helpers shared by the official Python client conformance modules (this module has no tests).

Every client is an isolated `ApiClient` built from a cluster's kubeconfig dictionary with
`new_client_from_config_dict`, never the process-wide default configuration, so tests cannot
leak credentials into each other. Errors are compared as whole Status bodies, because the
connector parses them and a real API server words them exactly so.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kubernetes import client, config
from kubernetes.client import ApiClient, ApiException

from kubesim.runner import Cluster

T = TypeVar("T")
UNAUTHORIZED = {
    "kind": "Status",
    "apiVersion": "v1",
    "metadata": {},
    "status": "Failure",
    "message": "Unauthorized",
    "reason": "Unauthorized",
    "code": 401,
}


def api_client(cluster: Cluster, context: str = "admin") -> ApiClient:
    """A client for one of the kubeconfig's contexts (admin, connector, discovery, nobody)."""
    return config.new_client_from_config_dict(
        cluster.kubeconfig(context), context=context, persist_config=False
    )


def token_client(cluster: Cluster, token: str) -> ApiClient:
    """A client presenting `token` as its bearer token (the cluster CA trusted)."""
    kubeconfig = cluster.kubeconfig()
    kubeconfig["users"].append({"name": "bearer", "user": {"token": token}})
    kubeconfig["contexts"].append(
        {
            "name": "bearer",
            "context": {"cluster": kubeconfig["clusters"][0]["name"], "user": "bearer"},
        }
    )
    return config.new_client_from_config_dict(kubeconfig, context="bearer", persist_config=False)


def unique(prefix: str) -> str:
    """A fresh DNS-1123 name."""
    return f"{prefix}-{secrets.token_hex(3)}"


def meta(name: str, **fields: Any) -> client.V1ObjectMeta:
    """Object metadata with a name and any other ObjectMeta fields."""
    return client.V1ObjectMeta(name=name, **fields)


def status_of(err: ApiException) -> dict[str, Any]:
    """The Status object an error response carried."""
    body: dict[str, Any] = json.loads(err.body)
    return body


def failure(message: str, reason: str, code: int, **details: Any) -> dict[str, Any]:
    """The Status body of a failed request, in the field order the server emits."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
    }
    if details:
        body["details"] = details
    body["code"] = code
    return body


def expect_error(call: Callable[[], Any], code: int) -> dict[str, Any]:
    """Run `call`, which must fail with `code`; return the Status body."""
    try:
        call()
    except ApiException as err:
        assert err.status == code, err.body
        return status_of(err)
    raise AssertionError(f"expected HTTP {code}, the call succeeded")


def wait_for(probe: Callable[[], T | None], timeout: float = 10.0, what: str = "") -> T:
    """Poll `probe` until it returns something truthy (controllers are asynchronous)."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or probe}")
        time.sleep(0.02)


def calls(cluster: Cluster, since: int, namespace: str) -> list[dict[str, Any]]:
    """Logged requests into one namespace after sequence number `since` (other tests' clients,
    such as a lingering watch, may use the shared cluster meanwhile)."""
    return [e for e in cluster.control.requests(since=since) if e["namespace"] == namespace]


def create_namespace(api: ApiClient, prefix: str = "py") -> str:
    """A fresh namespace for one test module."""
    name = unique(prefix)
    client.CoreV1Api(api).create_namespace(client.V1Namespace(metadata=meta(name)))
    return name


def delete_namespace(api: ApiClient, name: str) -> None:
    """Delete a namespace without waiting for its contents to go."""
    client.CoreV1Api(api).delete_namespace(name)


def pod_spec(image: str = "nginx:1.25") -> client.V1PodSpec:
    """A one-container pod spec."""
    return client.V1PodSpec(containers=[client.V1Container(name="app", image=image)])


def template(labels: dict[str, str], image: str = "nginx:1.25") -> client.V1PodTemplateSpec:
    """A pod template with `labels`."""
    return client.V1PodTemplateSpec(
        metadata=client.V1ObjectMeta(labels=labels), spec=pod_spec(image)
    )
