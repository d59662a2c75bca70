"""Create and update: decode, default, prepare, validate, admit, track fields, store.

The order of the steps follows the real apiserver's create/update handlers and
`rest.BeforeCreate`/`rest.BeforeUpdate`, because the order decides which error a client sees
when a request is wrong in more than one way.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Sequence
from typing import Any

import orjson

from kubesim import validation
from kubesim.api import fielderrors, status
from kubesim.api.resources import ResourceType
from kubesim.patching import track_update
from kubesim.registry import strategy
from kubesim.registry.admission import AdmissionPlugin
from kubesim.registry.context import WriteContext, new_uid, now_rfc3339
from kubesim.schema.decoding import check_decode, check_patched
from kubesim.store.objects import StoredObject, json_copy, strip_type
from kubesim.store.storage import Storage
from kubesim.validation.meta import common_update_errors

_SYSTEM_FIELDS = ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds")
# Fields Go encodes with `omitempty`: an empty map or list does not survive the server's decode
# and encode, so removing the last label reads back as no `labels` at all.
_OMIT_EMPTY_META = ("labels", "annotations", "finalizers", "ownerReferences")
_OMIT_EMPTY_DATA = {"/configmaps": ("data", "binaryData"), "/secrets": ("data", "stringData")}
# Status counters Go encodes without `omitempty`: a fresh object reads back with them at 0
# (clients generated from the OpenAPI schema treat them as required).
_ZERO_STATUS = {
    "apps/replicasets": ("replicas",),
    "apps/statefulsets": ("replicas", "availableReplicas"),
    "apps/daemonsets": (
        "currentNumberScheduled",
        "numberMisscheduled",
        "desiredNumberScheduled",
        "numberReady",
    ),
    "autoscaling/horizontalpodautoscalers": ("desiredReplicas",),
}


def omit_empty(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Drop empty `omitempty` maps and lists, as a Go round trip of the object would."""
    meta = obj.get("metadata")
    if isinstance(meta, dict):
        for name in _OMIT_EMPTY_META:
            if meta.get(name) in ({}, []):
                del meta[name]
    for name in _OMIT_EMPTY_DATA.get(rt.key, ()):
        if obj.get(name) == {}:
            del obj[name]


def zero_status(rt: ResourceType, obj: dict[str, Any]) -> None:
    """Give status counters without `omitempty` their Go zero value, as a round trip would."""
    zeros = _ZERO_STATUS.get(rt.key)
    if not zeros:
        return
    status_ = obj.get("status")
    if not isinstance(status_, dict):
        status_ = obj["status"] = {}
    for name in zeros:
        if status_.get(name) is None:
            status_[name] = 0


def generate_suffix(length: int = 5) -> str:
    """The random suffix of generateName (lowercase alphanumerics, no vowels upstream)."""
    alphabet = "bcdfghjklmnpqrstvwxz2456789"
    return "".join(random.choice(alphabet) for _ in range(length))


