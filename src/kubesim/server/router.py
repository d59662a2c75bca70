"""Routes a parsed, authorized resource request to its handler."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from kubesim.api import status
from kubesim.server import authapis, reading, subresources, watching, writing
from kubesim.server.scope import Scope

Handler = Callable[[Scope], Awaitable[web.StreamResponse]]

NOT_FOUND = "the server could not find the requested resource"
NOT_ALLOWED = "the server does not allow this method on the requested resource"


async def _get(scope: Scope) -> web.StreamResponse:
    return reading.get(scope)


async def _list(scope: Scope) -> web.StreamResponse:
    return reading.list_(scope)


_VERBS: dict[str, Handler] = {
    "get": _get,
    "list": _list,
    "watch": watching.watch,
    "create": writing.create,
    "update": writing.update,
    "patch": writing.patch,
    "delete": writing.delete,
    "deletecollection": writing.delete_collection,
}

_SUBRESOURCES: dict[tuple[str, str], Handler] = {
    ("/serviceaccounts", "token"): subresources.token_request,
    ("/pods", "log"): subresources.pod_log,
    ("/pods", "eviction"): subresources.eviction,
    ("/namespaces", "finalize"): subresources.finalize,
}


def not_found() -> status.StatusError:
    return status.StatusError(404, "NotFound", NOT_FOUND, {})


def not_allowed() -> status.StatusError:
    return status.StatusError(405, "MethodNotAllowed", NOT_ALLOWED, {})


def check_scope(scope: Scope) -> None:
    """404/405 for paths that do not exist for this resource's scope."""
    info, rt = scope.info, scope.rt
    if not rt.namespaced and info.namespace and rt.resource != "namespaces":
        raise not_found()
    if rt.namespaced and not info.namespace:
        if info.name:
            raise not_found()
        if info.verb not in ("list", "watch"):
            raise not_allowed()


async def route(scope: Scope) -> web.StreamResponse:
    check_scope(scope)
    info, rt = scope.info, scope.rt
    if info.subresource:
        return await _subresource(scope)
    if info.verb not in rt.verbs:
        raise not_allowed()
    if rt.virtual:
        return await authapis.review(scope)
    return await _VERBS[info.verb](scope)


async def _subresource(scope: Scope) -> web.StreamResponse:
    info, rt = scope.info, scope.rt
    sub = rt.subresource(info.subresource)
    if sub is None:
        raise not_found()
    if info.verb not in sub.verbs:
        raise not_allowed()
    if sub.name == "scale":
        return await subresources.scale(scope)
    if sub.name in ("status", "ephemeralcontainers"):
        return await _VERBS[info.verb](scope) if info.verb != "get" else reading.get(scope)
    handler = _SUBRESOURCES.get((rt.key, sub.name))
    if handler is None:
        raise status.service_unavailable(
            f"the {rt.resource}/{sub.name} subresource is not emulated"
        )
    return await handler(scope)
