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

from kubeconnector.changes.deployment_action import MAX_REPLICAS, DeploymentAction
from kubeconnector.changes.deployments import Fields
from kubeconnector.changes.helpers.checks import Target
from kubeconnector.changes.helpers.digests import Digester
from kubeconnector.changes.helpers.params import (
    build,
    flag,
    object_ref,
    parse_int,
    reject_unknown,
    require,
)
from kubeconnector.models.changes import ActionId, Check, JsonObject

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


class ScaleDeployment(DeploymentAction):
    """The scale-deployment action."""

    id: ClassVar[ActionId] = ActionId.SCALE_DEPLOYMENT
    title: ClassVar[str] = "Scale Deployment"
    base_score: ClassVar[int] = 4
    rollback_note: ClassVar[str] = ROLLBACK_NOTE
    params_model: ClassVar[type[BaseModel]] = ScaleDeploymentParams

    def parse(self, raw: Mapping[str, str]) -> ScaleDeploymentParams:
        """Typed parameters; `InvalidInput` naming the field."""
        reject_unknown(raw, {"namespace", "name", "replicas", "force"}, ())
        require(raw, "namespace", "name", "replicas")
        data: dict[str, Any] = {
            **object_ref(raw),
            "replicas": parse_int("replicas", raw["replicas"]),
            "force": flag(raw, "force"),
        }
        return build(ScaleDeploymentParams, data)

    def public_params(
        self,
        params: BaseModel,
        digests: Digester,  # noqa: ARG002 (no secret parameter to digest)
    ) -> JsonObject:
        """The parameters (none is secret)."""
        p = self.typed(params)
        return {"namespace": p.namespace, "name": p.name, "replicas": p.replicas, "force": p.force}

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """None: a replica count is not a secret."""
        self.typed(params)
        return {}

    def typed(self, params: BaseModel) -> ScaleDeploymentParams:
        """The parameters as `ScaleDeploymentParams` (`TypeError` for any other model)."""
        if not isinstance(params, ScaleDeploymentParams):
            raise TypeError("scale-deployment takes ScaleDeploymentParams")
        return params

    def content_checks(
        self, live: Mapping[str, Any], target: Target, wanted: Fields, before: Fields
    ) -> list[Check]:
        """Something would change: the count is not the current one."""
        del live  # the base's signature: the previous count is in `before`
        if before.replicas != wanted.replicas:
            return []
        message = f"nothing would change: {target.label} already has {wanted.replicas} replicas"
        return [Check(name="changes", ok=False, message=message)]


ACTION = ScaleDeployment()
__all__ = ["ACTION", "ScaleDeployment", "ScaleDeploymentParams"]
