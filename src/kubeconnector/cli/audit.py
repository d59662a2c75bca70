"""``kubeconnector audit ...``: list the ledger, and verify its hash chain.

``audit verify`` exits 0 when the chain is intact and 9 when it is not, after naming every
problem (an edited, deleted or reordered event, a broken link, a head that does not match).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from kubeconnector.cli.common import ActorOption, JsonOption, session
from kubeconnector.cli.errors import fail, guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import changes as render
from kubeconnector.errors import InvalidInput
from kubeconnector.models import AuditQuery

TAMPERED = 9

app = typer.Typer(no_args_is_help=True, help="The ledger: list events, verify the chain.")


def parse_time(option: str, text: str | None) -> datetime | None:
    """An ISO 8601 time with its offset (``Z`` accepted).

    Raises:
        InvalidInput: Not ISO 8601, or without a time zone.
    """
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        message = f"{option} must be an ISO 8601 time, e.g. 2025-03-01T12:00Z"
        raise InvalidInput(message, option) from None
    if value.tzinfo is None:
        raise InvalidInput(f"{option} needs a time zone, e.g. 2025-03-01T12:00Z", option)
    return value


@app.command("list")
@guarded
def list_events(
    change: Annotated[str | None, typer.Option("--change", help="Events of one change.")] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Events by one actor.")] = None,
    event_type: Annotated[str | None, typer.Option("--type", help="One event type.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="At or after (ISO 8601).")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Before (ISO 8601).")] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=10_000)] = 1000,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """List ledger events in order, filtered."""
    query = AuditQuery(
        resource_id=change,
        actor=actor,
        event_type=event_type,
        since=parse_time("--since", since),
        until=parse_time("--until", until),
        limit=limit,
    )
    with session(as_user) as current:
        events = current.audit.list(query)
    Output(json_output).emit(events, lambda out: render.event_list(out, events))


@app.command("verify")
@guarded
def verify(as_user: ActorOption = None, json_output: JsonOption = False) -> None:
    """Verify the ledger's hash chain; exit 9 naming each problem when it was tampered with."""
    with session(as_user) as current:
        report = current.audit.verify()
    Output(json_output).emit(report, lambda out: render.chain_report(out, report))
    if not report.ok:
        first = report.problems[0].message
        fail(f"the ledger was tampered with: {first}", TAMPERED)
