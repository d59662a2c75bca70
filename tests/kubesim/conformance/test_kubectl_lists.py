"""Paginated lists (`--chunk-size`) and watches (`get -w`) as kubectl drives them."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl, columns, streaming, table

from kubesim.runner import Cluster

pytestmark = pytest.mark.kubectl

SECRETS = "\n---\n".join(
    f"apiVersion: v1\nkind: Secret\nmetadata: {{name: page-{i}}}\nstringData: {{k: v{i}}}"
    for i in range(1, 6)
)


def test_get_with_chunk_size_pages_through_the_list_two_at_a_time(
    kubectl: Kubectl, ns: str, kubesim_cluster: Cluster
) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=SECRETS)
    mark = kubesim_cluster.control.mark()
    output = kubectl.ok("get", "secrets", "--chunk-size=2", namespace=ns)
    assert [row[0] for row in table(output)] == ["NAME"] + [f"page-{i}" for i in range(1, 6)]
    path = f"/api/v1/namespaces/{ns}/secrets"
    pages = [
        parse_qs(e["query"])
        for e in kubesim_cluster.control.requests(mark)
        if e["path"] == path and e["method"] == "GET"
    ]
    assert [page["limit"] for page in pages] == [["2"], ["2"], ["2"]]
    assert "continue" not in pages[0]
    assert all(page["continue"][0] for page in pages[1:])


def test_get_with_chunk_size_and_a_selector_keeps_the_selector_on_every_page(
    kubectl: Kubectl, ns: str, kubesim_cluster: Cluster
) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=SECRETS)
    mark = kubesim_cluster.control.mark()
    output = kubectl.ok(
        "get", "secrets", "--chunk-size=1", "--field-selector=type=Opaque", namespace=ns
    )
    assert len(table(output)) == 6
    queries = [
        parse_qs(e["query"])
        for e in kubesim_cluster.control.requests(mark)
        if e["path"] == f"/api/v1/namespaces/{ns}/secrets"
    ]
    assert len(queries) == 5
    assert all(q["fieldSelector"] == ["type=Opaque"] and q["limit"] == ["1"] for q in queries)


def test_get_watch_prints_the_list_then_each_new_object(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "configmap", "first", "--from-literal=a=1", namespace=ns)
    # The watch ends when its request times out: kubectl then exits 0 without a word.
    args = ("get", "configmaps", "-w", "--request-timeout=3s")
    with streaming(kubectl, *args, namespace=ns) as run:
        header = run.lines.wait_for(lambda line: line.startswith("NAME"))
        assert columns(header) == ["NAME", "DATA", "AGE"]
        run.lines.wait_for(lambda line: line.startswith("first "))
        kubectl.ok("create", "configmap", "second", "--from-literal=b=2", namespace=ns)
        added = run.lines.wait_for(lambda line: line.startswith("second "))
        assert columns(added)[:2] == ["second", "1"]
        assert run.finish() == (0, "")


def test_get_watch_shows_changes_to_an_existing_object(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "configmap", "moving", "--from-literal=a=1", namespace=ns)
    args = ("get", "configmap", "moving", "-w", "--request-timeout=30s")
    with streaming(kubectl, *args, namespace=ns) as run:
        run.lines.wait_for(lambda line: columns(line)[:2] == ["moving", "1"])
        patch = '{"data":{"b":"2","c":"3"}}'
        kubectl.ok("patch", "configmap", "moving", "--type=merge", "-p", patch, namespace=ns)
        run.lines.wait_for(lambda line: columns(line)[:2] == ["moving", "3"])
        assert run.stop() == ""
