"""kubectl cordon and uncordon, and how `get nodes` shows an unschedulable node."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl, columns, eventually, table

pytestmark = pytest.mark.kubectl

NODE = "kube-worker-2"
TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


@pytest.fixture
def node(kubectl: Kubectl) -> Iterator[str]:
    """A demo worker node, made schedulable again whatever the test did."""
    yield NODE
    kubectl.run("uncordon", NODE)


def _status(kubectl: Kubectl, name: str) -> str:
    header, row = table(kubectl.ok("get", "nodes", name))
    assert header == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    return row[1]


def _taints(kubectl: Kubectl, name: str) -> list[dict[str, str]]:
    raw = kubectl.get("node", name, jsonpath="{.spec.taints}")
    return [{k: t[k] for k in ("key", "effect")} for t in json.loads(raw or "[]")]


def test_cordon_marks_the_node_scheduling_disabled(kubectl: Kubectl, node: str) -> None:
    assert kubectl.ok("cordon", node) == f"node/{node} cordoned\n"
    assert _status(kubectl, node) == "Ready,SchedulingDisabled"
    assert kubectl.get("node", node, jsonpath="{.spec.unschedulable}") == "true"
    eventually(lambda: True if TAINT in _taints(kubectl, node) else None)


def test_cordon_twice_says_already_cordoned(kubectl: Kubectl, node: str) -> None:
    kubectl.ok("cordon", node)
    assert kubectl.ok("cordon", node) == f"node/{node} already cordoned\n"


def test_uncordon_makes_the_node_schedulable_again(kubectl: Kubectl, node: str) -> None:
    kubectl.ok("cordon", node)
    assert kubectl.ok("uncordon", node) == f"node/{node} uncordoned\n"
    assert _status(kubectl, node) == "Ready"
    spec = json.loads(kubectl.get("node", node, jsonpath="{.spec}"))
    assert "unschedulable" not in spec
    eventually(lambda: True if TAINT not in _taints(kubectl, node) else None)
    assert kubectl.ok("uncordon", node) == f"node/{node} already uncordoned\n"


def test_cordoned_nodes_are_found_by_field_selector(kubectl: Kubectl, node: str) -> None:
    kubectl.ok("cordon", node)
    out = kubectl.ok("get", "nodes", "--field-selector=spec.unschedulable=true", "-o", "name")
    assert out == f"node/{node}\n"
    rows = table(kubectl.ok("get", "nodes"))
    statuses = {row[0]: row[1] for row in rows[1:]}
    assert set(statuses) == {"kube-cp-1", "kube-worker-1", node}
    assert statuses[node] == "Ready,SchedulingDisabled"


def test_cordon_dry_run_changes_nothing(kubectl: Kubectl, node: str) -> None:
    out = kubectl.ok("cordon", node, "--dry-run=server")
    assert out == f"node/{node} cordoned (server dry run)\n"
    assert _status(kubectl, node) == "Ready"


def test_cordon_of_an_unknown_node_is_not_found(kubectl: Kubectl) -> None:
    err = kubectl.fails("cordon", "no-such-node")
    assert err == 'Error from server (NotFound): nodes "no-such-node" not found\n'


def test_get_nodes_wide_shows_addresses_and_runtime(kubectl: Kubectl) -> None:
    header, *rows = kubectl.ok("get", "nodes", "-o", "wide").splitlines()
    assert columns(header) == [
        "NAME",
        "STATUS",
        "ROLES",
        "AGE",
        "VERSION",
        "INTERNAL-IP",
        "EXTERNAL-IP",
        "OS-IMAGE",
        "KERNEL-VERSION",
        "CONTAINER-RUNTIME",
    ]
    assert [columns(row)[0] for row in rows] == ["kube-cp-1", "kube-worker-1", NODE]
