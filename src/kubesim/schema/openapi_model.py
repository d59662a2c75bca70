"""The format-neutral model of documented API operations, and its shared constants.

`PathItem`s hold `Operation`s; the v3 and Swagger 2.0 renderers consume them. Names and
descriptions follow the real server's conventions (`patchAppsV1NamespacedDeployment`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kubesim.schema import openapi_params as p
from kubesim.schema.loader import GVK

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
STATUS = META + "Status"
DELETE_OPTIONS = META + "DeleteOptions"
PATCH = META + "Patch"
WATCH_EVENT = META + "WatchEvent"
RESOURCE_LIST = META + "APIResourceList"
STRING = "<string>"

OBJECT_TYPES = ("application/json", "application/yaml", "application/vnd.kubernetes.protobuf")
STREAM_TYPES = (
    *OBJECT_TYPES,
    "application/json;stream=watch",
    "application/vnd.kubernetes.protobuf;stream=watch",
)
PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)
ANY = ("*/*",)
LOG_TYPES = ("text/plain", *OBJECT_TYPES)
CONNECT_METHODS = ("get", "put", "post", "delete", "options", "head", "patch")
PROXY_QUERY = p.Param(
    "path", "query", "string", "Path is the URL path to use for the current proxy request."
)


@dataclass(frozen=True)
class Response:
    """One documented response; `schema` is a definition name, STRING, or empty."""

    code: str
    description: str
    schema: str = ""


@dataclass(frozen=True)
class Operation:
    """One documented operation; an empty `body` means the operation takes none."""

    method: str
    action: str
    operation_id: str
    description: str
    tag: str
    gvk: GVK | None
    params: tuple[p.Param, ...] = ()
    body: str = ""
    body_types: tuple[str, ...] = ANY
    body_required: bool = True
    responses: tuple[Response, ...] = ()
    produces: tuple[str, ...] = OBJECT_TYPES


@dataclass
class PathItem:
    """A path with its operations and the parameters shared by all of them."""

    path: str
    params: tuple[p.Param, ...] = ()
    ops: list[Operation] = field(default_factory=list)


def responses(schema: str, *codes: str) -> tuple[Response, ...]:
    """The success responses `codes` with `schema`, plus the 401 every operation lists."""
    text = {"200": "OK", "201": "Created", "202": "Accepted"}
    return (
        *(Response(code, text[code], schema) for code in codes),
        Response("401", "Unauthorized"),
    )


def group_prefix(group: str, version: str) -> str:
    """The URL prefix of a group/version: `/api/v1` or `/apis/apps/v1`."""
    return f"/apis/{group}/{version}" if group else f"/api/{version}"


def camel_group(group: str) -> str:
    """`rbac.authorization.k8s.io` -> `rbacAuthorization`, `` -> `core`."""
    if not group:
        return "core"
    parts = group.removesuffix(".k8s.io").split(".")
    return parts[0] + "".join(part[:1].upper() + part[1:] for part in parts[1:])


def article(kind: str) -> str:
    """The indefinite article the server uses before a kind name."""
    return "an" if kind[:1] in "AEIOU" else "a"


@dataclass(frozen=True)
class Spec:
    """What varies between the operations of one resource or subresource."""

    kind: str
    namespaced: bool
    gvk: GVK
    suffix: str = ""
