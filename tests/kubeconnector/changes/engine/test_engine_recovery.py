"""Rollback records, automatic rollback, and resuming after a crash at every failpoint.

A failpoint here raises `Killed` instead of killing the process (the subprocess crash tests
against kubesim use the real SIGKILL); what matters is what was committed when it fired.
Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.kubeconnector.changes.engine.engine_fakes import (
    FakeAction,
    Killed,
    NoRollbackAction,
    Rig,
    rig,
)

from kubeconnector.changes.base import Journal
from kubeconnector.crypto import KeyRing
from kubeconnector.errors import (
    ClusterUnreachable,
    IllegalTransition,
    RollbackRefused,
    RolloutFailed,
)
from kubeconnector.models.changes import ChangeState, StepPhase
from kubeconnector.store import Database

S = ChangeState


@pytest.fixture
def engine(database: Database, key_ring: KeyRing) -> Rig:
    return rig(database, key_ring)


def approved(r: Rig, **raw: str) -> str:
    change_id = r.service.plan("sim", r.action.id.value, raw, "alice").id
    for approver in ("bob", "carol"):
        if r.service.approve(change_id, approver).state == S.APPROVED:
            break
    return change_id


def completed(r: Rig, **raw: str) -> str:
    change_id = approved(r, **raw)
    assert r.service.execute(change_id, "bob").state == S.COMPLETED
    return change_id


def test_a_rollback_runs_as_its_own_linked_record(engine: Rig) -> None:
    change_id = completed(engine)
    rollback = engine.service.rollback(change_id, "carol")
    original = engine.service.show(change_id)
    assert (rollback.state, original.state) == (S.COMPLETED, S.ROLLED_BACK)
    assert (rollback.rollback_of, original.rollback_id) == (change_id, rollback.id)
    assert [a.approver for a in rollback.approvals] == ["policy"]
    assert rollback.requester == "carol"
    assert rollback.result == {"replicas": 3}
    assert engine.action.calls[-1] == ("rollback", {
        "name": "web", "password": None, "force": False, "auto_rollback": False,
    })  # fmt: skip
    decrypted = [e.payload for e in engine.audit.list()
                 if e.event_type == "change.snapshot.decrypted"]  # fmt: skip
    assert decrypted == [{"of": change_id, "operation": f"change:{rollback.id}"}]


def test_rollback_passes_force_to_the_action(engine: Rig) -> None:
    change_id = completed(engine)
    engine.service.rollback(change_id, "carol", force=True)
    assert engine.action.calls[-1][1]["force"] is True


def test_an_action_without_rollback_is_refused_in_the_products_words(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring, NoRollbackAction())
    change_id = completed(r)
    with pytest.raises(RollbackRefused) as raised:
        r.service.rollback(change_id, "carol")
    assert str(raised.value) == (
        "Rotate Service Account Token has no rollback: No rollback (old token is gone once deleted)"
    )


def test_only_a_completed_or_failed_change_can_be_rolled_back(engine: Rig) -> None:
    change_id = approved(engine)
    with pytest.raises(RollbackRefused) as raised:
        engine.service.rollback(change_id, "carol")
    assert str(raised.value) == (
        f"change {change_id} is approved; only a completed or failed change can be rolled back"
    )


def test_a_change_that_failed_before_its_snapshot_has_nothing_to_roll_back(
    engine: Rig,
) -> None:
    def early(journal: Journal) -> dict[str, Any]:
        raise ClusterUnreachable("connection refused")

    engine.action.on_execute = early
    change_id = approved(engine)
    assert engine.service.execute(change_id, "bob").state == S.FAILED
    with pytest.raises(RollbackRefused) as raised:
        engine.service.rollback(change_id, "carol")
    assert str(raised.value).startswith("No snapshot available: ")


def test_a_change_that_never_wrote_has_nothing_to_roll_back(engine: Rig) -> None:
    def snapshot_only(journal: Journal) -> dict[str, Any]:
        journal.save_snapshot({"replicas": 3})
        raise ClusterUnreachable("connection refused")

    engine.action.on_execute = snapshot_only
    change_id = approved(engine)
    engine.service.execute(change_id, "bob")
    with pytest.raises(RollbackRefused) as raised:
        engine.service.rollback(change_id, "carol")
    assert str(raised.value) == f"nothing to roll back: change {change_id} never sent a write"


def test_a_change_is_rolled_back_once_and_a_rollback_is_not_rolled_back(engine: Rig) -> None:
    change_id = completed(engine)
    rollback = engine.service.rollback(change_id, "carol")
    with pytest.raises(RollbackRefused):
        engine.service.rollback(change_id, "carol")
    with pytest.raises(RollbackRefused) as raised:
        engine.service.rollback(rollback.id, "carol")
    assert "is itself the rollback of" in str(raised.value)


def test_a_failed_rollback_stays_visible_and_may_be_retried(engine: Rig) -> None:
    change_id = completed(engine)

    def drifted(journal: Journal) -> dict[str, Any]:
        raise RollbackRefused("resource state has changed: spec.replicas is 7, not 5")

    engine.action.on_rollback = drifted
    failed = engine.service.rollback(change_id, "carol")
    assert failed.state == S.FAILED
    assert failed.error == "resource state has changed: spec.replicas is 7, not 5"
    assert engine.service.show(change_id).state == S.COMPLETED
    engine.action.on_rollback = FakeAction().on_rollback
    retried = engine.service.rollback(change_id, "carol", force=True)
    assert retried.state == S.COMPLETED and retried.id != failed.id
    original = engine.service.show(change_id)
    assert (original.state, original.rollback_id) == (S.ROLLED_BACK, retried.id)


def rollout_fails(journal: Journal) -> dict[str, Any]:
    journal.save_snapshot({"replicas": 3})
    journal.intent("scale", {})
    journal.done("scale", {})
    raise RolloutFailed("rollout failed: deployment web exceeded its progress deadline")


def test_a_failed_rollout_without_auto_rollback_just_fails(engine: Rig) -> None:
    engine.action.on_execute = rollout_fails
    record = engine.service.execute(approved(engine), "bob")
    assert record.state == S.FAILED
    assert record.error == "rollout failed: deployment web exceeded its progress deadline"
    assert record.rollback_id is None


def test_a_failed_rollout_with_auto_rollback_runs_and_records_the_rollback(engine: Rig) -> None:
    engine.action.on_execute = rollout_fails
    change_id = approved(engine, auto_rollback="true")
    record = engine.service.execute(change_id, "bob")
    assert record.state == S.ROLLED_BACK
    assert record.error == "rollout failed: deployment web exceeded its progress deadline"
    rollback = engine.service.show(record.rollback_id or "")
    assert (rollback.state, rollback.rollback_of) == (S.COMPLETED, change_id)
    planned = [e for e in engine.audit.list()
               if e.resource_id == rollback.id and e.event_type == "change.planned"]  # fmt: skip
    assert (
        planned[0].payload["reason"] == "automatic rollback after a failed rollout (auto_rollback)"
    )


def test_auto_rollback_does_not_follow_other_failures(engine: Rig) -> None:
    def refused(journal: Journal) -> dict[str, Any]:
        journal.save_snapshot({})
        journal.intent("scale", {})
        raise ClusterUnreachable("connection dropped")

    engine.action.on_execute = refused
    record = engine.service.execute(approved(engine, auto_rollback="true"), "bob")
    assert (record.state, record.rollback_id) == (S.FAILED, None)


def crash(database: Database, key_ring: KeyRing, failpoint: str) -> tuple[Rig, str]:
    """Approve a change, execute it with ``failpoint`` armed; return a fresh rig and its id."""
    armed = rig(database, key_ring, failpoint=failpoint)
    change_id = approved(armed)
    with pytest.raises(Killed):
        armed.service.execute(change_id, "bob")
    assert armed.killed == [failpoint]
    return rig(database, key_ring), change_id


@pytest.mark.parametrize(
    ("failpoint", "state", "resumed_by"),
    [
        ("transition:executing", S.EXECUTING, "execute"),
        ("snapshot:before", S.EXECUTING, "execute"),
        ("snapshot:after", S.EXECUTING, "execute"),
        ("scale:before", S.EXECUTING, "resume"),
        ("scale:after", S.EXECUTING, "resume"),
        ("scale:done", S.EXECUTING, "resume"),
        ("transition:verifying", S.VERIFYING, "resume"),
    ],
)
def test_resume_finishes_a_change_killed_at_any_point(
    database: Database, key_ring: KeyRing, failpoint: str, state: ChangeState, resumed_by: str
) -> None:
    after, change_id = crash(database, key_ring, failpoint)
    assert after.service.show(change_id).state == state
    record = after.service.resume(change_id, "carol")
    assert record.state == S.COMPLETED
    assert after.action.names() == [resumed_by]
    intents = [s for s in record.steps if s.phase == StepPhase.INTENT]
    assert len(intents) == 1  # the fake's resume writes nothing; a restart writes once


def test_a_restarted_execution_replaces_a_snapshot_no_write_depended_on(
    database: Database, key_ring: KeyRing
) -> None:
    after, change_id = crash(database, key_ring, "snapshot:after")
    record = after.service.resume(change_id, "carol")
    assert record.state == S.COMPLETED
    saved = [e for e in after.audit.list()
             if e.resource_id == change_id and e.event_type == "change.snapshot.saved"]  # fmt: skip
    assert len(saved) == 2


def test_a_change_killed_after_completing_is_not_resumed(
    database: Database, key_ring: KeyRing
) -> None:
    after, change_id = crash(database, key_ring, "transition:completed")
    with pytest.raises(IllegalTransition) as raised:
        after.service.resume(change_id, "carol")
    assert str(raised.value) == (
        f"change {change_id} is completed: only an executing or verifying change can be resumed"
    )


def test_a_resume_that_fails_ends_failed_and_offers_the_rollback(
    database: Database, key_ring: KeyRing
) -> None:
    after, change_id = crash(database, key_ring, "scale:after")

    def unknowable(journal: Journal) -> dict[str, Any]:
        raise ClusterUnreachable("connection refused")

    after.action.on_resume = unknowable
    record = after.service.resume(change_id, "carol")
    assert record.state == S.FAILED
    assert record.result["rollback"] == f"kubeconnector change rollback {change_id}"


@pytest.mark.parametrize("failpoint", ["restore:before", "restore:after", "transition:verifying"])
def test_an_interrupted_rollback_is_finished_by_rolling_back_again(
    database: Database, key_ring: KeyRing, failpoint: str
) -> None:
    first = rig(database, key_ring)
    change_id = completed(first)
    armed = rig(database, key_ring, failpoint=failpoint)
    with pytest.raises(Killed):
        armed.service.rollback(change_id, "carol")
    after = rig(database, key_ring)
    rollback_id = after.service.show(change_id).rollback_id or ""
    record = after.service.resume(rollback_id, "carol")
    assert record.state == S.COMPLETED
    assert after.action.names() == ["rollback"]  # a rollback record is finished by rollback
    assert after.service.show(change_id).state == S.ROLLED_BACK


def test_a_rollback_completed_just_before_a_crash_marks_its_change(
    database: Database, key_ring: KeyRing
) -> None:
    change_id = completed(rig(database, key_ring))
    armed = rig(database, key_ring, failpoint="transition:completed")
    with pytest.raises(Killed):
        armed.service.rollback(change_id, "carol")
    after = rig(database, key_ring)
    assert after.service.show(change_id).state == S.COMPLETED
    assert after.service.resume(change_id, "carol").state == S.ROLLED_BACK
    assert after.action.names() == []


def test_resume_all_finishes_every_change_in_flight_and_survives_a_failure(
    database: Database, key_ring: KeyRing
) -> None:
    _, first = crash(database, key_ring, "scale:before")
    _, second = crash(database, key_ring, "transition:verifying")
    change_id = completed(rig(database, key_ring))
    armed = rig(database, key_ring, failpoint="transition:completed")
    with pytest.raises(Killed):
        armed.service.rollback(change_id, "carol")
    after = rig(database, key_ring)
    calls = 0

    def flaky(journal: Journal) -> dict[str, Any]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ClusterUnreachable("connection refused")
        return {"resumed": True}

    after.action.on_resume = flaky
    resumed = after.service.resume_all()
    states = {r.id: r.state for r in resumed}
    assert states[first] == S.FAILED and states[second] == S.COMPLETED
    assert after.service.show(change_id).state == S.ROLLED_BACK
    assert after.service.resume_all() == []
