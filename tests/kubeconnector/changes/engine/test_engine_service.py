"""ChangeService with a scripted action: plan, approvals, execution, failures, the ledger.

Runs on SQLite and PostgreSQL (the ``database`` fixture); no cluster is needed.
"""

from __future__ import annotations

from typing import Any, ClassVar

import pytest
from tests.kubeconnector.changes.engine.engine_fakes import (
    SECRET,
    FakeAction,
    Rig,
    blocked_plan,
    rig,
    wide_plan,
)

from kubeconnector.changes.base import Journal
from kubeconnector.crypto import KeyRing
from kubeconnector.errors import (
    ApprovalRefused,
    ClusterUnreachable,
    Conflict,
    IllegalTransition,
    InvalidInput,
    PreflightFailed,
    RecordNotFound,
    StatusInfo,
)
from kubeconnector.models import Environment
from kubeconnector.models.changes import ActionId, ChangeState, StepPhase
from kubeconnector.store import Database
from kubeconnector.store.changes import ChangeQuery

S = ChangeState


class LowAction(FakeAction):
    """An uncordon-like action: base score 3 (low)."""

    id: ClassVar[ActionId] = ActionId.UNCORDON_NODE


@pytest.fixture
def engine(database: Database, key_ring: KeyRing) -> Rig:
    return rig(database, key_ring)


def planned(r: Rig, **raw: str) -> str:
    return r.service.plan("sim", "scale-deployment", raw, "alice").id


def approved(r: Rig, **raw: str) -> str:
    change_id = planned(r, **raw)
    r.service.approve(change_id, "bob")
    return change_id


def event_types(r: Rig, change_id: str) -> list[str]:
    return [e.event_type for e in r.audit.list() if e.resource_id == change_id]


def test_planning_records_a_planned_change_with_risk_plan_and_approvals(engine: Rig) -> None:
    record = engine.service.plan("sim", "scale-deployment", {"name": "web"}, "alice")
    assert record.state == S.PLANNED
    assert record.risk is not None and (record.risk.score, record.risk.level) == (4, "medium")
    assert record.required_approvals == 1
    assert record.plan == engine.action.planned
    assert record.requester == "alice" and record.connector_name == "sim"
    assert engine.connectors.opened == [f"change:{record.id}"]
    assert event_types(engine, record.id) == ["change.created", "change.planned"]


def test_a_low_risk_change_outside_prod_is_approved_by_the_policy(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring, LowAction())
    record = r.service.plan("sim", "uncordon-node", {}, "alice")
    assert record.state == S.APPROVED
    assert [a.approver for a in record.approvals] == ["policy"]
    assert record.required_approvals == 0
    approved_event = next(e for e in r.audit.list() if e.event_type == "change.approved")
    assert approved_event.actor == "policy"


def test_a_low_risk_change_in_prod_needs_one_approver(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring, LowAction(), environment=Environment.PROD)
    record = r.service.plan("sim", "uncordon-node", {}, "alice")
    assert (record.state, record.required_approvals) == (S.PLANNED, 1)


def test_a_high_risk_change_needs_two_distinct_approvers(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring, FakeAction(wide_plan(workloads=20)))
    change_id = planned(r)
    assert r.service.show(change_id).required_approvals == 2
    assert r.service.approve(change_id, "bob").state == S.PLANNED
    with pytest.raises(ApprovalRefused):
        r.service.approve(change_id, "bob")
    record = r.service.approve(change_id, "carol", "looks right")
    assert record.state == S.APPROVED
    assert [(a.approver, a.comment) for a in record.approvals] == [
        ("bob", ""),
        ("carol", "looks right"),
    ]


def test_the_requester_cannot_approve_unless_single_operator(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring)
    with pytest.raises(ApprovalRefused):
        r.service.approve(planned(r), "alice")
    solo = rig(database, key_ring, single_operator=True)
    assert solo.service.approve(planned(solo), "alice").state == S.APPROVED


