"""Housekeeping controllers: the unschedulable node taint and ClusterRole aggregation."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

import orjson

from kubesim.api.resources import rt
from kubesim.config import SimConfig
from kubesim.controllers.aggregation import ClusterRoleAggregationController
from kubesim.controllers.base import ControllerManager
from kubesim.controllers.nodes import NodeLifecycleController
from kubesim.registry.patches import STRATEGIC_PATCH
from kubesim.server.emulator import Emulator

RBAC = "rbac.authorization.k8s.io"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
Steps = Callable[[Emulator], Awaitable[None]]


def run(steps: Steps) -> None:
    """Run `steps` against a cluster whose controllers have settled."""
    emu = Emulator(SimConfig(node_taint_delay=0.01))
    controllers = [NodeLifecycleController(emu), ClusterRoleAggregationController(emu)]
    emu.controllers = ControllerManager(emu, controllers)

    async def main() -> None:
        emu.controllers.start()
        try:
            assert await emu.settle(10)
            await steps(emu)
        finally:
            emu.controllers.stop()

    asyncio.run(main())


def node_spec(emu: Emulator, name: str) -> dict[str, Any]:
    node = emu.storage.get("/nodes", "", name)
    assert node is not None
    spec: dict[str, Any] = node.obj.get("spec") or {}
    return spec


def cordon(emu: Emulator, name: str, unschedulable: bool) -> None:
    patch = {"spec": {"unschedulable": True if unschedulable else None}}
    emu.registry.patch(
        rt("", "nodes"), "", name, STRATEGIC_PATCH, orjson.dumps(patch), emu.system_ctx("kubectl")
    )


def cluster_role(name: str, labels: dict[str, str], rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "apiVersion": f"{RBAC}/v1",
        "kind": "ClusterRole",
        "metadata": {"name": name, "labels": labels},
        "rules": rules,
    }


def role_obj(emu: Emulator, name: str) -> dict[str, Any]:
    found = emu.storage.get(rt(RBAC, "clusterroles").key, "", name)
    assert found is not None
    return found.obj


def test_cordoning_a_node_adds_the_unschedulable_taint_after_other_taints() -> None:
    async def steps(emu: Emulator) -> None:
        gpu = {"key": "dedicated", "value": "gpu", "effect": "NoSchedule"}
        emu.create(
            {
                "apiVersion": "v1",
                "kind": "Node",
                "metadata": {"name": "n1"},
                "spec": {"taints": [gpu]},
            }
        )
        cordon(emu, "n1", True)
        assert await emu.settle(5)
        first, taint = node_spec(emu, "n1")["taints"]
        assert first == gpu
        assert list(taint) == ["key", "effect", "timeAdded"]
        assert taint["key"] == "node.kubernetes.io/unschedulable"
        assert taint["effect"] == "NoSchedule"
        assert RFC3339.match(taint["timeAdded"])

    run(steps)


def test_uncordoning_a_node_removes_the_taint() -> None:
    async def steps(emu: Emulator) -> None:
        emu.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n1"}})
        cordon(emu, "n1", True)
        assert await emu.settle(5)
        assert len(node_spec(emu, "n1")["taints"]) == 1
        cordon(emu, "n1", False)
        assert await emu.settle(5)
        spec = node_spec(emu, "n1")
        assert "taints" not in spec
        assert "unschedulable" not in spec

    run(steps)


def test_an_aggregated_cluster_role_collects_the_rules_of_selected_roles() -> None:
    async def steps(emu: Emulator) -> None:
        selector = {"matchLabels": {"example.com/aggregate-to-monitoring": "true"}}
        aggregate = cluster_role("monitoring", {}, [])
        aggregate["aggregationRule"] = {"clusterRoleSelectors": [selector]}
        emu.create(aggregate)
        pods = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}
        emu.create(
            cluster_role("mon-pods", {"example.com/aggregate-to-monitoring": "true"}, [pods])
        )
        assert await emu.settle(5)
        role = role_obj(emu, "monitoring")
        assert role["rules"] == [pods]
        entry = next(m for m in role["metadata"]["managedFields"] if "f:rules" in m["fieldsV1"])
        assert (entry["manager"], entry["operation"]) == (
            "clusterrole-aggregation-controller",
            "Apply",
        )
        nodes = {"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}
        emu.create(
            cluster_role("mon-nodes", {"example.com/aggregate-to-monitoring": "true"}, [nodes])
        )
        assert await emu.settle(5)
        assert role_obj(emu, "monitoring")["rules"] == [nodes, pods]

    run(steps)


def test_a_write_of_identical_aggregated_rules_is_never_made() -> None:
    async def steps(emu: Emulator) -> None:
        before = role_obj(emu, "admin")["metadata"]["resourceVersion"]
        emu.create(cluster_role("unrelated", {}, []))
        assert await emu.settle(5)
        assert role_obj(emu, "admin")["metadata"]["resourceVersion"] == before
        assert any("secrets" in r.get("resources", []) for r in role_obj(emu, "admin")["rules"])

    run(steps)