class Writer:
    """Create and update of stored objects, shared by every write path."""

    def __init__(self, storage: Storage, admission: Sequence[AdmissionPlugin]) -> None:
        self.storage = storage
        self.admission = list(admission)
        self._stamped = StampedFields()

    def decode(self, rt: ResourceType, body: Any, ctx: WriteContext) -> dict[str, Any]:
        """Check a create/update body's type and fields; return it without kind/apiVersion."""
        self._check_type(rt, body)
        if not ctx.trusted:
            for text in check_decode(rt.group, rt.version, rt.kind, body, ctx.field_validation):
                ctx.warn(text)
        return self._untyped(body)

    def decode_patched(
        self, rt: ResourceType, patched: Any, ctx: WriteContext, patch_value: str
    ) -> dict[str, Any]:
        """Check a patch result as the patch handler does (422 naming the patch)."""
        self._check_type(rt, patched)
        strict = getattr(patched, "strict", ())
        for text in check_patched(
            rt.group, rt.version, rt.kind, patched, ctx.field_validation, patch_value, strict
        ):
            ctx.warn(text)
        return self._untyped(patched)

    @staticmethod
    def _check_type(rt: ResourceType, body: Any) -> None:
        if not isinstance(body, dict):
            raise status.bad_request(
                f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
                "json: cannot unmarshal non-object into Go value"
            )
        api_version = body.get("apiVersion") or rt.api_version
        if api_version != rt.api_version:
            raise status.bad_request(
                f"the API version in the data ({api_version}) does not match the expected API "
                f"version ({rt.api_version})"
            )

    @staticmethod
    def _untyped(body: dict[str, Any]) -> dict[str, Any]:
        obj = json_copy(strip_type(dict(body)))
        if not isinstance(obj.get("metadata"), dict):
            obj["metadata"] = {}
        return obj

    def create(
        self,
        rt: ResourceType,
        namespace: str,
        obj: dict[str, Any],
        ctx: WriteContext,
        *,
        managed: bool = False,
    ) -> StoredObject:
        """Store a new object; `managed` means managedFields are already computed (apply)."""
        omit_empty(rt, obj)
        meta = obj["metadata"]
        self._place(rt, namespace, meta)
        if not meta.get("name") and meta.get("generateName"):
            meta["name"] = meta["generateName"] + generate_suffix()
        self._prepare_create(rt, obj)
        self._admit(rt, obj, None, ctx)
        errors = validation.validate_create(rt.group, rt.resource, obj)
        if errors:
            raise status.invalid(rt.gk, meta.get("name", ""), errors)
        if self.storage.get(rt.key, meta.get("namespace", ""), meta["name"]) is not None:
            raise status.already_exists(rt.gr, meta["name"])
        if not managed:
            self._stamped.track_create(rt, obj, ctx.manager)
        if ctx.dry_run:
            meta.pop("resourceVersion", None)
            return StoredObject(obj, 0, rt.api_version, rt.kind)
        return self.storage.put(rt.key, obj, rt.api_version, rt.kind)

    def _place(self, rt: ResourceType, namespace: str, meta: dict[str, Any]) -> None:
        if not rt.namespaced:
            meta.pop("namespace", None)
            return
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise status.bad_request(
                "the namespace of the provided object does not match the namespace sent on the "
                "request"
            )
        meta["namespace"] = namespace

    def _prepare_create(self, rt: ResourceType, obj: dict[str, Any]) -> None:
        if rt.key == "/secrets":
            validation.decode_secret(obj)
        validation.apply_defaults(rt.group, rt.resource, obj)
        strategy.prepare_for_create(rt, obj)
        zero_status(rt, obj)
        meta = obj["metadata"]
        for name in ("deletionTimestamp", "deletionGracePeriodSeconds", "resourceVersion"):
            meta.pop(name, None)
        meta["uid"] = new_uid()
        meta["creationTimestamp"] = now_rfc3339()

    def update(
        self,
        rt: ResourceType,
        current: StoredObject,
        obj: dict[str, Any],
        ctx: WriteContext,
        *,
        subresource: str = "",
        managed: bool = False,
    ) -> StoredObject:
        """Replace an object (optimistic concurrency on a given resourceVersion)."""
        omit_empty(rt, obj)
        old = current.obj
        self._check_identity(rt, current, obj)
        if subresource == "status":
            obj = strategy.prepare_for_status_update(obj, old)
        elif subresource:
            obj = strategy.prepare_for_subresource_update(subresource, obj, old)
        else:
            self._prepare_update(rt, obj, old)
        zero_status(rt, obj)
        self._keep_system_fields(obj["metadata"], old["metadata"])
        self._admit(rt, obj, old, ctx)
        errors = self._validate_update(rt, obj, old, subresource)
        if errors:
            raise status.invalid(rt.gk, current.name, errors)
        if not managed:
            track_changes(rt, old, obj, ctx.manager, subresource)
        return self.commit(rt, current, obj, ctx)

    @staticmethod
    def _validate_update(
        rt: ResourceType, obj: dict[str, Any], old: dict[str, Any], subresource: str
    ) -> list[fielderrors.FieldError]:
        # finalize and ephemeralcontainers writes change one list the strategy already merged;
        # the main-resource update rules (e.g. pod spec immutability) do not apply to them.
        if subresource in ("finalize", "ephemeralcontainers"):
            return []
        if subresource == "status":
            # Spec comes from storage on status writes; only metadata rules can be broken.
            return common_update_errors(obj["metadata"], old["metadata"], rt.namespaced)
        return validation.validate_update(rt.group, rt.resource, obj, old)

    def commit(
        self, rt: ResourceType, current: StoredObject, obj: dict[str, Any], ctx: WriteContext
    ) -> StoredObject:
        """Store an updated object unless nothing changed; finish deletions on last finalizer."""
        obj["metadata"]["resourceVersion"] = current.obj["metadata"]["resourceVersion"]
        if obj == current.obj:
            return current
        if ctx.dry_run:
            return StoredObject(obj, current.rv, rt.api_version, rt.kind)
        if _finished_deleting(rt, obj):
            self.storage.remove(rt.key, current.namespace, current.name)
            return StoredObject(obj, current.rv, rt.api_version, rt.kind)
        return self.storage.put(rt.key, obj, rt.api_version, rt.kind)

    def _check_identity(self, rt: ResourceType, current: StoredObject, obj: dict[str, Any]) -> None:
        meta = obj["metadata"]
        if meta.get("name", current.name) != current.name:
            raise status.bad_request(
                f"the name of the object ({meta['name']}) does not match the name on the URL "
                f"({current.name})"
            )
        if rt.namespaced and meta.get("namespace", current.namespace) != current.namespace:
            raise status.bad_request(
                f"the namespace of the object ({meta['namespace']}) does not match the "
                f"namespace on the request ({current.namespace})"
            )
        meta["name"] = current.name
        if rt.namespaced:
            meta["namespace"] = current.namespace
        else:
            meta.pop("namespace", None)
        rv = meta.get("resourceVersion")
        if rv and rv != current.obj["metadata"]["resourceVersion"]:
            raise status.stale_write(rt.gr, current.name)
        uid = meta.get("uid")
        if uid and uid != current.obj["metadata"]["uid"]:
            raise status.conflict(rt.gr, current.name, _uid_mismatch(rt, current, uid))

    def _prepare_update(self, rt: ResourceType, obj: dict[str, Any], old: dict[str, Any]) -> None:
        if rt.key == "/secrets":
            validation.decode_secret(obj)
        validation.apply_defaults(rt.group, rt.resource, obj)
        strategy.prepare_for_update(rt, obj, old)

    @staticmethod
    def _keep_system_fields(meta: dict[str, Any], old: dict[str, Any]) -> None:
        # An update can never change these (rest.BeforeUpdate restores them from storage).
        for name in _SYSTEM_FIELDS:
            if name in old:
                meta[name] = old[name]
            elif name == "deletionTimestamp":
                meta.pop(name, None)
        if "managedFields" not in meta and "managedFields" in old:
            meta["managedFields"] = copy.deepcopy(old["managedFields"])

    def _admit(
        self, rt: ResourceType, new: dict[str, Any], old: dict[str, Any] | None, ctx: WriteContext
    ) -> None:
        for plugin in self.admission:
            plugin.admit(rt, new, old, ctx)


