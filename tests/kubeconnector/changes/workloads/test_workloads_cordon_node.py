"""cordon-node and uncordon-node against kubesim with the seed's ``connector`` identity.

Every test works on a Node of its own (`node` fixture); the seed gives the connector only
``patch`` on nodes, so the tests that read a node add ``get`` with the `node_reader` grant.
"""

from __future__ import annotations

from typing import Any

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake, SimulatedCrash
from tests.kubeconnector.changes.support import connector_calls, wait_until
from tests.kubeconnector.changes.workloads.workloads_support import Grant, Sandbox

from kubeconnector.changes.actions.cordon_node import CordonNode, NodeParams, UncordonNode
from kubeconnector.changes.base import ActionContext
from kubeconnector.changes.nodes import KEEPS_RUNNING
from kubeconnector.errors import ChangeError, InvalidInput
from kubeconnector.kube import ClusterClient
from kubeconnector.models.changes import DiffItem, StepPhase
from kubesim import Cluster
from kubesim.scenarios.workloads import bare_pod, container, pod_spec

CORDON, UNCORDON = CordonNode(), UncordonNode()
SSAR = "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
TAINT = "node.kubernetes.io/unschedulable"
pytestmark = pytest.mark.usefixtures("node_reader")


def params(node: str) -> NodeParams:
    return CORDON.parse({"node": node})


def path(node: str) -> str:
    return f"/api/v1/nodes/{node}"


def planned(action: CordonNode | UncordonNode, ctx: ActionContext, node: str) -> ActionContext:
    """The context an engine gives an execution: the approved plan attached."""
    return ActionContext(
        ctx.client, ctx.connector, ctx.options, plan=action.plan(ctx, params(node))
    )


def read(admin: ClusterClient, node: str) -> dict[str, Any]:
    return admin.request("GET", path(node))


def tainted(admin: ClusterClient, node: str) -> bool:
    return any(t.get("key") == TAINT for t in read(admin, node)["spec"].get("taints") or ())


def set_cordoned(admin: ClusterClient, node: str, cordoned: bool) -> None:
    """Cordon or uncordon as someone else would, and wait for the taint to follow."""
    body = {"spec": {"unschedulable": True if cordoned else None}}
    admin.request(
        "PATCH", path(node), body=body, content_type="application/strategic-merge-patch+json"
    )
    settle(admin, node)


def settle(admin: ClusterClient, node: str) -> None:
    """Wait until the node lifecycle controller put the taint in step with the field."""
    wait_until(lambda: tainted(admin, node) == bool(read(admin, node)["spec"].get("unschedulable")))


def writes(cluster: Cluster, mark: int) -> list[str]:
    """The connector's PATCH requests since `mark` that were not dry runs."""
    return [c for c in connector_calls(cluster, mark) if c.startswith("PATCH") and "?" not in c]


def running_pods(box: Sandbox, node: str, count: int) -> list[str]:
    """Bare pods bound to `node`, waited for until running; returns their uids."""
    for i in range(count):
        pod = bare_pod(f"p{i}", box.namespace, {"app": "p"}, pod_spec([container("c", "busybox")]))
        pod["spec"]["nodeName"] = node
        box.create(f"/api/v1/namespaces/{box.namespace}/pods", pod)
    wait_until(lambda: phases(box) == ["Running"] * count)
    return uids(box)


def pods(box: Sandbox) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = box.admin.request(
        "GET", f"/api/v1/namespaces/{box.namespace}/pods"
    )["items"]
    return sorted(found, key=lambda p: str(p["metadata"]["name"]))


def phases(box: Sandbox) -> list[str]:
    return [str((p.get("status") or {}).get("phase")) for p in pods(box)]


def uids(box: Sandbox) -> list[str]:
    return [str(p["metadata"]["uid"]) for p in pods(box)]


