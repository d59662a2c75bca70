"""The virtual review resources: access and rules reviews, SelfSubjectReview, TokenReview."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from kubesim.api import status
from kubesim.auth import reviews
from kubesim.registry.context import now_rfc3339
from kubesim.server import responses
from kubesim.server.scope import Scope


async def review(scope: Scope) -> web.Response:
    """POST of a review kind; the response is computed, never stored."""
    body = await scope.body()
    if not isinstance(body, dict):
        raise status.bad_request(
            f'{scope.rt.kind} in version "{scope.rt.version}" cannot be handled'
        )
    handler = _HANDLERS.get(scope.rt.resource)
    if handler is None:
        raise status.method_not_allowed("create", scope.rt.kind)
    return responses.json_obj(handler(scope, body), 201)


def _self_subject_review(scope: Scope, _body: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "SelfSubjectReview",
        "apiVersion": scope.rt.api_version,
        "metadata": {"creationTimestamp": now_rfc3339()},
        "status": {"userInfo": scope.user.to_api()},
    }


def _token_review(scope: Scope, body: dict[str, Any]) -> dict[str, Any]:
    spec = body.get("spec") or {}
    out: dict[str, Any] = {
        "kind": "TokenReview",
        "apiVersion": scope.rt.api_version,
        "metadata": {"creationTimestamp": None},
        "spec": spec,
    }
    try:
        result = scope.emu.authn.token(str(spec.get("token", "")))
    except status.StatusError:
        out["status"] = {"authenticated": False, "error": "invalid bearer token", "user": {}}
        return out
    audiences = spec.get("audiences") or ["https://kubernetes.default.svc.cluster.local"]
    out["status"] = {
        "authenticated": True,
        "user": result.user.to_api(),
        "audiences": audiences,
    }
    return out


def _ssar(scope: Scope, body: dict[str, Any]) -> dict[str, Any]:
    return reviews.self_subject_access_review(body, scope.user, scope.emu.authorizer)


def _sar(scope: Scope, body: dict[str, Any]) -> dict[str, Any]:
    return reviews.subject_access_review(body, scope.emu.authorizer)


def _lsar(scope: Scope, body: dict[str, Any]) -> dict[str, Any]:
    return reviews.local_subject_access_review(body, scope.info.namespace, scope.emu.authorizer)


def _ssrr(scope: Scope, body: dict[str, Any]) -> dict[str, Any]:
    return reviews.self_subject_rules_review(body, scope.user, scope.emu.authorizer)


_HANDLERS = {
    "selfsubjectreviews": _self_subject_review,
    "tokenreviews": _token_review,
    "selfsubjectaccessreviews": _ssar,
    "subjectaccessreviews": _sar,
    "localsubjectaccessreviews": _lsar,
    "selfsubjectrulesreviews": _ssrr,
}
