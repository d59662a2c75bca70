"""Risky grants found in a snapshot, with provenance and the workloads they expose.

Every binding's subjects are checked against the catalogue (`kubeconnector.rbac.catalogue`);
a finding names the risk, the subject, the binding -> role -> rule provenance, where it applies
and which workloads run as that subject (from ``runs_as``: subject key such as
``serviceaccount:shop:web`` -> workload descriptions such as ``Deployment shop/web``; a
description starting with ``DaemonSet`` runs on every node). Built-in grants are left out by
the named rules of `kubeconnector.rbac.exclusions`, each counted in the report.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubeconnector.rbac.catalogue import (
    CATALOGUE,
    BindsRole,
    BindsSubject,
    DefaultServiceAccount,
    Grants,
    Matcher,
    RiskKind,
    Scope,
    Severity,
    Wildcard,
)
from kubeconnector.rbac.exclusions import EXCLUSIONS, ExclusionRule, first_exclusion
from kubeconnector.rbac.model import CLUSTER_ROLE, CLUSTER_ROLE_BINDING, BindingObject, RoleKey
from kubeconnector.rbac.results import Grant
from kubeconnector.rbac.rules import ALL, PolicyRule, rule_covers
from kubeconnector.rbac.snapshot import RbacSnapshot
from kubeconnector.rbac.subjects import GROUP, SERVICE_ACCOUNT, USER, Subject

RunsAs = Mapping[str, Sequence[str]]


@dataclass(frozen=True)
class Workload:
    """A workload that runs as a subject (``on_every_node`` for a DaemonSet)."""

    description: str
    on_every_node: bool

    @classmethod
    def parse(cls, description: str) -> Workload:
        """From a description such as ``DaemonSet kube-system/agent``."""
        return cls(description, description.split(" ", 1)[0] == "DaemonSet")


@dataclass(frozen=True)
class Finding:
    """One risky grant to one subject.

    Attributes:
        kind: The catalogue entry.
        subject: Who holds it.
        binding: The binding that grants it.
        role: The role bound.
        grants: The matching rules with their provenance (empty for binding-level risks).
        workloads: Workloads running as the subject.
    """

    kind: RiskKind
    subject: Subject
    binding: BindingObject
    role: RoleKey
    grants: tuple[Grant, ...] = ()
    workloads: tuple[Workload, ...] = ()

    @property
    def id(self) -> str:
        """The catalogue id."""
        return self.kind.id

    @property
    def severity(self) -> Severity:
        """The catalogue severity."""
        return self.kind.severity

    @property
    def namespace(self) -> str:
        """Where it applies: the RoleBinding's namespace, ``""`` for cluster-wide."""
        return self.binding.namespace

    @property
    def on_every_node(self) -> bool:
        """A DaemonSet runs as the subject, so the grant is present on every node."""
        return any(w.on_every_node for w in self.workloads)

    @property
    def provenance(self) -> list[str]:
        """binding -> role -> rule, one line per matching rule."""
        if not self.grants:
            return [f"{self.binding.label} -> {self.role}"]
        return [g.path for g in self.grants]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready finding."""
        return {
            "id": self.id,
            "title": self.kind.title,
            "severity": self.severity.value,
            "subject": self.subject.to_dict(),
            "scope": self.namespace or "cluster",
            "binding": {"kind": self.binding.kind, "name": self.binding.name},
            "role": {"kind": self.role.kind, "name": self.role.name},
            "rules": [g.rule.to_dict() for g in self.grants],
            "provenance": self.provenance,
            "workloads": [w.description for w in self.workloads],
            "onEveryNode": self.on_every_node,
            "why": self.kind.why,
            "recommendation": self.kind.recommendation,
        }


@dataclass(frozen=True)
class FindingsReport:
    """All findings, most severe first, and what the exclusion rules left out.

    Attributes:
        findings: The findings.
        excluded: Exclusion rule id -> number of findings it suppressed (every rule listed).
        exclusions: The rules in force (empty with ``include_all``).
        include_all: Exclusions were turned off.
    """

    findings: tuple[Finding, ...]
    excluded: Mapping[str, int]
    exclusions: tuple[ExclusionRule, ...]
    include_all: bool = False

    def ids(self) -> set[str]:
        """The distinct catalogue ids found."""
        return {f.id for f in self.findings}

    def of_kind(self, kind_id: str) -> list[Finding]:
        """The findings of one catalogue entry."""
        return [f for f in self.findings if f.id == kind_id]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "findings": [f.to_dict() for f in self.findings],
            "includeAll": self.include_all,
            "exclusions": [
                {"id": r.id, "description": r.description, "excluded": self.excluded[r.id]}
                for r in self.exclusions
            ],
        }


def find_risks(
    snapshot: RbacSnapshot,
    runs_as: RunsAs | None = None,
    *,
    include_all: bool = False,
    catalogue: Sequence[RiskKind] = CATALOGUE,
    exclusions: tuple[ExclusionRule, ...] = EXCLUSIONS,
) -> FindingsReport:
    """Check every binding of the snapshot against the catalogue.

    Args:
        snapshot: The cluster's RBAC objects.
        runs_as: Subject key -> descriptions of the workloads running as it.
        include_all: Report built-in grants too (no exclusion rule applies).
        catalogue: The risk kinds to look for.
        exclusions: The exclusion rules (ignored with ``include_all``).

    Returns:
        The findings, most severe first, and the count each exclusion rule suppressed.
    """
    rules = () if include_all else exclusions
    excluded = dict.fromkeys((r.id for r in rules), 0)
    findings: list[Finding] = []
    for binding in snapshot.bindings:
        role = snapshot.role(binding.role)
        if role is None or not role.rules:
            continue
        for subject in dict.fromkeys(binding.subjects):
            found = _evaluate(catalogue, binding, subject, role.rules)
            rule = first_exclusion(rules, binding, subject) if found else None
            if rule is not None:
                excluded[rule.id] += len(found)
                continue
            findings.extend(_with_workloads(f, runs_as or {}) for f in found)
    findings.sort(key=_order)
    return FindingsReport(tuple(findings), excluded, rules, include_all)


def _order(finding: Finding) -> tuple[int, str, str, str, str]:
    subject = finding.subject
    return (finding.severity.rank, finding.id, subject.key, finding.namespace, finding.binding.name)


def _with_workloads(finding: Finding, runs_as: RunsAs) -> Finding:
    workloads = tuple(Workload.parse(d) for d in runs_as.get(finding.subject.key, ()))
    if not workloads:
        return finding
    return Finding(
        finding.kind, finding.subject, finding.binding, finding.role, finding.grants, workloads
    )


def _evaluate(
    catalogue: Sequence[RiskKind],
    binding: BindingObject,
    subject: Subject,
    rules: tuple[PolicyRule, ...],
) -> list[Finding]:
    if subject.kind == SERVICE_ACCOUNT and not subject.namespace:
        return []  # a ServiceAccount subject without namespace matches nobody
    who = Subject.of(subject.kind, subject.name, subject.namespace)
    found: list[Finding] = []
    for kind in catalogue:
        if kind.rule_level:
            grants = tuple(
                Grant(binding, binding.role, rule, i, subject)
                for i, rule in enumerate(rules)
                if _rule_hits(kind.match, rule, binding)
            )
            if grants:
                found.append(Finding(kind, who, binding, binding.role, grants))
        elif _binding_hits(kind.match, binding, subject):
            found.append(Finding(kind, who, binding, binding.role))
    return _drop_superseded(found)


def _drop_superseded(found: list[Finding]) -> list[Finding]:
    superseding = [f.kind for f in found if f.kind.supersedes_rules]
    if any(not k.rule_level for k in superseding):
        return [f for f in found if not f.kind.rule_level]
    if superseding:
        return [f for f in found if not f.kind.rule_level or f.kind.supersedes_rules]
    return found


def _in_scope(scope: Scope, binding: BindingObject) -> bool:
    if scope == "cluster":
        return binding.kind == CLUSTER_ROLE_BINDING
    if scope == "namespace":
        return binding.kind != CLUSTER_ROLE_BINDING
    return True


def _rule_hits(match: Matcher, rule: PolicyRule, binding: BindingObject) -> bool:
    if isinstance(match, Wildcard):
        return _in_scope(match.scope, binding) and _wildcard(match, rule)
    if not isinstance(match, Grants) or not _in_scope(match.scope, binding):
        return False
    if match.namespace and binding.namespace not in ("", match.namespace):
        return False
    return any(
        rule_covers(rule, verb, group, resource)
        for verb in match.verbs
        for group, resource in match.resources
    )


def _wildcard(match: Wildcard, rule: PolicyRule) -> bool:
    if not rule.is_resource_rule:
        return False
    fields = {"verbs": rule.verbs, "resources": rule.resources, "apiGroups": rule.api_groups}
    if match.field == "all":
        return all(ALL in values for values in fields.values())
    return ALL in fields[match.field]


def _binding_hits(match: Matcher, binding: BindingObject, subject: Subject) -> bool:
    if isinstance(match, BindsSubject):
        return subject.kind in (USER, GROUP) and subject.name in match.names
    if isinstance(match, DefaultServiceAccount):
        return subject.kind == SERVICE_ACCOUNT and subject.name == "default"
    if isinstance(match, BindsRole):
        role = binding.role
        is_role = role.kind == CLUSTER_ROLE and role.name == match.role
        return is_role and _in_scope(match.scope, binding)
    return False
