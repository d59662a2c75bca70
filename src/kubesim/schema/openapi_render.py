"""Rendering the operation model as OpenAPI v3 path items and Swagger 2.0 path items.

Key order follows kube-openapi's struct field order so the documents look like the real
server's; the content itself is what kubectl reads (extensions, parameters, request bodies).
"""

from __future__ import annotations

from typing import Any

from kubesim.schema.loader import GVK
from kubesim.schema.openapi_model import STRING, Operation, PathItem
from kubesim.schema.openapi_params import Param
from kubesim.schema.openapi_schemas import V2_REF, V3_REF

_METHOD_ORDER = ("get", "put", "post", "delete", "options", "head", "patch")


def _gvk(gvk: GVK) -> dict[str, str]:
    return {"group": gvk.group, "kind": gvk.kind, "version": gvk.version}


def _extensions(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if op.action:
        out["x-kubernetes-action"] = op.action
    if op.gvk is not None:
        out["x-kubernetes-group-version-kind"] = _gvk(op.gvk)
    return out


def _v3_schema(schema: str) -> dict[str, Any]:
    return {"type": "string"} if schema == STRING else {"$ref": V3_REF + schema}


def _v3_param(param: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"name": param.name, "in": param.location}
    out["description"] = param.description
    if param.required:
        out["required"] = True
    out["schema"] = {"type": param.type, "uniqueItems": True}
    return out


def _v3_operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {"tags": [op.tag], "description": op.description}
    out["operationId"] = op.operation_id
    if op.params:
        out["parameters"] = [_v3_param(param) for param in op.params]
    if op.body:
        content = {media: {"schema": _v3_schema(op.body)} for media in op.body_types}
        body: dict[str, Any] = {"content": content}
        if op.body_required:
            body["required"] = True
        out["requestBody"] = body
    responses: dict[str, Any] = {}
    for response in op.responses:
        entry: dict[str, Any] = {"description": response.description}
        if response.schema:
            schema = _v3_schema(response.schema)
            entry["content"] = {media: {"schema": schema} for media in op.produces}
        responses[response.code] = entry
    out["responses"] = responses
    out.update(_extensions(op))
    return out


def v3_path_item(item: PathItem) -> dict[str, Any]:
    """One entry of a v3 document's `paths`."""
    ops = {op.method: op for op in item.ops}
    out: dict[str, Any] = {m: _v3_operation(ops[m]) for m in _METHOD_ORDER if m in ops}
    if item.params:
        out["parameters"] = [_v3_param(param) for param in item.params]
    return out


def _v2_param(param: Param) -> dict[str, Any]:
    out: dict[str, Any] = {"uniqueItems": True, "type": param.type}
    out["description"] = param.description
    out["name"] = param.name
    out["in"] = param.location
    if param.required:
        out["required"] = True
    return out


def _v2_schema(schema: str) -> dict[str, Any]:
    return {"type": "string"} if schema == STRING else {"$ref": V2_REF + schema}


def _v2_operation(op: Operation) -> dict[str, Any]:
    out: dict[str, Any] = {"description": op.description}
    if op.body:
        out["consumes"] = list(op.body_types)
    out["produces"] = list(op.produces)
    out["schemes"] = ["https"]
    out["tags"] = [op.tag]
    out["operationId"] = op.operation_id
    params = [_v2_param(param) for param in op.params]
    if op.body:
        body: dict[str, Any] = {"name": "body", "in": "body"}
        if op.body_required:
            body["required"] = True
        body["schema"] = _v2_schema(op.body)
        params.insert(0, body)
    if params:
        out["parameters"] = params
    responses: dict[str, Any] = {}
    for response in op.responses:
        entry: dict[str, Any] = {"description": response.description}
        if response.schema:
            entry["schema"] = _v2_schema(response.schema)
        responses[response.code] = entry
    out["responses"] = responses
    out.update(_extensions(op))
    return out


def v2_path_item(item: PathItem) -> dict[str, Any]:
    """One entry of a Swagger 2.0 document's `paths`."""
    ops = {op.method: op for op in item.ops}
    out: dict[str, Any] = {m: _v2_operation(ops[m]) for m in _METHOD_ORDER if m in ops}
    if item.params:
        out["parameters"] = [_v2_param(param) for param in item.params]
    return out


def schema_roots(items: list[PathItem]) -> set[str]:
    """Every definition name the operations of `items` refer to."""
    roots: set[str] = set()
    for item in items:
        for op in item.ops:
            roots.add(op.body)
            roots.update(response.schema for response in op.responses)
    roots.discard("")
    roots.discard(STRING)
    return roots
