"""The connector registry on SQLite and PostgreSQL: register, list, update, remove, audit, seal."""

from __future__ import annotations

import base64
import shutil
import subprocess
from typing import Any

import pytest
import yaml
from sqlalchemy import inspect, text
from tests.kubeconnector.connectors.conftest import events
from tests.kubeconnector.dbfixtures import DatabaseTarget
from tests.kubeconnector.kube.kubefixtures import (
    TOKEN,
    b64,
    ca_pair,
    certificate_user,
    client_pair,
    document,
    dump,
)

from kubeconnector.connectors import ConnectorService
from kubeconnector.crypto import KeyRing
from kubeconnector.errors import InvalidInput, RecordExists, RecordNotFound
from kubeconnector.models import Environment
from kubeconnector.store import AuditLog, ConnectorRepository, Database

pytestmark = pytest.mark.usefixtures("database_target")


@pytest.fixture
def registry(database: Database, key_ring: KeyRing) -> ConnectorService:
    return ConnectorService(ConnectorRepository(database, key_ring), AuditLog(database), "alice")


def test_a_connector_is_registered_with_its_fields_and_a_created_event(
    registry: ConnectorService, database: Database
) -> None:
    done = registry.add("prod-k8s", dump(document()), namespace="apps", environment="prod")
    connector = registry.get("prod-k8s")
    assert connector == done.connector
    assert (connector.environment, connector.namespace, connector.context) == (
        Environment.PROD,
        "apps",
        "prod-ctx",
    )
    assert connector.server == "https://k8s.example.com:6443"
    (event,) = events(database, "connector.created")
    assert (event.actor, event.resource_id) == ("alice", connector.id)
    assert event.payload == {
        "name": "prod-k8s",
        "environment": "prod",
        "context": "prod-ctx",
        "namespace": "apps",
        "server": "https://k8s.example.com:6443",
        "authKind": "token",
        "warnings": [],
    }


def test_the_environment_defaults_to_dev(registry: ConnectorService) -> None:
    assert registry.add("k", dump(document())).connector.environment is Environment.DEV


def test_the_sealed_kubeconfig_is_the_single_chosen_context(
    registry: ConnectorService, database: Database, key_ring: KeyRing
) -> None:
    doc = document()
    doc["users"].append({"name": "root", "user": {"token": "another-clusters-token"}})
    added = registry.add("prod-k8s", dump(doc)).connector
    stored = yaml.safe_load(ConnectorRepository(database, key_ring).kubeconfig(added.id))
    assert [u["name"] for u in stored["users"]] == ["deployer"]
    assert stored["current-context"] == "prod-ctx"


def test_names_are_unique(registry: ConnectorService, database: Database) -> None:
    registry.add("prod-k8s", dump(document()))
    with pytest.raises(RecordExists) as caught:
        registry.add("prod-k8s", dump(document()))
    assert str(caught.value) == "a connector named 'prod-k8s' already exists"
    assert [c.name for c in registry.list()] == ["prod-k8s"]
    assert len(events(database, "connector.created")) == 1


def test_insecure_skip_tls_verify_is_kept_as_a_warning_of_the_connector(
    registry: ConnectorService,
) -> None:
    doc = document(cluster={"insecure-skip-tls-verify": True, "certificate-authority-data": None})
    registry.add("lab", dump(doc))
    (warning,) = registry.get("lab").warnings
    assert "insecure-skip-tls-verify" in warning
    assert registry.list()[0].warnings == (warning,)


def test_an_update_replaces_the_kubeconfig_and_records_what_changed(
    registry: ConnectorService, database: Database, key_ring: KeyRing
) -> None:
    added = registry.add("prod-k8s", dump(document()), namespace="apps").connector
    new = document(cluster={"server": "https://new.example.com"}, user=certificate_user())
    done = registry.update("prod-k8s", kubeconfig=dump(new), all_namespaces=True)
    assert (done.connector.server, done.connector.namespace) == ("https://new.example.com", None)
    assert done.summary is not None and done.summary.auth_kind == "client-certificate"
    stored = ConnectorRepository(database, key_ring).kubeconfig(added.id)
    assert TOKEN not in stored and b64(client_pair().key) in stored
    (event,) = events(database, "connector.updated")
    assert event.payload == {
        "name": "prod-k8s",
        "fields": ["context", "namespace"],
        "kubeconfigReplaced": True,
    }


