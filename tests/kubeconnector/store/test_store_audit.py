"""The ledger chains every event and names each kind of tampering it finds."""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from kubeconnector.errors import InvalidInput, StorageError
from kubeconnector.models import AuditEvent, AuditQuery, ChainProblem, ProblemKind
from kubeconnector.store import AuditLog, Database
from kubeconnector.store.chain import event_digest

GENESIS = "0" * 64


@pytest.fixture
def ledger(database: Database, clock: Callable[[], datetime]) -> AuditLog:
    return AuditLog(database, clock=clock)


def _fill(ledger: AuditLog, count: int) -> None:
    for number in range(1, count + 1):
        ledger.append("alice", "change.approved", "change", f"chg-{number}", {"n": number})


def _tamper(database: Database, *statements: str) -> None:
    """Run raw SQL against the ledger the way an intruder with database access could."""
    with database.engine.begin() as conn:
        if database.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
        else:
            conn.execute(text("DROP TRIGGER audit_events_no_update"))
            conn.execute(text("DROP TRIGGER audit_events_no_delete"))
        for statement in statements:
            conn.execute(text(statement))


def _kinds(problems: tuple[ChainProblem, ...]) -> list[tuple[ProblemKind, int]]:
    return [(problem.kind, problem.seq) for problem in problems]


def test_appended_events_are_numbered_and_chained(ledger: AuditLog) -> None:
    first = ledger.append("alice", "connector.created", "connector", "c1", {"name": "prod"})
    second = ledger.append("system", "discovery.finished", "connector", "c1")
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert second.payload == {}
    assert first.ts == datetime(2025, 3, 1, 12, 1, tzinfo=UTC)


