"""Patch Deployment: one container's image, the replica count, environment variables.

Parameters: ``namespace``, ``name``, ``container`` (required with ``image`` or env changes),
and any of ``image``, ``replicas``, ``env.NAME=VALUE`` (set), ``unset_env=NAME`` (remove;
several: comma-separated), plus ``auto_rollback`` (when the rollout fails, the engine rolls
the change back at once and records both) and ``force`` (override a managing tool's refusal).

Environment values are treated as secrets: the record keeps their digests, the engine seals
the values, diffs show digests, and the snapshot holding the previous entries is sealed.

API calls (no faults, no retries):
    plan: GET the Deployment, one SelfSubjectAccessReview (patch; the GET proves get), the
        ``dryRun=All`` PATCH: 3; with ``replicas``, one list of HorizontalPodAutoscalers: 4.
        A missing Deployment stops after the GET; a refused preflight skips the dry run.
    execute: GET, PATCH (precondition: the resourceVersion read, which must be the plan's),
        then one GET per ``poll_interval`` until the rollout completes: 2 + polls.
    rollback: GET (state check), PATCH (precondition: the live resourceVersion), GET (read
        back), then the rollout polls: 3 + polls.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator

from kubeconnector.changes.deployment_action import MAX_REPLICAS, DeploymentAction
from kubeconnector.changes.deployments import (
    Fields,
    container_of,
    containers,
    diff_items,
    env_entry,
    env_names,
)
from kubeconnector.changes.helpers.checks import Target
from kubeconnector.changes.helpers.digests import Digester
from kubeconnector.changes.helpers.params import (
    build,
    flag,
    object_ref,
    parse_int,
    reject_unknown,
    split_list,
)
from kubeconnector.models.changes import ActionId, Check, JsonObject

# Upstream's classic environment variable name rule, accepted by every API server version.
ENV_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
ROLLBACK_NOTE = (
    "restores the previous values of exactly the changed fields, then verifies the rollout"
)
_SIMPLE = {
    "namespace",
    "name",
    "container",
    "image",
    "replicas",
    "unset_env",
    "auto_rollback",
    "force",
}


class PatchDeploymentParams(BaseModel):
    """Typed parameters of patch-deployment (env values are `SecretStr`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str
    name: str
    container: str = ""
    image: str | None = None
    replicas: int | None = Field(default=None, ge=0, le=MAX_REPLICAS)
    env: dict[str, SecretStr] = Field(default_factory=dict)
    unset_env: tuple[str, ...] = ()
    auto_rollback: bool = False
    force: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> PatchDeploymentParams:
        if self.image is None and self.replicas is None and not self.env and not self.unset_env:
            raise ValueError("give at least one of image, replicas, env.NAME or unset_env")
        if (self.image is not None or self.env or self.unset_env) and not self.container:
            raise ValueError("container is required to change an image or the environment")
        if self.image is not None and (not self.image or any(c.isspace() for c in self.image)):
            raise ValueError("image must be a non-empty image reference without spaces")
        for name in (*self.env, *self.unset_env):
            if not ENV_NAME.match(name):
                raise ValueError(f"{name!r} is not a valid environment variable name")
        if set(self.env) & set(self.unset_env):
            raise ValueError("a variable may be set or removed, not both")
        return self

    def fields(self) -> Fields:
        """The values this change writes."""
        env: dict[str, dict[str, Any] | None] = {
            name: env_entry(name, value.get_secret_value()) for name, value in self.env.items()
        }
        env.update(dict.fromkeys(self.unset_env))
        return Fields(container=self.container, image=self.image, replicas=self.replicas, env=env)


class PatchDeployment(DeploymentAction):
    """The patch-deployment action."""

    id: ClassVar[ActionId] = ActionId.PATCH_DEPLOYMENT
    title: ClassVar[str] = "Patch Deployment"
    base_score: ClassVar[int] = 6
    rollback_note: ClassVar[str] = ROLLBACK_NOTE
    params_model: ClassVar[type[BaseModel]] = PatchDeploymentParams

    def parse(self, raw: Mapping[str, str]) -> PatchDeploymentParams:
        """Typed parameters; `InvalidInput` naming the field (never quoting an env value)."""
        reject_unknown(raw, _SIMPLE, ("env.",))
        data: dict[str, Any] = {
            **object_ref(raw),
            "container": raw.get("container", "").strip(),
            "env": {key[4:]: value for key, value in raw.items() if key.startswith("env.")},
            "unset_env": split_list(raw.get("unset_env", "")),
            "auto_rollback": flag(raw, "auto_rollback"),
            "force": flag(raw, "force"),
        }
        if "image" in raw:
            data["image"] = raw["image"].strip()
        if "replicas" in raw:
            data["replicas"] = parse_int("replicas", raw["replicas"])
        return build(PatchDeploymentParams, data)

    def public_params(self, params: BaseModel, digests: Digester) -> JsonObject:
        """The parameters with each env value replaced by its digest."""
        p = self.typed(params)
        env: dict[str, Any] = {
            k: digests.value(v.get_secret_value()) for k, v in sorted(p.env.items())
        }
        return {
            "namespace": p.namespace,
            "name": p.name,
            "container": p.container,
            "image": p.image,
            "replicas": p.replicas,
            "env": env,
            "unset_env": list(p.unset_env),
            "auto_rollback": p.auto_rollback,
            "force": p.force,
        }

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """The env values, by their raw parameter name (``env.NAME``)."""
        return {
            f"env.{k}": v.get_secret_value().encode() for k, v in self.typed(params).env.items()
        }

    def typed(self, params: BaseModel) -> PatchDeploymentParams:
        """The parameters as `PatchDeploymentParams` (`TypeError` for any other model)."""
        if not isinstance(params, PatchDeploymentParams):
            raise TypeError("patch-deployment takes PatchDeploymentParams")
        return params

    def content_checks(
        self, live: Mapping[str, Any], target: Target, wanted: Fields, before: Fields
    ) -> list[Check]:
        """The container exists, variables to remove exist, and something would change."""
        if not wanted.container:
            return _changes_check(before, wanted)
        if container_of(live, wanted.container) is None:
            listed = ", ".join(str(c.get("name")) for c in containers(live))
            message = f"{target.label} has no container {wanted.container!r} (containers: {listed})"
            return [Check(name="container", ok=False, message=message)]
        return [*_env_checks(live, wanted), *_changes_check(before, wanted)]


def _env_checks(live: Mapping[str, Any], wanted: Fields) -> list[Check]:
    """Variables to remove exist, and no variable to change is defined twice."""
    checks = []
    names = env_names(live, wanted.container)
    absent = [n for n, entry in sorted(wanted.env.items()) if entry is None and n not in names]
    if absent:
        listed = ", ".join(repr(n) for n in absent)
        message = f"container {wanted.container!r} has no environment variable {listed} to remove"
        checks.append(Check(name="env", ok=False, message=message))
    doubled = sorted({n for n in wanted.env if names.count(n) > 1})
    if doubled:
        message = f"container {wanted.container!r} defines {', '.join(doubled)} more than once"
        checks.append(Check(name="env", ok=False, message=message))
    return checks


def _changes_check(before: Fields, wanted: Fields) -> list[Check]:
    # only whether anything differs matters here, so any key will do
    if diff_items(before, wanted, Digester.ephemeral()):
        return []
    message = "nothing would change: every value given is the current one"
    return [Check(name="changes", ok=False, message=message)]


ACTION = PatchDeployment()
__all__ = ["ACTION", "PatchDeployment", "PatchDeploymentParams"]
