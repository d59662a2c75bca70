"""The request pipeline: authenticate, impersonate, inject faults, authorize, serve, log.

The order is the real server's filter chain (authentication, impersonation, authorization, then
the handler); fault injection sits after impersonation so rules can target the effective user.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

from aiohttp import web

from kubesim.api import requestinfo, status
from kubesim.api.requestinfo import RequestInfo
from kubesim.auth import impersonation
from kubesim.auth.rbac import forbidden_error
from kubesim.auth.user import Attributes, UserInfo
from kubesim.control.faults import Fault
from kubesim.control.requestlog import LogEntry
from kubesim.server import nonresource, responses, router
from kubesim.server.scope import Scope

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator


# Typed request storage: plain string keys make aiohttp warn (an error under pytest).
WARNINGS = web.RequestKey("warnings", tuple[str, ...])


class Pipeline:
    """The single aiohttp handler every request goes through."""

    def __init__(self, emu: Emulator) -> None:
        self.emu = emu

    async def __call__(self, request: web.Request) -> web.StreamResponse:
        started = time.perf_counter()
        info = requestinfo.parse(request.method, request.path, request.query)
        user = UserInfo("")
        try:
            user = self._authenticate(request)
            response = await self._serve(request, info, user)
        except status.StatusError as err:
            response = responses.error(err)
        except ConnectionResetError:
            response = web.Response(status=499)
        self._log(request, info, user, response, started)
        return response

    def _authenticate(self, request: web.Request) -> UserInfo:
        peer = request.transport.get_extra_info("peercert") if request.transport else None
        result = self.emu.authn.authenticate(request.headers.get("Authorization"), peer)
        if result.legacy_secret is not None:
            self.emu.note_legacy_token_use(*result.legacy_secret)
        request[WARNINGS] = tuple(result.warnings)
        headers = request.headers
        extras: dict[str, list[str]] = {}
        for name, value in headers.items():
            if name.lower().startswith("impersonate-extra-"):
                extras.setdefault(name[len("impersonate-extra-") :].lower(), []).append(value)
        impersonated = impersonation.impersonate(
            result.user,
            headers.get("Impersonate-User"),
            headers.getall("Impersonate-Group", []),
            extras,
            headers.get("Impersonate-Uid"),
            self._check,
        )
        return impersonated or result.user

    async def _serve(
        self, request: web.Request, info: RequestInfo, user: UserInfo
    ) -> web.StreamResponse:
        fault = self.emu.faults.fault_for(request.method, request.path, info.verb, user.name)
        if fault is not None:
            early = await self._inject(request, fault)
            if early is not None:
                return early
        self._check(_attributes(info, user))
        if not info.resource_request:
            response = await nonresource.serve(self.emu, request)
        else:
            rt = self.emu.table.lookup(info.api_group, info.api_version, info.resource)
            if rt is None:
                raise router.not_found()
            response = await router.route(Scope(self.emu, request, info, rt, user))
        self._after(request, info, user, response)
        return response

    async def _inject(self, request: web.Request, fault: Fault) -> web.StreamResponse | None:
        if fault.delay:
            await asyncio.sleep(fault.delay)
        if fault.drop:
            if request.transport is not None:
                request.transport.abort()
            raise ConnectionResetError("dropped by fault injection")
        if not fault.code:
            return None
        if fault.code == 429 and fault.plain_text:
            return responses.plain_too_many_requests(fault.retry_after or 1)
        return responses.error(fault.error())

    def _check(self, attrs: Attributes) -> None:
        decision = self.emu.authorizer.authorize(attrs)
        if not decision.allowed:
            raise forbidden_error(attrs, decision)

    def _after(
        self, request: web.Request, info: RequestInfo, user: UserInfo, response: web.StreamResponse
    ) -> None:
        for text in request.get(WARNINGS, ()):
            if not response.prepared:
                response.headers.add("Warning", f'299 - "{text}"')
        if info.verb == "get" and info.resource_request and response.status == 200:
            self.emu.run_concurrent_writer(request.method, request.path, info, user.name)

    def _log(
        self,
        request: web.Request,
        info: RequestInfo,
        user: UserInfo,
        response: web.StreamResponse,
        started: float,
    ) -> None:
        if info.path.startswith("/kubesim/"):
            return
        log = self.emu.requests
        log.append(
            LogEntry(
                seq=log.next_seq(),
                time=time.time(),
                user=user.name,
                verb=info.verb,
                method=request.method,
                path=request.path,
                query=request.query_string,
                status=response.status,
                bytes_in=request.content_length or 0,
                bytes_out=response.content_length or 0 if response.prepared else _size(response),
                duration_ms=round((time.perf_counter() - started) * 1000, 3),
                resource=info.resource,
                subresource=info.subresource,
                namespace=info.namespace,
                name=info.name,
                user_agent=request.headers.get("User-Agent", ""),
            )
        )


def _size(response: web.StreamResponse) -> int:
    body = getattr(response, "body", None)
    return len(body) if isinstance(body, bytes | bytearray) else 0


def _attributes(info: RequestInfo, user: UserInfo) -> Attributes:
    if not info.resource_request:
        return Attributes(user, info.verb, False, path=info.path)
    return Attributes(
        user,
        info.verb,
        True,
        api_group=info.api_group,
        api_version=info.api_version,
        resource=info.resource,
        subresource=info.subresource,
        namespace=info.namespace,
        name=info.name,
    )
