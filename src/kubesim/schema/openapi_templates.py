"""Operation templates: what each verb of a resource or subresource is documented as.

A template names the HTTP method, the `x-kubernetes-action`, the operationId verb, the
description, parameters, request body and responses; placeholders (`kind`, `list`,
`deleted`) in the body and result are filled in per resource.
"""

from __future__ import annotations

from dataclasses import dataclass

from kubesim.schema import openapi_params as p
from kubesim.schema.openapi_model import (
    ANY,
    DELETE_OPTIONS,
    OBJECT_TYPES,
    PATCH,
    PATCH_TYPES,
    STATUS,
    STREAM_TYPES,
    WATCH_EVENT,
)


@dataclass(frozen=True)
class Template:
    """How one verb is documented; `text` may use {kind}, {article} and {sub}."""

    method: str
    action: str
    verb: str
    text: str
    params: tuple[p.Param, ...] = ()
    body: str = ""
    body_types: tuple[str, ...] = ANY
    body_required: bool = True
    codes: tuple[str, ...] = ("200",)
    result: str = "kind"
    produces: tuple[str, ...] = OBJECT_TYPES
    infix: str = ""
    suffix: str = ""


_WATCH_LIST = (
    "watch individual changes to a list of {kind}. deprecated: use the 'watch' parameter with a "
    "list operation instead."
)
_WATCH_ONE = (
    "watch changes to an object of kind {kind}. deprecated: use the 'watch' parameter with a "
    "list operation instead, filtered to a single item with the 'fieldSelector' parameter."
)

COLLECTION = {
    "list": Template("get", "list", "list", "list or watch objects of kind {kind}",
                     p.LIST_PARAMS, result="list", produces=STREAM_TYPES),
    "create": Template("post", "post", "create", "create {article} {kind}", p.WRITE_PARAMS,
                       body="kind", codes=("200", "201", "202")),
    "deletecollection": Template("delete", "deletecollection", "delete",
                                 "delete collection of {kind}", p.DELETE_COLLECTION_PARAMS,
                                 body=DELETE_OPTIONS, body_required=False, result=STATUS,
                                 infix="Collection"),
}  # fmt: skip
ITEM = {
    "get": Template("get", "get", "read", "read the specified {kind}"),
    "update": Template("put", "put", "replace", "replace the specified {kind}", p.WRITE_PARAMS,
                       body="kind", codes=("200", "201")),
    "delete": Template("delete", "delete", "delete", "delete {article} {kind}", p.DELETE_PARAMS,
                       body=DELETE_OPTIONS, body_required=False, codes=("200", "202"),
                       result="deleted"),
    "patch": Template("patch", "patch", "patch", "partially update the specified {kind}",
                      p.PATCH_PARAMS, body=PATCH, body_types=PATCH_TYPES, codes=("200", "201")),
}  # fmt: skip
SUBRESOURCE = {
    "get": Template("get", "get", "read", "read {sub} of the specified {kind}"),
    "update": Template("put", "put", "replace", "replace {sub} of the specified {kind}",
                       p.WRITE_PARAMS, body="kind", codes=("200", "201")),
    "patch": Template("patch", "patch", "patch", "partially update {sub} of the specified {kind}",
                      p.PATCH_PARAMS, body=PATCH, body_types=PATCH_TYPES, codes=("200", "201")),
    "create": Template("post", "post", "create", "create {sub} of {article} {kind}",
                       p.WRITE_PARAMS, body="kind", codes=("200", "201", "202")),
}  # fmt: skip
WATCH_LIST = Template("get", "watchlist", "watch", _WATCH_LIST, result=WATCH_EVENT,
                      produces=STREAM_TYPES, suffix="List")  # fmt: skip
WATCH_ONE = Template("get", "watch", "watch", _WATCH_ONE, result=WATCH_EVENT,
                     produces=STREAM_TYPES)  # fmt: skip
WATCH_ALL = Template("get", "watchlist", "watch", _WATCH_LIST, result=WATCH_EVENT,
                     produces=STREAM_TYPES, suffix="ListForAllNamespaces")  # fmt: skip
LIST_ALL = Template("get", "list", "list", "list or watch objects of kind {kind}", result="list",
                    produces=STREAM_TYPES, suffix="ForAllNamespaces")  # fmt: skip