# --- parameters and plan -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field"), [({}, "node"), ({"node": "Bad_Name"}, "node"), ({"node": "n", "x": "1"}, "x")]
)
def test_invalid_parameters_name_the_field(raw: dict[str, str], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        CORDON.parse(raw)
    assert caught.value.field == field


def test_the_cordon_plan_lists_the_pods_that_keep_running(
    node: str,
    sandbox: Sandbox,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
) -> None:
    running_pods(sandbox, node, 2)
    mark = kubesim_cluster.control.mark()
    plan = CORDON.plan(connector_ctx, params(node))
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET {path(node)}",
        SSAR,
        "GET /api/v1/pods",
        f"PATCH {path(node)}?dryRun",
    ]
    assert plan.refused == () and plan.dry_run is not None and plan.dry_run.ok
    assert plan.diff == (DiffItem(path="spec.unschedulable", op="change", old="false", new="true"),)
    # the demo's DaemonSets place a pod on every node, this one included
    on_node = sandbox.admin.request(
        "GET", "/api/v1/pods", {"fieldSelector": f"spec.nodeName={node}"}
    )
    where = sorted(
        f"Pod {p['metadata']['namespace']}/{p['metadata']['name']}" for p in on_node["items"]
    )
    assert {f"Pod {sandbox.namespace}/p0", f"Pod {sandbox.namespace}/p1"} <= set(where)
    assert [i.subject for i in plan.impact] == [f"Node {node}", *where]
    assert f"its {len(where)} pods keep running (cordon evicts nothing)" in plan.impact[0].effect
    assert {i.effect for i in plan.impact[1:]} == {KEEPS_RUNNING}
    daemons = len(where) - 2  # one pod per DaemonSet; the bare pods have no owner
    assert (plan.blast_radius.workloads, plan.blast_radius.pods) == (daemons, len(where))
    assert plan.rollback_note == (
        "uncordons the node again, unless it already was cordoned (unschedulable) before the change"
    )
    assert not read(sandbox.admin, node)["spec"].get("unschedulable")  # the dry run wrote nothing


def test_the_uncordon_plan_reads_checks_and_dry_runs(
    node: str, admin: ClusterClient, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    set_cordoned(admin, node, True)
    mark = kubesim_cluster.control.mark()
    plan = UNCORDON.plan(connector_ctx, params(node))
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET {path(node)}",
        SSAR,
        f"PATCH {path(node)}?dryRun",
    ]
    assert plan.refused == () and plan.dry_run is not None and plan.dry_run.ok
    assert plan.diff == (DiffItem(path="spec.unschedulable", op="change", old="true", new="false"),)
    assert read(admin, node)["spec"]["unschedulable"] is True


def test_a_missing_node_fails_the_plan_after_one_read_and_the_execution(
    connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    mark = kubesim_cluster.control.mark()
    plan = CORDON.plan(connector_ctx, params("no-such-node"))
    assert [(c.name, c.message) for c in plan.refused] == [
        ("target-exists", "Node no-such-node does not exist")
    ]
    assert len(connector_calls(kubesim_cluster, mark)) == 1
    journal = JournalFake()
    with pytest.raises(ChangeError, match=r"^Node no-such-node does not exist \(nothing was"):
        CORDON.execute(connector_ctx, params("no-such-node"), journal)
    assert journal.entries == []


# --- cordon, uncordon, rollback ----------------------------------------------------------------


def test_cordon_evicts_nothing_and_its_rollback_uncordons(
    node: str,
    sandbox: Sandbox,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
) -> None:
    before = running_pods(sandbox, node, 2)
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    result = CORDON.execute(planned(CORDON, connector_ctx, node), params(node), journal)
    assert connector_calls(kubesim_cluster, mark)[4:] == [
        f"GET {path(node)}",
        f"PATCH {path(node)}",
        f"GET {path(node)}",
    ]
    assert result["unschedulable"] is True and result["verified"] is True
    assert result["noop"] is False
    assert read(sandbox.admin, node)["spec"]["unschedulable"] is True
    assert journal.names() == ["cordon-node", "cordon-node"]
    settle(sandbox.admin, node)
    assert tainted(sandbox.admin, node)
    assert uids(sandbox) == before and phases(sandbox) == ["Running", "Running"]  # not evicted

    undo = JournalFake(reverses=journal)
    mark = kubesim_cluster.control.mark()
    restored = UNCORDON.rollback(connector_ctx, params(node), undo, force=False)
    assert restored == {**restored, "unschedulable": False, "noop": False, "verified": True}
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET {path(node)}",
        f"PATCH {path(node)}",
        f"GET {path(node)}",
    ]
    assert "unschedulable" not in read(sandbox.admin, node)["spec"]  # removed, as kubectl does
    assert undo.names(StepPhase.DONE) == ["restore-node"]
    assert uids(sandbox) == before


