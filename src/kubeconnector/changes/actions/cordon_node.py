"""Cordon Node and Uncordon Node: set or clear a Node's ``spec.unschedulable``.

Parameter: ``node``. Cordoning evicts nothing: the pods on the node keep running and only new
pods avoid it. Each action's rollback is the other one, except that a change whose node was
already in the target state writes nothing (recorded as a no-op, with why) and its rollback
is a recorded no-op too: rollback never changes a node that was in the target state before.

Permissions: the seed grants only ``patch`` on nodes, but capturing the node's state and
verifying it needs ``get``; without it the plan refuses with a check that says which rule to
add. Listing the pods on the node uses the seed's ``list`` on pods (metadata only).

Preconditions: a Node's resourceVersion moves whenever the kubelet reports its status, so the
plan's resourceVersion cannot guard an execution approved minutes later. Execution instead
checks that ``spec.unschedulable`` is still what the plan saw, and the write carries the
resourceVersion read just before it (a strategic merge patch of that one field, so nothing
else is overwritten; any edit between that read and the write still fails it with 409).

Verification reads the node back and checks ``spec.unschedulable``; it does not wait for the
``node.kubernetes.io/unschedulable`` taint, which the node lifecycle controller adds or removes
asynchronously (the scheduler honours the field itself); the result says whether the taint
was already in step.

API calls (no faults, no retries):
    plan: GET the Node, one SelfSubjectAccessReview (patch), the ``dryRun=All`` PATCH, and
        for cordon one metadata-only list of the Pods on the node: 4 (uncordon 3; a no-op
        skips the dry run; a missing or unreadable node stops after the GET, plus the review
        when the GET was forbidden).
    execute: GET, PATCH, GET (read back): 3; a no-op: 1.
    rollback: GET, PATCH, GET: 3; a no-op change's rollback: 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers.checks import (
    Target,
    blocking,
    permission_check,
    require_target,
    resource_version,
    uid_of,
)
from kubeconnector.changes.helpers.digests import Digester
from kubeconnector.changes.helpers.params import (
    DNS_SUBDOMAIN,
    build,
    check_name,
    reject_unknown,
    require,
)
from kubeconnector.changes.helpers.rollbacks import (
    note_restored,
    rollback_snapshot,
    rollback_target,
)
from kubeconnector.changes.helpers.writes import dry_run, ensure_write, last_phase
from kubeconnector.changes.nodes import (
    NODE,
    UNSCHEDULABLE,
    node_impact,
    node_patch,
    node_state,
    node_write,
    read_node,
    state_word,
    unschedulable,
    unschedulable_diff,
    verify_node,
)
from kubeconnector.changes.rollout import STRATEGIC_MERGE
from kubeconnector.errors import ChangeError
from kubeconnector.models.changes import ActionId, Check, JsonObject, Plan

RESTORE_STEP = "restore-node"
Obj = Mapping[str, Any]


class NodeParams(BaseModel):
    """Typed parameters of cordon-node and uncordon-node."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    node: str


