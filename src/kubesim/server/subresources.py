"""Subresource handlers: scale, TokenRequest, pod log and eviction, namespace finalize."""

from __future__ import annotations

import datetime
from typing import Any

from aiohttp import web

from kubesim.api import fielderrors, status
from kubesim.api.resources import rt as resource
from kubesim.auth.tokens import API_AUDIENCES
from kubesim.registry.deletion import DeleteOptions
from kubesim.registry.patches import check_patch_options
from kubesim.server import responses
from kubesim.server.scope import Scope

TOKEN_GK = status.GroupKind("authentication.k8s.io", "TokenRequest")
MAX_EXPIRATION = 2**32


async def scale(scope: Scope) -> web.Response:
    registry, rt, ns, name = scope.emu.registry, scope.rt, scope.namespace, scope.info.name
    verb = scope.info.verb
    if verb == "get":
        return responses.json_obj(registry.get_scale(rt, ns, name))
    if verb == "update":
        ctx = scope.write_context("UpdateOptions")
        return responses.json_obj(registry.update_scale(rt, ns, name, await scope.body(), ctx))
    ctx = scope.write_context("PatchOptions")
    content_type = scope.request.content_type
    check_patch_options(content_type, ctx, False)
    raw = await scope.raw_body()
    return responses.json_obj(registry.patch_scale(rt, ns, name, content_type, raw, ctx))


async def token_request(scope: Scope) -> web.Response:
    """POST serviceaccounts/<name>/token: a bound, expiring token."""
    body = await scope.body()
    if not isinstance(body, dict):
        raise status.bad_request('TokenRequest in version "v1" cannot be handled as a TokenRequest')
    ns, name = scope.namespace, scope.info.name
    _check_token_metadata(body, ns, name)
    spec = dict(body.get("spec") or {})
    seconds = _expiration(spec)
    sa = scope.emu.registry.get(scope.rt, ns, name)
    bound = _bound_object(scope, spec.get("boundObjectRef"), ns, name)
    audiences = list(spec.get("audiences") or API_AUDIENCES)
    token = scope.emu.issuer.bound(ns, name, sa.obj["metadata"]["uid"], audiences, seconds, bound)
    expires = datetime.datetime.fromtimestamp(token.expires_at, datetime.UTC)
    response = {
        "kind": "TokenRequest",
        "apiVersion": "authentication.k8s.io/v1",
        "metadata": {"name": name, "namespace": ns, "creationTimestamp": None},
        "spec": {
            "audiences": audiences,
            "expirationSeconds": seconds,
            "boundObjectRef": spec.get("boundObjectRef"),
        },
        "status": {
            "token": token.token,
            "expirationTimestamp": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
        },
    }
    return responses.json_obj(response, 201)


def _check_token_metadata(body: dict[str, Any], ns: str, name: str) -> None:
    meta = body.get("metadata") or {}
    errors = []
    if meta.get("name") and meta["name"] != name:
        errors.append(
            fielderrors.invalid(
                "metadata.name", meta["name"], "must match the service account name if specified"
            )
        )
    if meta.get("namespace") and meta["namespace"] != ns:
        errors.append(
            fielderrors.invalid(
                "metadata.namespace",
                meta["namespace"],
                "must match the service account namespace if specified",
            )
        )
    if errors:
        raise status.invalid(TOKEN_GK, name, errors)


def _expiration(spec: dict[str, Any]) -> int:
    seconds = spec.get("expirationSeconds")
    if seconds is None:
        return 3600
    errors = []
    if seconds < 600:
        errors.append(
            fielderrors.invalid(
                "spec.expirationSeconds", seconds, "may not specify a duration less than 10 minutes"
            )
        )
    elif seconds > MAX_EXPIRATION:
        errors.append(
            fielderrors.invalid(
                "spec.expirationSeconds",
                seconds,
                "may not specify a duration larger than 2^32 seconds",
            )
        )
    if errors:
        raise status.invalid(TOKEN_GK, "", errors)
    return int(seconds)


def _bound_object(scope: Scope, ref: Any, ns: str, account: str) -> dict[str, str] | None:
    if not ref:
        return None
    kind = ref.get("kind", "")
    if kind not in ("Pod", "Secret") or ref.get("apiVersion", "v1") != "v1":
        raise status.bad_request(
            f"cannot bind token to object of type {ref.get('apiVersion', '')}, Kind={kind}"
        )
    rt = resource("", "pods" if kind == "Pod" else "secrets")
    obj = scope.emu.registry.get(rt, ns, ref.get("name", ""))
    uid = obj.obj["metadata"]["uid"]
    if ref.get("uid") and ref["uid"] != uid:
        detail = (
            f"the UID in the bound object reference ({ref['uid']}) does not match the UID in "
            f"record ({uid}). The object might have been deleted and then recreated"
        )
        raise status.conflict(rt.gr, obj.name, detail)
    if kind == "Pod":
        pod_sa = obj.obj.get("spec", {}).get("serviceAccountName", "default")
        if pod_sa != account:
            raise status.bad_request(
                f'cannot bind token for serviceaccount "{account}" to pod running with '
                f'serviceaccount "{pod_sa}"'
            )
    return {"kind": kind, "name": obj.name, "uid": uid}


async def pod_log(scope: Scope) -> web.Response:
    pod = scope.emu.registry.get(scope.rt, scope.namespace, scope.info.name)
    containers = [c["name"] for c in pod.obj.get("spec", {}).get("containers", [])]
    container = scope.query.get("container") or (containers[0] if containers else "")
    if container not in containers:
        raise status.bad_request(f"container {container} is not valid for pod {pod.name}")
    text = f"{pod.obj['metadata']['creationTimestamp']} {container} started\n"
    return web.Response(text=text, content_type="text/plain")


async def eviction(scope: Scope) -> web.Response:
    ctx = scope.write_context("CreateOptions")
    await scope.body()
    scope.emu.registry.delete(scope.rt, scope.namespace, scope.info.name, DeleteOptions(), ctx)
    body = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
    return responses.json_obj(body, 201)


async def finalize(scope: Scope) -> web.Response:
    """PUT namespaces/<name>/finalize: only spec.finalizers may change."""
    ctx = scope.write_context("UpdateOptions")
    body = await scope.body()
    stored = scope.emu.registry.update(scope.rt, "", scope.info.name, body, ctx, "finalize")
    return responses.stored(stored)
