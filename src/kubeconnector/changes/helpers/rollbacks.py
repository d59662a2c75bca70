"""What every rollback does around its restoring write, whatever the object.

A rollback starts from the change's snapshot (`rollback_snapshot`) and the object the change
changed, still there and not re-created (`rollback_target`); it restores nothing when the
live object already holds the previous state (`note_restored` journals why, or completes a
write an interruption left with only its intent), and refuses to overwrite what someone else
changed since the change unless forced (`allow_overwrite`, which audits a forced overwrite).
"""

from __future__ import annotations

from typing import Any

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers.checks import Target, uid_of
from kubeconnector.changes.helpers.writes import last_phase, read_live
from kubeconnector.errors import RollbackRefused
from kubeconnector.models.changes import JsonObject, StepPhase


def rollback_snapshot(journal: Journal, what: str) -> dict[str, Any]:
    """The snapshot of the change being rolled back.

    Raises:
        RollbackRefused: There is none (the change captured no previous `what`).
    """
    snap = journal.snapshot()
    if snap is None:
        raise RollbackRefused(f"No snapshot available: the change captured no previous {what}")
    return snap


def rollback_target(ctx: ActionContext, target: Target, uid: str, why: str = "") -> dict[str, Any]:
    """The object a rollback restores: it exists and is the one the change changed (`uid`).

    Raises:
        RollbackRefused: It no longer exists, or it was deleted and re-created since the
            change (`why` tells what that means for the rollback).
    """
    live = read_live(ctx, target.path)
    if live is None:
        raise RollbackRefused(f"{target.label} no longer exists; there is nothing to restore")
    if uid_of(live) != uid:
        raise RollbackRefused(
            f"resource state has changed: {target.label} was deleted and re-created since "
            f"the change{why}"
        )
    return live


def note_restored(journal: Journal, step: str, detail: JsonObject, reason: str) -> None:
    """Journal a restore the live object already shows, so it is never sent (again).

    With only an intent journaled, the write happened before an interruption: it is marked
    done. With nothing journaled, someone restored the object already: the step is skipped
    with `reason`. A step already done or skipped is left as it is.
    """
    phase = last_phase(journal, step)
    if phase is StepPhase.INTENT:
        journal.done(step, {**detail, "resumed": True})
    elif phase is None:
        journal.skipped(step, {**detail, "reason": reason})


def allow_overwrite(
    journal: Journal, subject: JsonObject, drift: list[str], force: bool, changed: str
) -> None:
    """Refuse a rollback that would overwrite others' edits (`drift`) unless `force` is set.

    A forced overwrite is audited as ``rollback-forced`` with `subject` and what it overwrites.

    Raises:
        RollbackRefused: `drift` is not empty and `force` is not set; `changed` says what
            changed since the change.
    """
    if drift and not force:
        raise RollbackRefused(
            f"resource state has changed: {changed}; the rollback would overwrite it "
            "(use force to restore anyway)"
        )
    if drift:
        journal.event("rollback-forced", {**subject, "overwritten": list(drift)})
