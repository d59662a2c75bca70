"""Rollback and crash recovery: reversing a change, and finishing one a crash interrupted.

**Rollback** (a human starts it, or ``auto_rollback`` after a failed rollout) creates a
rollback record linked both ways with the change (``rollback_of`` / ``rollback_id``), approved
by ``policy`` at once (it restores the state captured before the change, which was approved
already), and runs the action's typed inverse through it. When that record completes, the
change becomes ``rolled_back``; a failed rollback stays visible as a failed record and may be
retried. Refused: changes whose action has no rollback (the product's own words are quoted),
rollback records themselves, changes that are not ``completed`` or ``failed``, changes that
never captured a snapshot or never sent a write, and changes with a rollback under way.

**Resume** finishes a record left ``executing`` or ``verifying`` by a killed process. With no
write intent in its journal the execution restarts from the beginning (no write was sent);
otherwise the action's ``resume`` (for a rollback record: ``rollback`` again) inspects the
journal and the live cluster and finishes without sending a write twice. If that fails, the
record ends ``failed`` and its result offers the rollback. A rollback record that completed
just before a crash has its change marked ``rolled_back``. Resuming assumes the process that
ran the change is gone; `resume_all` runs at service start.
"""

from __future__ import annotations

import logging
from types import MappingProxyType

from pydantic import BaseModel

from kubeconnector.changes import lifecycle
from kubeconnector.changes.base import Action, ActionContext
from kubeconnector.changes.execution import Executor, Outcome
from kubeconnector.changes.journal import Progress, StoreJournal
from kubeconnector.changes.policy import POLICY_ACTOR
from kubeconnector.errors import (
    IllegalTransition,
    KubeConnectorError,
    RollbackRefused,
    RolloutFailed,
)
from kubeconnector.models.changes import (
    ActionId,
    ChangeRecord,
    ChangeState,
    JsonObject,
    StepPhase,
)
from kubeconnector.store.changes import ChangeQuery, NewChange

log = logging.getLogger(__name__)

NO_ROLLBACK: MappingProxyType[ActionId, str] = MappingProxyType(
    {
        ActionId.DELETE_SECRET: "No rollback",
        ActionId.ROTATE_SA_TOKEN: "No rollback (old token is gone once deleted)",
    }
)
"""The product's rollback column for the actions that have none."""

ROLLBACK_APPROVAL = "a rollback restores the state captured before an approved change"
AUTO_ROLLBACK = "automatic rollback after a failed rollout (auto_rollback)"
_ALL = 100_000


