"""Delete Kubernetes Secret: no rollback (as the seed says); consumers need ``force``.

Parameters: ``namespace``, ``name``, ``force`` (delete although consumers use it, or a
managing controller would re-create it).

The plan lists every consumer and what breaks for it; a Secret with consumers (or whose
consumers cannot be listed) is refused unless forced. The delete carries ``preconditions``
(uid and resourceVersion), so it never removes a Secret that was re-created or edited since
it was read. The snapshot holds no value: the Secret's uid, resourceVersion, type and key
names with digests (the action has no rollback, and keeping a deleted credential would
outlive its purpose).

API calls (no faults, no retries):
    plan: GET the Secret, one SelfSubjectAccessReview (delete), lists of Pods, Deployments,
        DaemonSets and StatefulSets (and ServiceAccounts for docker-config and token
        Secrets), the ``dryRun=All`` DELETE: 7 (8). A refused preflight skips the dry run; a
        missing Secret stops after the GET.
    execute: GET, DELETE with preconditions, GET to verify it is gone: 3.
    rollback: none (refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from kubeconnector.changes.base import ActionContext, Journal, NoRollback
from kubeconnector.changes.helpers import (
    Consumer,
    Digester,
    Target,
    blast_radius,
    blocking,
    delete_options,
    delete_write,
    dry_run,
    ensure_write,
    forceable_check,
    impact_items,
    last_phase,
    manager_guard,
    permission_check,
    read_live,
    read_namespace,
    read_target,
    recheck_version,
    require_target,
    resource_version,
    secret_consumers,
    terminating,
    uid_of,
)
from kubeconnector.changes.helpers.params import build, flag, object_ref, reject_unknown
from kubeconnector.changes.helpers.rotation import PULL_TYPES
from kubeconnector.discovery.kinds import SECRET, SERVICE_ACCOUNT_TOKEN
from kubeconnector.errors import ApiError, ChangeError
from kubeconnector.models.changes import ActionId, Check, DiffItem, JsonObject, Plan, StepPhase

DELETE = "delete-secret"
NO_ROLLBACK = "No rollback: a deleted Secret is not restored; re-create it from its source"
_BREAKS = {
    "env": "new containers fail to start (CreateContainerConfigError); running ones keep it",
    "envFrom": "new containers fail to start (CreateContainerConfigError); running ones keep it",
    "volume": "new Pods cannot mount it (stuck in ContainerCreating); running Pods keep it",
    "projected": "new Pods cannot mount it (stuck in ContainerCreating); running Pods keep it",
    "volume-plugin": "new Pods cannot mount the volume that needs it",
    "imagePullSecrets": "image pulls that need it fail (ImagePullBackOff)",
    "secrets": "its secrets list names a missing Secret (its token, if it is one, stops working)",
}


class DeleteSecretParams(BaseModel):
    """Typed parameters of delete-secret."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    namespace: str
    name: str
    force: bool = False


