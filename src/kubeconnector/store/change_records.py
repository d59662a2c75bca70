"""Reading change records: rows to `ChangeRecord` models, and filtered listings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from kubeconnector.errors import RecordNotFound
from kubeconnector.models.changes import (
    ActionId,
    Approval,
    ChangeRecord,
    ChangeState,
    Plan,
    Risk,
    Step,
    StepPhase,
)
from kubeconnector.store.change_schema import (
    ChangeApprovalRow,
    ChangeRow,
    ChangeSnapshotRow,
    ChangeStepRow,
)

if TYPE_CHECKING:
    from kubeconnector.store.changes import ChangeQuery

RESOURCE = "change"


def load_record(session: Session, change_id: str) -> ChangeRecord:
    """The record with id ``change_id`` as a model.

    Raises:
        RecordNotFound: No record has that id.
    """
    row = session.get(ChangeRow, change_id)
    if row is None:
        raise RecordNotFound(f"change {change_id!r} not found")
    return ChangeRecord(
        id=row.id,
        connector_id=row.connector_id,
        connector_name=row.connector_name,
        action=ActionId(row.action),
        params=row.params,
        requester=row.requester,
        state=ChangeState(row.state),
        risk=Risk.model_validate(row.risk) if row.risk else None,
        plan=Plan.model_validate(row.plan) if row.plan else None,
        approvals=_approvals(session, change_id),
        required_approvals=row.required_approvals,
        steps=_steps(session, change_id),
        result=row.result,
        error=row.error,
        rollback_of=row.rollback_of,
        rollback_id=row.rollback_id,
        has_snapshot=_has_snapshot(session, change_id),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def query_ids(session: Session, query: ChangeQuery) -> list[str]:
    """The ids of the records matching ``query``, newest first."""
    statement: Select[tuple[str]] = select(ChangeRow.id)
    if query.connector is not None:
        statement = statement.where(
            or_(
                ChangeRow.connector_id == query.connector,
                ChangeRow.connector_name == query.connector,
            )
        )
    states = (*query.states, *((query.state,) if query.state else ()))
    if states:
        statement = statement.where(ChangeRow.state.in_([s.value for s in states]))
    if query.action is not None:
        statement = statement.where(ChangeRow.action == query.action)
    if query.requester is not None:
        statement = statement.where(ChangeRow.requester == query.requester)
    statement = statement.order_by(ChangeRow.created_at.desc(), ChangeRow.id).limit(query.limit)
    return list(session.scalars(statement))


def _approvals(session: Session, change_id: str) -> tuple[Approval, ...]:
    statement = (
        select(ChangeApprovalRow)
        .where(ChangeApprovalRow.change_id == change_id, ChangeApprovalRow.decision == "approved")
        .order_by(ChangeApprovalRow.seq)
    )
    return tuple(
        Approval(approver=row.approver, at=row.at, comment=row.comment)
        for row in session.scalars(statement)
    )


def _steps(session: Session, change_id: str) -> tuple[Step, ...]:
    statement = (
        select(ChangeStepRow)
        .where(ChangeStepRow.change_id == change_id)
        .order_by(ChangeStepRow.seq)
    )
    return tuple(
        Step(name=row.name, phase=StepPhase(row.phase), at=row.at, detail=row.detail)
        for row in session.scalars(statement)
    )


def _has_snapshot(session: Session, change_id: str) -> bool:
    statement = select(exists().where(ChangeSnapshotRow.change_id == change_id))
    return bool(session.scalar(statement))
