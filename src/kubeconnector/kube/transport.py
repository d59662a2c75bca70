"""`ClusterClient`: gentle, raw-JSON access to one connector's cluster.

Requests go through the connector's isolated official `ApiClient` (`kubeconnector.kube.client`)
and come back as raw JSON parsed with orjson, with no model deserialization. Error answers and
transport failures are mapped by `kubeconnector.kube.errors`; retries follow
`kubeconnector.kube.retry`; at most ``max_in_flight`` requests are on the wire at once. The
client counts requests, retries and received bytes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import orjson
import urllib3.exceptions

from kubeconnector.errors import ClusterError
from kubeconnector.kube import pager
from kubeconnector.kube.callapi import Outgoing, RawResponse, send
from kubeconnector.kube.client import (
    ClientOptions,
    ResponseRecord,
    build_api_client,
    close_api_client,
)
from kubeconnector.kube.errors import is_dropped_connection, status_error, transport_error
from kubeconnector.kube.kubeconfig import ResolvedKubeconfig
from kubeconnector.kube.kubeconfig_checks import Credential
from kubeconnector.kube.retry import is_idempotent
from kubeconnector.kube.tls import KeyLoading

log = logging.getLogger(__name__)

JSON = "application/json"
Query = Mapping[str, str | int | bool] | Sequence[tuple[str, str]]


@dataclass
class ClientStats:
    """What a client did so far.

    Attributes:
        requests: HTTP requests sent (retries included).
        retries: Requests that were retries.
        bytes_received: Response body bytes received.
    """

    requests: int = 0
    retries: int = 0
    bytes_received: int = 0


class ClusterClient:
    """Raw, retrying, bounded access to one cluster through the official client."""

    def __init__(
        self,
        resolved: ResolvedKubeconfig,
        options: ClientOptions | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        """Build the connector's isolated ApiClient.

        Args:
            resolved: The connector's validated kubeconfig context.
            options: Timeouts, pool size, concurrency, retries, observer.
            sleep: How to wait between retries (tests pass a recorder).
            rng: The source of backoff jitter.

        Raises:
            KubeconfigError: OpenSSL refuses the CA or the client certificate.
            ClusterError: A client certificate cannot be loaded without a disk file.
        """
        self.options = options or ClientOptions()
        self._resolved = resolved
        built = build_api_client(resolved, self.options)
        self.api_client: Any = built.api_client
        self.key_loading: KeyLoading = built.key_loading
        self.endpoint = _endpoint(resolved.server)
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._slots = threading.BoundedSemaphore(max(1, self.options.max_in_flight))
        self._lock = threading.Lock()
        self._stats = ClientStats()

    @property
    def server(self) -> str:
        """The API server URL."""
        return self._resolved.server

    @property
    def credential(self) -> Credential:
        """The connector's credential (for reading the identity locally; never display it)."""
        return self._resolved.credential

    @property
    def stats(self) -> ClientStats:
        """A snapshot of the counters."""
        with self._lock:
            return ClientStats(**vars(self._stats))

    @property
    def request_count(self) -> int:
        """HTTP requests made so far (retries included)."""
        return self.stats.requests

    @property
    def bytes_received(self) -> int:
        """Response body bytes received so far."""
        return self.stats.bytes_received

    def request(
        self,
        method: str,
        path: str,
        query: Query | None = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
        *,
        idempotent: bool | None = None,
    ) -> dict[str, Any]:
        """Send a request and return the JSON object answered.

        Args:
            method: GET, POST, PUT, PATCH or DELETE.
            path: The API path, e.g. ``/api/v1/namespaces/demo/secrets``.
            query: Query parameters.
            body: A JSON-ready body (a list for JSON patches).
            content_type: The body's content type (default ``application/json``).
            accept: The Accept header (default ``application/json``).
            idempotent: Allow retrying 5xx and dropped connections; default: GET/HEAD only.

        Raises:
            ApiError: The server answered an error (its subclass says which).
            ClusterUnreachable: No connection, or it dropped and could not be retried.
            TLSError: The server certificate does not verify.
            ClusterError: The answer is not a JSON object.
        """
        response = self.request_raw(
            method, path, query, body, content_type, accept, idempotent=idempotent
        )
        return _json_object(response.data)

    def request_raw(
        self,
        method: str,
        path: str,
        query: Query | None = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
        *,
        idempotent: bool | None = None,
    ) -> RawResponse:
        """Like `request`, but return the successful response as received (bytes)."""
        outgoing = Outgoing(
            method.upper(),
            path,
            _query(query),
            _headers(body, content_type, accept),
            body,
        )
        return self._with_retries(outgoing, is_idempotent(method, idempotent))

    def list_pages(
        self,
        kind: pager.KindLike,
        namespace: str | None = None,
        *,
        metadata_only: bool = False,
        limit: int = pager.DEFAULT_LIMIT,
        label_selector: str | None = None,
        field_selector: str | None = None,
        stats: pager.ListStats | None = None,
    ) -> Iterator[list[dict[str, Any]]]:
        """Yield the pages of one list (see `kubeconnector.kube.pager.list_pages`)."""
        return pager.list_pages(
            self,
            kind,
            namespace,
            metadata_only=metadata_only,
            limit=limit,
            label_selector=label_selector,
            field_selector=field_selector,
            stats=stats,
        )

    def close(self) -> None:
        """Close the connections; the client cannot be used afterwards."""
        close_api_client(self.api_client)

    def __enter__(self) -> ClusterClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _with_retries(self, outgoing: Outgoing, idempotent: bool) -> RawResponse:
        policy = self.options.retry
        attempt = 1
        while True:
            try:
                response = self._exchange(outgoing, retry=attempt > 1)
            except (urllib3.exceptions.HTTPError, OSError) as err:
                if not (
                    is_dropped_connection(err) and policy.may_retry_transport(idempotent, attempt)
                ):
                    raise self._transport_error(err) from None
                self._wait(outgoing, attempt, None, "connection dropped")
            else:
                if response.ok:
                    return response
                error = status_error(response.status, response.headers, response.data)
                if not policy.should_retry(error, idempotent, attempt):
                    raise error
                self._wait(outgoing, attempt, error.status.retry_after, str(error.code))
            attempt += 1

    def _transport_error(self, err: BaseException) -> ClusterError:
        has_certificate = self._resolved.credential.client_certificate is not None
        return transport_error(err, self.endpoint, has_certificate)

    def _wait(self, outgoing: Outgoing, attempt: int, retry_after: float | None, why: str) -> None:
        delay = self.options.retry.delay(attempt, retry_after, self._rng)
        log.info("retrying %s %s in %.2fs (%s)", outgoing.method, outgoing.path, delay, why)
        self._sleep(delay)

    def _exchange(self, outgoing: Outgoing, retry: bool) -> RawResponse:
        timeout = (self.options.connect_timeout, self.options.read_timeout)
        started = time.monotonic()
        with self._slots:
            self._count(retry)
            response = send(self.api_client, outgoing, timeout)
        seconds = time.monotonic() - started
        self._received(len(response.data))
        log.debug("%s %s -> %d in %.3fs", outgoing.method, outgoing.path, response.status, seconds)
        if self.options.on_response is not None:
            self.options.on_response(
                ResponseRecord.of(outgoing.method, outgoing.path, response, seconds)
            )
        return response

    def _count(self, retry: bool) -> None:
        with self._lock:
            self._stats.requests += 1
            self._stats.retries += int(retry)

    def _received(self, size: int) -> None:
        with self._lock:
            self._stats.bytes_received += size


def _endpoint(server: str) -> str:
    parts = urlsplit(server)
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{parts.port or 443}"


def _query(query: Query | None) -> list[tuple[str, str]]:
    if not query:
        return []
    pairs = query.items() if isinstance(query, Mapping) else query
    return [(str(k), _query_value(v)) for k, v in pairs]


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _headers(body: Any, content_type: str | None, accept: str | None) -> dict[str, str]:
    headers = {"Accept": accept or JSON}
    if body is not None or content_type:
        headers["Content-Type"] = content_type or JSON
    return headers


def _json_object(data: bytes) -> dict[str, Any]:
    try:
        parsed = orjson.loads(data) if data else {}
    except orjson.JSONDecodeError:
        raise ClusterError("the API server answered with a body that is not JSON") from None
    if not isinstance(parsed, dict):
        raise ClusterError("the API server answered with JSON that is not an object")
    return parsed