def test_only_a_planned_change_can_be_approved(engine: Rig) -> None:
    change_id = approved(engine)
    with pytest.raises(IllegalTransition) as raised:
        engine.service.approve(change_id, "carol")
    assert str(raised.value) == (
        f"change {change_id} is approved; only a planned change can be approved"
    )


def test_a_refused_plan_is_recorded_visibly_and_cannot_be_approved_or_run(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring, LowAction(blocked_plan(forceable=False)))
    record = r.service.plan("sim", "uncordon-node", {}, "alice")
    assert record.state == S.PLANNED  # not auto-approved: its plan refuses it
    assert [c.name for c in record.plan.refused] == ["managed"]  # type: ignore[union-attr]
    planned_event = next(e for e in r.audit.list() if e.event_type == "change.planned")
    expected = f"change {record.id} cannot proceed: managed: Helm manages it"
    assert planned_event.payload["reason"] == expected
    with pytest.raises(PreflightFailed) as raised:
        r.service.approve(record.id, "bob")
    assert str(raised.value) == f"{expected}; plan it again once fixed"
    assert r.service.reject(record.id, "bob", "fix the chart").state == S.REJECTED


def test_force_lifts_a_forceable_refusal_but_not_another(
    database: Database, key_ring: KeyRing
) -> None:
    r = rig(database, key_ring, FakeAction(blocked_plan(forceable=True)))
    forced = planned(r, force="true")
    assert r.service.approve(forced, "bob").state == S.APPROVED
    assert r.service.execute(forced, "bob").state == S.COMPLETED
    with pytest.raises(PreflightFailed):
        r.service.approve(planned(r), "bob")


def test_invalid_parameters_record_nothing(engine: Rig) -> None:
    with pytest.raises(InvalidInput):
        engine.service.plan("sim", "no-such-action", {}, "alice")
    with pytest.raises(RecordNotFound):
        engine.service.plan("nope", "scale-deployment", {}, "alice")
    assert engine.service.list() == []


def test_a_plan_that_cannot_be_computed_leaves_a_draft_with_the_error(engine: Rig) -> None:
    def unreachable(*_: Any) -> Any:
        raise ClusterUnreachable("cannot reach sim.example:6443: connection refused")

    engine.action.plan = unreachable  # type: ignore[method-assign]
    with pytest.raises(ClusterUnreachable):
        engine.service.plan("sim", "scale-deployment", {}, "alice")
    [record] = engine.service.list()
    assert record.state == S.DRAFT
    assert record.error == "cannot reach sim.example:6443: connection refused"
    assert event_types(engine, record.id)[-1] == "change.plan_failed"


def test_a_secret_parameter_is_sealed_and_given_back_to_the_action(engine: Rig) -> None:
    change_id = approved(engine, password=SECRET)
    record = engine.service.show(change_id)
    assert str(record.params["password"]).startswith("hmac:")
    assert engine.repo.raw_params(change_id) == {"password": None}
    engine.service.execute(change_id, "bob")
    assert engine.action.calls[-1] == ("execute", {
        "name": "web", "password": SECRET, "force": False, "auto_rollback": False,
    })  # fmt: skip
    ledger = repr([e.model_dump() for e in engine.audit.list()])
    assert SECRET not in ledger
    decrypted = [e for e in engine.audit.list() if e.event_type == "change.secret.decrypted"]
    assert [e.payload["name"] for e in decrypted] == ["param:password"]
    assert decrypted[0].payload["operation"] == f"change:{change_id}"


def test_executing_runs_the_approved_plan_to_completion(engine: Rig) -> None:
    change_id = approved(engine)
    record = engine.service.execute(change_id, "bob")
    assert record.state == S.COMPLETED
    assert record.result == {"replicas": 5}
    assert record.has_snapshot
    assert [(s.name, s.phase) for s in record.steps] == [
        ("scale", StepPhase.INTENT),
        ("scale", StepPhase.DONE),
    ]
    assert engine.action.contexts[-1].plan == record.plan
    assert event_types(engine, change_id)[-6:] == [
        "change.executing",
        "change.snapshot.saved",
        "change.step",
        "change.step",
        "change.verifying",
        "change.completed",
    ]


