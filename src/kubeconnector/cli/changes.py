"""``kubeconnector change ...``: plan, approve, reject, execute, roll back, resume, show, list.

Parameters are given as ``--param key=value`` (repeat it; a key given twice reaches the action
as one comma-separated value, e.g. ``--param remove=a --param remove=b``). The acting user
comes from ``--as`` or ``KUBECONNECTOR_USER``. Long waits print progress lines on stderr. A
change that ends ``failed`` is printed and then reported on stderr with exit code 20.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from kubeconnector.changes.base import ChangeOptions
from kubeconnector.changes.service import ChangeService, build_service
from kubeconnector.cli.common import ActorOption, JsonOption, session
from kubeconnector.cli.errors import fail, guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import changes as render
from kubeconnector.errors import InvalidInput
from kubeconnector.models.changes import ChangeRecord, ChangeState
from kubeconnector.store.changes import ChangeQuery

CHANGE_FAILED = 20
# A decision on a planned change: (service, change id, actor, comment) -> the record.
Decide = Callable[[ChangeService, str, str, str], ChangeRecord]

app = typer.Typer(no_args_is_help=True, help="Plan, approve, execute and roll back changes.")

IdArgument = Annotated[str, typer.Argument(metavar="ID", help="The change's id.")]
CommentOption = Annotated[str, typer.Option("--comment", help="Why (kept in the ledger).")]
RolloutTimeout = Annotated[
    float, typer.Option("--rollout-timeout", help="Seconds to wait for a rollout.")
]
TokenTimeout = Annotated[
    float, typer.Option("--token-timeout", help="Seconds to wait for a new token.")
]


def parse_params(pairs: list[str]) -> dict[str, str]:
    """``key=value`` pairs as a mapping; a repeated key's values are joined with commas.

    Raises:
        InvalidInput: A pair has no ``=`` or an empty key (the value is never quoted).
    """
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidInput("--param must be key=value (e.g. --param namespace=shop)", "param")
        params[key] = f"{params[key]},{value}" if key in params else value
    return params


@contextmanager
def changes(
    actor: str | None, rollout_timeout: float = 300.0, token_timeout: float = 60.0
) -> Iterator[tuple[ChangeService, str]]:
    """The change service of a session, and the acting user."""
    options = ChangeOptions(rollout_timeout=rollout_timeout, token_timeout=token_timeout)
    with session(actor) as current:
        service = build_service(
            current.database, current.ring, current.audit, current.connectors,
            current.settings, options,
        )  # fmt: skip
        yield service, current.actor


def progress(message: str) -> None:
    """A progress line on stderr."""
    typer.echo(f"... {message}", err=True)


def emit_record(change: ChangeRecord, json_output: bool) -> None:
    """Print a record (as JSON with ``--json``)."""
    Output(json_output).emit(change, lambda out: render.record(out, change))


def show_record(change: ChangeRecord, json_output: bool) -> None:
    """Print a record; exit 20 when it failed."""
    emit_record(change, json_output)
    if change.state == ChangeState.FAILED:
        fail(f"change {change.id} failed: {change.error or 'see its record'}", CHANGE_FAILED)


@app.command("plan")
@guarded
def plan(
    connector: Annotated[str, typer.Argument(metavar="CONNECTOR", help="The connector.")],
    action: Annotated[str, typer.Argument(metavar="ACTION", help="e.g. rotate-secret.")],
    param: Annotated[
        list[str] | None, typer.Option("--param", metavar="KEY=VALUE", help="A parameter.")
    ] = None,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Plan a change: checks, dry run, diff, impact and risk; records it as planned."""
    raw = parse_params(param or [])
    with changes(as_user) as (service, actor):
        change = service.plan(connector, action, raw, actor)
    emit_record(change, json_output)


def decision_command(name: str, summary: str, decide: Decide) -> None:
    """Register ``change <name>``: a decision on a planned change, with a comment."""

    @app.command(name, help=summary)
    @guarded
    def command(
        change_id: IdArgument,
        comment: CommentOption = "",
        as_user: ActorOption = None,
        json_output: JsonOption = False,
    ) -> None:
        """Record the decision (in the ledger, with the comment) and print the record."""
        with changes(as_user) as (service, actor):
            change = decide(service, change_id, actor, comment)
        emit_record(change, json_output)


decision_command("approve", "Approve a planned change.", ChangeService.approve)
decision_command("reject", "Reject a planned change (final).", ChangeService.reject)


@app.command("execute")
@guarded
def execute(
    change_id: IdArgument,
    rollout_timeout: RolloutTimeout = 300.0,
    token_timeout: TokenTimeout = 60.0,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Execute an approved change and verify it (progress on stderr)."""
    with changes(as_user, rollout_timeout, token_timeout) as (service, actor):
        change = service.execute(change_id, actor, progress)
    show_record(change, json_output)


@app.command("rollback")
@guarded
def rollback(
    change_id: IdArgument,
    force: Annotated[
        bool, typer.Option("--force", help="Restore even if the target changed since.")
    ] = False,
    rollout_timeout: RolloutTimeout = 300.0,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Roll a change back through a linked rollback record (printed)."""
    with changes(as_user, rollout_timeout) as (service, actor):
        change = service.rollback(change_id, actor, force=force, progress=progress)
    show_record(change, json_output)


@app.command("resume")
@guarded
def resume(
    change_id: Annotated[str | None, typer.Argument(metavar="[ID]", help="The change.")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Resume every change left executing or verifying.")
    ] = False,
    rollout_timeout: RolloutTimeout = 300.0,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Finish a change a crash left executing or verifying (or every one, with --all)."""
    if (change_id is None) == (not every):
        raise InvalidInput("give a change ID or --all (not both)", "id")
    with changes(as_user, rollout_timeout) as (service, actor):
        if change_id is None:
            done = service.resume_all(actor)
            Output(json_output).emit(done, lambda out: render.record_list(out, done))
            return
        change = service.resume(change_id, actor, progress)
    show_record(change, json_output)


@app.command("show")
@guarded
def show(
    change_id: IdArgument, as_user: ActorOption = None, json_output: JsonOption = False
) -> None:
    """Show a change record."""
    with changes(as_user) as (service, _):
        change = service.show(change_id)
    emit_record(change, json_output)


@app.command("list")
@guarded
def list_changes(
    connector: Annotated[str | None, typer.Option("--connector", help="Only this one.")] = None,
    state: Annotated[ChangeState | None, typer.Option("--state", help="Only this state.")] = None,
    action: Annotated[str | None, typer.Option("--action", help="Only this action.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="At most this many.")] = 100,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """List change records, newest first."""
    query = ChangeQuery(connector=connector, state=state, action=action, limit=limit)
    with changes(as_user) as (service, _):
        found = service.list(query)
    Output(json_output).emit(found, lambda out: render.record_list(out, found))
