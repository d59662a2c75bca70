"""Response bodies and headers: JSON encodings, lists, Status errors, Warning headers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import orjson
from aiohttp import web

from kubesim.api import status
from kubesim.store.objects import StoredObject

JSON = "application/json"


def json_bytes(body: bytes, code: int = 200, warnings: Iterable[str] = ()) -> web.Response:
    response = web.Response(body=body, status=code, content_type=JSON)
    for text in warnings:
        response.headers.add("Warning", f'299 - "{_escape(text)}"')
    return response


def json_obj(body: Any, code: int = 200, warnings: Iterable[str] = ()) -> web.Response:
    return json_bytes(orjson.dumps(body), code, warnings)


def stored(obj: StoredObject, code: int = 200, warnings: Iterable[str] = ()) -> web.Response:
    return json_bytes(obj.full_json(), code, warnings)


def error(err: status.StatusError) -> web.Response:
    response = json_obj(err.to_status(), err.code)
    for name, value in err.headers.items():
        response.headers[name] = value
    return response


def plain_too_many_requests(retry_after: int) -> web.Response:
    """The max-in-flight 429: a plain-text body, not a Status."""
    return web.Response(
        text="Too many requests, please try again later.\n",
        status=429,
        content_type="text/plain",
        headers={"Retry-After": str(retry_after)},
    )


def list_body(
    kind: str,
    api_version: str,
    rv: int,
    items: list[bytes],
    continue_token: str = "",
    remaining: int | None = None,
) -> bytes:
    """A `<Kind>List` assembled from cached item encodings (no re-serialization)."""
    meta: dict[str, Any] = {"resourceVersion": str(rv)}
    if continue_token:
        meta["continue"] = continue_token
    if remaining:
        meta["remainingItemCount"] = remaining
    head = b'{"kind":"' + kind.encode() + b'","apiVersion":"' + api_version.encode() + b'"'
    return head + b',"metadata":' + orjson.dumps(meta) + b',"items":[' + b",".join(items) + b"]}"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')
