"""The cluster client retries gently, never replays writes blindly, and bounds concurrency.

These tests drive `ClusterClient` through a stand-in for the official ApiClient; the same
behaviour against a real API server (kubesim) is in test_kube_cluster.py.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from urllib.parse import urlencode

import orjson
import pytest
import urllib3.exceptions
from kubernetes.client.exceptions import ApiException
from tests.kubeconnector.kube.kubefixtures import TOKEN, document, dump

from kubeconnector.errors import (
    ClusterError,
    ClusterUnreachable,
    ServerError,
    TLSError,
    TooManyRequests,
    Unauthorized,
)
from kubeconnector.kube import ClientOptions, ClusterClient, RetryPolicy, parse_kubeconfig
from kubeconnector.kube.callapi import Outgoing, send
from kubeconnector.kube.client import ResponseRecord

OK = (200, {"Content-Type": "application/json"}, b'{"kind":"Thing"}')
Step = tuple[int, dict[str, str], bytes] | BaseException


@dataclass
class FakeResponse:
    status: int
    headers: dict[str, str]
    data: bytes
    released: bool = False

    def release_conn(self) -> None:
        self.released = True


@dataclass
class FakeApiClient:
    """Answers from a script, like the current generated ApiClient (every status returned)."""

    script: list[Step]
    sent: list[tuple[str, str, dict[str, str], Any]] = field(default_factory=list)
    delay: float = 0.0
    in_flight: int = 0
    peak: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def param_serialize(self, **kw: Any) -> tuple[Any, ...]:
        headers = {**kw["header_params"], "authorization": f"Bearer {TOKEN}"}
        url = "https://k8s.example.com:6443" + kw["resource_path"]
        if kw["query_params"]:
            url += "?" + urlencode(kw["query_params"])
        return kw["method"], url, headers, kw["body"], None

    def call_api(
        self, method: str, url: str, headers: dict[str, str], body: Any, post: Any, **kw: Any
    ) -> Any:
        with self.lock:
            self.sent.append((method, url, headers, body))
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            step = self.script.pop(0) if self.script else OK
        try:
            time.sleep(self.delay)
            if isinstance(step, BaseException):
                raise step
            return SimpleNamespace(response=FakeResponse(*step))
        finally:
            with self.lock:
                self.in_flight -= 1

    def close(self) -> None:
        pass


@dataclass
class Sleeps:
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def _client(script: list[Step], **options: Any) -> tuple[ClusterClient, FakeApiClient, Sleeps]:
    sleeps = Sleeps()
    client = ClusterClient(
        parse_kubeconfig(dump(document())),
        ClientOptions(**options),
        sleep=sleeps,
        rng=random.Random(7),
    )
    fake = FakeApiClient(list(script))
    client.api_client = fake
    return client, fake, sleeps


def _status(code: int, reason: str, **details: Any) -> bytes:
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": reason}
    return orjson.dumps({**body, "reason": reason, "code": code, "details": details})


def test_a_request_returns_the_raw_json_object() -> None:
    client, fake, _ = _client([OK])
    assert client.request("GET", "/api/v1/namespaces", {"limit": 5, "watch": False}) == {
        "kind": "Thing"
    }
    method, url, headers, body = fake.sent[0]
    assert (method, body) == ("GET", None)
    assert url == "https://k8s.example.com:6443/api/v1/namespaces?limit=5&watch=false"
    assert headers["Accept"] == "application/json"
    assert "Content-Type" not in headers


def test_a_body_is_sent_as_json_unless_told_otherwise() -> None:
    client, fake, _ = _client([OK, OK])
    client.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "x"}})
    client.request(
        "PATCH", "/x", body=[{"op": "remove"}], content_type="application/json-patch+json"
    )
    assert fake.sent[0][2]["Content-Type"] == "application/json"
    assert fake.sent[1][2]["Content-Type"] == "application/json-patch+json"


def test_a_429_is_retried_after_the_retry_after_header() -> None:
    client, _, sleeps = _client([(429, {"Retry-After": "2"}, _status(429, "TooManyRequests")), OK])
    assert client.request("GET", "/api/v1/pods") == {"kind": "Thing"}
    assert sleeps.waits == [2.0]
    assert client.stats.requests == 2
    assert client.stats.retries == 1


def test_a_429_is_retried_even_for_a_write() -> None:
    client, fake, sleeps = _client([(429, {"Retry-After": "1"}, b"Too many requests"), OK])
    client.request("POST", "/api/v1/namespaces/a/secrets", body={})
    assert len(fake.sent) == 2
    assert sleeps.waits == [1.0]


def test_retry_after_is_capped() -> None:
    policy = RetryPolicy(max_retry_after=3.0)
    client, _, sleeps = _client([(429, {"Retry-After": "600"}, b""), OK], retry=policy)
    client.request("GET", "/api/v1/pods")
    assert sleeps.waits == [3.0]


def test_5xx_on_a_get_backs_off_exponentially_with_jitter() -> None:
    errors: list[Step] = [(503, {}, _status(503, "ServiceUnavailable"))] * 3
    client, fake, sleeps = _client([*errors, OK], retry=RetryPolicy(base_delay=0.2))
    client.request("GET", "/api/v1/pods")
    assert len(fake.sent) == 4
    for wait, ceiling in zip(sleeps.waits, (0.2, 0.4, 0.8), strict=True):
        assert ceiling / 2 <= wait <= ceiling


def test_5xx_on_a_write_is_not_retried() -> None:
    client, fake, sleeps = _client([(500, {}, _status(500, "InternalError"))])
    with pytest.raises(ServerError):
        client.request("PUT", "/api/v1/namespaces/a/secrets/b", body={})
    assert len(fake.sent) == 1
    assert sleeps.waits == []


def test_a_write_marked_idempotent_is_retried_on_5xx() -> None:
    client, fake, _ = _client([(500, {}, _status(500, "InternalError")), OK])
    client.request(
        "POST", "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews", body={}, idempotent=True
    )
    assert len(fake.sent) == 2


def test_retries_stop_after_the_last_attempt_with_the_last_error() -> None:
    throttled: Step = (429, {"Retry-After": "1"}, _status(429, "TooManyRequests"))
    client, fake, sleeps = _client([throttled] * 3, retry=RetryPolicy(max_attempts=3))
    with pytest.raises(TooManyRequests) as caught:
        client.request("GET", "/api/v1/pods")
    assert caught.value.status.retry_after == 1.0
    assert len(fake.sent) == 3
    assert sleeps.waits == [1.0, 1.0]


def test_errors_that_are_not_transient_are_not_retried() -> None:
    client, fake, _ = _client([(401, {}, _status(401, "Unauthorized"))])
    with pytest.raises(Unauthorized):
        client.request("GET", "/api/v1/pods")
    assert len(fake.sent) == 1


def test_a_dropped_connection_is_retried_for_a_get() -> None:
    dropped = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    client, fake, _ = _client([dropped, OK])
    assert client.request("GET", "/api/v1/pods") == {"kind": "Thing"}
    assert len(fake.sent) == 2


def test_a_dropped_connection_is_not_retried_for_a_write() -> None:
    dropped = urllib3.exceptions.ProtocolError("Connection aborted.", ConnectionResetError())
    client, fake, _ = _client([dropped, OK])
    with pytest.raises(ClusterUnreachable) as caught:
        client.request("DELETE", "/api/v1/namespaces/a/secrets/b")
    assert len(fake.sent) == 1
    assert "k8s.example.com:6443" in str(caught.value)


def test_a_refused_connection_fails_at_once() -> None:
    refused = urllib3.exceptions.NewConnectionError(None, "Connection refused")  # type: ignore[arg-type]
    client, fake, _ = _client([refused])
    with pytest.raises(ClusterUnreachable):
        client.request("GET", "/version")
    assert len(fake.sent) == 1


def test_the_client_layers_ssl_error_becomes_a_tls_error() -> None:
    wrapped = ApiException(status=0, reason="SSLError\ncertificate verify failed: bad (x)")
    client, _, _ = _client([wrapped])
    with pytest.raises(TLSError, match="certificate changed"):
        client.request("GET", "/version")


def test_an_answer_that_is_not_a_json_object_is_an_error() -> None:
    client, _, _ = _client([(200, {}, b"[1, 2]"), (200, {}, b"<html>")])
    with pytest.raises(ClusterError, match="not an object"):
        client.request("GET", "/version")
    with pytest.raises(ClusterError, match="not JSON"):
        client.request("GET", "/version")


def test_observers_see_every_exchange_and_bytes_are_counted() -> None:
    seen: list[ResponseRecord] = []
    client, _, _ = _client([(503, {}, b"busy"), OK], on_response=seen.append)
    client.request("GET", "/api/v1/pods", {"limit": 1})
    assert [(r.method, r.path, r.status) for r in seen] == [
        ("GET", "/api/v1/pods", 503),
        ("GET", "/api/v1/pods", 200),
    ]
    assert client.bytes_received == len(b"busy") + len(OK[2])


def test_no_more_requests_than_max_in_flight_run_at_once() -> None:
    client, fake, _ = _client([], max_in_flight=2)
    fake.delay = 0.02
    threads = [threading.Thread(target=client.request, args=("GET", "/version")) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(fake.sent) == 8
    assert fake.peak == 2


def test_a_server_url_with_a_path_prefixes_every_request() -> None:
    server = "https://gw.example.com/k8s/prod/"
    client = ClusterClient(parse_kubeconfig(dump(document(cluster={"server": server}))))
    request = client.api_client.param_serialize(method="GET", resource_path="/version")
    assert request[1] == "https://gw.example.com/k8s/prod/version"
    assert client.endpoint == "gw.example.com:443"


@dataclass
class LegacyApiClient:
    """The older generated client: call_api(..., _preload_content=False), raising on non-2xx."""

    answers: Iterator[Step]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def call_api(self, path: str, method: str, **kw: Any) -> Any:
        self.calls.append({"path": path, "method": method, **kw})
        step = next(self.answers)
        if isinstance(step, BaseException):
            raise step
        status, headers, data = step
        if status >= 300:
            error = ApiException(status=status, reason="x", body=data.decode())
            error.headers = headers
            raise error
        return FakeResponse(status, headers, data)


def test_the_older_client_generation_is_driven_the_same_way() -> None:
    legacy = LegacyApiClient(iter([OK, (404, {"Retry-After": "1"}, b'{"kind":"Status"}')]))
    request = Outgoing("GET", "/api/v1/pods", [("limit", "2")], {"Accept": "application/json"})
    ok = send(legacy, request, (1.0, 2.0))
    missing = send(legacy, request, (1.0, 2.0))
    assert (ok.status, ok.data) == (200, OK[2])
    assert (missing.status, missing.headers, missing.data) == (
        404,
        {"retry-after": "1"},
        b'{"kind":"Status"}',
    )
    call = legacy.calls[0]
    assert (call["path"], call["method"], call["query_params"]) == (
        "/api/v1/pods",
        "GET",
        [("limit", "2")],
    )
    assert call["_preload_content"] is False
    assert call["auth_settings"] == ["BearerToken"]