def test_the_hash_covers_the_canonical_encoding_of_every_field(ledger: AuditLog) -> None:
    event = ledger.append("alice", "connector.created", "connector", "c1", {"b": 1, "a": "é"})
    material = json.dumps(
        [
            "kubeconnector-audit-v1",
            1,
            event.id,
            "2025-03-01T12:01:00.000000Z",
            "alice",
            "connector.created",
            "connector",
            "c1",
            {"a": "é", "b": 1},
            GENESIS,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    assert event.hash == hashlib.sha256(material.encode()).hexdigest()


def test_an_intact_ledger_verifies_with_its_count_and_head(ledger: AuditLog) -> None:
    _fill(ledger, 5)
    report = ledger.verify()
    assert report.ok
    assert report.problems == ()
    assert report.count == 5
    assert (report.head_seq, report.head_hash) == ledger.head()
    assert report.head_hash == ledger.list()[-1].hash


def test_an_empty_ledger_verifies(ledger: AuditLog) -> None:
    report = ledger.verify()
    assert (report.ok, report.count, report.head_hash) == (True, 0, GENESIS)


def test_an_edited_payload_is_reported_as_modified_at_its_seq(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 4)
    target = ledger.list()[1]
    _tamper(database, """UPDATE audit_events SET payload = '{"n": 99}' WHERE seq = 2""")
    report = ledger.verify()
    assert not report.ok
    assert _kinds(report.problems) == [(ProblemKind.MODIFIED, 2)]
    assert report.problems[0].event_id == target.id
    assert report.problems[0].message == (
        f"event seq 2 (id {target.id}) does not match its hash: its content was modified"
    )


def _rehashed(event: AuditEvent, payload: dict[str, Any]) -> str:
    """The hash an intruder who knows the algorithm computes for an edited event."""
    return event_digest(event.model_copy(update={"payload": payload}))


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 3)
    second = ledger.list()[1]
    forged = _rehashed(second, {"n": 99})
    _tamper(
        database,
        f"""UPDATE audit_events SET payload = '{{"n": 99}}', hash = '{forged}' WHERE seq = 2""",
    )
    report = ledger.verify()
    assert _kinds(report.problems) == [(ProblemKind.BROKEN_LINK, 3)]
    assert report.problems[0].message == (
        "event seq 3 does not follow seq 2: its prev_hash is not the hash of seq 2 "
        "(that event was replaced or rehashed)"
    )


def test_a_rehashed_last_event_no_longer_matches_the_chain_head(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 3)
    forged = _rehashed(ledger.list()[2], {"n": 99})
    _tamper(
        database,
        f"""UPDATE audit_events SET payload = '{{"n": 99}}', hash = '{forged}' WHERE seq = 3""",
    )
    report = ledger.verify()
    assert _kinds(report.problems) == [(ProblemKind.HEAD_MISMATCH, 3)]
    assert report.problems[0].message == (
        "the last event (seq 3) is not the one the chain head recorded"
    )


def test_a_deleted_event_is_reported_as_missing_by_seq(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 4)
    _tamper(database, "DELETE FROM audit_events WHERE seq = 2")
    report = ledger.verify()
    assert _kinds(report.problems) == [(ProblemKind.MISSING, 2)]
    assert report.problems[0].message == "event seq 2 is missing: deleted from the ledger"
    assert report.count == 3


def test_events_deleted_from_the_end_are_caught_by_the_chain_head(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 5)
    _tamper(database, "DELETE FROM audit_events WHERE seq >= 4")
    report = ledger.verify()
    assert _kinds(report.problems) == [(ProblemKind.MISSING, 4)]
    assert report.problems[0].end_seq == 5
    assert report.problems[0].message == "events seq 4..5 are missing: deleted from the ledger"


def test_swapped_events_are_reported_as_reordered(ledger: AuditLog, database: Database) -> None:
    _fill(ledger, 4)
    second, third = ledger.list()[1:3]
    _tamper(
        database,
        "UPDATE audit_events SET seq = -1 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = -1",
    )
    report = ledger.verify()
    assert _kinds(report.problems) == [(ProblemKind.REORDERED, 2), (ProblemKind.REORDERED, 3)]
    assert report.problems[0].message == (
        f"event id {third.id} sits at seq 2 but was appended as seq 3: events were reordered"
    )
    assert report.problems[1].event_id == second.id


def test_an_event_moved_past_the_head_is_reported_as_moved_and_missing(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 3)
    _tamper(database, "UPDATE audit_events SET seq = 7 WHERE seq = 2")
    assert _kinds(ledger.verify().problems) == [
        (ProblemKind.MISSING, 2),
        (ProblemKind.MISSING, 4),
        (ProblemKind.UNEXPECTED, 4),
        (ProblemKind.REORDERED, 7),
    ]


def test_the_database_refuses_to_update_or_delete_ledger_events(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 1)
    for statement in ("UPDATE audit_events SET actor = 'mallory'", "DELETE FROM audit_events"):
        with (
            pytest.raises(DBAPIError, match="audit_events is append-only"),
            database.engine.begin() as conn,
        ):
            conn.execute(text(statement))
    assert ledger.verify().ok


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"password": "hunter2"}, "payload.password"),
        ({"spec": {"client-key-data": "LS0t"}}, "payload.spec.client-key-data"),
        ({"secret": "app/db", "data": {"k": "dg=="}}, "payload.data"),
        ({"items": [{"Token": "x"}]}, "payload.items[0].Token"),
        ({"note": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2ln"}, "payload.note"),
        ({"pem": "-----BEGIN RSA PRIVATE KEY-----\nMIIE"}, "payload.pem"),
    ],
)
def test_payloads_that_visibly_carry_secrets_are_refused(
    ledger: AuditLog, payload: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        ledger.append("alice", "secret.rotated", "secret", "app/db", payload)
    assert caught.value.field == field
    assert "hunter2" not in str(caught.value) and "MIIE" not in str(caught.value)
    assert ledger.verify().count == 0


def test_names_of_secrets_and_their_keys_are_allowed(ledger: AuditLog) -> None:
    event = ledger.append(
        "alice", "secret.rotated", "secret", "app/db", {"secret": "app/db", "keys": ["password"]}
    )
    assert event.payload == {"secret": "app/db", "keys": ["password"]}


def test_non_json_payloads_and_empty_fields_are_refused(ledger: AuditLog) -> None:
    with pytest.raises(InvalidInput, match="payload must be JSON"):
        ledger.append("alice", "x", "y", "z", {"ratio": float("nan")})
    with pytest.raises(InvalidInput, match="actor must be 1 to 255 characters"):
        ledger.append("", "x", "y", "z")


def test_the_ledger_lists_by_resource_actor_and_time_range(ledger: AuditLog) -> None:
    ledger.append("alice", "change.created", "change", "chg-1")  # 12:01
    ledger.append("bob", "change.approved", "change", "chg-1")  # 12:02
    ledger.append("alice", "change.created", "change", "chg-2")  # 12:03
    ledger.append("system", "change.executed", "change", "chg-1")  # 12:04

    def seqs(**filters: Any) -> list[int]:
        return [event.seq for event in ledger.list(AuditQuery(**filters))]

    assert seqs() == [1, 2, 3, 4]
    assert seqs(resource_type="change", resource_id="chg-1") == [1, 2, 4]
    assert seqs(actor="alice") == [1, 3]
    assert seqs(event_type="change.created") == [1, 3]
    start = datetime(2025, 3, 1, 12, 2, tzinfo=UTC)
    assert seqs(since=start, until=start + timedelta(minutes=2)) == [2, 3]
    assert seqs(limit=2, offset=1) == [2, 3]


def test_concurrent_appends_never_fork_the_chain(database: Database) -> None:
    threads_count, per_thread = 4, 15
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def append_many(worker: int) -> None:
        ledger = AuditLog(database)
        barrier.wait()
        try:
            for number in range(per_thread):
                ledger.append(f"worker-{worker}", "tick", "test", str(number))
        except (StorageError, InvalidInput) as exc:
            errors.append(exc)

    threads = [threading.Thread(target=append_many, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = AuditLog(database).verify()
    assert report.ok, report.problems
    assert report.count == report.head_seq == threads_count * per_thread


def test_an_event_appended_in_a_callers_transaction_rolls_back_with_it(
    ledger: AuditLog, database: Database
) -> None:
    _fill(ledger, 1)
    with pytest.raises(RuntimeError, match="state transition failed"), database.write() as session:
        ledger.append("alice", "change.executed", "change", "chg-1", session=session)
        raise RuntimeError("state transition failed")
    assert ledger.verify().count == 1
    with database.write() as session:
        ledger.append("alice", "change.executed", "change", "chg-1", session=session)
    assert [e.seq for e in ledger.list()] == [1, 2]
    assert ledger.verify().ok


def test_time_filters_must_carry_a_time_zone() -> None:
    with pytest.raises(ValueError, match="timezone"):
        AuditQuery(since=datetime(2025, 3, 1, 12, 0))
