"""After Secret rotations with given and generated values, no value is readable anywhere.

A rotation with a given value and a generated one is planned, approved, executed and rolled
back through the CLI, and a second one fails on a concurrent edit. Then the old, given and
generated values (and their base64 forms) are searched for in: the raw database (SQLite files,
or a PostgreSQL dump), every log record at DEBUG, every CLI output, and every ledger event.
"""

from __future__ import annotations

import base64
import json
import logging
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from tests.kubeconnector.changes.engine.engine_support import Engine, b64, engine_for
from tests.kubeconnector.dbfixtures import DatabaseTarget
from typer.testing import CliRunner

from kubeconnector.cli import app
from kubesim import Cluster

OLD = f"old-{secrets.token_hex(12)}"
GIVEN = f"given-{secrets.token_hex(12)}"
EDITED = f"edited-{secrets.token_hex(12)}"


def base64_cores(value: str) -> set[str]:
    """The part of ``value``'s base64 that is the same wherever it sits in a longer text."""
    cores = set()
    for shift in range(3):
        encoded = base64.b64encode(b"\0" * shift + value.encode()).decode().rstrip("=")
        cores.add(encoded[4:-4])
    return cores


def needles(*values: str) -> set[str]:
    return {form for value in values for form in (value, *base64_cores(value))}


class Transcript:
    """Runs CLI commands and keeps everything they printed."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.text: list[str] = []

    def __call__(self, *args: str, user: str = "alice") -> Any:
        env = {**self.engine.env, "KUBECONNECTOR_USER": user}
        result = CliRunner().invoke(app, [*args, "--json"], env=env, catch_exceptions=False)
        self.text += [result.stdout, result.stderr]
        table = (
            CliRunner().invoke(app, list(args), env=env) if args[1] in {"show", "list"} else None
        )
        if table is not None:
            self.text += [table.stdout, table.stderr]
        return json.loads(result.stdout)


def raw_database(target: DatabaseTarget, engine: Engine) -> bytes:
    if target.dialect == "sqlite":
        path = target.sqlite_path or engine.home / "kubeconnector.db"
        files = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]
        return b"".join(f.read_bytes() for f in files if f.exists())
    assert shutil.which("pg_dump"), "pg_dump is needed for the PostgreSQL scan"
    url = engine.session.database.engine.url
    command = [
        "pg_dump", "-h", url.host or "127.0.0.1", "-p", str(url.port or 5432),
        "-U", url.username or "postgres", "-n", target.pg_schema or "", target.pg_database or "",
    ]  # fmt: skip
    return subprocess.run(command, check=True, capture_output=True, timeout=60).stdout


def rotate_and_roll_back(cli: Transcript, namespace: str) -> tuple[str, str]:
    params = ["--param", f"namespace={namespace}", "--param", "name=db"]
    params += ["--param", f"value.password={GIVEN}", "--param", "generate.api_key=40"]
    planned = cli("change", "plan", "sim", "rotate-secret", *params)
    change_id = planned["id"]
    cli("change", "approve", change_id, user="bob")
    assert cli("change", "execute", change_id, user="bob")["state"] == "completed"
    data = cli.engine.get(f"/api/v1/namespaces/{namespace}/secrets/db")["data"]
    generated = base64.b64decode(data["api_key"]).decode()
    assert base64.b64decode(data["password"]).decode() == GIVEN
    cli("change", "show", change_id)
    cli("change", "list")
    rolled = cli("change", "rollback", change_id, user="carol")
    assert rolled["state"] == "completed"
    return change_id, generated


def fail_on_edit(cli: Transcript, namespace: str) -> None:
    params = ["--param", f"namespace={namespace}", "--param", "name=db"]
    planned = cli("change", "plan", "sim", "rotate-secret", *params,
                  "--param", f"value.password={GIVEN}x")  # fmt: skip
    change_id = planned["id"]
    cli("change", "approve", change_id, user="bob")
    path = f"/api/v1/namespaces/{namespace}/secrets/db"
    edited = cli.engine.get(path)
    edited["data"]["password"] = b64(EDITED)
    cli.engine.admin.request("PUT", path, body=edited)
    assert cli("change", "execute", change_id, user="bob")["state"] == "failed"
    cli("change", "show", change_id)


@pytest.mark.slow
def test_no_secret_value_is_readable_in_the_database_logs_output_or_ledger(
    kubesim_cluster: Cluster,
    tmp_path: Path,
    database_target: DatabaseTarget,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    with engine_for(kubesim_cluster, tmp_path / "home", database_target.url) as engine:
        namespace = engine.namespace()
        engine.secret(namespace, "db", {"password": OLD, "api_key": OLD + "-key"})
        cli = Transcript(engine)
        change_id, generated = rotate_and_roll_back(cli, namespace)
        fail_on_edit(cli, namespace)
        ledger = "\n".join(e.model_dump_json() for e in engine.events())
        raw = raw_database(database_target, engine)
    logs = caplog.text + "\n".join(str(r.args) for r in caplog.records)
    assert change_id.encode() in raw and b"hmac:" in raw, "the scan must see the records"
    assert "change.snapshot.saved" in ledger and "change execute" not in ledger
    forbidden = needles(OLD, OLD + "-key", GIVEN, GIVEN + "x", generated)
    places = {"database": raw.decode("latin-1"), "logs": logs, "cli": "\n".join(cli.text),
              "ledger": ledger}  # fmt: skip
    leaks = sorted((place, n) for place, body in places.items() for n in forbidden if n in body)
    assert leaks == []
