"""Lists through the Python client: selectors, pagination, expiry and metadata-only lists."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    api_client,
    create_namespace,
    delete_namespace,
    expect_error,
    failure,
    meta,
)

from kubesim.config import SimConfig
from kubesim.runner import Cluster, running

METADATA_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this response "
    "to retrieve the remainder of the results. Continuing with the provided token results in an "
    "inconsistent list - objects that were created, modified, or deleted between the time the "
    "first chunk was returned and now may show up in the list."
)


@pytest.fixture(scope="module")
def namespace(admin: ApiClient) -> Iterator[str]:
    """Seven Secrets `cm-0`..`cm-6` (tier a for even, b for odd; cm-6 has no tier).

    Secrets, because a new namespace gets none of its own (it does get a ConfigMap).
    """
    name = create_namespace(admin, "py-lists")
    core = client.CoreV1Api(admin)
    for index in range(7):
        labels = {"tier": "ab"[index % 2]} if index < 6 else {"other": "x"}
        body = client.V1Secret(metadata=meta(f"cm-{index}", labels=labels), data={"i": "eA=="})
        core.create_namespaced_secret(name, body)
    yield name
    delete_namespace(admin, name)


@pytest.fixture(scope="module")
def short_lived() -> Iterator[Cluster]:
    """A cluster whose continue tokens expire after 0.2 s."""
    with running("empty", config=SimConfig(continue_ttl=0.2)) as cluster:
        yield cluster


def _names(items: list[client.V1Secret]) -> list[str]:
    return [item.metadata.name for item in items]


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ("tier=a", ["cm-0", "cm-2", "cm-4"]),
        ("tier==b", ["cm-1", "cm-3", "cm-5"]),
        ("tier!=a", ["cm-1", "cm-3", "cm-5", "cm-6"]),
        ("tier in (a,b),tier notin (b)", ["cm-0", "cm-2", "cm-4"]),
        ("!tier", ["cm-6"]),
        ("other", ["cm-6"]),
    ],
)
def test_label_selectors_filter_the_typed_list(
    admin: ApiClient, namespace: str, selector: str, expected: list[str]
) -> None:
    listed = client.CoreV1Api(admin).list_namespaced_secret(namespace, label_selector=selector)
    assert _names(listed.items) == expected


def test_a_field_selector_on_the_name_returns_that_object_only(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    listed = core.list_namespaced_secret(namespace, field_selector="metadata.name=cm-3")
    assert _names(listed.items) == ["cm-3"]
    everywhere = core.list_secret_for_all_namespaces(
        field_selector=f"metadata.namespace={namespace},metadata.name!=cm-0"
    )
    assert _names(everywhere.items) == [f"cm-{i}" for i in range(1, 7)]


def test_an_unsupported_field_selector_is_a_400_worded_per_kind(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    body = expect_error(
        lambda: core.list_namespaced_config_map(namespace, field_selector="data.i=x"), 400
    )
    assert body == failure(
        '"data.i" is not a known field selector: only "metadata.name", "metadata.namespace"',
        "BadRequest",
        400,
    )
    body = expect_error(lambda: core.list_namespaced_secret(namespace, field_selector="x=y"), 400)
    assert body == failure("field label not supported: x", "BadRequest", 400)


def test_pages_of_a_limited_list_share_one_resource_version_and_count_down(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    first = core.list_namespaced_secret(namespace, limit=3)
    assert _names(first.items) == ["cm-0", "cm-1", "cm-2"]
    assert first.metadata.remaining_item_count == 4
    core.create_namespaced_secret(namespace, client.V1Secret(metadata=meta("cm-5a")))
    second = core.list_namespaced_secret(namespace, limit=3, _continue=first.metadata._continue)
    third = core.list_namespaced_secret(namespace, limit=3, _continue=second.metadata._continue)
    assert _names(second.items) == ["cm-3", "cm-4", "cm-5"]
    assert second.metadata.remaining_item_count == 1
    assert _names(third.items) == ["cm-6"]
    assert not third.metadata._continue
    assert third.metadata.remaining_item_count is None
    versions = {page.metadata.resource_version for page in (first, second, third)}
    assert versions == {first.metadata.resource_version}
    core.delete_namespaced_secret("cm-5a", namespace)


def test_a_continue_token_with_a_resource_version_is_rejected(
    admin: ApiClient, namespace: str
) -> None:
    core = client.CoreV1Api(admin)
    first = core.list_namespaced_secret(namespace, limit=2)
    body = expect_error(
        lambda: core.list_namespaced_secret(
            namespace, limit=2, _continue=first.metadata._continue, resource_version="1"
        ),
        400,
    )
    assert body == failure(
        "specifying resource version is not allowed when using continue", "BadRequest", 400
    )


def test_an_expired_continue_token_answers_410_with_a_fresh_token_that_resumes(
    short_lived: Cluster,
) -> None:
    core = client.CoreV1Api(api_client(short_lived))
    first = core.list_namespace(limit=1)
    time.sleep(0.4)
    try:
        core.list_namespace(limit=1, _continue=first.metadata._continue)
    except client.ApiException as err:
        assert err.status == 410
        body = json.loads(err.body)
    else:
        raise AssertionError("the expired continue token was accepted")
    fresh = body["metadata"].pop("continue")
    assert body == failure(EXPIRED, "Expired", 410)
    resumed = core.list_namespace(limit=100, _continue=fresh)
    names = [first.items[0].metadata.name] + [n.metadata.name for n in resumed.items]
    assert names == sorted(n.metadata.name for n in core.list_namespace().items)


def test_a_metadata_only_list_carries_partial_object_metadata_items(
    admin: ApiClient, namespace: str
) -> None:
    raw = client.CoreV1Api(admin).list_namespaced_secret(
        namespace, limit=2, _preload_content=False, _headers={"Accept": METADATA_LIST}
    )
    document = json.loads(raw.data)
    assert document["kind"] == "PartialObjectMetadataList"
    assert document["apiVersion"] == "meta.k8s.io/v1"
    assert document["metadata"]["remainingItemCount"] == 5
    assert document["metadata"]["continue"]
    assert [item["kind"] for item in document["items"]] == ["PartialObjectMetadata"] * 2
    assert all(set(item) == {"kind", "apiVersion", "metadata"} for item in document["items"])
    metas = [
        admin.deserialize(json.dumps(item["metadata"]), "V1ObjectMeta", "application/json")
        for item in document["items"]
    ]
    assert [m.name for m in metas] == ["cm-0", "cm-1"]


def test_a_metadata_only_request_through_call_api_returns_the_raw_document(
    admin: ApiClient, namespace: str
) -> None:
    method, url, headers, body, post = admin.param_serialize(
        "GET",
        "/api/v1/namespaces/{namespace}/secrets",
        path_params={"namespace": namespace},
        query_params=[("labelSelector", "tier=b")],
        header_params={"Accept": METADATA_LIST + ",application/json"},
        auth_settings=["BearerToken"],
    )
    response = admin.call_api(method, url, header_params=headers, body=body, post_params=post)
    response.read()
    assert response.status == 200
    assert response.getheader("Content-Type") == "application/json"
    document = json.loads(response.data)
    assert [i["metadata"]["name"] for i in document["items"]] == ["cm-1", "cm-3", "cm-5"]
    assert all("data" not in item for item in document["items"])


def _table(admin: ApiClient, namespace: str, include: str | None) -> dict[str, Any]:
    query = [("limit", "2")] + ([("includeObject", include)] if include else [])
    method, url, headers, body, post = admin.param_serialize(
        "GET",
        "/api/v1/namespaces/{namespace}/secrets",
        path_params={"namespace": namespace},
        query_params=query,
        header_params={"Accept": TABLE},
        auth_settings=["BearerToken"],
    )
    response = admin.call_api(method, url, header_params=headers, body=body, post_params=post)
    response.read()
    assert response.status == 200
    document: dict[str, Any] = json.loads(response.data)
    return document


def test_a_table_list_prints_the_secret_columns_and_embeds_metadata(
    admin: ApiClient, namespace: str
) -> None:
    document = _table(admin, namespace, None)
    assert (document["kind"], document["apiVersion"]) == ("Table", "meta.k8s.io/v1")
    assert [c["name"] for c in document["columnDefinitions"]] == ["Name", "Type", "Data", "Age"]
    assert document["metadata"]["continue"]
    assert [row["cells"][:3] for row in document["rows"]] == [
        ["cm-0", "Opaque", 1],
        ["cm-1", "Opaque", 1],
    ]
    embedded = document["rows"][0]["object"]
    assert (embedded["kind"], embedded["apiVersion"]) == ("PartialObjectMetadata", "meta.k8s.io/v1")
    assert embedded["metadata"]["name"] == "cm-0"
    assert "data" not in embedded


@pytest.mark.parametrize(("include", "kind"), [("Object", "Secret"), ("None", None)])
def test_a_table_embeds_the_object_that_include_object_asks_for(
    admin: ApiClient, namespace: str, include: str, kind: str | None
) -> None:
    rows = _table(admin, namespace, include)["rows"]
    objects = [row["object"] for row in rows]
    if kind is None:
        assert objects == [None, None]
    else:
        assert [(o["kind"], o["metadata"]["name"], o["data"]) for o in objects] == [
            (kind, "cm-0", {"i": "eA=="}),
            (kind, "cm-1", {"i": "eA=="}),
        ]
