"""Watches through `kubernetes.watch.Watch`: resourceVersion, selectors, bookmarks and 410."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    api_client,
    meta,
    unique,
)

from kubesim.config import SimConfig
from kubesim.runner import Cluster, running

NAMESPACE_PREFIX = "py-watch"


@pytest.fixture(scope="module")
def compacting() -> Iterator[Cluster]:
    """A cluster keeping only 20 events of history and bookmarking after 0.2 s of quiet."""
    config = SimConfig(watch_history=20, bookmark_interval=0.2)
    with running("empty", config=config) as cluster:
        yield cluster


def _events(stream: Iterator[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    events = []
    for event in stream:
        events.append(event)
        if len(events) == count:
            break
    return events


def _config_map(name: str, labels: dict[str, str]) -> client.V1ConfigMap:
    return client.V1ConfigMap(metadata=meta(name, labels=labels), data={"k": "v"})


def test_a_watch_from_a_resource_version_streams_later_changes_as_typed_objects(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    label = unique("w")
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, _config_map("w1", {"set": label}))
    core.patch_namespaced_config_map("w1", namespace, {"data": {"k": "changed"}})
    core.delete_namespaced_config_map("w1", namespace)
    watcher = watch.Watch()
    stream = watcher.stream(
        core.list_namespaced_config_map,
        namespace,
        label_selector=f"set={label}",
        resource_version=start,
        timeout_seconds=5,
    )
    events = _events(stream, 3)
    watcher.stop()
    assert [e["type"] for e in events] == ["ADDED", "MODIFIED", "DELETED"]
    assert all(isinstance(e["object"], client.V1ConfigMap) for e in events)
    assert events[1]["object"].data == {"k": "changed"}
    assert events[2]["raw_object"]["kind"] == "ConfigMap"
    versions = [int(e["object"].metadata.resource_version) for e in events]
    assert versions == sorted(versions) and versions[0] > int(start)
    assert watcher.resource_version == events[2]["object"].metadata.resource_version


def test_a_watch_without_a_resource_version_starts_with_the_current_objects(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    label = unique("w")
    for name in ("b", "a"):
        core.create_namespaced_config_map(namespace, _config_map(name + label, {"set": label}))
    watcher = watch.Watch()
    stream = watcher.stream(
        core.list_namespaced_config_map, namespace, label_selector=f"set={label}", timeout_seconds=2
    )
    events = _events(stream, 2)
    watcher.stop()
    assert [(e["type"], e["object"].metadata.name) for e in events] == [
        ("ADDED", "a" + label),
        ("ADDED", "b" + label),
    ]


def test_an_object_leaving_the_selector_is_delivered_as_deleted(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    label = unique("w")
    start = core.list_namespaced_config_map(namespace).metadata.resource_version
    core.create_namespaced_config_map(namespace, _config_map("leaver", {"sel": label}))
    core.patch_namespaced_config_map("leaver", namespace, {"metadata": {"labels": {"sel": "no"}}})
    watcher = watch.Watch()
    stream = watcher.stream(
        core.list_namespaced_config_map,
        namespace,
        label_selector=f"sel={label}",
        resource_version=start,
        timeout_seconds=5,
    )
    events = _events(stream, 2)
    watcher.stop()
    assert [e["type"] for e in events] == ["ADDED", "DELETED"]
    assert events[1]["object"].metadata.labels == {"sel": "no"}


def test_bookmarks_carry_only_the_latest_resource_version(compacting: Cluster) -> None:
    core = client.CoreV1Api(api_client(compacting))
    current = core.list_namespace().metadata.resource_version
    watcher = watch.Watch()
    stream = watcher.stream(
        core.list_namespace,
        resource_version=current,
        allow_watch_bookmarks=True,
        timeout_seconds=2,
    )
    events = _events(stream, 1)
    watcher.stop()
    assert events[0]["type"] == "BOOKMARK"
    assert events[0]["raw_object"] == {
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"resourceVersion": current},
    }
    assert watcher.resource_version == current


def _compact(cluster: Cluster) -> str:
    """Write enough to push the cluster's first events out of its history."""
    core = client.CoreV1Api(api_client(cluster))
    first = core.list_namespace().metadata.resource_version
    for _ in range(25):
        core.create_namespaced_config_map("default", _config_map(unique("fill"), {}))
    return str(first)


def test_a_too_old_resource_version_gets_one_410_error_event(compacting: Cluster) -> None:
    old = _compact(compacting)
    core = client.CoreV1Api(api_client(compacting))
    raw = core.list_namespaced_config_map(
        "default", watch=True, resource_version=old, _preload_content=False
    )
    lines = [line for line in raw.data.decode().splitlines() if line]
    assert len(lines) == 1
    event = json.loads(lines[0])
    assert event["type"] == "ERROR"
    message = event["object"].pop("message")
    assert re.fullmatch(rf"too old resource version: {old} \(\d+\)", message)
    assert event["object"] == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "reason": "Expired",
        "code": 410,
    }


def test_the_watch_raises_410_at_once_when_a_timeout_is_set(compacting: Cluster) -> None:
    old = _compact(compacting)
    core = client.CoreV1Api(api_client(compacting))
    mark = compacting.control.mark()
    with pytest.raises(client.ApiException) as caught:
        list(watch.Watch().stream(core.list_namespace, resource_version=old, timeout_seconds=5))
    assert caught.value.status == 410
    assert re.fullmatch(rf"Expired: too old resource version: {old} \(\d+\)", caught.value.reason)
    watches = [e for e in compacting.control.requests(since=mark) if e["verb"] == "watch"]
    assert len(watches) == 1


def test_the_watch_retries_once_after_410_before_raising(compacting: Cluster) -> None:
    old = _compact(compacting)
    core = client.CoreV1Api(api_client(compacting))
    mark = compacting.control.mark()
    with pytest.raises(client.ApiException) as caught:
        list(watch.Watch().stream(core.list_namespace, resource_version=old))
    assert caught.value.status == 410
    # Entries are logged when a request ends, so an earlier test's watch may end after the mark.
    ours = f"resourceVersion={old}&watch=true"
    entries = compacting.control.requests(since=mark)
    watches = [
        e["query"] for e in entries if e["verb"] == "watch" and "Bookmarks" not in e["query"]
    ]
    assert watches == [ours, ours]