def test_uncordon_and_its_rollback_cordons_again(
    node: str, admin: ClusterClient, connector_ctx: ActionContext
) -> None:
    set_cordoned(admin, node, True)
    journal = JournalFake()
    result = UNCORDON.execute(planned(UNCORDON, connector_ctx, node), params(node), journal)
    assert result["unschedulable"] is False and result["noop"] is False
    assert "unschedulable" not in read(admin, node)["spec"]
    assert journal.names(StepPhase.DONE) == ["uncordon-node"]
    settle(admin, node)
    restored = UNCORDON.rollback(connector_ctx, params(node), JournalFake(reverses=journal), False)
    assert restored["unschedulable"] is True
    assert read(admin, node)["spec"]["unschedulable"] is True


@pytest.mark.parametrize("action", [CORDON, UNCORDON], ids=["cordon", "uncordon"])
def test_a_node_already_in_the_target_state_is_a_recorded_no_op_and_so_is_its_rollback(
    action: CordonNode | UncordonNode,
    node: str,
    admin: ClusterClient,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
) -> None:
    if action.cordon:
        set_cordoned(admin, node, True)
    word = "cordoned (unschedulable)" if action.cordon else "schedulable"
    plan = action.plan(connector_ctx, params(node))
    assert plan.refused == () and plan.diff == ()
    assert plan.warnings[0] == (
        f"Node {node} is already {word}: this change writes nothing, and its rollback changes "
        "nothing"
    )
    version = read(admin, node)["metadata"]["resourceVersion"]
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    result = action.execute(planned(action, connector_ctx, node), params(node), journal)
    reason = f"Node {node} was already {word} before this change, so it writes nothing"
    assert (result["noop"], result["reason"]) == (True, reason)
    assert [(s.name, s.phase, s.detail["reason"]) for s in journal.steps()] == [
        (action.step, StepPhase.SKIPPED, reason)
    ]

    undo = JournalFake(reverses=journal)
    outcome = action.rollback(connector_ctx, params(node), undo, force=True)
    because = f"{reason}; the rollback changes nothing"
    assert outcome == {
        "node": f"Node {node}",
        "noop": True,
        "reason": because,
        "unschedulable": action.cordon,
    }
    assert [(s.name, s.phase, s.detail["reason"]) for s in undo.steps()] == [
        ("restore-node", StepPhase.SKIPPED, because)
    ]
    # the plan's reads and dry run aside, nothing was written and the rollback sent nothing
    assert writes(kubesim_cluster, mark) == []
    assert connector_calls(kubesim_cluster, mark)[-1] == f"GET {path(node)}"
    assert read(admin, node)["metadata"]["resourceVersion"] == version


