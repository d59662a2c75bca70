"""`metadata.managedFields`: decoding, encoding, and tracking ownership on ordinary writes.

Every write records which manager set which fields. On a non-apply write the fields that
changed are given to the writer's `Update` entry (and taken from every other entry, as are
removed fields); entries left owning nothing are dropped, `Update` entries beyond ten are
folded into `ancient-changes`, and the list is sorted as the real server sorts it. A write
that changes nothing leaves the entries, timestamps included, untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kubesim.api.resources import TABLE
from kubesim.patching import fieldpath as fp
from kubesim.patching.fieldcache import CODEC
from kubesim.patching.typed import Comparison, compare, zero_object
from kubesim.schema.types import TypeInfo, catalog

APPLY = "Apply"
UPDATE = "Update"
BEFORE_FIRST_APPLY = "before-first-apply"
ANCIENT_CHANGES = "ancient-changes"
MAX_UPDATE_MANAGERS = 10
STRIPPED: fp.FieldSet = frozenset(
    [("f:apiVersion",), ("f:kind",), ("f:metadata",)]
    + [
        ("f:metadata", "f:" + name)
        for name in (
            "name",
            "namespace",
            "creationTimestamp",
            "selfLink",
            "uid",
            "clusterName",
            "generation",
            "managedFields",
            "resourceVersion",
        )
    ]
)

Identity = tuple[str, str, str, str]


@dataclass(frozen=True)
class Entry:
    """One managedFields entry with its field set decoded."""

    manager: str
    operation: str
    api_version: str
    subresource: str
    time: str | None
    fields: fp.FieldSet

    @property
    def identity(self) -> Identity:
        """What makes two entries the same manager (Apply entries ignore the apiVersion)."""
        version = "" if self.operation == APPLY else self.api_version
        return (self.manager, self.operation, version, self.subresource)

    @property
    def identifier(self) -> str:
        """The manager identifier string the server sorts conflicts by."""
        fields = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.identity[2],
            "subresource": self.subresource,
        }
        return fp.go_json({k: v for k, v in fields.items() if v})

    def to_api(self) -> dict[str, Any]:
        """The entry as it appears in `metadata.managedFields`."""
        out: dict[str, Any] = {
            "manager": self.manager,
            "operation": self.operation,
            "apiVersion": self.api_version,
        }
        if self.time is not None:
            out["time"] = self.time
        out["fieldsType"] = "FieldsV1"
        out["fieldsV1"] = CODEC.encode(self.fields)
        if self.subresource:
            out["subresource"] = self.subresource
        return out


Managed = dict[Identity, Entry]


def decode(entries: Any) -> Managed | None:
    """The entries of a managedFields list, or None if it is malformed."""
    if not isinstance(entries, list):
        return None if entries is not None else {}
    managed: Managed = {}
    for raw in entries:
        entry = _decode_entry(raw)
        if entry is None:
            return None
        managed[entry.identity] = entry
    return managed


def _decode_entry(raw: Any) -> Entry | None:
    if not isinstance(raw, dict) or raw.get("operation") not in (APPLY, UPDATE):
        return None
    if not raw.get("apiVersion") or raw.get("fieldsType") != "FieldsV1":
        return None
    try:
        fields = CODEC.decode(raw.get("fieldsV1", {}))
    except ValueError:
        return None
    time = raw.get("time")
    return Entry(
        str(raw.get("manager", "")),
        raw["operation"],
        str(raw["apiVersion"]),
        str(raw.get("subresource", "")),
        time if isinstance(time, str) else None,
        fields,
    )


def _seconds(time: str | None) -> float:
    if not time:
        return 0.0
    try:
        return datetime.fromisoformat(time.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def encode(managed: Managed) -> list[dict[str, Any]]:
    """The managedFields list, sorted by operation, time, manager, apiVersion, subresource."""
    entries = sorted(
        managed.values(),
        key=lambda e: (e.operation, _seconds(e.time), e.manager, e.api_version, e.subresource),
    )
    return [entry.to_api() for entry in entries]


def store(obj: dict[str, Any], managed: Managed) -> None:
    """Write `managed` into `obj` (removing the field when there are no entries)."""
    metadata = obj.setdefault("metadata", {})
    entries = encode(cap_update_managers(managed))
    if entries:
        metadata["managedFields"] = entries
    else:
        metadata.pop("managedFields", None)


def cap_update_managers(managed: Managed, limit: int = MAX_UPDATE_MANAGERS) -> Managed:
    """Fold the oldest `Update` entries into `ancient-changes` buckets beyond `limit`."""
    updaters = sorted(
        (e for e in managed.values() if e.operation == UPDATE),
        key=lambda e: (_seconds(e.time), e.identifier),
    )
    out = dict(managed)
    remaining = len(updaters)
    first_by_version: dict[str, Identity] = {}
    for entry in updaters:
        if remaining <= limit:
            break
        first = first_by_version.setdefault(entry.api_version, entry.identity)
        if first == entry.identity:
            continue
        bucket_id: Identity = (ANCIENT_CHANGES, UPDATE, entry.api_version, "")
        if bucket_id not in out:
            moved = out.pop(first)
            out[bucket_id] = Entry(
                ANCIENT_CHANGES, UPDATE, entry.api_version, "", None, moved.fields
            )
        bucket = out[bucket_id]
        out[bucket_id] = replace(
            bucket, fields=bucket.fields | entry.fields, time=_newest(bucket.time, entry.time)
        )
        if entry.identity != bucket_id:
            out.pop(entry.identity, None)
        remaining -= 1
    return out


def _newest(left: str | None, right: str | None) -> str | None:
    if left is None:
        return right
    if right is None:
        return left
    return right if _seconds(left) < _seconds(right) else left


def ignored_paths(api_version: str, kind: str, subresource: str) -> tuple[fp.Path, ...]:
    """Fields a write to this (sub)resource resets, and so never owns."""
    resource = TABLE.by_kind(api_version, kind)
    if resource is None or not resource.has_status:
        return ()
    if subresource == "":
        return (("f:status",),)
    if subresource == "status":
        return (("f:spec",), ("f:metadata", "f:labels"))
    return ()


def filtered(comparison: Comparison, ignored: Iterable[fp.Path]) -> Comparison:
    """The comparison without the ignored fields."""
    blocked = tuple(ignored)
    return Comparison(
        set(fp.without_prefixes(frozenset(comparison.modified), blocked)),
        set(fp.without_prefixes(frozenset(comparison.added), blocked)),
        set(fp.without_prefixes(frozenset(comparison.removed), blocked)),
    )


def record_update(managed: Managed, change: Comparison, owner: Entry) -> Managed:
    """Give the changed fields to `owner` (its time is used if it gains any)."""
    changed, removed = change.changed, frozenset(change.removed)
    out: Managed = {}
    for identity, entry in managed.items():
        kept = entry.fields - changed - removed
        # The unchanged set itself, so the encoder's memo finds it without rehashing a copy.
        out[identity] = entry if len(kept) == len(entry.fields) else replace(entry, fields=kept)
    gained = changed - STRIPPED
    if gained:
        previous = out.get(owner.identity)
        fields = gained | (previous.fields if previous else fp.EMPTY)
        out[owner.identity] = replace(owner, fields=fields)
    return {identity: entry for identity, entry in out.items() if entry.fields}


def without_managed_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """A shallow-enough copy of `obj` without `metadata.managedFields`."""
    out = dict(obj)
    metadata = dict(out.get("metadata") or {})
    metadata.pop("managedFields", None)
    out["metadata"] = metadata
    return out


def kind_of(api_version: str, kind: str) -> TypeInfo | None:
    """The schema type of `apiVersion`/`kind` (None if the schema does not define it)."""
    group, _, version = api_version.rpartition("/")
    return catalog().kind_type(group, version, kind)


def _base(old: dict[str, Any] | None, new: dict[str, Any], subresource: str) -> Managed:
    live = decode((old or {}).get("metadata", {}).get("managedFields")) or {}
    if subresource:
        return live
    sent = new.get("metadata", {}).get("managedFields")
    if sent == [{}]:
        return {}
    decoded = decode(sent)
    return decoded if decoded else live


def track_update(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    manager: str,
    api_version: str,
    subresource: str = "",
    now: str,
    kind: str = "",
) -> None:
    """Record a non-apply write (create, update, patch) in `new["metadata"]["managedFields"]`.

    Args:
        old: The stored object before the write, or None for a create.
        new: The object about to be stored (after defaulting); updated in place.
        manager: The field manager (`fieldManager` param, else the User-Agent prefix).
        api_version: The apiVersion the request used (`apps/v1`).
        subresource: `status`, `scale`, ... or "" for the main resource.
        now: The write time, RFC 3339 (`2024-05-01T12:00:00Z`).
        kind: The object's kind, needed when the objects do not carry `kind` themselves
            (their `apiVersion` defaults to `api_version` likewise).
    """
    obj_api_version = str(new.get("apiVersion") or api_version)
    obj_kind = str(new.get("kind") or kind)
    node = kind_of(obj_api_version, obj_kind)
    if node is None:
        return
    base = _base(old, new, subresource)
    if old is not None and not base:
        new.get("metadata", {}).pop("managedFields", None)
        return
    before = without_managed_fields(old) if old is not None else zero_object(node)
    after = without_managed_fields(new)
    ignored = ignored_paths(obj_api_version, obj_kind, subresource)
    change = filtered(compare(before, after, node), ignored)
    owner = Entry(manager, UPDATE, api_version, subresource, now, fp.EMPTY)
    store(new, record_update(base, change, owner))


def manager_name(field_manager: str, user_agent: str) -> str:
    """The manager of a write: `fieldManager`, else the User-Agent up to its first `/`.

    As the server does, non-printable characters are dropped and the name is cut at 128.
    """
    if field_manager:
        return field_manager
    prefix = user_agent.split("/", 1)[0]
    return "".join(ch for ch in prefix if ch.isprintable())[:128]
