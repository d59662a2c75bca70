"""Change requests: plan (operator), approve and reject (approver), execute, roll back and
resume (operator, as background jobs), list and show (everyone).

A request acts as its token's user, so the approval policy (no self-approval, distinct
approvers) applies exactly as on the command line.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from kubeconnector.api.auth import Approver, Operator, Reader, State
from kubeconnector.api.jobs import ChangeFailed, Job, JobKind, Reporter
from kubeconnector.api.params import flat_params
from kubeconnector.changes import lifecycle
from kubeconnector.changes.service import ChangeService
from kubeconnector.errors import IllegalTransition
from kubeconnector.models.changes import ChangeRecord, ChangeState
from kubeconnector.store.changes import ChangeQuery

router = APIRouter(tags=["changes"])
_RESUMABLE = frozenset({ChangeState.EXECUTING, ChangeState.VERIFYING})


FlatParams = Annotated[
    dict[str, str],
    Field(
        title="Flat parameters",
        description="The CLI's --param form, every value a string: "
        '{"namespace": "app", "name": "db", "value.password": "...", "remove": "a,b"}',
    ),
]
TypedParams = Annotated[
    dict[str, Any],
    Field(
        title="Typed parameters",
        description="An object matching the action's params_schema from GET /actions: "
        '{"namespace": "app", "name": "db", "values": {"password": "..."}, "remove": ["a"]}',
    ),
]


class PlanRequest(BaseModel):
    """A change to plan: the connector, the action id and its parameters."""

    model_config = ConfigDict(extra="forbid")

    connector: str = Field(min_length=1, max_length=253)
    action: str = Field(min_length=1, max_length=64)
    params: FlatParams | TypedParams = Field(
        default_factory=dict,
        description="The action's parameters, in either form: the CLI's flat --param "
        "mapping of strings, or an object matching the action's published params_schema.",
    )


class DecisionRequest(BaseModel):
    """A comment kept in the ledger with an approval or rejection."""

    model_config = ConfigDict(extra="forbid")

    comment: str = Field(default="", max_length=2000)


class RollbackRequest(BaseModel):
    """``force`` restores even if the target changed since the change."""

    model_config = ConfigDict(extra="forbid")

    force: bool = False


@router.get("/change-requests")
def list_changes(
    session: Reader,
    state: ChangeState | None = None,
    connector: Annotated[str | None, Query(max_length=253)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[ChangeRecord]:
    """Change records, newest first."""
    query = ChangeQuery(connector=connector, state=state, limit=limit)
    return session.changes().list(query)


@router.post("/change-requests", status_code=201)
def plan_change(body: PlanRequest, session: Operator, app: State) -> ChangeRecord:
    """Plan a change (checks, dry run, diff, impact, risk) and record it as planned.

    ``params`` is either the CLI's flat ``--param`` mapping of strings (``value.KEY``,
    ``generate.KEY``, ``env.NAME``, comma-separated lists, ``true``/``false``) or an object
    matching the action's ``params_schema`` from ``GET /actions`` (``values``, ``generate`` and
    ``env`` objects, lists, booleans and integers). Either is checked by the action itself.
    """
    service = session.changes(app.options.change_options)
    raw = flat_params(body.params)
    return service.plan(body.connector, body.action, raw, session.actor)


@router.get("/change-requests/{change_id}")
def get_change(change_id: str, session: Reader) -> ChangeRecord:
    """One change record."""
    return session.changes().show(change_id)


@router.post("/change-requests/{change_id}/approve")
def approve_change(
    change_id: str, session: Approver, body: DecisionRequest | None = None
) -> ChangeRecord:
    """Approve a planned change; the last approval needed makes it approved."""
    comment = body.comment if body else ""
    return session.changes().approve(change_id, session.actor, comment)


@router.post("/change-requests/{change_id}/reject")
def reject_change(
    change_id: str, session: Approver, body: DecisionRequest | None = None
) -> ChangeRecord:
    """Reject a planned change (final)."""
    comment = body.comment if body else ""
    return session.changes().reject(change_id, session.actor, comment)


@router.post("/change-requests/{change_id}/execute", status_code=202)
def execute_change(change_id: str, session: Operator, app: State) -> Job:
    """Execute an approved change in the background; poll the job or the record."""
    record = session.changes().show(change_id)
    lifecycle.check(record.state, ChangeState.EXECUTING)
    return _submit(app, JobKind.EXECUTE, session.actor, lambda s, r: s.execute(change_id, *r))


@router.post("/change-requests/{change_id}/rollback", status_code=202)
def rollback_change(
    change_id: str, session: Operator, app: State, body: RollbackRequest | None = None
) -> Job:
    """Roll a change back in the background; the job's result is the rollback record."""
    session.changes().show(change_id)
    force = body.force if body else False

    def run(service: ChangeService, who: tuple[str, Callable[[str], None]]) -> ChangeRecord:
        return service.rollback(change_id, who[0], force=force, progress=who[1])

    return _submit(app, JobKind.ROLLBACK, session.actor, run)


@router.post("/change-requests/{change_id}/resume", status_code=202)
def resume_change(change_id: str, session: Operator, app: State) -> Job:
    """Finish, in the background, a change a crash left executing or verifying."""
    record = session.changes().show(change_id)
    if record.state not in _RESUMABLE:
        raise IllegalTransition(
            f"change {change_id} is {record.state.value}; only executing or verifying resume"
        )
    return _submit(app, JobKind.RESUME, session.actor, lambda s, r: s.resume(change_id, *r))


Run = Callable[[ChangeService, tuple[str, Callable[[str], None]]], ChangeRecord]


def _submit(app: State, kind: JobKind, actor: str, run: Run) -> Job:
    def work(reporter: Reporter) -> dict[str, Any]:
        with app.session(actor) as own:
            record = run(own.changes(app.options.change_options), (actor, reporter.stage))
        result = record.model_dump(mode="json")
        if record.state == ChangeState.FAILED:
            raise ChangeFailed(f"change {record.id} failed: {record.error or 'see it'}", result)
        return result

    return app.jobs.submit(kind, work)
