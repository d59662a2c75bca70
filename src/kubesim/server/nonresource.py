"""Non-resource paths: version, discovery, health, OpenAPI and the kubesim control API."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from aiohttp import web

from kubesim.api import status
from kubesim.control import api as control
from kubesim.schema import openapi, swagger
from kubesim.server import discovery, responses
from kubesim.server.negotiation import Form, choose

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

NOT_FOUND = "the server could not find the requested resource"
DISCOVERY_TYPE = "application/json;g=apidiscovery.k8s.io;v={};as=APIGroupDiscoveryList"


async def serve(emu: Emulator, request: web.Request) -> web.StreamResponse:
    path = request.path.rstrip("/") or "/"
    if path.startswith("/kubesim/"):
        return await control.serve(emu, request, path)
    if path in ("/healthz", "/livez", "/readyz"):
        return web.Response(text="ok", content_type="text/plain")
    if path == "/version":
        return responses.json_obj(discovery.version_info(emu.config))
    if path.startswith("/openapi/"):
        return _openapi(request, path)
    if request.method not in ("GET", "HEAD"):
        raise _not_found()
    return _discovery(emu, request, path)


def _discovery(emu: Emulator, request: web.Request, path: str) -> web.Response:
    parts = path.strip("/").split("/")
    table = emu.table
    if parts[0] in ("api", "apis") and len(parts) == 1:
        form = choose(request.headers.get("Accept", ""), discovery=True)
        if form in (Form.DISCOVERY_V2, Form.DISCOVERY_V2BETA1):
            version = "v2" if form is Form.DISCOVERY_V2 else "v2beta1"
            body = discovery.aggregated(table, parts[0] == "api", version)
            response = responses.json_obj(body)
            response.content_type = "application/json"
            response.headers["Content-Type"] = DISCOVERY_TYPE.format(version)
            response.headers["Vary"] = "Accept"
            return response
        if parts[0] == "api":
            return responses.json_obj(discovery.api_versions())
        return responses.json_obj(discovery.api_group_list(table))
    if parts == ["api", "v1"]:
        doc = discovery.resource_list(table, "", "v1")
        return responses.json_obj(doc)
    if parts[0] == "apis" and len(parts) == 2:
        for group, versions in table.groups():
            if group == parts[1]:
                return responses.json_obj(
                    {"kind": "APIGroup", "apiVersion": "v1", **discovery.api_group(group, versions)}
                )
    if parts[0] == "apis" and len(parts) == 3:
        doc = discovery.resource_list(table, parts[1], parts[2])
        if doc is not None:
            return responses.json_obj(doc)
    raise _not_found()


def _openapi(request: web.Request, path: str) -> web.Response:
    if path == "/openapi/v2":
        content_type, body, digest = swagger.v2_response(request.headers.get("Accept", ""))
        response = web.Response(body=body, headers={"Content-Type": content_type})
        response.headers["Etag"] = f'"{digest}"'
        response.headers["Vary"] = "Accept"
        return response
    if path == "/openapi/v3":
        body, _ = openapi.index()
        return _openapi_response(body)
    if path.startswith("/openapi/v3/"):
        found = openapi.document(path[len("/openapi/v3/") :])
        if found is None:
            raise _not_found()
        body, digest = found
        wanted = request.query.get("hash")
        if wanted is not None and wanted != digest:
            raise web.HTTPMovedPermanently(f"{path}?hash={digest}")
        response = _openapi_response(body)
        response.headers["Etag"] = f'"{digest}"'
        if wanted == digest:
            response.headers["Cache-Control"] = "public, immutable"
            expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=365)
            response.headers["Expires"] = expires.strftime("%a, %d %b %Y %H:%M:%S GMT")
        return response
    raise _not_found()


def _openapi_response(body: bytes) -> web.Response:
    response = responses.json_bytes(body)
    response.headers["Cache-Control"] = "no-cache, private"
    response.headers["Vary"] = "Accept"
    return response


def _not_found() -> status.StatusError:
    return status.StatusError(404, "NotFound", NOT_FOUND, {})
