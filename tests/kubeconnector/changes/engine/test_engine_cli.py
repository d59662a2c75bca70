"""``kubeconnector change ...`` and ``kubeconnector audit ...`` against kubesim.

A Secret rotation goes through the whole story (plan, approve, execute, show, list, roll back,
the ledger); refusals exit non-zero with one line on stderr; ``audit verify`` names edited,
deleted and reordered events.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from tests.kubeconnector.changes.engine.engine_support import Engine, b64, engine_for
from typer.testing import CliRunner

from kubeconnector.cli import app
from kubesim import Cluster


@dataclass(frozen=True)
class Run:
    """What one command did."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


@pytest.fixture
def engine(kubesim_cluster: Cluster, tmp_path: Path) -> Iterator[Engine]:
    with engine_for(kubesim_cluster, tmp_path / "home") as built:
        yield built


def run(engine: Engine, *args: str, user: str = "alice") -> Run:
    env = {**engine.env, "KUBECONNECTOR_USER": user}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    return Run(result.exit_code, result.stdout, result.stderr)


def planned_rotation(engine: Engine, value: str = "n3w-pa55word") -> tuple[str, str]:
    namespace = engine.namespace()
    engine.secret(namespace, "db", {"password": "old-pa55word", "user": "app"})
    out = run(
        engine, "change", "plan", "sim", "rotate-secret", "--param", f"namespace={namespace}",
        "--param", "name=db", "--param", f"value.password={value}", "--json",
    )  # fmt: skip
    assert out.code == 0, out.stderr
    return out.json()["id"], namespace


def test_a_rotation_goes_from_plan_to_rollback_through_the_cli(engine: Engine) -> None:
    change_id, namespace = planned_rotation(engine)
    path = f"/api/v1/namespaces/{namespace}/secrets/db"
    shown = run(engine, "change", "show", change_id, "--json").json()
    assert (shown["state"], shown["action"], shown["required_approvals"]) == (
        "planned",
        "rotate-secret",
        1,
    )
    assert shown["plan"]["diff"][0]["path"] == "data.password"
    assert shown["risk"]["level"] == "medium"
    approved = run(engine, "change", "approve", change_id, "--as", "bob", "--comment", "ok")
    assert approved.code == 0 and "approved" in approved.stdout
    executed = run(engine, "change", "execute", change_id, "--as", "bob", "--json")
    assert executed.code == 0, executed.stderr
    assert executed.json()["state"] == "completed"
    assert engine.get(path)["data"]["password"] == b64("n3w-pa55word")
    listed = run(engine, "change", "list", "--json").json()
    assert [c["id"] for c in listed] == [change_id]
    rolled = run(engine, "change", "rollback", change_id, "--as", "carol", "--json")
    assert rolled.code == 0, rolled.stderr
    assert rolled.json()["rollback_of"] == change_id
    assert engine.get(path)["data"]["password"] == b64("old-pa55word")
    assert run(engine, "change", "show", change_id, "--json").json()["state"] == "rolled_back"
    events = run(engine, "audit", "list", "--change", change_id, "--json").json()
    types = [e["event_type"] for e in events]
    assert types[:2] == ["change.created", "change.secret.sealed"]
    assert types[-1] == "change.rolled_back"
    verified = run(engine, "audit", "verify")
    assert verified.code == 0 and "ledger intact" in verified.stdout


def test_the_table_output_shows_the_plan_and_the_risk(engine: Engine) -> None:
    change_id, _ = planned_rotation(engine)
    out = run(engine, "change", "show", change_id)
    assert out.code == 0
    for expected in (change_id, "data.password", "5/10 medium", "base score 5 for rotate-secret",
                     "dry-run", "rollback available: yes"):  # fmt: skip
        assert expected in out.stdout


def test_the_requester_cannot_approve_their_own_change(engine: Engine) -> None:
    change_id, _ = planned_rotation(engine)
    out = run(engine, "change", "approve", change_id)
    assert out.code == 20
    assert out.stderr.startswith(f"error: alice requested change {change_id} and cannot approve")


