"""Server-side apply (`application/apply-patch+yaml`): merge, prune, conflicts, ownership.

The applied configuration is the manager's whole intent: it is merged into the live object,
fields this manager applied before but no longer applies are removed unless someone else
owns them, and changing a field another manager owns is a 409 conflict unless `force` is set.
The wrappers of the real field manager are reproduced too: objects without managed fields
first get a `before-first-apply` owner, `kubectl` may take over fields recorded in the
client-side `last-applied-configuration`, and keeps that annotation in sync.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, replace
from typing import Any

from kubesim.api.status import StatusError
from kubesim.patching import fieldpath as fp
from kubesim.patching.conflicts import Conflict, conflict_error
from kubesim.patching.managedfields import (
    APPLY,
    BEFORE_FIRST_APPLY,
    STRIPPED,
    UPDATE,
    Entry,
    Managed,
    decode,
    filtered,
    ignored_paths,
    record_update,
    store,
    without_managed_fields,
)
from kubesim.patching.merge import merge
from kubesim.patching.typed import (
    TypedError,
    compare,
    named_fields,
    remove_items,
    to_field_set,
    zero_object,
)
from kubesim.patching.validate import config_errors
from kubesim.schema.types import TypeInfo, catalog

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
KUBECTL = "kubectl"


class _ConflictsError(Exception):
    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(f"{len(conflicts)} conflicts")
        self.conflicts = conflicts


def _gvk_text(obj: dict[str, Any], api_version: str, kind: str) -> str:
    meta = obj.get("metadata") or {}
    group, _, version = api_version.rpartition("/")
    return f"{meta.get('namespace', '')}/{meta.get('name', '')}; {group}/{version}, Kind={kind}"


def _check_body(applied: Any, api_version: str) -> None:
    if not isinstance(applied, dict):
        raise StatusError(400, "BadRequest", "error decoding YAML: object expected")
    if (applied.get("metadata") or {}).get("managedFields") is not None:
        raise StatusError(400, "BadRequest", "metadata.managedFields must be nil")
    got = applied.get("apiVersion", "")
    if got != api_version:
        raise StatusError(
            400,
            "BadRequest",
            "Incorrect version specified in apply patch. "
            f"Specified patch version: {got if isinstance(got, str) else ''}, "
            f"expected: {api_version}",
        )


def _typed(applied: dict[str, Any], api_version: str) -> TypeInfo:
    kind = str(applied.get("kind", ""))
    group, _, version = api_version.rpartition("/")
    node = catalog().kind_type(group, version, kind)
    prefix = f"failed to create typed patch object ({_gvk_text(applied, api_version, kind)})"
    if node is None:
        raise StatusError(
            500, "", f"{prefix}: no corresponding type for {group}/{version}, Kind={kind}"
        )
    errors = config_errors(applied, node)
    if errors:
        detail = errors[0] if len(errors) == 1 else "errors:\n  " + "\n  ".join(errors)
        raise StatusError(500, "", f"{prefix}: {detail}")
    return node


def _prune(merged: Any, managed: Managed, last: fp.FieldSet, node: TypeInfo) -> Any:
    """Remove what this manager applied last time, no longer applies, and nobody owns."""
    if not last:
        return merged
    owned: set[fp.Path] = set()
    for entry in managed.values():
        owned |= entry.fields
    keep = named_fields(frozenset(owned), node)
    drop = (named_fields(to_field_set(merged, node), node) & named_fields(last, node)) - keep
    return remove_items(merged, drop, node)


@dataclass(frozen=True)
class _Apply:
    """One apply request: the live object (no managedFields), the config, and who applies."""

    live: dict[str, Any]
    applied: dict[str, Any]
    node: TypeInfo
    me: Entry
    ignored: tuple[fp.Path, ...]


def _update_owners(request: _Apply, merged: dict[str, Any], managed: Managed,
                   force: bool) -> Managed:  # fmt: skip
    """Take changed fields from the other managers; conflicts unless forced."""
    change = filtered(compare(request.live, merged, request.node), request.ignored)
    changed, removed = change.changed, frozenset(change.removed)
    others = {k: e for k, e in managed.items() if k != request.me.identity}
    conflicts = [Conflict(e, path) for e in others.values() for path in e.fields & changed]
    if conflicts and not force:
        raise _ConflictsError(conflicts)
    out = dict(managed)
    for identity, entry in others.items():
        out[identity] = replace(entry, fields=entry.fields - changed - removed)
    return {identity: entry for identity, entry in out.items() if entry.fields}


def _apply_once(request: _Apply, managed: Managed, force: bool) -> tuple[dict[str, Any], Managed]:
    """Merge, prune and re-assign ownership (structured-merge-diff's `Updater.Apply`)."""
    me = request.me
    merged = merge(request.live, request.applied, request.node)
    previous = managed.get(me.identity)
    config = fp.without_prefixes(to_field_set(request.applied, request.node), request.ignored)
    owners = dict(managed)
    owners[me.identity] = replace(me, time=previous.time if previous else None, fields=config)
    last = previous.fields if previous else fp.EMPTY
    merged = _prune(merged, owners, last, request.node)
    owners = _update_owners(request, merged, owners, force)
    mine = owners.pop(me.identity, None)
    if mine is not None and mine.fields - STRIPPED:
        owners[me.identity] = replace(mine, fields=mine.fields - STRIPPED)
    return merged, owners


def _apply_allowing_upgrade(request: _Apply, managed: Managed,
                            force: bool) -> tuple[dict[str, Any], Managed]:  # fmt: skip
    """Apply; `kubectl` may force fields its client-side last-applied configuration set."""
    try:
        return _apply_once(request, managed, force)
    except _ConflictsError as err:
        allowed = fp.EMPTY
        if request.me.manager == KUBECTL:
            allowed = _allowed_by_last_applied(request.live, request.node)
        remaining = [c for c in err.conflicts if c.path not in allowed]
        if remaining:
            raise conflict_error(remaining) from err
        return _apply_once(request, managed, True)


def _allowed_by_last_applied(live: dict[str, Any], node: TypeInfo) -> fp.FieldSet:
    text = ((live.get("metadata") or {}).get("annotations") or {}).get(LAST_APPLIED, "")
    try:
        last_applied = json.loads(text) if text else None
    except ValueError:
        return fp.EMPTY
    if not isinstance(last_applied, dict):
        return fp.EMPTY
    try:
        fields = to_field_set(last_applied, node)
    except TypedError:
        return fp.EMPTY
    change = compare(last_applied, live, node)
    return fields - change.changed - frozenset(change.removed)


def _adopt_existing(
    live: dict[str, Any], node: TypeInfo, api_version: str, ignored: tuple[fp.Path, ...], now: str
) -> Managed:
    """Give every field of an object without managed fields to `before-first-apply`."""
    change = filtered(compare(zero_object(node), live, node), ignored)
    owner = Entry(BEFORE_FIRST_APPLY, UPDATE, api_version, "", now, fp.EMPTY)
    return record_update({}, change, owner)


def _last_applied_text(applied: dict[str, Any]) -> str:
    config = json.loads(json.dumps(applied))
    annotations = (config.get("metadata") or {}).get("annotations")
    if isinstance(annotations, dict):
        annotations.pop(LAST_APPLIED, None)
    return fp.go_json(_sorted(config)) + "\n"


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def server_side_apply(
    live: dict[str, Any] | None,
    applied: Any,
    *,
    manager: str,
    force: bool,
    api_version: str,
    now: str,
    subresource: str = "",
) -> dict[str, Any]:
    """Apply `applied` as `manager`; returns the new object with its managedFields.

    Args:
        live: The stored object, or None when the apply creates it.
        applied: The decoded apply body (the manager's full intent).
        manager: The `fieldManager` query parameter.
        force: The `force` query parameter.
        api_version: The apiVersion of the request URL (`apps/v1`).
        now: The write time, RFC 3339.
        subresource: "" for the main resource, `status` for `/status`.

    Returns:
        The merged object. If nothing but ownership changed, the manager's entry keeps its
        previous time; if nothing changed at all, `managedFields` is identical to the live one.

    Raises:
        StatusError: 400 for bodies with managedFields or the wrong apiVersion, 500 for
            configurations that do not fit the schema, 409 on conflicts without `force`.
    """
    _check_body(applied, api_version)
    node = _typed(applied, api_version)
    base = copy.deepcopy(without_managed_fields(live)) if live is not None else {}
    ignored = ignored_paths(api_version, str(applied.get("kind", "")), subresource)
    me = Entry(manager, APPLY, api_version, subresource, None, fp.EMPTY)
    request = _Apply(base, applied, node, me, ignored)
    managed = decode((live or {}).get("metadata", {}).get("managedFields")) or {}
    if live is not None and not managed:
        managed = _adopt_existing(base, node, api_version, ignored, now)
    merged, owners = _apply_allowing_upgrade(request, managed, force)
    mine = owners.get(me.identity)
    if mine is not None and merged != base:
        owners[me.identity] = replace(mine, time=now)
    _sync_last_applied(merged, applied, manager)
    store(merged, owners)
    return merged


def _sync_last_applied(merged: dict[str, Any], applied: dict[str, Any], manager: str) -> None:
    annotations = (merged.get("metadata") or {}).get("annotations") or {}
    if manager == KUBECTL and annotations.get(LAST_APPLIED):
        annotations[LAST_APPLIED] = _last_applied_text(applied)
