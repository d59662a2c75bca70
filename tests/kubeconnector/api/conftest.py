"""Fixtures for HTTP API tests: an app over a fresh home, users of every role, kubesim."""

from __future__ import annotations

import base64
import secrets
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.kubeconnector.changes.engine.engine_support import (
    FAST_CLIENT,
    FAST_OPTIONS,
    admin_client,
    b64,
    unique,
)

from kubeconnector.api import ApiOptions, Limits, create_app
from kubeconnector.settings import Settings
from kubeconnector.store import AuditLog, Database, UserRepository
from kubesim.runner import Cluster

with warnings.catch_warnings():
    # Starlette asks for httpx2 for its test client; httpx is what the project depends on.
    warnings.filterwarnings("ignore", message=".*httpx2", category=UserWarning)
    from fastapi.testclient import TestClient

ROLES = ("admin", "operator", "approver", "viewer")


@dataclass
class Api:
    """A running app, its settings and one bearer token per user."""

    client: TestClient
    settings: Settings
    tokens: dict[str, str] = field(default_factory=dict)
    seen: list[str] = field(default_factory=list)

    def call(self, user: str | None, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """One request as ``user`` (None: without a token); every body is remembered."""
        headers = dict(kwargs.pop("headers", {}))
        if user is not None:
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        response = self.client.request(method, path, headers=headers, **kwargs)
        self.seen.append(response.text + str(response.headers))
        return response

    def add_user(self, name: str, role: str) -> str:
        """Create a user directly in the store; returns its token."""
        with Database.open(self.settings.database_url) as db:
            _, token = UserRepository(db, AuditLog(db)).add(name, role, "test")
        self.tokens[name] = token
        return token

    def wait(self, user: str, job: dict[str, Any], timeout: float = 60.0) -> dict[str, Any]:
        """Poll a job until it ends."""
        deadline = time.monotonic() + timeout
        while True:
            found: dict[str, Any] = self.call(user, "GET", f"/jobs/{job['id']}").json()
            if found["state"] in ("succeeded", "failed"):
                return found
            assert time.monotonic() < deadline, found
            time.sleep(0.05)


def settings_for(home: Path) -> Settings:
    """Settings of a fresh SQLite home with an in-environment master key."""
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    return Settings(home=home, database_url=f"sqlite:///{home / 'kc.db'}", master_key=f"k1:{key}")


def make_api(home: Path, limits: Limits | None = None) -> Iterator[Api]:
    """An app over ``home`` with users admin, operator, approver, approver2 and viewer."""
    settings = settings_for(home)
    options = ApiOptions(
        limits=limits or Limits(rate=1000.0, burst=1000),
        client_options=FAST_CLIENT,
        change_options=FAST_OPTIONS,
    )
    with TestClient(create_app(settings, options)) as client:
        api = Api(client, settings)
        for role in ROLES:
            api.add_user(role, role)
        api.add_user("approver2", "approver")
        yield api


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    """A fresh app."""
    yield from make_api(tmp_path / "home")


def kubeconfig(cluster: Cluster, context: str = "connector") -> str:
    """The kubesim kubeconfig text with ``context`` current."""
    return cluster.kubeconfig_yaml(context)


@pytest.fixture
def sim(api: Api, kubesim_cluster: Cluster) -> Api:
    """The app with connector ``sim`` (the kubesim ``connector`` context) registered."""
    body = {"name": "sim", "kubeconfig": kubeconfig(kubesim_cluster), "context": "connector"}
    response = api.call("admin", "POST", "/connectors", json=body)
    assert response.status_code == 201, response.text
    return api


def namespace_with_secret(cluster: Cluster, prefix: str) -> str:
    """A namespace of the test's own holding Secret ``db`` (key ``password``)."""
    namespace = unique(prefix)
    with admin_client(cluster) as admin:
        body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
        admin.request("POST", "/api/v1/namespaces", body=body)
        admin.request(
            "POST",
            f"/api/v1/namespaces/{namespace}/secrets",
            body={
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {"name": "db", "namespace": namespace},
                "data": {"password": b64("old-value")},
            },
        )
    return namespace
