"""One raw HTTP exchange through the official client's ``ApiClient.call_api``.

The request goes through the client's own header, authentication and body handling, and the
response comes back as bytes, unparsed (no model deserialization). Two generations of the
generated client are supported: the current one (``param_serialize`` then ``call_api``, which
returns every status) and the older one (``call_api(..., _preload_content=False)``, which raises
``ApiException`` for non-2xx answers); both end up as a `RawResponse` or a transport exception
from urllib3.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import urllib3.exceptions
from kubernetes.client.exceptions import ApiException

from kubeconnector.errors import ClusterError

_AUTH = ["BearerToken"]
Query = Sequence[tuple[str, str]]


@dataclass(frozen=True)
class RawResponse:
    """An HTTP response as received.

    Attributes:
        status: The HTTP status code.
        headers: Response headers with lower-case names.
        data: The body.
    """

    status: int
    headers: Mapping[str, str] = field(default_factory=dict)
    data: bytes = b""

    @property
    def ok(self) -> bool:
        """A 2xx status."""
        return 200 <= self.status < 300


@dataclass(frozen=True)
class Outgoing:
    """What to send."""

    method: str
    path: str
    query: Query = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None


def send(api_client: Any, request: Outgoing, timeout: tuple[float, float]) -> RawResponse:
    """Send one request; no retries.

    Raises:
        urllib3.exceptions.HTTPError: The transport failed (refused, dropped, TLS, timeout).
        ClusterError: The client refused to build the request.
    """
    try:
        if hasattr(api_client, "param_serialize"):
            return _send_current(api_client, request, timeout)
        return _send_legacy(api_client, request, timeout)
    except ApiException as err:
        return _from_exception(err)


def _send_current(api_client: Any, request: Outgoing, timeout: tuple[float, float]) -> RawResponse:
    method, url, headers, body, post = api_client.param_serialize(
        method=request.method,
        resource_path=request.path,
        query_params=list(request.query),
        header_params=dict(request.headers),
        body=request.body,
        auth_settings=_AUTH,
    )
    response = api_client.call_api(method, url, headers, body, post, _request_timeout=timeout)
    return _read(response.response)


def _send_legacy(api_client: Any, request: Outgoing, timeout: tuple[float, float]) -> RawResponse:
    result = api_client.call_api(
        request.path,
        request.method,
        query_params=list(request.query),
        header_params=dict(request.headers),
        body=request.body,
        auth_settings=_AUTH,
        _preload_content=False,
        _return_http_data_only=True,
        _request_timeout=timeout,
    )
    return _read(result)


def _read(response: Any) -> RawResponse:
    try:
        data = response.data
    finally:
        response.release_conn()
    return RawResponse(response.status, _lower(response.headers), data or b"")


def _from_exception(err: ApiException) -> RawResponse:
    if err.status:
        body = err.body if isinstance(err.body, bytes) else str(err.body or "").encode()
        return RawResponse(int(err.status), _lower(err.headers or {}), body)
    reason = str(err.reason or "")
    if reason.startswith("SSLError"):
        # The client's REST layer turns urllib3's SSLError into a status-0 ApiException.
        raise urllib3.exceptions.SSLError(reason) from None
    raise ClusterError("the Kubernetes client could not build the request") from None


def _lower(headers: Mapping[str, str]) -> dict[str, str]:
    return {str(name).lower(): str(value) for name, value in headers.items()}
