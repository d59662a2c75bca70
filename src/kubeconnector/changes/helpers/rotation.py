"""Executing and rolling back a Secret data rotation, resumable at any point.

`run_rotation` is both the execution and its resume: it reads the Secret, and, when the
journal holds no snapshot yet, re-checks it (the plan's resourceVersion, immutability),
seals the generated values, captures the snapshot (previous ``type`` and ``data``, unkeyed
fingerprints of the data to write so a rollback after ``keys rotate`` still compares, the
workloads to restart), then PUTs the new data with the snapshot's
resourceVersion as precondition (`writes.ensure_write`: never applied twice), reads it back,
and restarts the consumers one at a time. `rollback_rotation` puts the snapshot's data back,
refusing when the Secret no longer holds what the rotation wrote (unless forced).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import JsonValue

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers.checks import (
    Target,
    recheck_version,
    require_target,
    resource_version,
    uid_of,
)
from kubeconnector.changes.helpers.consumers import read_namespace, secret_consumers
from kubeconnector.changes.helpers.digests import data_fingerprints
from kubeconnector.changes.helpers.restarts import restart_all, restart_targets
from kubeconnector.changes.helpers.rollbacks import (
    allow_overwrite,
    note_restored,
    rollback_snapshot,
)
from kubeconnector.changes.helpers.secret_data import (
    KeyChanges,
    apply_changes,
    generate_value,
    key_changes,
)
from kubeconnector.changes.helpers.writes import Write, ensure_write, read_live
from kubeconnector.errors import ChangeError, RollbackRefused
from kubeconnector.models.changes import JsonObject

UPDATE = "update-secret"
RESTORE = "restore-secret"
PULL_TYPES = frozenset({"kubernetes.io/dockerconfigjson", "kubernetes.io/dockercfg"})


@dataclass(frozen=True)
class RotationSpec:
    """What a rotation changes.

    Attributes:
        target: The Secret.
        given: Keys set to given values (raw bytes).
        generate: Keys generated at execution, with their length.
        alphabet: The alphabet of generated values.
        remove: Keys removed.
        restart_consumers: Restart the workloads that need it after the write.
    """

    target: Target
    given: Mapping[str, bytes] = field(default_factory=dict, repr=False)
    generate: Mapping[str, int] = field(default_factory=dict)
    alphabet: str = "alnum"
    remove: tuple[str, ...] = ()
    restart_consumers: bool = False


def secret_body(live: Mapping[str, Any], data: dict[str, str], version: str) -> dict[str, Any]:
    """The PUT body: the object as read, the new data, the resourceVersion precondition."""
    body = copy.deepcopy(dict(live))
    meta = body.setdefault("metadata", {})
    meta.pop("managedFields", None)  # the server keeps the live ones
    meta["resourceVersion"] = version
    body["data"] = data
    return body


def run_rotation(ctx: ActionContext, spec: RotationSpec, journal: Journal) -> JsonObject:
    """Execute (or resume) a rotation; returns the result (key names and digests only).

    Raises:
        ChangeError: The Secret is gone, changed since the plan or since it was read, or
            the read-back does not show the data written.
    """
    target = spec.target
    live = require_target(ctx, target)
    snap = journal.snapshot()
    if snap is None:
        _recheck(ctx, live, target)
    values = _values(spec, journal)
    if snap is None:
        snap = _capture(ctx, spec, journal, live, values)
    changes = key_changes(data_fingerprints(snap["data"]), snap["written"])
    new_data = apply_changes(snap["data"], values, spec.remove)
    ensure_write(ctx, journal, _update(target, live, new_data, snap, changes))
    after = require_target(ctx, target)
    if data_fingerprints(after.get("data")) != snap["written"]:
        raise ChangeError(f"verification failed: {target.label} does not hold the data written")
    restarted = restart_all(ctx, journal, snap["restart"])
    shown = ctx.digests.data(new_data)  # the snapshot's fingerprints are never shown
    written: dict[str, JsonValue] = {k: shown[k] for k in (*changes.added, *changes.changed)}
    return {
        "secret": target.label,
        "resourceVersion": resource_version(after),
        "keys": changes.as_json(),
        "digests": written,
        "generated": list[JsonValue](sorted(spec.generate)),
        "restarted": list[JsonValue](restarted),
        "verified": True,
    }


def rollback_rotation(
    ctx: ActionContext, target: Target, journal: Journal, force: bool
) -> JsonObject:
    """Restore the snapshot's data byte for byte (resumable), verify, restart again.

    Raises:
        RollbackRefused: No snapshot, the Secret is gone, or it changed since the rotation
            (unless `force`).
        ChangeError: The read-back does not show the previous data.
    """
    snap = rollback_snapshot(journal, "data")
    live = read_live(ctx, target.path)
    if live is None:
        raise RollbackRefused(f"resource state has changed: {target.label} no longer exists")
    drift = _restore(ctx, journal, target, live, snap, force)
    after = require_target(ctx, target)
    if (after.get("data") or {}) != snap["data"]:
        raise ChangeError(f"verification failed: {target.label} does not hold the previous data")
    restarted = restart_all(ctx, journal, snap["restart"])
    changes = key_changes(snap["written"], data_fingerprints(snap["data"]))
    return {
        "secret": target.label,
        "resourceVersion": resource_version(after),
        "keys": changes.as_json(),
        "overwritten": list[JsonValue](drift),
        "restarted": list[JsonValue](restarted),
        "verified": True,
    }


def _recheck(ctx: ActionContext, live: Mapping[str, Any], target: Target) -> None:
    """What may have changed since the plan; nothing is written when one fails."""
    recheck_version(ctx, live, target)
    if live.get("immutable") is True:
        raise ChangeError(f"{target.label} is immutable: immutable Secrets cannot be rotated")


def _values(spec: RotationSpec, journal: Journal) -> dict[str, bytes]:
    """The new values: given ones, and generated ones sealed before any write."""
    values = dict(spec.given)
    for key, length in spec.generate.items():
        name = f"generated.{key}"
        value = journal.unseal(name)
        if value is None:
            value = generate_value(length, spec.alphabet)
            journal.seal(name, value)
        values[key] = value
    return values


def _capture(
    ctx: ActionContext,
    spec: RotationSpec,
    journal: Journal,
    live: Mapping[str, Any],
    values: Mapping[str, bytes],
) -> dict[str, Any]:
    restart: list[dict[str, str]] = []
    if spec.restart_consumers:
        accounts = live.get("type") in PULL_TYPES
        view = read_namespace(ctx, spec.target.namespace, accounts=accounts)
        restart = restart_targets(secret_consumers(view, spec.target.name))
    snap = {
        "uid": uid_of(live),
        "resourceVersion": resource_version(dict(live)),
        "type": str(live.get("type") or ""),
        "data": dict(live.get("data") or {}),
        "written": data_fingerprints(apply_changes(live.get("data"), values, spec.remove)),
        "restart": restart,
    }
    journal.save_snapshot(snap)
    return snap


def _holds(obj: Mapping[str, Any] | None, uid: str, digests: Mapping[str, str]) -> bool:
    """Whether `obj` is the same Secret (uid) holding data with these digests."""
    if obj is None or uid_of(obj) != uid:
        return False
    return data_fingerprints(obj.get("data")) == dict(digests)


def _update(
    target: Target,
    live: Mapping[str, Any],
    new_data: dict[str, str],
    snap: Mapping[str, Any],
    changes: KeyChanges,
) -> Write:
    return Write(
        step=UPDATE,
        method="PUT",
        path=target.path,
        read_path=target.path,
        applied=lambda obj: _holds(obj, snap["uid"], snap["written"]),
        what=target.label,
        body=secret_body(live, new_data, snap["resourceVersion"]),
        detail={
            "secret": target.label,
            "resourceVersion": snap["resourceVersion"],
            **changes.as_json(),
        },
    )


def _drift(live: Mapping[str, Any], snap: Mapping[str, Any]) -> list[str]:
    """What changed since the rotation wrote its data (key names only)."""
    if uid_of(live) != snap["uid"]:
        return ["the Secret was deleted and re-created"]
    changes = key_changes(snap["written"], data_fingerprints(live.get("data")))
    return [] if changes.empty else [changes.describe()]


def _restore(
    ctx: ActionContext,
    journal: Journal,
    target: Target,
    live: dict[str, Any],
    snap: Mapping[str, Any],
    force: bool,
) -> list[str]:
    """Put the previous data back (skipped when it already is); returns the drift overridden."""
    previous = data_fingerprints(snap["data"])
    detail: JsonObject = {"secret": target.label, "resourceVersion": resource_version(live)}
    if _holds(live, snap["uid"], previous):
        note_restored(journal, RESTORE, detail, "the Secret holds the previous data")
        return []
    drift = _drift(live, snap)
    changed = f"{target.label}: {'; '.join(drift)} since the rotation"
    allow_overwrite(journal, {"secret": target.label}, drift, force, changed)
    write = Write(
        step=RESTORE,
        method="PUT",
        path=target.path,
        read_path=target.path,
        applied=lambda obj: _holds(obj, snap["uid"], previous),
        what=target.label,
        body=secret_body(live, dict(snap["data"]), resource_version(live)),
        detail={**detail, **key_changes(snap["written"], previous).as_json()},
    )
    ensure_write(ctx, journal, write)
    return drift
