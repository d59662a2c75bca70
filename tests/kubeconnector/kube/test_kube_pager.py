"""Lists are fetched page by page; an expired continue token restarts that list without repeats."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from kubeconnector.errors import ClusterError, Expired, StatusInfo
from kubeconnector.kube import KINDS, kind_spec, resource_path
from kubeconnector.kube.callapi import RawResponse
from kubeconnector.kube.pager import MAX_RESTARTS, METADATA_ONLY, ListStats, list_pages

SECRET = KINDS["Secret"]


def _item(n: int) -> dict[str, Any]:
    return {"metadata": {"name": f"s{n}", "uid": f"uid-{n}"}}


@dataclass
class FakeLister:
    """Serves `total` items `limit` at a time; the tokens listed in `expire` answer 410."""

    total: int
    expire: list[str] = field(default_factory=list)
    calls: list[tuple[str, dict[str, str], str | None]] = field(default_factory=list)

    def request_raw(
        self,
        method: str,
        path: str,
        query: Any = None,
        body: Any = None,
        content_type: str | None = None,
        accept: str | None = None,
        *,
        idempotent: bool | None = None,
    ) -> RawResponse:
        params = dict(query)
        self.calls.append((path, params, accept))
        token = params.get("continue")
        if token is not None and token in self.expire:
            self.expire.remove(token)
            raise Expired(StatusInfo(410, "Expired", "too old"))
        start = int(token or 0)
        end = min(start + int(params["limit"]), self.total)
        metadata = {"continue": str(end)} if end < self.total else {}
        items = [_item(n) for n in range(start, end)]
        return RawResponse(200, {}, orjson.dumps({"metadata": metadata, "items": items}))


def test_pages_follow_the_continue_token_to_the_end() -> None:
    lister, stats = FakeLister(total=7), ListStats()
    pages = list(list_pages(lister, SECRET, "demo", limit=3, stats=stats))
    assert [[i["metadata"]["name"] for i in page] for page in pages] == [
        ["s0", "s1", "s2"],
        ["s3", "s4", "s5"],
        ["s6"],
    ]
    assert [call[1] for call in lister.calls] == [
        {"limit": "3"},
        {"limit": "3", "continue": "3"},
        {"limit": "3", "continue": "6"},
    ]
    assert {call[0] for call in lister.calls} == {"/api/v1/namespaces/demo/secrets"}
    assert (stats.requests, stats.pages, stats.items, stats.page_sizes) == (3, 3, 7, [3, 3, 1])


def test_metadata_only_lists_ask_for_partial_object_metadata() -> None:
    lister = FakeLister(total=1)
    list(list_pages(lister, SECRET, None, metadata_only=True))
    assert lister.calls[0][2] == METADATA_ONLY
    assert METADATA_ONLY == (
        "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    )


def test_selectors_are_passed_on() -> None:
    lister = FakeLister(total=1)
    list(list_pages(lister, SECRET, None, label_selector="a=b", field_selector="type=x"))
    assert lister.calls[0][1] == {"limit": "500", "labelSelector": "a=b", "fieldSelector": "type=x"}


def test_an_expired_token_restarts_the_list_and_skips_what_was_yielded() -> None:
    lister, stats = FakeLister(total=7, expire=["6"]), ListStats()
    pages = list(list_pages(lister, SECRET, None, limit=3, stats=stats))
    names = [item["metadata"]["name"] for page in pages for item in page]
    assert names == [f"s{n}" for n in range(7)]
    assert [call[1].get("continue") for call in lister.calls] == [None, "3", "6", None, "3", "6"]
    assert (stats.restarts, stats.requests, stats.pages) == (1, 6, 3)


def test_a_list_that_keeps_expiring_gives_up_with_expired() -> None:
    lister = FakeLister(total=4, expire=["2"] * (MAX_RESTARTS + 1))
    with pytest.raises(Expired):
        list(list_pages(lister, SECRET, None, limit=2))
    assert len(lister.calls) == 2 * (MAX_RESTARTS + 1)


def test_an_answer_that_is_not_a_list_is_an_error() -> None:
    class Broken(FakeLister):
        def request_raw(self, *args: Any, **kwargs: Any) -> RawResponse:
            return RawResponse(200, {}, b'{"items": 3}')

    with pytest.raises(ClusterError, match="something not a list"):
        list(list_pages(Broken(total=0), SECRET))


def test_an_empty_list_yields_no_page() -> None:
    assert list(list_pages(FakeLister(total=0), SECRET)) == []


def test_the_kind_table_holds_the_thirteen_discovered_kinds() -> None:
    assert sorted(KINDS) == sorted(
        [
            "Namespace",
            "Pod",
            "Service",
            "Secret",
            "ServiceAccount",
            "Deployment",
            "DaemonSet",
            "StatefulSet",
            "Node",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
        ]
    )


def test_kinds_are_found_by_kind_or_plural() -> None:
    assert kind_spec("deployments") is KINDS["Deployment"]
    assert kind_spec("clusterrolebinding") is KINDS["ClusterRoleBinding"]
    with pytest.raises(ClusterError, match="unknown kind 'widgets'"):
        kind_spec("widgets")


def test_resource_paths_follow_the_api_layout() -> None:
    assert resource_path(KINDS["Node"], "ignored") == "/api/v1/nodes"
    assert resource_path(KINDS["Deployment"]) == "/apis/apps/v1/deployments"
    assert KINDS["Deployment"].path("prod", "web", "scale") == (
        "/apis/apps/v1/namespaces/prod/deployments/web/scale"
    )
    assert KINDS["Secret"].path("a b", "x/y") == "/api/v1/namespaces/a%20b/secrets/x%2Fy"
    assert KINDS["ClusterRole"].api_version == "rbac.authorization.k8s.io/v1"
