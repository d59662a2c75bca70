"""Rendering of change records and ledger events (tables and panels; JSON is the models')."""

from __future__ import annotations

import json
from collections.abc import Iterable

from rich.text import Text

from kubeconnector.changes.policy import POLICY_ACTOR
from kubeconnector.cli.render.output import Output, details, styled, table, yes_no
from kubeconnector.models import AuditEvent, ChainReport
from kubeconnector.models.changes import ChangeRecord, ChangeState, Plan, Risk

STATE_STYLES = {
    ChangeState.COMPLETED: "bold green",
    ChangeState.ROLLED_BACK: "bold cyan",
    ChangeState.FAILED: "bold red",
    ChangeState.REJECTED: "red",
    ChangeState.APPROVED: "green",
}
PAYLOAD_WIDTH = 100


def state_text(state: ChangeState) -> Text:
    """A state, coloured by outcome."""
    return styled(state.value, STATE_STYLES.get(state, "yellow"))


def risk_line(risk: Risk | None) -> str:
    """``5/10 medium`` (or ``-``)."""
    return f"{risk.score}/10 {risk.level.value}" if risk else "-"


def record(out: Output, change: ChangeRecord) -> None:
    """One change: its fields, plan, steps, result and error."""
    out.line(f"change {change.id}", "bold")
    out.print(details(_fields(change)))
    if change.risk and change.risk.reasons:
        out.print(table("risk", ("REASON",), [(r,) for r in change.risk.reasons]))
    if change.plan is not None:
        plan(out, change.plan)
    if change.steps:
        rows = [(s.at.isoformat(timespec="seconds"), s.name, s.phase.value) for s in change.steps]
        out.print(table("journal", ("AT", "STEP", "PHASE"), rows))
    if change.result:
        out.print(details([("result", json.dumps(change.result, sort_keys=True))]))
    if change.error:
        out.line(f"error: {change.error}", "red")


def plan(out: Output, planned: Plan) -> None:
    """A plan: checks, dry run, diff, impact, warnings and rollback."""
    checks = [*planned.preflight, *((planned.dry_run,) if planned.dry_run else ())]
    rows = [(c.name, yes_no(c.ok, "ok", "FAILED"), c.severity, c.message) for c in checks]
    out.print(table("checks", ("CHECK", "RESULT", "SEVERITY", "MESSAGE"), rows))
    if planned.diff:
        diff = [(d.path, d.op, d.old, d.new) for d in planned.diff]
        out.print(table("diff", ("PATH", "OP", "OLD", "NEW"), diff))
    if planned.impact:
        impact = [(i.subject, i.effect) for i in planned.impact]
        out.print(table("impact", ("SUBJECT", "EFFECT"), impact))
    out.warnings(planned.warnings)
    note = f" ({planned.rollback_note})" if planned.rollback_note else ""
    out.line(f"rollback available: {'yes' if planned.rollback_available else 'no'}{note}")


def target_text(change: ChangeRecord) -> str | None:
    """The plan's target; a rollback record (which has no plan of its own) names its change."""
    if change.plan is not None:
        return change.plan.target
    return f"rollback of {change.rollback_of}" if change.rollback_of else None


def record_list(out: Output, changes: Iterable[ChangeRecord]) -> None:
    """Changes as a table."""
    rows = [
        (c.id, state_text(c.state), c.action.value, c.connector_name,
         target_text(c), risk_line(c.risk), c.requester,
         c.created_at.isoformat(timespec="seconds"))
        for c in changes
    ]  # fmt: skip
    if not rows:
        out.line("no changes")
        return
    columns = ("ID", "STATE", "ACTION", "CONNECTOR", "TARGET", "RISK", "REQUESTER", "CREATED")
    out.print(table(None, columns, rows))


def event_list(out: Output, events: Iterable[AuditEvent]) -> None:
    """Ledger events as a table (payloads shortened)."""
    rows = [
        (str(e.seq), e.ts.isoformat(timespec="seconds"), e.actor, e.event_type,
         f"{e.resource_type}/{e.resource_id}", _short(json.dumps(e.payload, sort_keys=True)))
        for e in events
    ]  # fmt: skip
    if not rows:
        out.line("no events")
        return
    out.print(table(None, ("SEQ", "TIME", "ACTOR", "EVENT", "RESOURCE", "PAYLOAD"), rows))


def chain_report(out: Output, report: ChainReport) -> None:
    """The verdict of `audit verify`, then every problem found."""
    if report.ok:
        out.line(f"ledger intact: {report.count} events, head seq {report.head_seq}", "bold green")
        return
    out.line(f"ledger TAMPERED: {len(report.problems)} problem(s)", "bold red")
    rows = [(str(p.seq), p.kind.value, p.message) for p in report.problems]
    out.print(table(None, ("SEQ", "PROBLEM", "DETAIL"), rows))


def approvals_line(change: ChangeRecord) -> str:
    """How many approvals a change has of those it needs, and by whom."""
    people = [a.approver for a in change.approvals if a.approver != POLICY_ACTOR]
    if change.required_approvals == 0:
        by_policy = len(people) < len(change.approvals)
        return "not required (approved by policy)" if by_policy else "not required"
    who = ", ".join(people) if people else "none yet"
    return f"{len(people)} of {change.required_approvals} ({who})"


def _fields(change: ChangeRecord) -> list[tuple[str, str | Text | None]]:
    rows: list[tuple[str, str | Text | None]] = [
        ("state", state_text(change.state)),
        ("action", change.action.value),
        ("connector", change.connector_name),
        ("target", target_text(change)),
        ("requester", change.requester),
        ("risk", risk_line(change.risk)),
        ("approvals", approvals_line(change)),
        ("params", json.dumps(change.params, sort_keys=True)),
        ("created", change.created_at.isoformat(timespec="seconds")),
        ("updated", change.updated_at.isoformat(timespec="seconds")),
    ]
    if change.rollback_of:
        rows.append(("rollback of", change.rollback_of))
    if change.rollback_id:
        rows.append(("rollback", change.rollback_id))
    return rows


def _short(text: str) -> str:
    return text if len(text) <= PAYLOAD_WIDTH else text[: PAYLOAD_WIDTH - 3] + "..."
