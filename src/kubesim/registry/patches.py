"""PATCH: pick the patch type from Content-Type, apply it to the live object, then update.

A patch is applied to the current wire form of the object and the result goes through the
normal update path, so defaulting, validation, generation and resourceVersion rules are the same
as for PUT. Server-side apply may create the object.
"""

from __future__ import annotations

from typing import Any

import orjson
import yaml

from kubesim.api import fielderrors, status
from kubesim.api.resources import ResourceType
from kubesim.patching import (
    apply_json_patch,
    apply_merge_patch,
    apply_strategic_patch,
    server_side_apply,
)
from kubesim.patching.golang import go_sprint
from kubesim.registry.context import WriteContext, now_rfc3339
from kubesim.registry.writes import Writer
from kubesim.store.objects import StoredObject, strip_type

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"
PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_PATCH, APPLY_PATCH)

UNSUPPORTED = (
    "the body of the request was in an unknown format - accepted media types include: "
    + ", ".join(PATCH_TYPES)
)


def check_patch_options(content_type: str, ctx: WriteContext, force: bool) -> None:
    """415 for unknown patch types; 422 for `force` on non-apply or a missing fieldManager."""
    if content_type not in PATCH_TYPES:
        raise status.unsupported_media_type(UNSUPPORTED)
    if force and content_type != APPLY_PATCH:
        err = fielderrors.forbidden("force", "may not be specified for non-apply patch")
        raise status.options_invalid("PatchOptions", [err])
    ctx.force = force


class Patcher:
    """Applies the four patch types, then hands the result to the Writer."""

    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    def patch(
        self,
        rt: ResourceType,
        current: StoredObject,
        content_type: str,
        body: bytes,
        ctx: WriteContext,
        subresource: str = "",
    ) -> StoredObject:
        """A non-apply patch of an existing object."""
        live = current.with_kind()
        if content_type == JSON_PATCH:
            patched: dict[str, Any] = apply_json_patch(live, body)
        elif content_type == MERGE_PATCH:
            patched = apply_merge_patch(live, body)
        else:
            patched = apply_strategic_patch(live, body, (rt.group, rt.version, rt.kind))
        patch_value = _patch_value(content_type, body, patched)
        obj = self.writer.decode_patched(rt, patched, ctx, patch_value)
        return self.writer.update(rt, current, obj, ctx, subresource=subresource)

    def apply(
        self,
        rt: ResourceType,
        namespace: str,
        name: str,
        current: StoredObject | None,
        body: bytes,
        ctx: WriteContext,
    ) -> tuple[StoredObject, bool]:
        """Server-side apply; returns the object and whether it was created."""
        if not ctx.explicit_manager:
            raise _manager_required()
        applied = _load_apply_body(name, body)
        live = current.with_kind() if current is not None else None
        merged = server_side_apply(
            live,
            applied,
            manager=ctx.manager,
            force=ctx.force,
            api_version=rt.api_version,
            now=now_rfc3339(),
        )
        obj = strip_type(merged)
        if current is None:
            return self.writer.create(rt, namespace, obj, ctx, managed=True), True
        stored = self.writer.update(rt, current, obj, ctx, managed=True)
        return stored, False


def _patch_value(content_type: str, body: bytes, patched: dict[str, Any]) -> str:
    """How the real patch handler renders the patch inside a decode error."""
    if content_type == STRATEGIC_PATCH:
        try:
            return go_sprint(orjson.loads(body))
        except orjson.JSONDecodeError:
            return body.decode(errors="replace")
    return orjson.dumps(patched).decode()


def _manager_required() -> status.StatusError:
    err = fielderrors.required("fieldManager", "is required for apply patch")
    return status.options_invalid("PatchOptions", [err])


def _load_apply_body(name: str, body: bytes) -> dict[str, Any]:
    try:
        applied = yaml.safe_load(body)
    except yaml.YAMLError as err:
        raise status.bad_request(f"error decoding YAML: {err}") from err
    if not isinstance(applied, dict):
        raise status.bad_request("error decoding YAML: object expected")
    body_name = (applied.get("metadata") or {}).get("name", "")
    if body_name != name:
        raise status.bad_request(
            f"the name of the object ({body_name}) does not match the name on the URL ({name})"
        )
    return applied
