"""What every resource handler receives: the request, its parse, its resource and user."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import orjson
import yaml
from aiohttp import web

from kubesim.api import status
from kubesim.api.requestinfo import RequestInfo
from kubesim.api.resources import ResourceType
from kubesim.auth.user import UserInfo
from kubesim.registry.context import WriteContext, write_context
from kubesim.schema import protobuf

if TYPE_CHECKING:
    from kubesim.server.emulator import Emulator

BODY_TYPES = (
    "the body of the request was in an unknown format - accepted media types include: "
    "application/json, application/yaml, application/vnd.kubernetes.protobuf"
)


@dataclass
class Scope:
    """One resource request, parsed and authenticated."""

    emu: Emulator
    request: web.Request
    info: RequestInfo
    rt: ResourceType
    user: UserInfo

    @property
    def query(self) -> Mapping[str, str]:
        return self.request.query

    @property
    def namespace(self) -> str:
        return self.info.namespace if self.rt.namespaced else ""

    def write_context(
        self, options_kind: str, query: Mapping[str, str] | None = None
    ) -> WriteContext:
        agent = self.request.headers.get("User-Agent", "")
        return write_context(self.user, self.query if query is None else query, agent, options_kind)

    async def raw_body(self) -> bytes:
        return await self.request.read()

    async def body(self) -> Any:
        """The decoded JSON (or YAML) request body; 400/415 as the real server words them."""
        raw = await self.raw_body()
        # An absent Content-Type means JSON to the real server (the Python client sends none).
        header = self.request.headers.get("Content-Type", "")
        content_type = self.request.content_type if header.strip() else "application/json"
        if content_type == "application/json":
            return _json(raw, self.rt)
        if content_type in ("application/yaml", "application/apply-patch+yaml"):
            return _yaml(raw)
        if content_type == protobuf.CONTENT_TYPE:
            return _protobuf(raw, self.rt)
        raise status.unsupported_media_type(BODY_TYPES)


def _json(raw: bytes, rt: ResourceType) -> Any:
    if not raw.strip():
        raise status.bad_request("the body of the request was empty")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as err:
        raise status.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: '
            f"json parse error: {str(err)[:120]}"
        ) from err


def _protobuf(raw: bytes, rt: ResourceType) -> Any:
    """Typed clients (kubectl 1.33 `create`, `auth`) post protobuf; decode it to JSON form."""
    try:
        return protobuf.decode_object(raw)
    except protobuf.ProtobufError as err:
        raise status.bad_request(
            f'{rt.kind} in version "{rt.version}" cannot be handled as a {rt.kind}: {err}'
        ) from err


def _yaml(raw: bytes) -> Any:
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as err:
        raise status.bad_request(f"error converting YAML to JSON: {str(err)[:120]}") from err
