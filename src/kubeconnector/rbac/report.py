"""The permission report of "test connection", computed from SelfSubjectRulesReview results.

The caller makes the API calls, one rules review per scope instead of one access review per
cell: one SelfSubjectRulesReview in a namespace that cannot exist (`probe_namespace`; it can
only return rules of ClusterRoleBindings, i.e. what holds cluster-wide) and one per namespace
in scope (the connector's Namespace when it has one). This module is pure: from those raw
results it computes, for every permission of `kubeconnector.rbac.requirements`, whether it is
allowed cluster-wide, only in some namespace, or missing; whether each action can run and what
it lacks. `kubeconnector.rbac.fix` turns what is missing into role and binding YAML.

The API documents rules reviews as a guide for user interfaces, not an authority: a review
marked ``incomplete`` (webhook or other authorizers) may omit permissions that are in fact
granted, which the report flags.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from kubeconnector.rbac.requirements import (
    ACTIONS,
    EXTRAS,
    SEED_RULES,
    ActionRequirement,
    Permission,
    all_permissions,
)
from kubeconnector.rbac.rules import PolicyRule, ResourceRequest, rules_allow

PROBE_PREFIX = "kubeconnector-probe-"


def probe_namespace(suffix: str) -> str:
    """The namespace to send the cluster-wide rules review to (give a random suffix).

    A namespace that does not exist has no RoleBindings, so the review returns the rules that
    hold everywhere. Names longer than 63 characters are cut.
    """
    return f"{PROBE_PREFIX}{suffix}".lower()[:63]


class CellStatus(StrEnum):
    """Where a permission is granted."""

    ALLOWED_CLUSTER_WIDE = "allowed-cluster-wide"
    ALLOWED_IN_NAMESPACE = "allowed-in-namespace"
    MISSING = "missing"


@dataclass(frozen=True)
class RulesReview:
    """The rules of one SelfSubjectRulesReview."""

    resource_rules: tuple[PolicyRule, ...] = ()
    non_resource_rules: tuple[PolicyRule, ...] = ()
    incomplete: bool = False
    evaluation_error: str = ""

    @classmethod
    def from_raw(cls, raw: Mapping[str, Any]) -> RulesReview:
        """From a whole SelfSubjectRulesReview response or just its ``status``."""
        status = raw.get("status", raw)
        if not isinstance(status, Mapping):
            status = {}
        return cls(
            tuple(PolicyRule.from_dict(r) for r in status.get("resourceRules") or ()),
            tuple(PolicyRule.from_dict(r) for r in status.get("nonResourceRules") or ()),
            bool(status.get("incomplete")),
            str(status.get("evaluationError") or ""),
        )

    def allows(self, permission: Permission, namespace: str = "") -> bool:
        """Whether the rules grant the permission for any object name."""
        resource, _, sub = permission.resource.partition("/")
        request = ResourceRequest(permission.verb, permission.group, resource, sub, namespace)
        return rules_allow(self.resource_rules, request)


@dataclass(frozen=True)
class CellResult:
    """One permission of the report.

    Attributes:
        permission: The verb, group and resource.
        status: Where it is granted.
        scope: Where it is needed: ``cluster`` or the connector's namespace.
        namespaces: The namespaces it is granted in, when not cluster-wide.
        in_seed: The product page asks for it.
        why: Why it is needed beyond the product page (empty for the page's own rules).
        optional: Only features that degrade need it.
        used_by: The actions (and ``discovery``) that need it.
    """

    permission: Permission
    status: CellStatus
    scope: str
    namespaces: tuple[str, ...] = ()
    in_seed: bool = False
    why: str = ""
    optional: bool = False
    used_by: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Granted where it is needed."""
        if self.status == CellStatus.ALLOWED_CLUSTER_WIDE:
            return True
        return self.status == CellStatus.ALLOWED_IN_NAMESPACE and self.scope in self.namespaces

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready cell."""
        p = self.permission
        return {
            "group": p.group,
            "resource": p.resource,
            "verb": p.verb,
            "status": self.status.value,
            "ok": self.ok,
            "scope": self.scope,
            "namespaces": list(self.namespaces),
            "inSeed": self.in_seed,
            "why": self.why,
            "optional": self.optional,
            "usedBy": list(self.used_by),
        }


@dataclass(frozen=True)
class ActionResult:
    """Whether an action can run, and what it lacks (``degraded``: optional needs missing)."""

    action: str
    description: str
    can_run: bool
    missing: tuple[Permission, ...]
    degraded: tuple[Permission, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready action status."""
        return {
            "action": self.action,
            "description": self.description,
            "canRun": self.can_run,
            "missing": [str(p) for p in self.missing],
            "degraded": [str(p) for p in self.degraded],
        }


@dataclass(frozen=True)
class PermissionReport:
    """Every permission cell and every action, for one connector.

    Attributes:
        namespace: The connector's namespace (None: the whole cluster).
        cells: The permissions, product page first, then the extras.
        actions: Discovery and the seven actions.
        incomplete: A rules review said it may be incomplete (missing may be granted).
        evaluation_errors: What the reviews reported they could not resolve.
    """

    namespace: str | None
    cells: tuple[CellResult, ...]
    actions: tuple[ActionResult, ...]
    incomplete: bool = False
    evaluation_errors: tuple[str, ...] = ()

    def cell(self, group: str, resource: str, verb: str) -> CellResult:
        """The cell of one permission (KeyError when not in the report)."""
        wanted = Permission(group, resource, verb)
        for cell in self.cells:
            if cell.permission == wanted:
                return cell
        raise KeyError(str(wanted))

    def action(self, action: str) -> ActionResult:
        """The status of one action (KeyError for an unknown one)."""
        for result in self.actions:
            if result.action == action:
                return result
        raise KeyError(action)

    def missing(self, include_optional: bool = True) -> list[CellResult]:
        """The cells not granted where needed."""
        return [c for c in self.cells if not c.ok and (include_optional or not c.optional)]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready report."""
        return {
            "namespace": self.namespace,
            "incomplete": self.incomplete,
            "evaluationErrors": list(self.evaluation_errors),
            "permissions": [c.to_dict() for c in self.cells],
            "actions": [a.to_dict() for a in self.actions],
        }


def build_report(
    cluster_review: Mapping[str, Any] | RulesReview,
    namespace_reviews: Mapping[str, Mapping[str, Any] | RulesReview] | None = None,
    namespace: str | None = None,
) -> PermissionReport:
    """Compute the permission report from rules reviews.

    Args:
        cluster_review: The review made in `probe_namespace` (rules that hold cluster-wide).
        namespace_reviews: Namespace -> the review made in it (at least the connector's
            namespace when it has one).
        namespace: The connector's namespace (None: the connector covers the whole cluster).
    """
    cluster = _review(cluster_review)
    per_namespace = {ns: _review(r) for ns, r in (namespace_reviews or {}).items()}
    cells = tuple(_cell(p, cluster, per_namespace, namespace) for p in all_permissions())
    by_permission = {c.permission: c for c in cells}
    actions = tuple(_action(a, by_permission, namespace) for a in ACTIONS)
    reviews = [cluster, *per_namespace.values()]
    errors = tuple(dict.fromkeys(r.evaluation_error for r in reviews if r.evaluation_error))
    return PermissionReport(namespace, cells, actions, any(r.incomplete for r in reviews), errors)


def _review(raw: Mapping[str, Any] | RulesReview) -> RulesReview:
    return raw if isinstance(raw, RulesReview) else RulesReview.from_raw(raw)


def _cell(
    permission: Permission,
    cluster: RulesReview,
    per_namespace: Mapping[str, RulesReview],
    namespace: str | None,
) -> CellResult:
    scope = "cluster" if permission.cluster_scoped or namespace is None else namespace
    where: tuple[str, ...] = ()
    if cluster.allows(permission):
        status = CellStatus.ALLOWED_CLUSTER_WIDE
    else:
        where = () if permission.cluster_scoped else _granted_in(permission, per_namespace)
        status = CellStatus.ALLOWED_IN_NAMESPACE if where else CellStatus.MISSING
    seed = [r for r in SEED_RULES if permission in r.permissions()]
    return CellResult(
        permission=permission,
        status=status,
        scope=scope,
        namespaces=where,
        in_seed=bool(seed),
        why=_why(permission),
        optional=not _required(permission, namespace, [r.section for r in seed]),
        used_by=tuple(a.action for a in ACTIONS if _needs(a, permission) is not None),
    )


def _granted_in(permission: Permission, reviews: Mapping[str, RulesReview]) -> tuple[str, ...]:
    return tuple(sorted(ns for ns, r in reviews.items() if r.allows(permission, ns)))


def _why(permission: Permission) -> str:
    return next((e.why for e in EXTRAS if permission in e.permissions()), "")


def _needs(action: ActionRequirement, permission: Permission) -> bool | None:
    """None: the action does not need it; else whether the need is optional."""
    flags = [n.optional for n in action.needs if permission in n.permissions()]
    return all(flags) if flags else None


def _required(permission: Permission, namespace: str | None, sections: list[str]) -> bool:
    # A namespace-scoped connector discovers without cluster-scoped kinds: they degrade it.
    cluster_only = namespace is not None and permission.cluster_scoped
    if any(s == "changes" or not cluster_only for s in sections):
        return True
    for action in ACTIONS:
        optional = _needs(action, permission)
        if optional is False and not (action.action == "discovery" and cluster_only):
            return True
    return False


def _action(
    action: ActionRequirement, cells: Mapping[Permission, CellResult], namespace: str | None
) -> ActionResult:
    missing: list[Permission] = []
    degraded: list[Permission] = []
    for need in action.needs:
        for permission in need.permissions():
            if cells[permission].ok:
                continue
            cluster_only = namespace is not None and permission.cluster_scoped
            soft = need.optional or (action.action == "discovery" and cluster_only)
            (degraded if soft else missing).append(permission)
    return ActionResult(
        action.action, action.description, not missing, tuple(missing), tuple(degraded)
    )