def test_a_change_must_be_approved_before_it_runs(engine: Rig) -> None:
    change_id = planned(engine)
    with pytest.raises(IllegalTransition):
        engine.service.execute(change_id, "bob")
    engine.service.approve(change_id, "bob")
    engine.service.execute(change_id, "bob")
    with pytest.raises(IllegalTransition):
        engine.service.execute(change_id, "bob")
    assert engine.action.names() == ["plan", "execute"]


def test_a_rejected_change_cannot_be_approved_or_executed(engine: Rig) -> None:
    change_id = planned(engine)
    record = engine.service.reject(change_id, "bob", "not now")
    assert record.result == {"rejected_by": "bob", "comment": "not now"}
    with pytest.raises(IllegalTransition):
        engine.service.approve(change_id, "carol")
    with pytest.raises(IllegalTransition):
        engine.service.execute(change_id, "carol")
    assert "change.rejection" in event_types(engine, change_id)


def conflict(journal: Journal) -> dict[str, Any]:
    journal.save_snapshot({"replicas": 3})
    raise Conflict(StatusInfo(409, "Conflict", 'Operation cannot be fulfilled: "web" was modified'))


def test_a_conflict_before_any_write_fails_the_change_without_offering_rollback(
    engine: Rig,
) -> None:
    engine.action.on_execute = conflict
    record = engine.service.execute(approved(engine), "bob")
    assert record.state == S.FAILED
    assert record.error == 'Operation cannot be fulfilled: "web" was modified'
    assert record.result == {"error_type": "Conflict"}


def test_a_failure_after_a_write_offers_the_rollback(engine: Rig) -> None:
    def half(journal: Journal) -> dict[str, Any]:
        journal.save_snapshot({"replicas": 3})
        journal.intent("scale", {})
        raise ClusterUnreachable("connection dropped")

    engine.action.on_execute = half
    change_id = approved(engine)
    record = engine.service.execute(change_id, "bob")
    assert record.state == S.FAILED
    assert record.result["rollback"] == f"kubeconnector change rollback {change_id}"


def test_a_bug_in_an_action_fails_the_change_and_is_raised(engine: Rig) -> None:
    def bug(journal: Journal) -> dict[str, Any]:
        raise KeyError("oops")

    engine.action.on_execute = bug
    change_id = approved(engine)
    with pytest.raises(KeyError):
        engine.service.execute(change_id, "bob")
    record = engine.service.show(change_id)
    assert record.state == S.FAILED
    assert record.error == "internal error (KeyError); see the logs"


def test_listing_filters_by_state_connector_and_action(engine: Rig) -> None:
    first, second = planned(engine), approved(engine)
    assert [r.id for r in engine.service.list()] == [second, first]
    assert [r.id for r in engine.service.list(ChangeQuery(state=S.APPROVED))] == [second]
    assert len(engine.service.list(ChangeQuery(connector="sim"))) == 2
    assert engine.service.list(ChangeQuery(connector="other")) == []
    assert engine.service.list(ChangeQuery(action="rotate-secret")) == []
    assert len(engine.service.list(ChangeQuery(limit=1))) == 1


def test_every_transition_and_approval_is_a_ledger_event_in_order(engine: Rig) -> None:
    change_id = approved(engine)
    engine.service.execute(change_id, "bob")
    events = [e for e in engine.audit.list() if e.resource_id == change_id]
    transitions = [(e.payload["from"], e.payload["to"], e.actor) for e in events
                   if e.event_type == f"change.{e.payload.get('to')}"]  # fmt: skip
    assert transitions == [
        ("draft", "planned", "alice"),
        ("planned", "approved", "bob"),
        ("approved", "executing", "bob"),
        ("executing", "verifying", "bob"),
        ("verifying", "completed", "bob"),
    ]
    approvals = [e.payload for e in events if e.event_type == "change.approval"]
    assert approvals == [{"approver": "bob", "comment": ""}]
    assert engine.audit.verify().ok
