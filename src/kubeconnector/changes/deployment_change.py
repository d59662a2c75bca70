"""Executing and rolling back a Deployment change, resumable at any point.

`run_change` is both the execution and its resume. It reads the Deployment; when the journal
holds no snapshot yet it checks that the Deployment is still the version the plan saw and
captures the snapshot: its uid and resourceVersion, the previous values of exactly the fields
the change touches (``before``), the values written (``after``) and the container's env order.
Then it sends one strategic merge patch guarded by the snapshot's resourceVersion
(`writes.ensure_write`: never applied twice), checks the answer holds the values written, and
waits for the rollout with kubectl's rollout-status logic (`RolloutFailed` when it fails).

`rollback_change` restores ``before`` with a patch guarded by the live resourceVersion, after
checking that the touched fields still hold what the change wrote (else `RollbackRefused`
naming them, unless forced), then waits for that rollout too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.deployments import (
    Fields,
    container_of,
    diff_items,
    differences,
    env_names,
    fields_patch,
    holds,
    read_fields,
)
from kubeconnector.changes.helpers.checks import (
    Target,
    require_target,
    resource_version,
    uid_of,
)
from kubeconnector.changes.helpers.rollbacks import (
    allow_overwrite,
    note_restored,
    rollback_snapshot,
    rollback_target,
)
from kubeconnector.changes.helpers.writes import Write, ensure_write
from kubeconnector.changes.rollout import STRATEGIC_MERGE, wait_for_rollout
from kubeconnector.errors import ChangeError, RollbackRefused
from kubeconnector.models.changes import JsonObject

PATCH_STEP = "patch-deployment"
RESTORE_STEP = "restore-deployment"
Obj = Mapping[str, Any]


def run_change(ctx: ActionContext, target: Target, wanted: Fields, journal: Journal) -> JsonObject:
    """Execute (or resume) a Deployment change; returns the result (digests only).

    Raises:
        ChangeError: The Deployment is gone, changed since the plan or since it was read, or
            the answer does not hold the values written (nothing was written, except in the
            last case).
        RolloutFailed: The rollout failed or did not complete within ``rollout_timeout``.
    """
    live = require_target(ctx, target)
    snap = journal.snapshot()
    if snap is None:
        snap = _capture(ctx, target, wanted, live, journal)
    written = Fields.from_json(snap["after"])
    uid, version = str(snap["uid"]), str(snap["resourceVersion"])
    write = _patch(PATCH_STEP, target, live, written, uid=uid, version=version)
    answer = ensure_write(ctx, journal, write) or require_target(ctx, target)
    _verify(target, answer, uid, written)
    rollout = wait_for_rollout(ctx, "Deployment", target.namespace, target.name, journal=journal)
    before = Fields.from_json(snap["before"])
    return {
        "deployment": target.label,
        "changed": [
            item.model_dump(mode="json") for item in diff_items(before, written, ctx.digests)
        ],
        "resourceVersion": resource_version(dict(answer)),
        "rollout": rollout.as_json(),
        "verified": True,
    }


def rollback_change(
    ctx: ActionContext, target: Target, journal: Journal, force: bool
) -> JsonObject:
    """Restore the captured fields (resumable), then wait for the rollout.

    Raises:
        RollbackRefused: No snapshot; the Deployment is gone or was re-created; or its touched
            fields changed since the change (unless `force`).
        ChangeError: The answer does not hold the previous values.
        RolloutFailed: The restored rollout failed or timed out.
    """
    snap = rollback_snapshot(journal, "values")
    uid = str(snap["uid"])
    before, after = Fields.from_json(snap["before"]), Fields.from_json(snap["after"])
    live = _same_object(ctx, target, uid, before.container)
    overwritten = _restore(ctx, journal, target, live, snap, force)
    answer = require_target(ctx, target)
    _verify(target, answer, uid, before)
    rollout = wait_for_rollout(ctx, "Deployment", target.namespace, target.name, journal=journal)
    return {
        "deployment": target.label,
        "restored": [
            item.model_dump(mode="json") for item in diff_items(after, before, ctx.digests)
        ],
        "overwritten": list(overwritten),
        "resourceVersion": resource_version(answer),
        "rollout": rollout.as_json(),
        "verified": True,
    }


def _capture(
    ctx: ActionContext, target: Target, wanted: Fields, live: dict[str, Any], journal: Journal
) -> dict[str, Any]:
    """Check the Deployment against the plan and save the snapshot."""
    version = resource_version(live)
    planned = ctx.plan.target_resource_version if ctx.plan is not None else ""
    if planned and version != planned:
        raise ChangeError(
            f"{target.label} was changed since the plan (resourceVersion {planned}, now "
            f"{version}); nothing was written: plan the change again"
        )
    if wanted.container and container_of(live, wanted.container) is None:
        raise ChangeError(
            f"{target.label} has no container {wanted.container!r}; nothing was written"
        )
    snap: dict[str, Any] = {
        "uid": uid_of(live),
        "resourceVersion": version,
        "before": read_fields(live, wanted).to_json(),
        "after": wanted.to_json(),
        "envOrder": env_names(live, wanted.container) if wanted.container else [],
    }
    journal.save_snapshot(snap)
    return snap


def _restore(
    ctx: ActionContext,
    journal: Journal,
    target: Target,
    live: dict[str, Any],
    snap: Mapping[str, Any],
    force: bool,
) -> list[str]:
    """Write the previous values back (skipped when live already holds them).

    Returns:
        The fields someone else changed that a forced rollback overwrote.
    """
    uid = str(snap["uid"])
    before, after = Fields.from_json(snap["before"]), Fields.from_json(snap["after"])
    order = list(snap.get("envOrder") or [])
    version = resource_version(live)
    write = _patch(RESTORE_STEP, target, live, before, uid=uid, version=version, env_order=order)
    if holds(live, uid, before):
        reason = f"{target.label} holds the previous values"
        note_restored(journal, RESTORE_STEP, write.detail, reason)
        return []
    drift = differences(live, after)
    changed = f"{target.label}: {', '.join(drift)} changed since the change"
    allow_overwrite(journal, {"deployment": target.label}, drift, force, changed)
    ensure_write(ctx, journal, write)
    return drift


def _patch(
    step: str,
    target: Target,
    live: Obj,
    values: Fields,
    *,
    uid: str,
    version: str,
    env_order: list[str] | None = None,
) -> Write:
    """The strategic merge patch writing `values`, guarded by the resourceVersion `version`.

    It took effect when the object with `uid` holds `values`; `env_order` is the container's
    env order to restore.
    """
    return Write(
        step=step,
        method="PATCH",
        path=target.path,
        read_path=target.path,
        applied=lambda obj: holds(obj, uid, values),
        what=target.label,
        body=fields_patch(values, version, live, env_order),
        detail={
            "deployment": target.label,
            "resourceVersion": version,
            "fields": list(values.paths()),
        },
        content_type=STRATEGIC_MERGE,
    )


def _same_object(ctx: ActionContext, target: Target, uid: str, container: str) -> dict[str, Any]:
    """The Deployment to restore: the same object, still with the container the change touched."""
    why = "; its previous values belong to an object that no longer exists"
    live = rollback_target(ctx, target, uid, why)
    if container and container_of(live, container) is None:
        raise RollbackRefused(
            f"resource state has changed: {target.label} no longer has the container "
            f"{container!r} the change touched"
        )
    return live


def _verify(target: Target, answer: Obj, uid: str, expected: Fields) -> None:
    if not holds(answer, uid, expected):
        missing = differences(answer, expected) or ["the object"]
        raise ChangeError(
            f"verification failed: {target.label} does not hold the values written "
            f"({', '.join(missing)})"
        )
