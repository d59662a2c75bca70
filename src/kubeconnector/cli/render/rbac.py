"""Rendering of RBAC answers: who-can, effective permissions, risky-grant findings."""

from __future__ import annotations

from rich.text import Text

from kubeconnector.cli.render.output import Output, styled, table
from kubeconnector.rbac import (
    EffectivePermissions,
    Finding,
    FindingsReport,
    Grant,
    WhoCanEntry,
    WhoCanResult,
)
from kubeconnector.rbac.results import CAVEAT_TEXT
from kubeconnector.rbac.service import Inspection, InventoryBasis

_SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def who_can(out: Output, answer: Inspection[WhoCanResult]) -> None:
    """The subjects allowed, each with every grant (binding -> role -> rule)."""
    result = answer.result
    flag = " (the answer may be incomplete)" if result.incomplete else ""
    out.line(f"who can {result.verb} {result.target}{_where(result)}?{flag}", "bold")
    rows = [_who_row(entry) for entry in result.entries]
    if rows:
        out.print(table(None, ("SUBJECT", "KIND", "GRANTED BY"), rows))
    else:
        out.line("no subject is allowed by RBAC")
    for binding in result.unresolved:
        out.line(f"note: {binding} refers to a role that does not exist", "dim")
    _caveats(out, result.caveats)
    _basis(out, answer.basis)


def permissions(out: Output, answer: Inspection[EffectivePermissions]) -> None:
    """A subject's grants, cluster-wide then per namespace."""
    result = answer.result
    out.line(f"effective permissions of {result.subject.key}", "bold")
    out.line(f"groups counted: {', '.join(result.groups) or 'none'}", "dim")
    if result.is_master:
        out.line("member of system:masters: allowed everything, whatever the rules say", "red")
    rows = [_grant_row("cluster-wide", g) for g in result.cluster_wide]
    for namespace, grants in result.namespaces.items():
        rows += [_grant_row(namespace, g) for g in grants]
    if rows:
        out.print(table(None, ("SCOPE", "RULE", "GRANTED BY", "AS"), rows))
    else:
        out.line("RBAC grants it nothing")
    for binding in result.unresolved:
        out.line(f"note: {binding} refers to a role that does not exist", "dim")
    _caveats(out, result.caveats)
    _basis(out, answer.basis)


def findings(out: Output, answer: Inspection[FindingsReport]) -> None:
    """Risky grants, most severe first, then what the exclusion rules left out."""
    report = answer.result
    rows = [_finding_row(finding) for finding in report.findings]
    if rows:
        columns = ("SEVERITY", "RISK", "SUBJECT", "SCOPE", "GRANTED BY", "WORKLOADS")
        out.print(table(None, columns, rows))
    out.line(f"{len(report.findings)} findings", "bold")
    if report.include_all:
        out.line("exclusion rules are off (--all): built-in grants are included", "dim")
    for rule in report.exclusions:
        count = report.excluded[rule.id]
        out.line(f"excluded by {rule.id} ({count}): {rule.description}", "dim")
    if report.exclusions:
        out.line("use --all to include them", "dim")
    _basis(out, answer.basis)


def _who_row(entry: WhoCanEntry) -> tuple[Text, str, str]:
    subject = Text(entry.subject.key)
    if entry.members_unknown:
        subject.append(" (members unknown)", style="yellow")
    return subject, entry.subject.kind, "\n".join(g.path for g in entry.grants)


def _finding_row(finding: Finding) -> tuple[Text, str, str, str, str, str]:
    severity = finding.severity.value
    return (
        styled(severity, _SEVERITY_STYLE[severity]),
        finding.kind.title,
        finding.subject.key,
        finding.namespace or "cluster",
        "\n".join(finding.provenance),
        "\n".join(w.description for w in finding.workloads),
    )


def _where(result: WhoCanResult) -> str:
    name = f" named {result.name}" if result.name else ""
    if result.namespace == "*":
        return f"{name} in any namespace"
    if result.namespace:
        return f"{name} in namespace {result.namespace}"
    return f"{name} cluster-wide"


def _grant_row(scope: str, grant: Grant) -> tuple[str, str, str, str]:
    return (scope, str(grant.rule), f"{grant.binding.label} -> {grant.role}", grant.subject.key)


def _caveats(out: Output, caveats: tuple[str, ...]) -> None:
    for code in caveats:
        out.line(f"caveat: {CAVEAT_TEXT[code]}", "dim")


def _basis(out: Output, basis: InventoryBasis) -> None:
    when = (basis.run.finished_at or basis.run.started_at).isoformat(timespec="seconds")
    out.line(f"from the inventory discovered {when}", "dim")
    if basis.unlisted_kinds:
        out.line(
            f"warning: that discovery could not list {', '.join(basis.unlisted_kinds)}; answers "
            "use what an earlier discovery saw of them, if anything",
            "yellow",
        )
