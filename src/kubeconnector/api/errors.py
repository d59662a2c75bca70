"""The one mapping from kubeconnector errors to HTTP statuses and ``{"reason", "message"}``.

Every error response of the API has the same body, `ErrorBody`. The status comes from the
exception's class (`status_for`, most specific class first); the reason is the class's stable
``reason``; the message is the exception's first line. An exception outside the hierarchy is
answered 500 with a generic message: its text and traceback never reach the client.
"""

from __future__ import annotations

import logging
from typing import Any

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kubeconnector.errors import (
    ApiError,
    ApprovalRefused,
    ChangeError,
    ClusterError,
    Conflict,
    CryptoError,
    IllegalTransition,
    Invalid,
    InvalidInput,
    KubeconfigError,
    KubeConnectorError,
    NotFound,
    PreflightFailed,
    RecordExists,
    RecordNotFound,
    RollbackRefused,
    StorageError,
)

log = logging.getLogger(__name__)
INTERNAL_MESSAGE = "internal error; the server log has the details"
MAX_MESSAGE = 500


class ErrorBody(BaseModel):
    """An error: a stable machine-readable reason and one human-readable line."""

    reason: str
    message: str


class NotAuthenticated(KubeConnectorError):
    """No bearer token, or one that belongs to no user."""

    reason = "Unauthenticated"


class NotPermitted(KubeConnectorError):
    """The user's role does not allow the operation."""

    reason = "Forbidden"


class TooLarge(KubeConnectorError):
    """The request body exceeds the size limit."""

    reason = "TooLarge"


class RateLimited(KubeConnectorError):
    """The token (or client address) made too many requests; retry after `retry_after` s."""

    reason = "RateLimited"

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


# Most specific first: the first class an error is an instance of gives its status.
STATUS: tuple[tuple[type[KubeConnectorError], int], ...] = (
    (NotAuthenticated, 401),
    (NotPermitted, 403),
    (TooLarge, 413),
    (RateLimited, 429),
    (InvalidInput, 422),
    (KubeconfigError, 422),
    (RecordNotFound, 404),
    (RecordExists, 409),
    (ApprovalRefused, 403),
    (IllegalTransition, 409),
    (PreflightFailed, 409),
    (RollbackRefused, 409),
    (ChangeError, 409),
    (NotFound, 404),
    (Conflict, 409),
    (Invalid, 422),
    (ApiError, 502),
    (ClusterError, 502),
    (StorageError, 503),
    (CryptoError, 500),
)

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody, "description": text}
    for code, text in (
        (401, "No valid bearer token"),
        (403, "The role does not allow it"),
        (404, "Not found"),
        (409, "Conflict or illegal transition"),
        (413, "Request body too large"),
        (422, "Invalid input"),
        (429, "Rate limited"),
        (502, "The cluster failed or is unreachable"),
    )
}


class OrjsonResponse(JSONResponse):
    """A JSON response encoded with orjson."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


def status_for(exc: KubeConnectorError) -> int:
    """The HTTP status of a kubeconnector error (500 for a class the table does not name)."""
    return next((code for cls, code in STATUS if isinstance(exc, cls)), 500)


def error_body(exc: KubeConnectorError) -> ErrorBody:
    """The response body of a kubeconnector error."""
    text = (str(exc).strip().splitlines() or [exc.reason])[0]
    return ErrorBody(reason=exc.reason, message=text[:MAX_MESSAGE])


def error_response(exc: KubeConnectorError) -> OrjsonResponse:
    """The response for a kubeconnector error, with its status and headers."""
    headers: dict[str, str] = {}
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    body = error_body(exc).model_dump()
    return OrjsonResponse(body, status_code=status_for(exc), headers=headers)


def _body(status: int, reason: str, message: str) -> OrjsonResponse:
    return OrjsonResponse({"reason": reason, "message": message}, status_code=status)


async def _library_error(_request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, KubeConnectorError)
    return error_response(exc)


async def _validation_error(_request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, RequestValidationError)
    # Only where and what: the input itself may hold a kubeconfig.
    first: dict[str, Any] = next(iter(exc.errors()), {})
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = f"{where}: {first.get('msg', 'invalid')}" if where else "invalid request"
    return _body(422, InvalidInput.reason, message[:MAX_MESSAGE])


async def _http_error(_request: Request, exc: Exception) -> OrjsonResponse:
    assert isinstance(exc, HTTPException)
    reasons = {404: "NotFound", 405: "MethodNotAllowed"}
    reason = reasons.get(exc.status_code, "HTTPError")
    response = _body(exc.status_code, reason, str(exc.detail)[:MAX_MESSAGE])
    response.headers.update(exc.headers or {})
    return response


def install(app: FastAPI) -> None:
    """Register the handlers that turn errors into `ErrorBody` responses."""
    app.add_exception_handler(KubeConnectorError, _library_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)


class InternalErrors:
    """ASGI middleware: an unexpected exception becomes a generic 500, logged without its text.

    Args:
        app: The application to wrap.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracking)
        except Exception as exc:
            # The exception text may quote request data; the type and route are enough.
            log.error("internal error %s on %s %s", type(exc).__name__, scope.get("method"),
                      scope.get("path"))  # fmt: skip
            if started:
                raise
            response = _body(500, "InternalError", INTERNAL_MESSAGE)
            await response(scope, receive, send)