class Recovery:
    """Rolls changes back and resumes interrupted ones.

    Args:
        executor: Runs action calls and records their outcome.
    """

    def __init__(self, executor: Executor) -> None:
        self._x = executor
        self._repo = executor.repo

    def rollback(
        self, change_id: str, actor: str, *, force: bool, progress: Progress | None
    ) -> ChangeRecord:
        """Create and run the rollback record of a change; returns the rollback record.

        Raises:
            RollbackRefused: See the module docstring for when.
        """
        original = self._repo.get(change_id)
        self._refuse(original, self._x.actions(original.action.value))
        rollback_id = self._open(original, actor, force, "")
        return self._run_rollback(self._repo.get(rollback_id), actor, progress)

    def after_execution(
        self, outcome: Outcome, actor: str, progress: Progress | None
    ) -> ChangeRecord:
        """Start the automatic rollback of a failed rollout when the change asked for it."""
        record = outcome.record
        wanted = record.params.get("auto_rollback") is True
        if not (isinstance(outcome.error, RolloutFailed) and wanted):
            return record
        try:
            self._refuse(record, self._x.actions(record.action.value))
        except RollbackRefused as exc:
            with self._repo.locked(record.id) as tx:
                tx.event(actor, "change.auto_rollback_skipped", {"reason": str(exc)})
            return self._repo.get(record.id)
        rollback_id = self._open(record, actor, self._repo.force(record.id), AUTO_ROLLBACK)
        self._run_rollback(self._repo.get(rollback_id), actor, progress)
        return self._repo.get(record.id)

    def resume(self, change_id: str, actor: str, progress: Progress | None) -> ChangeRecord:
        """Finish a record a crash left in flight.

        Raises:
            IllegalTransition: The record is neither in flight nor a completed rollback whose
                change still needs marking.
        """
        record = self._repo.get(change_id)
        if self._link_completed_rollback(record, actor):
            return self._repo.get(change_id)
        if record.state not in lifecycle.IN_FLIGHT:
            raise IllegalTransition(
                f"change {change_id} is {record.state.value}: only an executing or verifying "
                "change can be resumed"
            )
        if record.rollback_of is not None:
            return self._run_rollback(record, actor, progress)
        started = any(s.phase == StepPhase.INTENT for s in record.steps)
        call = _resume if started or record.state == ChangeState.VERIFYING else execute_call
        outcome = self._x.run(record, actor, call, progress)
        return self.after_execution(outcome, actor, progress)

    def resume_all(self, actor: str) -> list[ChangeRecord]:
        """Resume every record left in flight (oldest first); failures are logged, not raised."""
        query = ChangeQuery(states=(*lifecycle.IN_FLIGHT, ChangeState.COMPLETED), limit=_ALL)
        pending = [r for r in reversed(self._repo.list(query)) if self._needs_resume(r)]
        resumed = []
        for record in pending:
            try:
                resumed.append(self.resume(record.id, actor, None))
            except KubeConnectorError as exc:
                log.warning("could not resume change %s: %s", record.id, exc)
        return resumed

    def _needs_resume(self, record: ChangeRecord) -> bool:
        if record.state in lifecycle.IN_FLIGHT:
            return True
        return record.rollback_of is not None and self._original_pending(record)

    def _original_pending(self, rollback: ChangeRecord) -> bool:
        assert rollback.rollback_of is not None
        original = self._repo.get(rollback.rollback_of)
        return original.state in lifecycle.ROLLBACK_FROM and original.rollback_id == rollback.id

    def _link_completed_rollback(self, record: ChangeRecord, actor: str) -> bool:
        if record.rollback_of is None and record.rollback_id is not None:
            linked = self._repo.get(record.rollback_id)
            return self._link_completed_rollback(linked, actor)
        done = record.state == ChangeState.COMPLETED and record.rollback_of is not None
        if not (done and self._original_pending(record)):
            return False
        assert record.rollback_of is not None
        self._x.move(record.rollback_of, ChangeState.ROLLED_BACK, actor, _rolled_back(record.id))
        return True

    def _refuse(self, original: ChangeRecord, action: Action) -> None:
        cid = original.id
        if original.rollback_of is not None:
            raise RollbackRefused(
                f"change {cid} is itself the rollback of {original.rollback_of}; "
                "plan a new change to redo it"
            )
        if not action.has_rollback:
            note = NO_ROLLBACK.get(action.id, "No rollback")
            raise RollbackRefused(f"{action.title} has no rollback: {note}")
        if original.state not in lifecycle.ROLLBACK_FROM:
            raise RollbackRefused(
                f"change {cid} is {original.state.value}; only a completed or failed change "
                "can be rolled back"
            )
        self._refuse_pending(original)
        if not original.has_snapshot:
            raise RollbackRefused(
                f"No snapshot available: change {cid} failed before it captured the previous "
                "state, so it changed nothing"
            )
        if not any(s.phase == StepPhase.INTENT for s in original.steps):
            raise RollbackRefused(f"nothing to roll back: change {cid} never sent a write")

    def _refuse_pending(self, original: ChangeRecord) -> None:
        if original.rollback_id is None:
            return
        previous = self._repo.get(original.rollback_id)
        if previous.state != ChangeState.FAILED:
            raise RollbackRefused(
                f"change {original.id} already has rollback {previous.id} ({previous.state.value})"
            )

    def _open(self, original: ChangeRecord, actor: str, force: bool, why: str) -> str:
        rollback_id = self._repo.create(
            NewChange(
                connector_id=original.connector_id,
                connector_name=original.connector_name,
                environment=self._repo.environment(original.id),
                action=original.action.value,
                params=original.params,
                raw_params={},
                requester=actor,
                force=force,
                rollback_of=original.id,
            )
        )
        risk = original.risk.model_dump(mode="json") if original.risk else None
        with self._repo.locked(rollback_id) as tx:
            reason = why or f"rollback of change {original.id}"
            tx.transition(ChangeState.PLANNED, actor, reason, risk=risk, required_approvals=0)
            tx.decision(POLICY_ACTOR, "approved", ROLLBACK_APPROVAL)
            tx.transition(ChangeState.APPROVED, POLICY_ACTOR, ROLLBACK_APPROVAL)
        with self._repo.locked(original.id) as tx:
            tx.update(rollback_id=rollback_id)
            tx.event(actor, "change.rollback_started", {"rollback": rollback_id, "force": force})
        return rollback_id

    def _run_rollback(
        self, record: ChangeRecord, actor: str, progress: Progress | None
    ) -> ChangeRecord:
        force = self._repo.force(record.id)

        def call(
            action: Action, ctx: ActionContext, params: BaseModel, journal: StoreJournal
        ) -> JsonObject:
            return action.rollback(ctx, params, journal, force)

        outcome = self._x.run(record, actor, call, progress)
        self._link_completed_rollback(outcome.record, actor)
        return self._repo.get(record.id)


def _rolled_back(rollback_id: str) -> str:
    return f"rollback {rollback_id} completed"


def execute_call(
    action: Action, ctx: ActionContext, params: BaseModel, journal: StoreJournal
) -> JsonObject:
    """Call the action's ``execute``."""
    return action.execute(ctx, params, journal)


def _resume(
    action: Action, ctx: ActionContext, params: BaseModel, journal: StoreJournal
) -> JsonObject:
    return action.resume(ctx, params, journal)
