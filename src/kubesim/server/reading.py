"""GET and LIST handlers with their representations (object, metadata, Table)."""

from __future__ import annotations

import datetime
from typing import Any

import orjson
from aiohttp import web

from kubesim.printing import check_include_object, table
from kubesim.server import responses
from kubesim.server.negotiation import Form, check_list_form, choose
from kubesim.server.scope import Scope
from kubesim.store.lists import Page
from kubesim.store.objects import StoredObject

META_LIST_API = "meta.k8s.io/v1"


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


def get(scope: Scope) -> web.Response:
    form = choose(scope.request.headers.get("Accept", ""))
    check_list_form(form, is_list=False, kind=scope.rt.kind, version=scope.rt.version)
    obj = scope.emu.registry.get(scope.rt, scope.namespace, scope.info.name)
    if form is Form.METADATA:
        return responses.json_bytes(obj.metadata_json())
    if form is Form.TABLE:
        return responses.json_bytes(_table(scope, [obj], obj.rv, "", _include(scope)))
    return responses.stored(obj)


def list_(scope: Scope) -> web.Response:
    form = choose(scope.request.headers.get("Accept", ""))
    check_list_form(form, is_list=True, kind=scope.rt.kind, version=scope.rt.version)
    page = scope.emu.registry.list_page(scope.rt, scope.info.namespace, scope.query)
    if form is Form.TABLE:
        body = _table(scope, page.items, page.rv, page.continue_token, _include(scope))
        return responses.json_bytes(body)
    return responses.json_bytes(list_bytes(scope, page, form is Form.METADATA_LIST))


def list_bytes(scope: Scope, page: Page, metadata: bool) -> bytes:
    if metadata:
        items = [o.metadata_json() for o in page.items]
        kind, api_version = "PartialObjectMetadataList", META_LIST_API
    else:
        items = [o.item_json() for o in page.items]
        kind, api_version = scope.rt.list_kind, scope.rt.api_version
    return responses.list_body(
        kind, api_version, page.rv, items, page.continue_token, page.remaining
    )


def _include(scope: Scope) -> str:
    return scope.query.get("includeObject", "Metadata") or "Metadata"


def _table(
    scope: Scope, objs: list[StoredObject], rv: int, continue_token: str, include: str
) -> bytes:
    """The Table, its rows' embedded objects spliced in from the cached encodings."""
    check_include_object(include)
    body = table(scope.rt.group, scope.rt.resource, [o.with_kind() for o in objs], _now(), "None")
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if continue_token:
        meta["continue"] = continue_token
    body["metadata"] = meta
    rows = body.pop("rows")
    head = orjson.dumps(body)[:-1] + b',"rows":'
    if rows is None:
        return head + b"null}"
    encoded = [_row(row, obj, include) for row, obj in zip(rows, objs, strict=True)]
    return head + b"[" + b",".join(encoded) + b"]}"


def _row(row: dict[str, Any], obj: StoredObject, include: str) -> bytes:
    """One row; printed with `"object":null` last, which the embedded object replaces."""
    encoded = orjson.dumps(row)
    if include == "None":
        return encoded
    embedded = obj.metadata_json() if include == "Metadata" else obj.full_json()
    return encoded[: -len(b"null}")] + embedded + b"}"


def dumps(obj: Any) -> bytes:
    return orjson.dumps(obj)
