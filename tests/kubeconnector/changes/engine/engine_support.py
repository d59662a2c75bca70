"""Shared material for the engine tests: a kubeconnector home with a kubesim connector.

`Engine` is a session (over SQLite or PostgreSQL) with one connector, ``sim``, registered from
the kubesim ``connector`` context, a `ChangeService` with short timeouts, an admin client for
setting up namespaces of one's own, and the environment a ``kubeconnector`` subprocess needs
to act on the same home.
"""

from __future__ import annotations

import base64
import itertools
import os
import secrets
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kubeconnector.changes.base import ChangeOptions
from kubeconnector.changes.service import ChangeService, build_service
from kubeconnector.kube import ClientOptions, ClusterClient, RetryPolicy, parse_kubeconfig
from kubeconnector.models import AuditEvent, AuditQuery, Environment
from kubeconnector.session import Session
from kubeconnector.settings import Settings
from kubesim import Cluster

FAST_CLIENT = ClientOptions(
    retry=RetryPolicy(base_delay=0.01, max_delay=0.05, max_retry_after=0.05),
    connect_timeout=5.0,
)
FAST_OPTIONS = ChangeOptions(
    rollout_timeout=30.0, token_timeout=10.0, poll_interval=0.05, restart_timeout=30.0
)
CONNECTOR = "sim"
_NAMES = itertools.count(1)


def unique(prefix: str) -> str:
    """A name no other test in this process uses."""
    return f"{prefix}-{os.getpid() % 10000}-{next(_NAMES)}"


def b64(text: str | bytes) -> str:
    """Base64 as Secret ``data`` carries it."""
    raw = text.encode() if isinstance(text, str) else text
    return base64.b64encode(raw).decode()


def admin_client(cluster: Cluster) -> ClusterClient:
    """A client with the kubesim admin identity."""
    return ClusterClient(parse_kubeconfig(cluster.kubeconfig_yaml("admin"), "admin"))


@dataclass
class Engine:
    """One kubeconnector home, its session and change service, and the cluster."""

    home: Path
    settings: Settings
    session: Session
    service: ChangeService
    cluster: Cluster
    admin: ClusterClient
    env: dict[str, str] = field(default_factory=dict)

    def with_settings(self, **changes: Any) -> ChangeService:
        """Another change service over the same home, with settings changed."""
        settings = Settings(**{**vars(self.settings), **changes})
        return build_service(
            self.session.database,
            self.session.ring,
            self.session.audit,
            self.session.connectors,
            settings,
            FAST_OPTIONS,
        )

    def events(self, change_id: str | None = None) -> list[AuditEvent]:
        """The ledger's events (about one change, when given)."""
        query = AuditQuery(resource_id=change_id, limit=10_000)
        return self.session.audit.list(query)

    def namespace(self) -> str:
        """A fresh namespace of the test's own."""
        name = unique("eng")
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        self.admin.request("POST", "/api/v1/namespaces", body=body)
        return name

    def secret(self, namespace: str, name: str, data: Mapping[str, str]) -> dict[str, Any]:
        """Create an Opaque Secret with ``data`` (plain text values)."""
        body = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": name, "namespace": namespace},
            "type": "Opaque",
            "data": {k: b64(v) for k, v in data.items()},
        }
        return self.admin.request("POST", f"/api/v1/namespaces/{namespace}/secrets", body=body)

    def get(self, path: str) -> dict[str, Any]:
        """Read an object with the admin identity."""
        return self.admin.request("GET", path)


@contextmanager
def engine_for(
    cluster: Cluster,
    home: Path,
    database_url: str | None = None,
    environment: Environment = Environment.DEV,
    **settings: Any,
) -> Iterator[Engine]:
    """A kubeconnector home with the ``sim`` connector (``connector`` context, dev)."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    url = database_url or f"sqlite:///{home / 'kubeconnector.db'}"
    config = Settings(home=home, database_url=url, master_key=f"k1:{key}", **settings)
    with Session(config, "alice", client_options=FAST_CLIENT) as session:
        session.connectors.add(
            CONNECTOR,
            cluster.kubeconfig_yaml("connector"),
            context="connector",
            environment=environment,
        )
        service = build_service(
            session.database, session.ring, session.audit, session.connectors, config, FAST_OPTIONS
        )
        env = {
            **os.environ,
            "KUBECONNECTOR_HOME": str(home),
            "KUBECONNECTOR_DATABASE_URL": url,
            "KUBECONNECTOR_MASTER_KEY": f"k1:{key}",
            "PYTHONPATH": os.pathsep.join(sys.path),
        }
        with admin_client(cluster) as admin:
            yield Engine(home, config, session, service, cluster, admin, env)
