"""The admin-only control API under `/kubesim/v1/` (authorized like any non-resource path).

Endpoints:
  GET    /kubesim/v1/requests?since=N   request log entries after sequence N
  DELETE /kubesim/v1/requests           clear the request log
  GET    /kubesim/v1/faults             active fault rules
  POST   /kubesim/v1/faults             add a fault rule (see control.faults)
  DELETE /kubesim/v1/faults             remove every fault rule and concurrent writer
  POST   /kubesim/v1/writers            add a concurrent writer
  POST   /kubesim/v1/settle?timeout=S   wait until controllers are idle
  POST   /kubesim/v1/credentials        issue a client certificate or static token for a user
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

import orjson
from aiohttp import web

from kubesim.api import status
from kubesim.server import responses

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator


async def serve(emu: Emulator, request: web.Request, path: str) -> web.Response:
    route = (request.method, path)
    if route == ("GET", "/kubesim/v1/requests"):
        since = int(request.query.get("since", "0") or 0)
        items = [e.to_dict() for e in emu.requests.since(since)]
        return responses.json_obj({"items": items})
    if route == ("DELETE", "/kubesim/v1/requests"):
        emu.requests.clear()
        return responses.json_obj({})
    if route == ("GET", "/kubesim/v1/faults"):
        return responses.json_obj({"faults": [_fault_view(f) for f in emu.faults.faults]})
    if route == ("POST", "/kubesim/v1/faults"):
        fault = emu.faults.add_fault(await _body(request))
        return responses.json_obj({"id": fault.id}, 201)
    if route == ("DELETE", "/kubesim/v1/faults"):
        emu.faults.clear()
        return responses.json_obj({})
    if route == ("POST", "/kubesim/v1/writers"):
        writer = emu.faults.add_writer(await _body(request))
        return responses.json_obj({"id": writer.id}, 201)
    if route == ("POST", "/kubesim/v1/settle"):
        timeout = float(request.query.get("timeout", "30"))
        settled = await emu.settle(timeout)
        return responses.json_obj({"settled": settled}, 200 if settled else 504)
    if route == ("POST", "/kubesim/v1/credentials"):
        return responses.json_obj(emu.issue_credentials(await _body(request)), 201)
    raise status.StatusError(
        404, "NotFound", "the server could not find the requested resource", {}
    )


def _fault_view(fault: Any) -> dict[str, Any]:
    view = asdict(fault)
    view["match"].pop("_regex", None)
    return view


async def _body(request: web.Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.read() or b"{}")
    except orjson.JSONDecodeError as err:
        raise status.bad_request(f"invalid JSON: {err}") from err
    if not isinstance(body, dict):
        raise status.bad_request("a JSON object is expected")
    return body
