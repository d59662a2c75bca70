"""Scale Deployment: set ``spec.replicas``; rollback restores the previous count.

Parameters: ``namespace``, ``name``, ``replicas``; ``force`` (override a managing tool's
refusal: Helm, Argo CD and Flux put their replica count back at the next sync).

The write is a strategic merge patch of the Deployment's ``spec.replicas`` carrying the
resourceVersion precondition, not the ``scale`` subresource: the seed's permissions grant
``patch`` on deployments but nothing on ``deployments/scale``. A HorizontalPodAutoscaler
targeting the Deployment overrides any count set by hand: the plan lists the namespace's
autoscalers and warns (or warns that it could not, when listing them is not allowed).
Verification waits until kubectl's rollout status is done (the new count available).

API calls (no faults, no retries):
    plan: GET the Deployment, one SelfSubjectAccessReview (patch), one list of
        HorizontalPodAutoscalers, the ``dryRun=All`` PATCH: 4. A missing Deployment stops
        after the GET; a refused preflight skips the dry run.
    execute: GET, PATCH, then one GET per ``poll_interval`` until the replicas are
        available: 2 + polls.
    rollback: GET, PATCH, GET (read back), then the polls: 3 + polls.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

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
from kubeconnector.changes.helpers.checks import blocking, read_target
from kubeconnector.changes.helpers.params import (
    DNS_LABEL,
    DNS_SUBDOMAIN,
    build,
    check_name,
    parse_bool,
    parse_int,
    reject_unknown,
    require,
)
from kubeconnector.models.changes import ActionId, Check, JsonObject, Plan

MAX_REPLICAS = 2**31 - 1
ROLLBACK_NOTE = "restores the previous replica count, then waits until it is available"


class ScaleDeploymentParams(BaseModel):
    """Typed parameters of scale-deployment."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str
    name: str
    replicas: int = Field(ge=0, le=MAX_REPLICAS)
    force: bool = False

    def fields(self) -> Fields:
        """The value this change writes."""
        return Fields(replicas=self.replicas)


class ScaleDeployment:
    """The scale-deployment action."""

    id: ClassVar[ActionId] = ActionId.SCALE_DEPLOYMENT
    title: ClassVar[str] = "Scale Deployment"
    base_score: ClassVar[int] = 4
    has_rollback: ClassVar[bool] = True
    params_model: ClassVar[type[BaseModel]] = ScaleDeploymentParams

    def parse(self, raw: Mapping[str, str]) -> ScaleDeploymentParams:
        """Typed parameters; `InvalidInput` naming the field."""
        reject_unknown(raw, {"namespace", "name", "replicas", "force"}, ())
        require(raw, "namespace", "name", "replicas")
        data: dict[str, Any] = {
            "namespace": check_name("namespace", raw["namespace"].strip(), DNS_LABEL, 63),
            "name": check_name("name", raw["name"].strip(), DNS_SUBDOMAIN, 253),
            "replicas": parse_int("replicas", raw["replicas"]),
            "force": parse_bool("force", raw.get("force", "")),
        }
        return build(ScaleDeploymentParams, data)

    def public_params(self, params: BaseModel) -> JsonObject:
        """The parameters (none is secret)."""
        p = _params(params)
        return {"namespace": p.namespace, "name": p.name, "replicas": p.replicas, "force": p.force}

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """None: a replica count is not a secret."""
        _params(params)
        return {}

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, autoscalers, dry run of the exact patch, the pods added or removed."""
        p = _params(params)
        target = deployment_target(p.namespace, p.name)
        lookup = read_target(ctx, target)
        if lookup.obj is None:
            return Plan(target=target.label, preflight=(lookup.check,), rollback_available=True)
        live, wanted = lookup.obj, p.fields()
        checks, warnings = preflight(ctx, target, live, force=p.force)
        before = read_fields(live, wanted)
        checks = [lookup.check, *checks]
        if before.replicas == p.replicas:
            message = f"nothing would change: {target.label} already has {p.replicas} replicas"
            checks.append(Check(name="changes", ok=False, message=message))
        warnings += autoscaler_warnings(ctx, target)
        dry = None
        if not blocking(checks):
            dry = fields_dry_run(ctx, target, wanted, live)
        return Plan(
            target=target.label,
            target_resource_version=lookup.resource_version,
            preflight=tuple(checks),
            dry_run=dry,
            diff=diff_items(before, wanted),
            impact=impact(target, live, before, wanted),
            warnings=tuple(warnings),
            blast_radius=blast(live),
            rollback_available=True,
            rollback_note=ROLLBACK_NOTE,
        )

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Snapshot the count, patch with the precondition, wait for availability."""
        p = _params(params)
        return run_change(ctx, deployment_target(p.namespace, p.name), p.fields(), journal)

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Continue an interrupted execution (the same path: the patch is never resent)."""
        return self.execute(ctx, params, journal)

    def rollback(
        self, ctx: ActionContext, params: BaseModel, journal: Journal, force: bool
    ) -> JsonObject:
        """Restore the previous count, unless someone changed it since; verify."""
        p = _params(params)
        return rollback_change(ctx, deployment_target(p.namespace, p.name), journal, force)


def _params(params: BaseModel) -> ScaleDeploymentParams:
    if not isinstance(params, ScaleDeploymentParams):
        raise TypeError("scale-deployment takes ScaleDeploymentParams")
    return params


ACTION = ScaleDeployment()
__all__ = ["ACTION", "ScaleDeployment", "ScaleDeploymentParams"]
