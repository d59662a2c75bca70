"""The one place where cluster responses and transport failures become kubeconnector errors.

An error response's Kubernetes ``Status`` body (or, for the plain-text 429 of the max-in-flight
filter and for non-API paths, its text) becomes the `kubeconnector.errors.ApiError` subclass for
its HTTP status, with ``retry_after`` taken from the ``Retry-After`` header or
``details.retryAfterSeconds``. Connection failures become `ClusterUnreachable` naming host:port,
certificate verification failures become `TLSError` saying the API server's certificate changed
or does not match the stored kubeconfig. Every message is scrubbed of anything that looks like a
token, key or certificate; bodies that are not a Status are cut to 256 characters.
"""

from __future__ import annotations

import re
import ssl
from collections.abc import Mapping
from typing import Any

import orjson
import urllib3.exceptions

from kubeconnector.errors import (
    ApiError,
    ClusterError,
    ClusterUnreachable,
    StatusInfo,
    TLSError,
    api_error,
)

MAX_TEXT = 256
CERTIFICATE_HINT = (
    "; the API server may not accept the kubeconfig's client certificate (expired, or issued "
    "by a certificate authority the server does not trust)"
)
_REDACTED = "<redacted>"
_SECRET_PATTERNS = (
    re.compile(r"-----BEGIN [A-Z0-9 ]+-----.*?(?:-----END [A-Z0-9 ]+-----|$)", re.DOTALL),
    re.compile(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*"),
    re.compile(r"(?i)\b(bearer|basic)\s+[^\s\"',]+"),
    re.compile(r"[A-Za-z0-9+/_-]{40,}={0,2}"),
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
_VERIFY = ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed")
_HOSTNAME = ("Hostname mismatch", "IP address mismatch", "doesn't match")
_VERIFY_REASON = re.compile(r"certificate verify failed: ([^()]{1,80})")


def scrub(text: str, limit: int | None = None) -> str:
    """Remove secret-looking material (PEM blocks, JWTs, bearer tokens, long base64 runs).

    Args:
        text: Text from a response or an exception.
        limit: Cut the result to this many characters (with an ellipsis), if given.
    """
    for pattern in _SECRET_PATTERNS:
        text = pattern.sub(_REDACTED, text)
    text = re.sub(r" {2,}", " ", _CONTROL.sub(" ", text)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def status_error(status: int, headers: Mapping[str, str], body: bytes) -> ApiError:
    """The error for an HTTP error response.

    Args:
        status: The HTTP status code (it wins over a Status body's ``code``).
        headers: Response headers, with lower-case names.
        body: The response body.
    """
    parsed = _status_object(body)
    header_retry = _retry_after_header(headers.get("retry-after"))
    if parsed is None:
        message = _plain_message(status, body)
        return api_error(StatusInfo(status, _default_reason(status), message, {}, header_retry))
    details = parsed.get("details") if isinstance(parsed.get("details"), dict) else {}
    info = StatusInfo(
        code=status,
        reason=str(parsed.get("reason") or _default_reason(status)),
        message=scrub(str(parsed.get("message") or "")) or _default_message(status),
        details=details or {},
        retry_after=header_retry if header_retry is not None else _details_retry(details or {}),
    )
    return api_error(info)


def _status_object(body: bytes) -> dict[str, Any] | None:
    try:
        parsed = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    if isinstance(parsed, dict) and parsed.get("kind") == "Status":
        return parsed
    return None


def _plain_message(status: int, body: bytes) -> str:
    text = scrub(body.decode("utf-8", "replace"), MAX_TEXT)
    if status == 429:
        # What client-go says for the max-in-flight/APF plain-text rejection.
        return "the server has received too many requests and has asked us to try again later"
    return text or _default_message(status)


def _retry_after_header(value: str | None) -> float | None:
    if not value:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None  # an HTTP-date; the API server only ever sends seconds
    return seconds if seconds >= 0 else None


def _details_retry(details: Mapping[str, Any]) -> float | None:
    value = details.get("retryAfterSeconds")
    return float(value) if isinstance(value, int | float) and value > 0 else None


_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    410: "Expired",
    413: "RequestEntityTooLarge",
    415: "UnsupportedMediaType",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


def _default_reason(status: int) -> str:
    return _REASONS.get(status, "InternalError" if status >= 500 else "Unknown")


def _default_message(status: int) -> str:
    return f"the API server answered {status} {_default_reason(status)}"


def transport_error(
    err: BaseException, endpoint: str, client_certificate: bool = False
) -> ClusterError:
    """The error for a request that got no HTTP response.

    Args:
        err: What the HTTP stack raised.
        endpoint: ``host:port`` of the API server, for the message.
        client_certificate: Whether the client presented a certificate (a handshake failure
            may then mean the server refused it).
    """
    if isinstance(err, urllib3.exceptions.MaxRetryError) and err.reason is not None:
        err = err.reason
    text = str(err)
    if isinstance(err, urllib3.exceptions.SSLError | ssl.SSLError) or text.startswith("SSLError"):
        return tls_error(text, endpoint, client_certificate)
    hint = ""
    if client_certificate and isinstance(err, urllib3.exceptions.ProtocolError):
        # With TLS 1.3 a refused client certificate often shows up as a closed connection.
        hint = CERTIFICATE_HINT
    return ClusterUnreachable(f"cannot reach the API server at {endpoint}: {_why(err)}{hint}")


def tls_error(text: str, endpoint: str, client_certificate: bool = False) -> TLSError:
    """A TLS failure, explained (the seed's known limitation for a changed certificate)."""
    update = (
        "the API server's certificate changed or does not match the stored kubeconfig; "
        "update the connector's kubeconfig (kubectl config view --raw)"
    )
    if any(marker in text for marker in _HOSTNAME):
        return TLSError(
            f"the certificate of the API server at {endpoint} is not valid for that host: {update}"
        )
    if any(marker in text for marker in _VERIFY):
        found = _VERIFY_REASON.search(text)
        why = f" ({found.group(1).strip()})" if found else ""
        return TLSError(
            f"the certificate of the API server at {endpoint} does not verify against the "
            f"kubeconfig's certificate authority{why}: {update}"
        )
    hint = CERTIFICATE_HINT if client_certificate else ""
    return TLSError(
        f"the TLS handshake with the API server at {endpoint} failed: {_tls_why(text)}{hint}"
    )


def _tls_why(text: str) -> str:
    found = re.search(r"\[SSL: ([A-Z0-9_]+)\]", text) or re.search(r"(alert [a-z ]+)", text)
    if found:
        return found.group(1).lower().replace("_", " ").strip()
    if "EOF occurred" in text:
        return "the server closed the connection during the handshake"
    return "the handshake was refused"


def is_dropped_connection(err: BaseException) -> bool:
    """Whether the request may have reached the server before the connection failed.

    Such failures are retried only for idempotent requests; refused connections are not
    retried at all (they fail fast with a clear message).
    """
    return isinstance(
        err, urllib3.exceptions.ProtocolError | urllib3.exceptions.ReadTimeoutError
    ) and not isinstance(err, urllib3.exceptions.NewConnectionError)


def _why(err: BaseException) -> str:
    if isinstance(err, urllib3.exceptions.NameResolutionError):
        return "the host name does not resolve"
    if isinstance(err, urllib3.exceptions.NewConnectionError):
        return "connection refused" if "refused" in str(err).lower() else "cannot connect"
    if isinstance(err, urllib3.exceptions.ConnectTimeoutError):
        return "timed out while connecting"
    if isinstance(err, urllib3.exceptions.ReadTimeoutError):
        return "timed out waiting for a response"
    if isinstance(err, urllib3.exceptions.ProtocolError):
        return "the connection was closed before a response arrived"
    return scrub(type(err).__name__, 80)
