"""Fixtures for the connector service: services over a test database, kubesim kubeconfigs."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from kubeconnector.connectors import ConnectorService
from kubeconnector.crypto import KeyRing
from kubeconnector.kube import ClientOptions, RetryPolicy
from kubeconnector.models import AuditEvent
from kubeconnector.store import AuditLog, ConnectorRepository, Database
from kubesim.runner import Cluster

FAST = ClientOptions(retry=RetryPolicy(base_delay=0.01, max_delay=0.05), connect_timeout=5.0)
ServiceFactory = Callable[..., ConnectorService]


@pytest.fixture
def sqlite_database(tmp_path: Path) -> Iterator[Database]:
    """A migrated SQLite database in the test's directory."""
    with Database.open(f"sqlite:///{tmp_path / 'kubeconnector.db'}") as database:
        yield database


@pytest.fixture
def service(sqlite_database: Database, key_ring: KeyRing) -> ConnectorService:
    """A connector service acting as alice, over SQLite."""
    repository = ConnectorRepository(sqlite_database, key_ring)
    return ConnectorService(repository, AuditLog(sqlite_database), "alice", client_options=FAST)


def events(database: Database, event_type: str | None = None) -> list[AuditEvent]:
    """The ledger's events (of one type)."""
    found = AuditLog(database).list()
    return [e for e in found if event_type is None or e.event_type == event_type]


def kubesim_kubeconfig(
    cluster: Cluster, context: str, edit: Callable[[dict[str, Any]], None] | None = None
) -> str:
    """The kubesim kubeconfig YAML with ``context`` current, optionally edited first."""
    config = copy.deepcopy(cluster.kubeconfig(context))
    if edit is not None:
        edit(config)
    return yaml.safe_dump(config, sort_keys=False)


def user_entry(config: dict[str, Any], name: str) -> dict[str, Any]:
    """One user entry's ``user`` mapping of a kubeconfig."""
    found: dict[str, Any] = next(u for u in config["users"] if u["name"] == name)["user"]
    return found


def kubesim_secrets(cluster: Cluster) -> list[str]:
    """Every token and private-key line of the kubesim kubeconfig (what must never leak)."""
    config = cluster.kubeconfig()
    found: list[str] = []
    for entry in config["users"]:
        user = entry["user"]
        if "token" in user:
            found.append(user["token"])
        if "client-key-data" in user:
            key = base64.b64decode(user["client-key-data"]).decode()
            found += [user["client-key-data"][20:60], key.splitlines()[1]]
    return found