def test_an_update_without_changes_or_with_a_context_alone_is_refused(
    registry: ConnectorService,
) -> None:
    registry.add("prod-k8s", dump(document()))
    with pytest.raises(InvalidInput, match="nothing to change"):
        registry.update("prod-k8s")
    with pytest.raises(InvalidInput) as caught:
        registry.update("prod-k8s", context="other")
    assert caught.value.field == "context"


def test_removing_a_connector_keeps_its_ledger_events(
    registry: ConnectorService, database: Database
) -> None:
    added = registry.add("prod-k8s", dump(document())).connector
    removed = registry.remove("prod-k8s")
    assert removed.id == added.id
    with pytest.raises(RecordNotFound, match="connector 'prod-k8s' not found"):
        registry.get("prod-k8s")
    assert [e.event_type for e in events(database)] == ["connector.created", "connector.removed"]


def test_opening_a_client_appends_one_decryption_event_per_use(
    registry: ConnectorService, database: Database
) -> None:
    connector = registry.add("prod-k8s", dump(document())).connector
    for operation in ("test", "discover", "change:4f1c"):
        with registry.open_client("prod-k8s", operation) as client:
            assert client.server == "https://k8s.example.com:6443"
    decryptions = events(database, "connector.decrypted")
    assert [(e.actor, e.resource_id, e.payload) for e in decryptions] == [
        ("alice", connector.id, {"name": "prod-k8s", "operation": op})
        for op in ("test", "discover", "change:4f1c")
    ]


@pytest.mark.parametrize("operation", ["", "Test", "change:", "a b", "x" * 40])
def test_an_invalid_operation_is_refused_before_anything_is_decrypted(
    registry: ConnectorService, database: Database, operation: str
) -> None:
    registry.add("prod-k8s", dump(document()))
    with pytest.raises(InvalidInput) as caught, registry.open_client("prod-k8s", operation):
        pass
    assert caught.value.field == "operation"
    assert events(database, "connector.decrypted") == []


def _base64_cores(value: bytes) -> set[bytes]:
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + value).rstrip(b"=")
        cores.add(encoded[4:-4])
    return cores


def _raw(target: DatabaseTarget, database: Database) -> bytes:
    if target.dialect == "sqlite":
        assert target.sqlite_path is not None
        path = target.sqlite_path
        files = [path, path.with_name(path.name + "-wal")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    if shutil.which("pg_dump"):
        url = database.engine.url
        command = ["pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
                   "-U", url.username or "postgres", "-n", str(target.pg_schema),
                   str(target.pg_database)]  # fmt: skip
        return subprocess.run(command, check=True, capture_output=True, timeout=60).stdout
    rows: list[Any] = []
    with database.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            rows += [repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(rows).encode()


def test_no_token_key_or_kubeconfig_text_reaches_the_database(
    registry: ConnectorService, database: Database, database_target: DatabaseTarget
) -> None:
    pair = client_pair()
    user = {"token": TOKEN, **certificate_user(pair)}
    registry.add("prod-k8s", dump(document(user=user)))
    with registry.open_client("prod-k8s", "test"):
        pass
    raw = _raw(database_target, database)
    assert b"kc1:" in raw and b"connector.decrypted" in raw, "the scan must see the stored data"
    key_body = pair.key.splitlines()[1]
    needles = {TOKEN.encode(), key_body, b64(pair.key).encode(), b"client-key-data",
               b"current-context", b64(ca_pair().cert).encode()[:40]}  # fmt: skip
    needles |= _base64_cores(TOKEN.encode()) | _base64_cores(key_body)
    assert sorted(n for n in needles if n in raw) == []
