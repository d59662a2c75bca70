"""No kubeconfig secret reaches the database in readable form, on SQLite or PostgreSQL.

A connector is stored whose kubeconfig holds a known token, client key and client certificate;
then the raw database (SQLite files, or a PostgreSQL dump) is searched for those strings, for
their base64 forms, and for the kubeconfig's own structure.
"""

from __future__ import annotations

import base64
import secrets
import shutil
import subprocess
from typing import Any

from sqlalchemy import inspect, text

from kubeconnector.crypto import KeyRing
from kubeconnector.models import (
    AssetKey,
    DiscoveredAsset,
    DiscoveredRelation,
    Environment,
    NewConnector,
)
from kubeconnector.store import AssetRepository, AuditLog, ConnectorRepository, Database

TOKEN = f"kc-plaintext-token-{secrets.token_hex(16)}"
KEY_PEM = (
    "-----BEGIN EC PRIVATE KEY-----\n"
    f"{base64.b64encode(secrets.token_bytes(48)).decode()}\n"
    "-----END EC PRIVATE KEY-----\n"
)
CERT_PEM = (
    "-----BEGIN CERTIFICATE-----\n"
    f"{base64.b64encode(secrets.token_bytes(48)).decode()}\n"
    "-----END CERTIFICATE-----\n"
)
CLIENT_KEY_DATA = base64.b64encode(KEY_PEM.encode()).decode()
CLIENT_CERT_DATA = base64.b64encode(CERT_PEM.encode()).decode()
KUBECONFIG = f"""apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster:
    server: https://10.1.2.3:6443
contexts:
- name: prod
  context: {{cluster: prod, user: admin}}
users:
- name: admin
  user:
    token: {TOKEN}
    client-key-data: {CLIENT_KEY_DATA}
    client-certificate-data: {CLIENT_CERT_DATA}
"""


def _base64_cores(value: str) -> set[str]:
    """The part of ``value``'s base64 that is the same wherever it sits in a longer text."""
    cores = set()
    for shift in range(3):
        for encode in (base64.b64encode, base64.urlsafe_b64encode):
            encoded = encode(b"\0" * shift + value.encode()).decode().rstrip("=")
            cores.add(encoded[4:-4])
    return cores


NEEDLES = {
    TOKEN,
    KEY_PEM.splitlines()[1],
    CERT_PEM.splitlines()[1],
    CLIENT_KEY_DATA,
    CLIENT_CERT_DATA,
    "client-key-data",
    "current-context",
    *_base64_cores(TOKEN),
    *_base64_cores(KEY_PEM.splitlines()[1]),
    *_base64_cores(KUBECONFIG[:64]),
}


def _populate(database: Database) -> None:
    connector = ConnectorRepository(database, KeyRing.generate()).add(
        NewConnector(name="prod", environment=Environment.PROD, server="https://10.1.2.3:6443"),
        KUBECONFIG,
    )
    AuditLog(database).append(
        "alice", "connector.created", "connector", connector.id, {"name": "prod"}
    )
    assets = AssetRepository(database)
    run = assets.start_run(connector.id)
    secret = DiscoveredAsset(
        kind="Secret", namespace="app", name="db", uid="u1", details={"keys": ["password"]}
    )
    relation = DiscoveredRelation(
        relation_type="consumes-secret",
        source=AssetKey(kind="Deployment", namespace="app", name="api"),
        target=secret.key,
    )
    assets.replace_inventory(run.id, [secret], [relation])


def _sqlite_bytes(target: Any) -> bytes:
    path = target.sqlite_path
    files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
    return b"".join(f.read_bytes() for f in files if f.exists())


def _postgres_dump(target: Any, database: Database) -> bytes:
    if shutil.which("pg_dump"):
        url = database.engine.url
        where = [
            "-h",
            url.host or "127.0.0.1",
            "-p",
            str(url.port or 5432),
            "-U",
            url.username or "postgres",
        ]
        command = ["pg_dump", *where, "-n", target.pg_schema, target.pg_database]
        return subprocess.run(command, check=True, capture_output=True, timeout=60).stdout
    dump = []
    with database.engine.connect() as conn:
        for table in inspect(conn).get_table_names():
            dump += [repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))]
    return "\n".join(dump).encode()


def test_no_kubeconfig_secret_appears_in_the_raw_database(database_target: Any) -> None:
    with Database.open(database_target.url) as database:
        _populate(database)
        if database_target.dialect == "sqlite":
            raw = _sqlite_bytes(database_target)
        else:
            raw = _postgres_dump(database_target, database)
    assert b"kc1:" in raw, "the scan must see the stored data"
    assert b"consumes-secret" in raw
    found = sorted(needle for needle in NEEDLES if needle.encode() in raw)
    assert found == []
