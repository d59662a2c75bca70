"""POST, PUT, PATCH, DELETE and DELETE-collection handlers."""

from __future__ import annotations

from typing import Any

import orjson
from aiohttp import web

from kubesim.api import status
from kubesim.api.requestinfo import is_true
from kubesim.registry.deletion import DeleteOptions
from kubesim.registry.patches import check_patch_options
from kubesim.server import responses
from kubesim.server.scope import Scope
from kubesim.store.objects import StoredObject


async def create(scope: Scope) -> web.Response:
    ctx = scope.write_context("CreateOptions")
    body = await scope.body()
    obj = scope.emu.registry.create(scope.rt, scope.namespace, body, ctx)
    return responses.stored(obj, 201, ctx.warnings)


async def update(scope: Scope) -> web.Response:
    ctx = scope.write_context("UpdateOptions")
    body = await scope.body()
    subresource = scope.info.subresource
    obj = scope.emu.registry.update(
        scope.rt, scope.namespace, scope.info.name, body, ctx, subresource
    )
    return responses.stored(obj, 200, ctx.warnings)


async def patch(scope: Scope) -> web.Response:
    ctx = scope.write_context("PatchOptions")
    content_type = scope.request.content_type
    check_patch_options(content_type, ctx, is_true(scope.query.get("force")))
    raw = await scope.raw_body()
    obj, created = scope.emu.registry.patch(
        scope.rt,
        scope.namespace,
        scope.info.name,
        content_type,
        raw,
        ctx,
        scope.info.subresource,
    )
    return responses.stored(obj, 201 if created else 200, ctx.warnings)


async def delete(scope: Scope) -> web.Response:
    opts, query = await _delete_options_and_query(scope)
    ctx = scope.write_context("DeleteOptions", query)
    result = scope.emu.registry.delete(scope.rt, scope.namespace, scope.info.name, opts, ctx)
    if isinstance(result.body, StoredObject):
        return responses.stored(result.body, result.code, ctx.warnings)
    return responses.json_obj(result.body, result.code, ctx.warnings)


async def delete_collection(scope: Scope) -> web.Response:
    opts, query = await _delete_options_and_query(scope)
    ctx = scope.write_context("DeleteOptions", query)
    deleted = scope.emu.registry.delete_collection(
        scope.rt, scope.info.namespace, scope.query, opts, ctx
    )
    items = [o.item_json() for o in deleted]
    body = responses.list_body(
        scope.rt.list_kind, scope.rt.api_version, scope.emu.storage.rv, items
    )
    return responses.json_bytes(body, 200, ctx.warnings)


async def _delete_options_and_query(scope: Scope) -> tuple[DeleteOptions, dict[str, str]]:
    raw = await scope.raw_body()
    body: dict[str, Any] | None = None
    if raw.strip():
        try:
            decoded = orjson.loads(raw)
        except orjson.JSONDecodeError as err:
            raise status.bad_request(f"couldn't get version/kind; json parse error: {err}") from err
        body = decoded if isinstance(decoded, dict) else None
    query = dict(scope.query)
    if body is not None and isinstance(body.get("dryRun"), list):
        query["dryRun"] = ",".join(str(v) for v in body["dryRun"])
    return DeleteOptions.parse(body, query), query