class DeleteSecret(NoRollback):
    """The delete-secret action (its rollback is refused: the seed gives it none)."""

    id: ClassVar[ActionId] = ActionId.DELETE_SECRET
    title: ClassVar[str] = "Delete Kubernetes Secret"
    base_score: ClassVar[int] = 7
    no_rollback: ClassVar[str] = NO_ROLLBACK
    params_model: ClassVar[type[BaseModel]] = DeleteSecretParams

    def parse(self, raw: Mapping[str, str]) -> DeleteSecretParams:
        """Typed parameters; `InvalidInput` naming the field."""
        reject_unknown(raw, {"namespace", "name", "force"}, ())
        return build(DeleteSecretParams, {**object_ref(raw), "force": flag(raw, "force")})

    def public_params(
        self,
        params: BaseModel,
        digests: Digester,  # noqa: ARG002 (no secret parameter to digest)
    ) -> JsonObject:
        """The parameters (none is secret)."""
        p = _params(params)
        return {"namespace": p.namespace, "name": p.name, "force": p.force}

    def secret_params(self, params: BaseModel) -> dict[str, bytes]:
        """No parameter is secret."""
        del params  # the protocol's signature
        return {}

    def plan(self, ctx: ActionContext, params: BaseModel) -> Plan:
        """Preflight, every consumer that breaks, dry run of the guarded DELETE."""
        p = _params(params)
        target = _target(p)
        lookup = read_target(ctx, target)
        if lookup.obj is None:
            return Plan(target=target.label, preflight=(lookup.check,), rollback_note=NO_ROLLBACK)
        live = lookup.obj
        guard = manager_guard(live, target.label, force=p.force)
        consumers, consumer_check = _consumers(ctx, p, live, target)
        checks = [lookup.check, permission_check(ctx, "delete", target), *guard.checks]
        checks += [consumer_check] if consumer_check is not None else []
        dry = None
        if not blocking(checks):
            body = delete_options(_preconditions(live))
            dry = dry_run(ctx, "DELETE", target.path, body, what=f"deletion of {target.label}")
        return Plan(
            target=target.label,
            target_resource_version=lookup.resource_version,
            preflight=tuple(checks),
            dry_run=dry,
            diff=_diff(live, ctx.digests),
            impact=impact_items(consumers, _effect),
            warnings=(*guard.warnings, *_type_warnings(live, target)),
            blast_radius=blast_radius(consumers),
            rollback_available=False,
            rollback_note=NO_ROLLBACK,
        )

    def execute(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Snapshot (no values), DELETE with uid and resourceVersion preconditions, verify."""
        return _run(ctx, _target(_params(params)), journal)

    def resume(self, ctx: ActionContext, params: BaseModel, journal: Journal) -> JsonObject:
        """Finish an interrupted deletion (never deletes a re-created Secret)."""
        return _run(ctx, _target(_params(params)), journal)


def _params(params: BaseModel) -> DeleteSecretParams:
    if not isinstance(params, DeleteSecretParams):
        raise TypeError("delete-secret takes DeleteSecretParams")
    return params


def _target(p: DeleteSecretParams) -> Target:
    return Target(SECRET, p.namespace, p.name)


def _preconditions(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The uid and resourceVersion preconditions of deleting exactly this version."""
    meta = obj.get("metadata") or {}
    return {"uid": meta.get("uid"), "resourceVersion": meta.get("resourceVersion")}


def _consumers(
    ctx: ActionContext, p: DeleteSecretParams, live: Mapping[str, Any], target: Target
) -> tuple[list[Consumer], Check | None]:
    accounts = live.get("type") in (*PULL_TYPES, SERVICE_ACCOUNT_TOKEN)
    try:
        view = read_namespace(ctx, p.namespace, accounts=accounts)
    except ApiError as err:
        message = f"the consumers of {target.label} could not be listed ({err})"
        return [], forceable_check("consumers", message, p.force)
    consumers = secret_consumers(view, p.name)
    if not consumers:
        return [], Check(name="consumers", ok=True, message=f"nothing uses {target.label}")
    names = ", ".join(sorted(c.subject for c in consumers))
    message = f"{len(consumers)} consumer(s) of {target.label} will break: {names}"
    return consumers, forceable_check("consumers", message, p.force)


def _effect(consumer: Consumer) -> str:
    effects: list[str] = []
    for use in consumer.uses:
        text = "starts without it (optional reference)" if use.optional else _BREAKS[use.via]
        if text not in effects:
            effects.append(text)
    return "; ".join(effects)


def _diff(live: Mapping[str, Any], digester: Digester) -> tuple[DiffItem, ...]:
    items = [DiffItem(path="secret", op="remove", old=f"type {live.get('type') or 'Opaque'}")]
    digests = digester.data(live.get("data"))
    items += [DiffItem(path=f"data.{k}", op="remove", old=v) for k, v in digests.items()]
    return tuple(items)


def _type_warnings(live: Mapping[str, Any], target: Target) -> list[str]:
    if live.get("type") != SERVICE_ACCOUNT_TOKEN:
        return []
    annotations = (live.get("metadata") or {}).get("annotations") or {}
    account = annotations.get("kubernetes.io/service-account.name", "?")
    return [
        f"{target.label} is a token of ServiceAccount {account}: its token stops working at "
        "once (rotate-sa-token replaces it without a gap)"
    ]


def _run(ctx: ActionContext, target: Target, journal: Journal) -> JsonObject:
    snap = journal.snapshot()
    if snap is None:
        live = require_target(ctx, target)
        recheck_version(ctx, live, target)
        snap = _capture(live, ctx.digests)
        journal.save_snapshot(snap)
    if last_phase(journal, DELETE) is not StepPhase.DONE:
        preconditions = {"uid": snap["uid"], "resourceVersion": snap["resourceVersion"]}
        ensure_write(ctx, journal, delete_write(DELETE, target, preconditions))
    after = read_live(ctx, target.path)
    deleting = after is not None and uid_of(after) == snap["uid"]
    if deleting and after is not None and not terminating(after):
        raise ChangeError(f"verification failed: {target.label} still exists")
    return {
        "secret": target.label,
        "uid": snap["uid"],
        "deleted": not deleting,
        "finalizing": deleting,
        "recreated": after is not None and not deleting,
        "keys": list(snap["keys"]),
        "verified": True,
    }


def _capture(live: Mapping[str, Any], digester: Digester) -> dict[str, Any]:
    digests = digester.data(live.get("data"))
    return {
        "uid": uid_of(live),
        "resourceVersion": resource_version(dict(live)),
        "type": str(live.get("type") or ""),
        "keys": sorted(digests),
        "digests": digests,
    }