def test_an_edit_after_the_plan_fails_the_change_and_leaves_the_secret_alone(
    engine: Engine,
) -> None:
    change_id, namespace = planned_rotation(engine)
    run(engine, "change", "approve", change_id, "--as", "bob")
    path = f"/api/v1/namespaces/{namespace}/secrets/db"
    edited = engine.get(path)
    edited["data"]["password"] = b64("someone-else")
    engine.admin.request("PUT", path, body=edited)
    out = run(engine, "change", "execute", change_id, "--as", "bob", "--json")
    assert out.code == 20
    assert out.json()["state"] == "failed"
    assert out.stderr.startswith(f"error: change {change_id} failed: ")
    assert engine.get(path)["data"]["password"] == b64("someone-else")


def test_a_malformed_param_is_a_usage_error(engine: Engine) -> None:
    out = run(engine, "change", "plan", "sim", "rotate-secret", "--param", "namespace")
    assert (out.code, out.stderr) == (
        2,
        "error: --param must be key=value (e.g. --param namespace=shop)\n",
    )


def test_resume_needs_an_id_or_all(engine: Engine) -> None:
    assert run(engine, "change", "resume").code == 2
    out = run(engine, "change", "resume", "--all", "--json")
    assert (out.code, out.json()) == (0, [])


def test_audit_list_filters_by_actor_and_time(engine: Engine) -> None:
    change_id, _ = planned_rotation(engine)
    run(engine, "change", "approve", change_id, "--as", "bob")
    by_bob = run(engine, "audit", "list", "--actor", "bob", "--json").json()
    assert {e["event_type"] for e in by_bob} == {"change.approval", "change.approved"}
    future = run(engine, "audit", "list", "--since", "2999-01-01T00:00Z", "--json").json()
    assert future == []
    past = run(engine, "audit", "list", "--until", "2000-01-01T00:00:00+00:00", "--json").json()
    assert past == []
    bad = run(engine, "audit", "list", "--since", "yesterday")
    assert bad.code == 2 and "--since must be an ISO 8601 time" in bad.stderr


def tamper(engine: Engine, *statements: str) -> None:
    """Edit the ledger behind kubeconnector's back (its triggers dropped first)."""
    with engine.session.database.engine.begin() as conn:
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_update")
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_events_no_delete")
        for statement in statements:
            conn.execute(text(statement))


@pytest.fixture
def ledger(engine: Engine) -> Engine:
    change_id, _ = planned_rotation(engine)
    run(engine, "change", "approve", change_id, "--as", "bob")
    assert run(engine, "audit", "verify").code == 0
    return engine


def test_audit_verify_names_an_edited_event(ledger: Engine) -> None:
    tamper(ledger, "UPDATE audit_events SET actor = 'mallory' WHERE seq = 3")
    out = run(ledger, "audit", "verify", "--json")
    assert out.code == 9
    report = out.json()
    assert not report["ok"]
    assert [(p["kind"], p["seq"]) for p in report["problems"]] == [("modified", 3)]
    assert "event seq 3" in out.stderr and "its content was modified" in out.stderr


def test_audit_verify_names_a_deleted_event(ledger: Engine) -> None:
    tamper(ledger, "DELETE FROM audit_events WHERE seq = 4")
    out = run(ledger, "audit", "verify")
    assert out.code == 9
    assert "event seq 4 is missing: deleted from the ledger" in out.stdout
    assert out.stderr == (
        "error: the ledger was tampered with: event seq 4 is missing: deleted from the ledger\n"
    )


def test_audit_verify_names_reordered_events(ledger: Engine) -> None:
    tamper(
        ledger,
        "UPDATE audit_events SET seq = -1 WHERE seq = 5",
        "UPDATE audit_events SET seq = 5 WHERE seq = 6",
        "UPDATE audit_events SET seq = 6 WHERE seq = -1",
    )
    out = run(ledger, "audit", "verify", "--json")
    assert out.code == 9
    kinds = {(p["kind"], p["seq"]) for p in out.json()["problems"]}
    assert {("reordered", 5), ("reordered", 6)} <= kinds
