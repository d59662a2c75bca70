"""Shared material for the action tests: the connector's context, own namespaces, request counts.

The SECRETS and WORKLOADS tests call actions directly with an `ActionContext` acting as one
kubesim identity (`context_for`), work in namespaces of their own (`own_namespace`) and count
the requests the connector sent (`connector_calls`).
"""

from __future__ import annotations

import itertools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from kubeconnector.changes.base import ActionContext, ChangeOptions
from kubeconnector.changes.helpers.digests import Digester
from kubeconnector.kube import ClientOptions, ClusterClient, RetryPolicy, parse_kubeconfig
from kubeconnector.models import Connector, Environment
from kubesim import Cluster

CONNECTOR_USER = "system:serviceaccount:kubeconnector:connector"
FAST_OPTIONS = ChangeOptions(
    rollout_timeout=30.0, token_timeout=10.0, poll_interval=0.05, restart_timeout=30.0
)
_NAMES = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test in this process uses."""
    return f"{prefix}-{os.getpid() % 10000}-{next(_NAMES)}"


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


# A fixed digest key, so tests can compute the digests actions show.
DIGESTS = Digester(b"\x01" * 32)


def context_for(
    cluster: Cluster, context: str = "connector", options: ChangeOptions = FAST_OPTIONS
) -> ActionContext:
    """An ActionContext acting as `context`, with short timeouts."""
    return ActionContext(
        client=client_for(cluster, context),
        connector=connector_model(cluster),
        options=options,
        digests=DIGESTS,
    )


def wait_until(predicate: Callable[[], bool], timeout: float = 15.0, step: float = 0.02) -> None:
    """Poll every `step` seconds until `predicate()` holds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(step)


@dataclass
class OwnNamespace:
    """A namespace of one's own, and an admin client to set it up and inspect it."""

    cluster: Cluster
    admin: ClusterClient
    namespace: str


@contextmanager
def own_namespace(cluster: Cluster, prefix: str) -> Iterator[tuple[ClusterClient, str]]:
    """A fresh namespace and an admin client; afterwards faults are cleared and it is deleted."""
    admin = client_for(cluster, "admin")
    name = unique(prefix)
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
    admin.request("POST", "/api/v1/namespaces", body=body)
    try:
        yield admin, name
    finally:
        cluster.control.clear_faults()
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
        dry = "?dryRun" if "dryRun" in str(entry.get("query") or "") else ""
        calls.append(f"{entry['method']} {entry['path']}{dry}")
    return calls