def test_a_rollback_after_someone_restored_the_node_writes_nothing(
    node: str, admin: ClusterClient, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    journal = JournalFake()
    CORDON.execute(planned(CORDON, connector_ctx, node), params(node), journal)
    set_cordoned(admin, node, False)
    undo = JournalFake(reverses=journal)
    mark = kubesim_cluster.control.mark()
    result = CORDON.rollback(connector_ctx, params(node), undo, force=False)
    assert writes(kubesim_cluster, mark) == []
    assert result["unschedulable"] is False
    assert [(s.phase, s.detail["reason"]) for s in undo.steps()] == [
        (
            StepPhase.SKIPPED,
            f"Node {node} is already schedulable (someone restored it since the change)",
        )
    ]


# --- concurrent edits, permissions -------------------------------------------------------------


def test_a_node_cordoned_by_someone_between_plan_and_execute_fails_the_cordon_untouched(
    node: str, admin: ClusterClient, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    ctx = planned(CORDON, connector_ctx, node)
    set_cordoned(admin, node, True)
    version = read(admin, node)["metadata"]["resourceVersion"]
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    with pytest.raises(ChangeError) as caught:
        CORDON.execute(ctx, params(node), journal)
    assert str(caught.value) == (
        f"Node {node} was changed since the plan: spec.unschedulable is now true (the plan saw "
        "false); nothing was written: plan the change again"
    )
    assert writes(kubesim_cluster, mark) == [] and journal.entries == []
    assert read(admin, node)["metadata"]["resourceVersion"] == version


def test_an_edit_after_the_read_meets_the_precondition_409_and_writes_nothing(
    node: str, admin: ClusterClient, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    ctx = planned(CORDON, connector_ctx, node)
    kubesim_cluster.control.concurrent_writer(method="GET", path=f"{path(node)}$", count=1)
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    with pytest.raises(ChangeError) as caught:
        CORDON.execute(ctx, params(node), journal)
    version = journal.snapshot()["resourceVersion"]  # type: ignore[index]
    assert str(caught.value) == (
        f"Node {node} was changed by someone else since it was read (resourceVersion "
        f"{version}): Conflict; nothing was written"
    )
    statuses = [
        e["status"]
        for e in kubesim_cluster.control.requests(mark)
        if e["method"] == "PATCH" and e["path"] == path(node)
    ]
    assert statuses == [409]
    assert not read(admin, node)["spec"].get("unschedulable")
    assert journal.names(StepPhase.DONE) == []


def test_without_get_on_nodes_the_plan_says_which_rule_to_add(
    node: str, node_reader: Grant, connector_ctx: ActionContext
) -> None:
    node_reader.remove()
    try:
        plan = CORDON.plan(connector_ctx, params(node))
    finally:
        node_reader.add([{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}])
    assert [c.name for c in plan.refused] == ["can-get-nodes"]
    assert 'verbs: ["get"]' in plan.refused[0].message
    assert [c.name for c in plan.preflight] == ["can-get-nodes", "can-patch-nodes"]
    assert plan.preflight[1].ok  # the seed does grant patch


def test_the_discovery_identity_may_not_cordon(
    node: str, discovery_ctx: ActionContext, admin: ClusterClient
) -> None:
    plan = CORDON.plan(discovery_ctx, params(node))
    assert "can-patch-nodes" in [c.name for c in plan.refused]
    assert plan.dry_run is None
    assert not read(admin, node)["spec"].get("unschedulable")


# --- crashes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["before", "after", "done"])
def test_a_crash_at_the_cordon_is_resumed_without_writing_twice(
    when: str,
    node: str,
    admin: ClusterClient,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
) -> None:
    ctx = planned(CORDON, connector_ctx, node)
    journal = JournalFake(crash_at=("cordon-node", when))
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        CORDON.execute(ctx, params(node), journal)
    # the node moves on meanwhile, as a kubelet's status reports move it
    admin.request(
        "PATCH",
        path(node),
        body={"metadata": {"annotations": {"heartbeat": when}}},
        content_type="application/strategic-merge-patch+json",
    )
    result = CORDON.resume(ctx, params(node), journal)
    assert writes(kubesim_cluster, mark) == [f"PATCH {path(node)}"]  # once in all
    assert result["unschedulable"] is True and result["verified"] is True
    assert journal.names(StepPhase.DONE) == ["cordon-node"]


@pytest.mark.parametrize("when", ["before", "after", "done"])
def test_a_crash_in_the_rollback_is_finished_without_writing_twice(
    when: str,
    node: str,
    admin: ClusterClient,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
) -> None:
    journal = JournalFake()
    CORDON.execute(planned(CORDON, connector_ctx, node), params(node), journal)
    settle(admin, node)
    undo = JournalFake(crash_at=("restore-node", when), reverses=journal)
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        CORDON.rollback(connector_ctx, params(node), undo, force=False)
    settle(admin, node)
    result = CORDON.rollback(connector_ctx, params(node), undo, force=False)
    assert writes(kubesim_cluster, mark) == [f"PATCH {path(node)}"]
    assert result["unschedulable"] is False
    assert undo.names(StepPhase.DONE) == ["restore-node"]
