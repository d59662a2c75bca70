"""Request URL -> request attributes, as `k8s.io/apiserver/pkg/endpoints/request` derives them.

Authorization, routing and the request log all use this one parse, so a URL means the same
thing to every part of the emulator.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

_SPECIAL_VERBS = frozenset({"proxy", "watch"})
_NAMESPACE_SUBRESOURCES = frozenset({"status", "finalize"})
_METHOD_VERBS = {
    "POST": "create",
    "GET": "get",
    "HEAD": "get",
    "PUT": "update",
    "PATCH": "patch",
    "DELETE": "delete",
}


@dataclass(frozen=True)
class RequestInfo:
    """What a request addresses and which API verb it is."""

    path: str
    verb: str
    resource_request: bool = False
    api_prefix: str = ""
    api_group: str = ""
    api_version: str = ""
    namespace: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    parts: tuple[str, ...] = ()


def is_true(value: str | None) -> bool:
    """Boolean query parameters are true for anything but `0` and `false` (any case)."""
    return value is not None and value.lower() not in ("0", "false")


def parse(method: str, path: str, query: Mapping[str, str]) -> RequestInfo:
    """Parse like `RequestInfoFactory.NewRequestInfo`; non-API paths become non-resource."""
    nonresource = RequestInfo(path=path, verb=method.lower())
    parts = [p for p in path.strip("/").split("/") if p] if path.strip("/") else []
    if len(parts) < 3 or parts[0] not in ("api", "apis"):
        return nonresource
    prefix, parts = parts[0], parts[1:]
    group = ""
    if prefix == "apis":
        if len(parts) < 3:
            return nonresource
        group, parts = parts[0], parts[1:]
    version, parts = parts[0], parts[1:]
    verb = _METHOD_VERBS.get(method.upper(), "")
    if parts and parts[0] in _SPECIAL_VERBS:
        verb, parts = parts[0], parts[1:]
    info = RequestInfo(
        path=path,
        verb=verb,
        resource_request=True,
        api_prefix=prefix,
        api_group=group,
        api_version=version,
    )
    return _resource_parts(info, parts, query)


def _resource_parts(info: RequestInfo, parts: list[str], query: Mapping[str, str]) -> RequestInfo:
    namespace = ""
    if parts and parts[0] == "namespaces" and len(parts) > 1:
        namespace = parts[1]
        if len(parts) > 2 and parts[2] not in _NAMESPACE_SUBRESOURCES:
            parts = parts[2:]
    resource = parts[0] if parts else ""
    name = parts[1] if len(parts) >= 2 else ""
    subresource = parts[2] if len(parts) >= 3 and info.verb != "proxy" else ""
    info = replace(
        info,
        namespace=namespace,
        resource=resource,
        name=name,
        subresource=subresource,
        parts=tuple(parts),
    )
    if not name and info.verb == "get":
        verb = "watch" if is_true(query.get("watch")) else "list"
        info = replace(info, verb=verb, name=_name_from_field_selector(query.get("fieldSelector")))
    if not info.name and info.verb == "delete":
        info = replace(info, verb="deletecollection")
    return info


def _name_from_field_selector(selector: str | None) -> str:
    """`metadata.name=<x>` (alone or among other terms) names the request for authorization."""
    if not selector:
        return ""
    for term in selector.split(","):
        field, sep, value = term.partition("==") if "==" in term else term.partition("=")
        if sep and not field.endswith("!") and field.strip() == "metadata.name":
            value = value.strip()
            if value and value not in (".", "..") and "/" not in value and "%" not in value:
                return value
    return ""
