"""The `/openapi/v2` endpoint: a Swagger 2.0 JSON document, and the answer to protobuf clients.

kubectl (client-go `OpenAPISchema()`) only ever asks for the protobuf encoding
(`application/com.github.proto-openapi.spec.v2@v1.0+protobuf`) and decodes the body with
`proto.Unmarshal`. An empty body is a valid encoding of an empty `openapi_v2.Document`, so
answering 200 with no bytes makes every v2 consumer see "no models": kubectl then uses the v3
documents (apply, explain, field validation) without printing any warning. JSON clients get
the full Swagger 2.0 document rendered from the same operation model as v3.
"""

from __future__ import annotations

import functools
from typing import Any

from kubesim.api.resources import TABLE
from kubesim.schema.loader import DEFAULT_VERSION, load_definitions
from kubesim.schema.openapi import SECURITY_SCHEME, content_hash, go_json
from kubesim.schema.openapi_model import PathItem
from kubesim.schema.openapi_ops import GroupVersionOps
from kubesim.schema.openapi_render import schema_roots, v2_path_item
from kubesim.schema.openapi_schemas import V2_REF, reachable, render_schemas

PROTOBUF_V2 = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
_PROTOBUF_ACCEPTS = (
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf",
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf",
)


@functools.cache
def v2_json(k8s: str = DEFAULT_VERSION, server_version: str = "") -> bytes:
    """The Swagger 2.0 JSON document of every served group/version."""
    definitions = load_definitions(k8s)
    groups: dict[tuple[str, str], list[Any]] = {}
    for res in TABLE.resources:
        groups.setdefault((res.group, res.version), []).append(res)
    items: list[PathItem] = []
    for (group, version), members in sorted(groups.items()):
        items.extend(GroupVersionOps(definitions, group, version).build(members))
    items.sort(key=lambda item: item.path)
    names = reachable(definitions, schema_roots(items))
    document = {
        "swagger": "2.0",
        "info": {"title": "Kubernetes", "version": server_version or f"v{definitions.minor}.0"},
        "paths": {item.path: v2_path_item(item) for item in items},
        "definitions": render_schemas(definitions, names, V2_REF),
        "securityDefinitions": SECURITY_SCHEME,
        "security": [{"BearerToken": []}],
    }
    return go_json(document)


def v2_response(
    accept: str, k8s: str = DEFAULT_VERSION, server_version: str = ""
) -> tuple[str, bytes, str]:
    """Content type, body and ETag hash for `GET /openapi/v2` with the given Accept header.

    Protobuf requests (what kubectl sends) get an empty, valid protobuf document; anything
    else gets the JSON document.
    """
    wanted = [part.split(";")[0].strip() for part in accept.split(",")]
    if any(media in _PROTOBUF_ACCEPTS for media in wanted):
        return PROTOBUF_V2, b"", content_hash(b"")
    body = v2_json(k8s, server_version)
    return "application/json", body, content_hash(body)
