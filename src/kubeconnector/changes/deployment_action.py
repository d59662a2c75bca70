"""What patch-deployment and scale-deployment share: one guarded patch of a Deployment.

Both actions write `Fields` of one Deployment with the same plan (preflight, the action's own
content checks, autoscalers when the replica count changes, the dry run of the exact patch,
the diff and the pods replaced, added or removed), the same resumable execution
(`deployment_change.run_change`) and the same rollback (`deployment_change.rollback_change`).
An action adds its parameters (`typed` checks their model) and its `content_checks`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.deployment_change import rollback_change, run_change
from kubeconnector.changes.deployment_plan import (
    autoscaler_warnings,
    blast,
    deployment_target,
    fields_dry_run,
    impact,
    preflight,
)
from kubeconnector.changes.deployments import Fields, diff_items, read_fields
from kubeconnector.changes.helpers.checks import Target, blocking, read_target
from kubeconnector.models.changes import Check, JsonObject, Plan

MAX_REPLICAS = 2**31 - 1


class DeploymentParams(Protocol):
    """The parameters a Deployment change needs, whatever else the action takes."""

    @property
    def namespace(self) -> str:
        """The Deployment's namespace."""

    @property
    def name(self) -> str:
        """The Deployment's name."""

    @property
    def force(self) -> bool:
        """Override a managing tool's refusal."""

    def fields(self) -> Fields:
        """The values the change writes."""


class DeploymentAction:
    """Base of the actions that patch fields of one Deployment (rollback restores them)."""

    has_rollback: ClassVar[bool] = True
    rollback_note: ClassVar[str]

    def typed(self, params: BaseModel) -> DeploymentParams:
        """The parameters as the action's own model (`TypeError` for any other)."""
        raise NotImplementedError

    def content_checks(
        self, live: Mapping[str, Any], target: Target, wanted: Fields, before: Fields
    ) -> list[Check]:
        """The action's own checks of what it would write against the live Deployment."""
        raise NotImplementedError

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, content checks, autoscalers (when the replica count changes), dry run of
        the exact patch, diff (env by digest), the pods replaced, added or removed."""
        p = self.typed(params)
        target = deployment_target(p.namespace, p.name)
        lookup = read_target(ctx, target)
        if lookup.obj is None:
            return Plan(target=target.label, preflight=(lookup.check,), rollback_available=True)
        live, wanted = lookup.obj, p.fields()
        checks, warnings = preflight(ctx, target, live, force=p.force)
        before = read_fields(live, wanted)
        checks = [lookup.check, *checks, *self.content_checks(live, target, wanted, before)]
        if wanted.replicas is not None:
            warnings += autoscaler_warnings(ctx, target)
        dry = None
        if not blocking(checks):
            dry = fields_dry_run(ctx, target, wanted, live)
        return Plan(
            target=target.label,
            target_resource_version=lookup.resource_version,
            preflight=tuple(checks),
            dry_run=dry,
            diff=diff_items(before, wanted, ctx.digests),
            impact=impact(target, live, before, wanted),
            warnings=tuple(warnings),
            blast_radius=blast(live),
            rollback_available=True,
            rollback_note=self.rollback_note,
        )

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Snapshot the touched fields, patch with the precondition, verify the rollout."""
        p = self.typed(params)
        return run_change(ctx, deployment_target(p.namespace, p.name), p.fields(), journal)

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Continue an interrupted execution (the same path: the patch is never resent)."""
        return self.execute(ctx, params, journal)

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> JsonObject:
        """Restore the captured fields, unless someone changed them since; verify."""
        p = self.typed(params)
        return rollback_change(ctx, deployment_target(p.namespace, p.name), journal, force)