class _NodeAction:
    """What cordon and uncordon share; `cordon` says which way `spec.unschedulable` goes."""

    cordon: ClassVar[bool]
    has_rollback: ClassVar[bool] = True
    params_model: ClassVar[type[BaseModel]] = NodeParams

    @property
    def step(self) -> str:
        """The journal step of the write."""
        return "cordon-node" if self.cordon else "uncordon-node"

    def parse(self, raw: Mapping[str, str]) -> NodeParams:
        """Typed parameters; `InvalidInput` naming the field."""
        reject_unknown(raw, {"node"}, ())
        require(raw, "node")
        return build(
            NodeParams, {"node": check_name("node", raw["node"].strip(), DNS_SUBDOMAIN, 253)}
        )

    def public_params(
        self,
        params: BaseModel,
        digests: Digester,  # noqa: ARG002 (no secret parameter to digest)
    ) -> JsonObject:
        """The parameters (none is secret)."""
        return {"node": _params(params).node}

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """None: a node name is not a secret."""
        _params(params)
        return {}

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, dry run of the exact patch, the pods on the node and what they do."""
        target = _target(params)
        node, checks = read_node(ctx, target)
        note = _rollback_note(self.cordon)
        if node is None:
            return Plan(
                target=target.label,
                preflight=tuple(checks),
                rollback_available=True,
                rollback_note=note,
            )
        checks.append(permission_check(ctx, "patch", target))
        noop = unschedulable(node) == self.cordon
        warnings = [_noop_warning(target, self.cordon)] if noop else []
        impact, blast, pod_warnings = node_impact(ctx, target, self.cordon)
        return Plan(
            target=target.label,
            target_resource_version=resource_version(dict(node)),
            preflight=tuple(checks),
            dry_run=self._dry_run(ctx, target, node, noop, checks),
            diff=() if noop else (unschedulable_diff(self.cordon),),
            impact=impact,
            warnings=(*warnings, *pod_warnings),
            blast_radius=blast,
            rollback_available=True,
            rollback_note=note,
        )

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Snapshot the previous state, patch with the precondition, read it back."""
        target = _target(params)
        live = require_target(ctx, target)
        snap = journal.snapshot()
        if snap is None:
            snap = _capture(ctx, target, live, self.cordon, journal)
        if snap["noop"]:
            if last_phase(journal, self.step) is None:
                journal.skipped(
                    self.step, {"node": target.label, "reason": _noop_reason(target, self.cordon)}
                )
            return {
                **node_state(target, live),
                "noop": True,
                "reason": _noop_reason(target, self.cordon),
                "verified": True,
            }
        if uid_of(live) != snap["uid"]:
            raise ChangeError(
                f"{target.label} was deleted and re-created since the change started; "
                "nothing more is written"
            )
        # The live version, not the snapshot's: a node's version moves with every status
        # report, so a resume guarded by the snapshot's would always meet a 409. Only the one
        # field matters, and ensure_write resends only when the node does not show it yet.
        write = node_write(self.step, target, str(snap["uid"]), resource_version(live), self.cordon)
        ensure_write(ctx, journal, write)
        return {**verify_node(ctx, target, self.cordon), "noop": False, "verified": True}

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Continue an interrupted execution (the same path: the patch is never resent)."""
        return self.execute(ctx, params, journal)

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> JsonObject:
        """Put `spec.unschedulable` back, unless the change was a no-op; read it back.

        `force` changes nothing here: the only field is the one being restored, and a node
        someone already put back is left as it is.
        """
        del force
        target = _target(params)
        snap = rollback_snapshot(journal, "state")
        previous = bool(snap["unschedulable"])
        if snap["noop"]:
            reason = f"{_noop_reason(target, self.cordon)}; the rollback changes nothing"
            if last_phase(journal, RESTORE_STEP) is None:
                journal.skipped(RESTORE_STEP, {"node": target.label, "reason": reason})
            return {"node": target.label, "noop": True, "reason": reason, "unschedulable": previous}
        live = rollback_target(ctx, target, str(snap["uid"]))
        if unschedulable(live) == previous:
            _already_restored(journal, target, live, previous)
        else:
            ensure_write(
                ctx,
                journal,
                node_write(
                    RESTORE_STEP, target, str(snap["uid"]), resource_version(live), previous
                ),
            )
        return {**verify_node(ctx, target, previous), "noop": False, "verified": True}

    def _dry_run(
        self, ctx: ActionContext, target: Target, node: Obj, noop: bool, checks: list[Check]
    ) -> Check | None:
        if blocking(checks):
            return None
        if noop:
            message = f"nothing to send: {target.label} is already {state_word(self.cordon)}"
            return Check(name="dry-run", ok=True, message=message)
        body = node_patch(resource_version(dict(node)), self.cordon)
        what = f"{self.step.replace('-node', '')} of {target.label}"
        return dry_run(ctx, "PATCH", target.path, body, what=what, content_type=STRATEGIC_MERGE)


class CordonNode(_NodeAction):
    """The cordon-node action: mark a node unschedulable (no eviction)."""

    id: ClassVar[ActionId] = ActionId.CORDON_NODE
    title: ClassVar[str] = "Cordon Node"
    base_score: ClassVar[int] = 4
    cordon: ClassVar[bool] = True


class UncordonNode(_NodeAction):
    """The uncordon-node action: mark a node schedulable again."""

    id: ClassVar[ActionId] = ActionId.UNCORDON_NODE
    title: ClassVar[str] = "Uncordon Node"
    base_score: ClassVar[int] = 3
    cordon: ClassVar[bool] = False


def _params(params: BaseModel) -> NodeParams:
    if not isinstance(params, NodeParams):
        raise TypeError("cordon-node and uncordon-node take NodeParams")
    return params


def _target(params: BaseModel) -> Target:
    return Target(NODE, "", _params(params).node)


def _capture(
    ctx: ActionContext, target: Target, live: Obj, cordon: bool, journal: Journal
) -> dict[str, Any]:
    """Check the node against the plan and save the snapshot (its previous state)."""
    current = unschedulable(live)
    expected = _planned_state(ctx, cordon)
    if expected is not None and current != expected:
        raise ChangeError(
            f"{target.label} was changed since the plan: {UNSCHEDULABLE} is now "
            f"{str(current).lower()} (the plan saw {str(expected).lower()}); nothing was "
            "written: plan the change again"
        )
    snap: dict[str, Any] = {
        "uid": uid_of(live),
        "resourceVersion": resource_version(dict(live)),
        "unschedulable": current,
        "target": cordon,
        "noop": current == cordon,
    }
    journal.save_snapshot(snap)
    return snap


def _planned_state(ctx: ActionContext, cordon: bool) -> bool | None:
    """``spec.unschedulable`` as the approved plan saw it (None without a plan)."""
    if ctx.plan is None:
        return None
    for item in ctx.plan.diff:
        if item.path == UNSCHEDULABLE:
            return item.old == "true"
    return cordon  # the plan found the node already in the target state


def _already_restored(journal: Journal, target: Target, live: Obj, previous: bool) -> None:
    detail: JsonObject = {"node": target.label, "resourceVersion": resource_version(dict(live))}
    reason = (
        f"{target.label} is already {state_word(previous)} (someone restored it since the change)"
    )
    note_restored(journal, RESTORE_STEP, detail, reason)


def _noop_reason(target: Target, cordon: bool) -> str:
    return (
        f"{target.label} was already {state_word(cordon)} before this change, so it writes nothing"
    )


def _noop_warning(target: Target, cordon: bool) -> str:
    return (
        f"{target.label} is already {state_word(cordon)}: this change writes nothing, and its "
        "rollback changes nothing"
    )


def _rollback_note(cordon: bool) -> str:
    inverse = "uncordons" if cordon else "cordons"
    return f"{inverse} the node again, unless it already was {state_word(cordon)} before the change"


ACTIONS = (CordonNode(), UncordonNode())
__all__ = ["ACTIONS", "CordonNode", "NodeParams", "UncordonNode"]
