"""Rendering of connectors, registrations, connection tests and key rotations."""

from __future__ import annotations

from collections.abc import Sequence

from rich.syntax import Syntax
from rich.text import Text

from kubeconnector.cli.render.output import Output, details, styled, table, yes_no
from kubeconnector.connectors import ConnectionReport, Registration
from kubeconnector.crypto import RotationResult
from kubeconnector.models import Connector, DiscoveryRun
from kubeconnector.rbac import ActionResult, CellResult, CellStatus, PermissionReport
from kubeconnector.settings import ENV_MASTER_KEY

ALL_NAMESPACES = "all namespaces"


def connector_list(out: Output, connectors: list[Connector]) -> None:
    """The connectors as a table, then every warning."""
    if not connectors:
        out.line("no connectors; add one with 'kubeconnector connector add NAME --kubeconfig FILE'")
        return
    rows = [_list_row(c) for c in connectors]
    out.print(table(None, ("NAME", "ENV", "SERVER", "CONTEXT", "SCOPE", "WARNINGS"), rows))
    for connector in connectors:
        out.warnings(connector.warnings, prefix=f"{connector.name}: ")


def connector_show(out: Output, connector: Connector, last_run: DiscoveryRun | None) -> None:
    """One connector's fields, its last discovery and its warnings."""
    out.print(details([*_connector_rows(connector), ("last discovery", _run_line(last_run))]))
    out.warnings(connector.warnings)


def registration(out: Output, done: Registration, verb: str) -> None:
    """A connector just added or updated: its fields, its kubeconfig summary, its warnings."""
    connector = done.connector
    out.line(f"connector {connector.name} {verb}", "bold green")
    rows = _connector_rows(connector)
    if done.summary is not None:
        rows += [
            ("cluster entry", done.summary.cluster),
            ("user entry", done.summary.user),
            ("authentication", done.summary.auth_kind),
        ]
    out.print(details(rows))
    out.warnings(connector.warnings)
    for notice in done.notices:
        out.line(f"note: {notice}", "dim")


def connection_report(out: Output, report: ConnectionReport) -> None:
    """What a connection test found, the permission matrix, the actions and the fix."""
    out.print(details(_header_rows(report)))
    out.warnings(report.warnings)
    if report.permissions is not None:
        _permissions(out, report.permissions)
    if report.fix_yaml:
        out.blank()
        out.line("to grant what is missing, apply as a cluster administrator:", "bold")
        out.print(Syntax(report.fix_yaml, "yaml", theme="ansi_dark", background_color="default"))


def rotation(out: Output, result: RotationResult) -> None:
    """What a master key rotation did."""
    out.line(f"the master key was rotated: active key {result.active_kid}", "bold green")
    rows = [
        ("key ring", "key file" if result.source == "file" else ENV_MASTER_KEY),
        ("values resealed", str(result.resealed)),
        ("keys retired", ", ".join(result.retired_kids) or "none"),
        ("old keys still in use", ", ".join(result.kept_kids) or "none"),
    ]
    out.print(details(rows))
    if result.source == "env" and result.retired_kids:
        out.line(
            f"remove the retired keys ({', '.join(result.retired_kids)}) from {ENV_MASTER_KEY}",
            "yellow",
        )


def _list_row(c: Connector) -> tuple[str, str, str, str | None, str, Text | None]:
    count = len(c.warnings)
    warnings = styled(f"{count} (see below)", "yellow") if count else None
    scope = c.namespace or ALL_NAMESPACES
    return c.name, c.environment.value, c.server, c.context, scope, warnings


def _action_row(action: ActionResult) -> tuple[str, Text, str, str]:
    missing = ", ".join(map(str, action.missing))
    return action.action, yes_no(action.can_run), missing, ", ".join(map(str, action.degraded))


def _connector_rows(connector: Connector) -> list[tuple[str, str | Text | None]]:
    return [
        ("name", connector.name),
        ("id", connector.id),
        ("environment", connector.environment.value),
        ("server", connector.server),
        ("context", connector.context),
        ("discovery scope", connector.namespace or ALL_NAMESPACES),
        ("sealed with key", connector.key_id),
        ("created", connector.created_at.isoformat(timespec="seconds")),
        ("updated", connector.updated_at.isoformat(timespec="seconds")),
    ]


def _run_line(run: DiscoveryRun | None) -> str:
    if run is None:
        return "never"
    when = (run.finished_at or run.started_at).isoformat(timespec="seconds")
    total = sum(run.counts.values())
    forbidden = f", could not list {', '.join(run.forbidden_kinds)}" if run.forbidden_kinds else ""
    return f"{when} ({run.status.value}, {total} assets{forbidden})"


def _reviewed(namespaces: Sequence[str]) -> str | None:
    """Where the rules reviews were made: the first, in a namespace that does not exist, gives
    the cluster-wide rules; the others (the connector's scope) each namespace's own."""
    if not namespaces:
        return None
    probe, *scoped = namespaces
    text = f"cluster-wide (asked in the absent namespace {probe})"
    return f"{text}; namespaces {', '.join(scoped)}" if scoped else text


def _header_rows(report: ConnectionReport) -> list[tuple[str, str | Text | None]]:
    version = report.version.git_version if report.version else None
    identity = report.identity
    rows: list[tuple[str, str | Text | None]] = [
        ("connector", report.connector.name),
        ("server", report.server),
        ("version", version),
        ("identity", f"{identity.username} ({identity.source})" if identity else None),
        ("groups", ", ".join(identity.groups) if identity else None),
        ("rules checked", _reviewed(report.reviewed_namespaces)),
        ("connected", yes_no(report.connected)),
    ]
    if report.problem is not None:
        rows.append(("problem", styled(report.problem.line, "red")))
    return rows


def _permissions(out: Output, report: PermissionReport) -> None:
    rows = [
        (str(c.permission), _status(c), c.scope, ", ".join(c.used_by), c.why or "product page")
        for c in report.cells
    ]
    out.print(table("Permissions", ("PERMISSION", "STATUS", "NEEDED IN", "USED BY", "WHY"), rows))
    actions = [_action_row(a) for a in report.actions]
    out.print(table("Actions", ("ACTION", "CAN RUN", "MISSING", "DEGRADED WITHOUT"), actions))
    if report.incomplete:
        out.line(
            "warning: a rules review was incomplete (other authorizers); a permission shown "
            "missing may in fact be granted",
            "yellow",
        )


def _status(cell: CellResult) -> Text:
    if cell.ok and cell.status == CellStatus.ALLOWED_CLUSTER_WIDE:
        return styled("allowed cluster-wide", "green")
    if cell.ok:
        return styled(f"allowed in {', '.join(cell.namespaces)}", "green")
    if cell.status == CellStatus.ALLOWED_IN_NAMESPACE:
        return styled(f"only in {', '.join(cell.namespaces)}", "yellow")
    return styled(
        "missing (optional)" if cell.optional else "missing", "yellow" if cell.optional else "red"
    )
