"""Injected faults as the Python client sees them, the concurrent writer, and the request log.

The client itself does not honour Retry-After: a 429 surfaces as an ApiException whose headers
carry it. urllib3 underneath (default `Retry(3)`) silently retries idempotent requests, such as
a GET answered 429/503 with Retry-After or whose connection was dropped, but never a POST.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import urllib3
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    calls,
    expect_error,
    failure,
    meta,
    status_of,
    unique,
)

from kubesim.runner import Cluster

NAMESPACE_PREFIX = "py-faults"


@pytest.fixture
def core(kubesim_cluster: Cluster, admin: ApiClient) -> Iterator[client.CoreV1Api]:
    yield client.CoreV1Api(admin)
    kubesim_cluster.control.clear_faults()


def _config_map(core: client.CoreV1Api, namespace: str) -> str:
    name = unique("cm")
    core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta(name)))
    return name


def test_a_429_fault_carries_retry_after_in_the_exception_headers(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    kubesim_cluster.control.fault(
        method="POST",
        path=f"/namespaces/{namespace}/configmaps$",
        status=429,
        retry_after=2,
        count=1,
    )
    with pytest.raises(client.ApiException) as caught:
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta("late")))
    assert caught.value.status == 429
    assert caught.value.headers["Retry-After"] == "2"
    assert status_of(caught.value) == failure(
        "Too many requests, please try again later.",
        "TooManyRequests",
        429,
        retryAfterSeconds=2,
    )
    assert core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta("late")))


def test_a_429_on_a_get_is_retried_by_urllib3_after_retry_after(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    mark = kubesim_cluster.control.mark()
    path = f"/namespaces/{namespace}/configmaps$"
    kubesim_cluster.control.fault(method="GET", path=path, status=429, retry_after=1, count=1)
    started = time.monotonic()
    assert core.list_namespaced_config_map(namespace).items is not None
    assert time.monotonic() - started >= 1.0
    entries = calls(kubesim_cluster, mark, namespace)
    assert [(e["verb"], e["status"]) for e in entries] == [("list", 429), ("list", 200)]


def test_the_max_in_flight_429_is_plain_text(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    kubesim_cluster.control.fault(
        method="POST", path="/configmaps$", status=429, plain_text=True, count=1
    )
    with pytest.raises(client.ApiException) as caught:
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta(unique("c"))))
    assert caught.value.status == 429
    assert caught.value.headers["Retry-After"] == "1"
    assert caught.value.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert caught.value.body == "Too many requests, please try again later.\n"


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            500,
            failure(
                "Internal error occurred: injected fault",
                "InternalError",
                500,
                causes=[{"message": "injected fault"}],
            ),
        ),
        (
            503,
            failure(
                "the server is currently unable to handle the request", "ServiceUnavailable", 503
            ),
        ),
    ],
)
def test_server_error_faults_raise_with_their_status_body(
    kubesim_cluster: Cluster,
    core: client.CoreV1Api,
    namespace: str,
    code: int,
    expected: dict[str, object],
) -> None:
    name = _config_map(core, namespace)
    kubesim_cluster.control.fault(path=f"/configmaps/{name}$", status=code, count=1)
    body = expect_error(lambda: core.read_namespaced_config_map(name, namespace), code)
    assert body == expected
    assert core.read_namespaced_config_map(name, namespace).metadata.name == name


def test_a_dropped_post_raises_and_creates_nothing(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    name = unique("dropped")
    kubesim_cluster.control.fault(method="POST", path="/configmaps$", drop=True, count=1)
    with pytest.raises(urllib3.exceptions.ProtocolError):
        core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta(name)))
    expect_error(lambda: core.read_namespaced_config_map(name, namespace), 404)


def test_a_dropped_get_is_retried_by_urllib3_and_succeeds(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    name = _config_map(core, namespace)
    mark = kubesim_cluster.control.mark()
    kubesim_cluster.control.fault(method="GET", path=f"/configmaps/{name}$", drop=True, count=1)
    assert core.read_namespaced_config_map(name, namespace).metadata.name == name
    gets = [e for e in kubesim_cluster.control.requests(since=mark) if e["name"] == name]
    assert len(gets) == 2
    assert gets[1]["status"] == 200


def test_a_delay_fault_slows_the_answer(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    name = _config_map(core, namespace)
    kubesim_cluster.control.fault(path=f"/configmaps/{name}$", delay=0.3, count=1)
    started = time.monotonic()
    core.read_namespaced_config_map(name, namespace)
    assert time.monotonic() - started >= 0.3


def test_a_concurrent_writer_makes_the_next_replace_conflict(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    name = _config_map(core, namespace)
    kubesim_cluster.control.concurrent_writer(method="GET", path=f"/configmaps/{name}$", count=1)
    current = core.read_namespaced_config_map(name, namespace)
    current.data = {"k": "mine"}
    body = expect_error(lambda: core.replace_namespaced_config_map(name, namespace, current), 409)
    assert body == failure(
        f'Operation cannot be fulfilled on configmaps "{name}": the object has been modified; '
        "please apply your changes to the latest version and try again",
        "Conflict",
        409,
        name=name,
        kind="configmaps",
    )
    fresh = core.read_namespaced_config_map(name, namespace)
    assert "kubesim.io/concurrent-write" in fresh.metadata.annotations
    fresh.data = {"k": "mine"}
    assert core.replace_namespaced_config_map(name, namespace, fresh).data == {"k": "mine"}


def test_the_request_log_counts_the_calls_the_client_made(
    kubesim_cluster: Cluster, core: client.CoreV1Api, namespace: str
) -> None:
    mark = kubesim_cluster.control.mark()
    name = _config_map(core, namespace)
    core.read_namespaced_config_map(name, namespace)
    core.list_namespaced_config_map(namespace, limit=1)
    entries = calls(kubesim_cluster, mark, namespace)
    assert [(e["verb"], e["status"]) for e in entries] == [
        ("create", 201),
        ("get", 200),
        ("list", 200),
    ]
    assert {e["user"] for e in entries} == {"kubesim-admin"}
    assert all(e["user_agent"].startswith("OpenAPI-Generator/") for e in entries)
    assert entries[2]["query"] == "limit=1"
