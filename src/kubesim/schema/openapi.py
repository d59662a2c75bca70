"""The OpenAPI v3 documents served at `/openapi/v3` and `/openapi/v3/<api path>`.

kubectl reads them to decide that the server validates fields (`fieldValidation` on every
PATCH), to compute client-side apply patches (patch strategies in `components.schemas`), and
for `kubectl explain`. Documents are built once per process and are byte-for-byte
deterministic, so their hashes (uppercase hex SHA-512, as kube-openapi computes them) are
stable across runs.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kubesim.api.resources import RESOURCES, TABLE, ResourceType
from kubesim.schema.loader import DEFAULT_VERSION, Definitions, load_definitions
from kubesim.schema.openapi_model import (
    OBJECT_TYPES,
    Operation,
    PathItem,
    camel_group,
    responses,
)
from kubesim.schema.openapi_ops import GroupVersionOps
from kubesim.schema.openapi_render import schema_roots, v3_path_item
from kubesim.schema.openapi_schemas import V3_REF, reachable, render_schemas

META = "io.k8s.apimachinery.pkg.apis.meta.v1."
SECURITY_SCHEME = {
    "BearerToken": {
        "type": "apiKey",
        "description": "Bearer Token authentication",
        "name": "authorization",
        "in": "header",
    }
}


def go_json(value: Any) -> bytes:
    """Compact JSON as Go's encoding/json writes it (HTML characters escaped)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").encode()


def content_hash(body: bytes) -> str:
    """kube-openapi's ETag/hash of a document: uppercase hex SHA-512."""
    return hashlib.sha512(body).hexdigest().upper()


@dataclass(frozen=True)
class Document:
    """One served document: its index path (`apis/apps/v1`), bytes and hash."""

    path: str
    body: bytes
    hash: str

    @property
    def url(self) -> str:
        """The `serverRelativeURL` the index advertises for this document."""
        return f"/openapi/v3/{self.path}?hash={self.hash}"


def _discovery_item(path: str, op_id: str, tag: str, schema: str) -> PathItem:
    op = Operation(
        "get",
        "",
        op_id,
        _DISCOVERY_TEXT[schema],
        tag,
        None,
        responses=responses(schema, "200"),
        produces=OBJECT_TYPES,
    )
    return PathItem(path, (), [op])


_DISCOVERY_TEXT = {
    META + "APIVersions": "get available API versions",
    META + "APIGroupList": "get available API versions",
    META + "APIGroup": "get information of a group",
    "io.k8s.apimachinery.pkg.version.Info": "get the code version",
}


class OpenAPIV3:
    """All v3 documents of one emulated server, built lazily and cached."""

    def __init__(
        self,
        definitions: Definitions,
        server_version: str,
        resources: Iterable[ResourceType] = RESOURCES,
    ) -> None:
        self.definitions = definitions
        self.server_version = server_version
        self.resources = tuple(resources)
        self._docs: dict[str, Document] = {}

    def paths(self) -> list[str]:
        """Every document path the index lists, sorted."""
        out = {"api", "apis", "version"}
        for res in self.resources:
            if res.group:
                out.update({f"apis/{res.group}", f"apis/{res.group}/{res.version}"})
            else:
                out.add(f"api/{res.version}")
        return sorted(out)

    def index(self) -> bytes:
        """The body of `GET /openapi/v3`."""
        entries = {
            path: {"serverRelativeURL": self.document_for(path).url} for path in self.paths()
        }
        return go_json({"paths": entries})

    def document(self, path: str) -> Document | None:
        """The document at index path `path` (`api/v1`, `apis/apps/v1`), or None."""
        return self.document_for(path) if path in self.paths() else None

    def document_for(self, path: str) -> Document:
        """The document at `path`, built on first use."""
        found = self._docs.get(path)
        if found is None:
            body = go_json(self._build(path))
            found = Document(path, body, content_hash(body))
            self._docs[path] = found
        return found

    def _build(self, path: str) -> dict[str, Any]:
        return self._assemble(self._items(path))

    def _items(self, path: str) -> list[PathItem]:
        parts = path.split("/")
        if path == "api":
            return [_discovery_item("/api/", "getCoreAPIVersions", "core", META + "APIVersions")]
        if path == "apis":
            return [_discovery_item("/apis/", "getAPIVersions", "apis", META + "APIGroupList")]
        if path == "version":
            return [
                _discovery_item(
                    "/version/", "getCodeVersion", "version", "io.k8s.apimachinery.pkg.version.Info"
                )
            ]
        if parts[0] == "apis" and len(parts) == 2:
            camel = camel_group(parts[1])
            op_id = f"get{camel[:1].upper()}{camel[1:]}APIGroup"
            return [_discovery_item(f"/apis/{parts[1]}/", op_id, camel, META + "APIGroup")]
        group, version = ("", parts[1]) if parts[0] == "api" else (parts[1], parts[2])
        members = [r for r in self.resources if r.group == group and r.version == version]
        return GroupVersionOps(self.definitions, group, version).build(members)

    def _assemble(self, items: list[PathItem]) -> dict[str, Any]:
        names = reachable(self.definitions, schema_roots(items))
        return {
            "openapi": "3.0.0",
            "info": {"title": "Kubernetes", "version": self.server_version},
            "paths": {item.path: v3_path_item(item) for item in items},
            "components": {
                "schemas": render_schemas(self.definitions, names, V3_REF),
                "securitySchemes": SECURITY_SCHEME,
            },
            "security": [{"BearerToken": []}],
        }


@functools.cache
def openapi_v3(k8s: str = DEFAULT_VERSION, server_version: str = "") -> OpenAPIV3:
    """The process-wide v3 documents for Kubernetes `k8s` (server version defaults to it)."""
    definitions = load_definitions(k8s)
    return OpenAPIV3(definitions, server_version or f"v{definitions.minor}.0", TABLE.resources)


def v3_index(k8s: str = DEFAULT_VERSION, server_version: str = "") -> bytes:
    """The body of `GET /openapi/v3` (serve as `application/json`)."""
    return openapi_v3(k8s, server_version).index()


def v3_document(
    path: str, k8s: str = DEFAULT_VERSION, server_version: str = ""
) -> tuple[bytes, str] | None:
    """The body and hash of `GET /openapi/v3/<path>`, or None if there is no such document."""
    found = openapi_v3(k8s, server_version).document(path)
    return None if found is None else (found.body, found.hash)


def index(k8s: str = DEFAULT_VERSION, server_version: str = "") -> tuple[bytes, str]:
    """The body of `GET /openapi/v3` and its ETag hash."""
    body = v3_index(k8s, server_version)
    return body, content_hash(body)


def document(
    path: str, k8s: str = DEFAULT_VERSION, server_version: str = ""
) -> tuple[bytes, str] | None:
    """Alias of `v3_document`: body and hash of `GET /openapi/v3/<path>`, or None."""
    return v3_document(path, k8s, server_version)