def _finished_deleting(rt: ResourceType, obj: dict[str, Any]) -> bool:
    """An update that leaves a deleting object without finalizers or grace removes it."""
    meta = obj["metadata"]
    if not meta.get("deletionTimestamp") or meta.get("finalizers"):
        return False
    if rt.key == "/namespaces":
        return not (obj.get("spec") or {}).get("finalizers")
    return not meta.get("deletionGracePeriodSeconds")


def _uid_mismatch(rt: ResourceType, current: StoredObject, uid: str) -> str:
    namespace = f"{current.namespace}/" if current.namespace else ""
    return (
        f"StorageError: invalid object, Code: 4, Key: /registry/{rt.resource}/{namespace}"
        f"{current.name}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in "
        f"precondition: {uid}, UID in object meta: {current.obj['metadata']['uid']}"
    )


# Fast paths: the write path's bookkeeping without the work that cannot change its outcome.

_IDENTITY_META = ("name", "namespace", "uid", "creationTimestamp", "resourceVersion", "generation")


def track_changes(
    rt: ResourceType, old: dict[str, Any], new: dict[str, Any], manager: str, subresource: str
) -> None:
    """`track_update` of an update, comparing only the top-level fields that may differ.

    Fields equal in both versions (the spec on a status write, the status on a spec write) can
    add no changed path, so they are left out of the typed comparison; `new`'s metadata is
    passed through, so the managedFields land in `new` itself.
    """
    same = [k for k, v in new.items() if k != "metadata" and k in old and old[k] == v]
    before = {k: v for k, v in old.items() if k not in same}
    after = {k: v for k, v in new.items() if k not in same}
    track_update(
        before,
        after,
        manager=manager,
        api_version=rt.api_version,
        subresource=subresource,
        now=now_rfc3339(),
        kind=rt.kind,
    )


class StampedFields:
    """managedFields of created objects stamped from one template, computed once per template.

    Pods a ReplicaSet creates differ only in metadata the field set never records (name, uid,
    creationTimestamp...), so they get the same managedFields apart from the entry time; the
    FieldsV1 trees themselves are shared, as stored objects are never changed in place.
    """

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._known: dict[tuple[str, str, bytes], list[dict[str, Any]] | None] = {}

    def track_create(self, rt: ResourceType, obj: dict[str, Any], manager: str) -> None:
        """Record a create in `obj["metadata"]["managedFields"]` (like `track_update`)."""
        meta = obj["metadata"]
        now = meta["creationTimestamp"]
        if not meta.get("generateName") or "managedFields" in meta:
            _track_create(rt, obj, manager, now)
            return
        shape = {k: v for k, v in meta.items() if k not in _IDENTITY_META}
        key = (manager, rt.key, orjson.dumps({**obj, "metadata": shape}))
        if key not in self._known:
            _track_create(rt, obj, manager, now)
            self._remember(key, meta.get("managedFields"))
            return
        known = self._known[key]
        if known is not None:
            meta["managedFields"] = [{**entry, "time": now} for entry in known]

    def _remember(self, key: tuple[str, str, bytes], value: list[dict[str, Any]] | None) -> None:
        if len(self._known) >= self.size:
            del self._known[next(iter(self._known))]
        self._known[key] = value


def _track_create(rt: ResourceType, obj: dict[str, Any], manager: str, now: str) -> None:
    track_update(
        None,
        obj,
        manager=manager,
        api_version=rt.api_version,
        subresource="",
        now=now,
        kind=rt.kind,
    )
