"""scale-deployment against kubesim with the seed's ``connector`` identity."""

from __future__ import annotations

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake, SimulatedCrash
from tests.kubeconnector.changes.support import connector_calls
from tests.kubeconnector.changes.workloads.workloads_support import Grant, Sandbox

from kubeconnector.changes.actions.scale_deployment import ScaleDeployment, ScaleDeploymentParams
from kubeconnector.changes.base import ActionContext
from kubeconnector.errors import ChangeError, Forbidden, InvalidInput, RollbackRefused
from kubeconnector.models.changes import DiffItem, StepPhase
from kubesim import Cluster

ACTION = ScaleDeployment()
SSAR = "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
HPAS = "/apis/autoscaling/v2/namespaces/{ns}/horizontalpodautoscalers"


def parse(box: Sandbox, name: str, replicas: int) -> ScaleDeploymentParams:
    return ACTION.parse({"namespace": box.namespace, "name": name, "replicas": str(replicas)})


def planned(ctx: ActionContext, params: ScaleDeploymentParams) -> ActionContext:
    """The context an engine gives an execution: the approved plan attached."""
    return ActionContext(ctx.client, ctx.connector, ctx.options, plan=ACTION.plan(ctx, params))


def patches(cluster: Cluster, mark: int) -> list[str]:
    """The connector's PATCH requests since `mark` that were not dry runs."""
    return [c for c in connector_calls(cluster, mark) if c.startswith("PATCH") and "?" not in c]


# --- parameters ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({}, "replicas", "replicas"),
        ({"replicas": "-1"}, "replicas", "greater than or equal to 0"),
        ({"replicas": "2147483648"}, "replicas", "less than or equal to 2147483647"),
        ({"replicas": "two"}, "replicas", "replicas must be an integer"),
        ({"replicas": "2", "image": "x"}, "image", "unknown parameter 'image'"),
    ],
)
def test_invalid_parameters_name_the_field(raw: dict[str, str], field: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        ACTION.parse({"namespace": "shop", "name": "web", **raw})
    assert caught.value.field == field and message in str(caught.value)


# --- plan --------------------------------------------------------------------------------------


def test_the_plan_dry_runs_the_patch_and_counts_the_pods_added(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=2)
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", 5))
    path = sandbox.path("web")
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET {path}",
        SSAR,
        f"GET {HPAS.format(ns=sandbox.namespace)}",
        f"PATCH {path}?dryRun",
    ]
    assert plan.refused == () and plan.dry_run is not None and plan.dry_run.ok
    assert plan.diff == (DiffItem(path="spec.replicas", op="change", old="2", new="5"),)
    assert [i.effect for i in plan.impact] == ["scales from 2 to 5 replicas: 3 pods added"]
    assert plan.target_resource_version == sandbox.get("web")["metadata"]["resourceVersion"]
    assert plan.blast_radius.pods == 2 and plan.rollback_available
    assert sandbox.get("web")["spec"]["replicas"] == 2  # the dry run wrote nothing


def test_an_autoscaler_targeting_the_deployment_is_warned_about(
    sandbox: Sandbox, connector_ctx: ActionContext, hpa_reader: Grant
) -> None:
    sandbox.app("web", replicas=1)
    sandbox.app("other", replicas=1)
    for name in ("web", "other"):
        ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": name}
        hpa = {
            "apiVersion": "autoscaling/v2",
            "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": f"{name}-hpa"},
            "spec": {"scaleTargetRef": ref, "minReplicas": 2, "maxReplicas": 6},
        }
        sandbox.create(HPAS.format(ns=sandbox.namespace), hpa)
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", 3))
    assert plan.warnings == (
        f"HorizontalPodAutoscaler {sandbox.namespace}/web-hpa targets Deployment "
        f"{sandbox.namespace}/web (2 to 6 replicas): it will override the replica count set by "
        "this change",
    )
    assert plan.refused == ()  # a warning, not a refusal


def test_no_autoscaler_means_no_warning_when_they_can_be_listed(
    sandbox: Sandbox, connector_ctx: ActionContext, hpa_reader: Grant
) -> None:
    sandbox.app("web", replicas=1)
    assert ACTION.plan(connector_ctx, parse(sandbox, "web", 2)).warnings == ()


def test_the_current_count_is_refused_as_a_no_op(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=2)
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", 2))
    assert [(c.name, c.message) for c in plan.refused] == [
        (
            "changes",
            f"nothing would change: Deployment {sandbox.namespace}/web already has 2 replicas",
        )
    ]
    assert plan.dry_run is None and plan.diff == ()


def test_a_missing_deployment_fails_the_plan_after_one_read_and_the_execution(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    params = parse(sandbox, "ghost", 2)
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, params)
    assert [(c.name, c.message) for c in plan.refused] == [
        ("target-exists", f"Deployment {sandbox.namespace}/ghost does not exist")
    ]
    assert len(connector_calls(kubesim_cluster, mark)) == 1
    journal = JournalFake()
    with pytest.raises(ChangeError, match=r"ghost does not exist \(nothing was written\)$"):
        ACTION.execute(connector_ctx, params, journal)
    assert journal.entries == [] and journal.snapshot() is None


def test_the_discovery_identity_may_not_scale(
    sandbox: Sandbox, discovery_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", 3)
    plan = ACTION.plan(discovery_ctx, params)
    assert [c.name for c in plan.refused] == ["can-patch-deployments"]
    assert plan.refused[0].message.startswith(
        f"the connector may not patch deployments in namespace {sandbox.namespace}"
    )
    assert plan.dry_run is None
    journal = JournalFake()
    with pytest.raises(Forbidden):
        ACTION.execute(discovery_ctx, params, journal)
    assert journal.names(StepPhase.DONE) == []
    assert sandbox.get("web")["spec"]["replicas"] == 1


# --- execute, verify, rollback -----------------------------------------------------------------


def test_scaling_verifies_availability_and_rollback_restores_the_exact_count(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=3)
    params = parse(sandbox, "web", 1)
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    result = ACTION.execute(planned(connector_ctx, params), params, journal)
    path = sandbox.path("web")
    calls = connector_calls(kubesim_cluster, mark)[4:]  # after the plan's four
    assert calls[:2] == [f"GET {path}", f"PATCH {path}"]
    assert set(calls[2:]) == {f"GET {path}"}  # rollout polls only
    assert sandbox.get("web")["spec"]["replicas"] == 1 and sandbox.available("web")
    rollout = result["rollout"]
    assert result["verified"] is True
    assert isinstance(rollout, dict) and rollout["outcome"] == "complete"
    assert result["changed"] == [{"path": "spec.replicas", "op": "change", "old": "3", "new": "1"}]
    assert journal.snapshot() is not None
    assert journal.snapshot()["before"]["replicas"] == 3  # type: ignore[index]
    assert [(s.name, s.phase) for s in journal.steps()] == [
        ("patch-deployment", StepPhase.INTENT),
        ("patch-deployment", StepPhase.DONE),
    ]

    undo = JournalFake(reverses=journal)
    mark = kubesim_cluster.control.mark()
    restored = ACTION.rollback(connector_ctx, params, undo, force=False)
    calls = connector_calls(kubesim_cluster, mark)
    assert calls[:3] == [f"GET {path}", f"PATCH {path}", f"GET {path}"]
    assert set(calls[3:]) == {f"GET {path}"}
    assert sandbox.get("web")["spec"]["replicas"] == 3 and sandbox.available("web")
    assert restored["verified"] is True
    assert restored["restored"] == [
        {"path": "spec.replicas", "op": "change", "old": "1", "new": "3"}
    ]
    assert undo.names(StepPhase.DONE) == ["restore-deployment"]


def test_scaling_to_zero_and_back(sandbox: Sandbox, connector_ctx: ActionContext) -> None:
    sandbox.app("web", replicas=2)
    params = parse(sandbox, "web", 0)
    journal = JournalFake()
    ACTION.execute(planned(connector_ctx, params), params, journal)
    assert sandbox.get("web")["status"].get("replicas", 0) == 0
    ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=False)
    assert sandbox.get("web")["spec"]["replicas"] == 2 and sandbox.available("web")


def test_an_edit_between_plan_and_execute_fails_the_change_with_nothing_written(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", 3)
    ctx = planned(connector_ctx, params)
    sandbox.merge("web", {"spec": {"replicas": 2}})
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    with pytest.raises(ChangeError) as caught:
        ACTION.execute(ctx, params, journal)
    assert f"Deployment {sandbox.namespace}/web was changed since the plan" in str(caught.value)
    assert str(caught.value).endswith("nothing was written: plan the change again")
    assert patches(kubesim_cluster, mark) == []
    assert sandbox.get("web")["spec"]["replicas"] == 2  # the other edit stands
    assert journal.entries == []


def test_an_edit_after_the_read_meets_the_precondition_409_and_writes_nothing(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", 3)
    ctx = planned(connector_ctx, params)
    kubesim_cluster.control.concurrent_writer(method="GET", path=f"{sandbox.path('web')}$", count=1)
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    with pytest.raises(ChangeError) as caught:
        ACTION.execute(ctx, params, journal)
    version = journal.snapshot()["resourceVersion"]  # type: ignore[index]
    assert str(caught.value) == (
        f"Deployment {sandbox.namespace}/web was changed by someone else since it was read "
        f"(resourceVersion {version}): Conflict; nothing was written"
    )
    statuses = [
        e["status"]
        for e in kubesim_cluster.control.requests(mark)
        if e["method"] == "PATCH" and e["path"] == sandbox.path("web")
    ]
    assert statuses == [409]
    assert sandbox.get("web")["spec"]["replicas"] == 1
    assert journal.names(StepPhase.DONE) == []


def test_rollback_refuses_a_count_changed_since_and_force_overrides(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", 2)
    journal = JournalFake()
    ACTION.execute(planned(connector_ctx, params), params, journal)
    sandbox.merge("web", {"spec": {"replicas": 4}})
    with pytest.raises(RollbackRefused, match=r"spec.replicas changed since the change"):
        ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=False)
    assert sandbox.get("web")["spec"]["replicas"] == 4
    result = ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=True)
    assert result["overwritten"] == ["spec.replicas"]
    assert sandbox.get("web")["spec"]["replicas"] == 1


# --- crashes -----------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["before", "after", "done"])
def test_a_crash_at_the_scale_is_resumed_without_writing_twice(
    when: str, sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", 2)
    ctx = planned(connector_ctx, params)
    journal = JournalFake(crash_at=("patch-deployment", when))
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.execute(ctx, params, journal)
    sent = patches(kubesim_cluster, mark)
    assert sent == ([] if when == "before" else [f"PATCH {sandbox.path('web')}"])
    result = ACTION.resume(ctx, params, journal)
    assert patches(kubesim_cluster, mark) == [f"PATCH {sandbox.path('web')}"]  # once in all
    assert result["verified"] is True and sandbox.get("web")["spec"]["replicas"] == 2
    assert journal.names(StepPhase.DONE) == ["patch-deployment"]


@pytest.mark.parametrize("when", ["before", "after", "done"])
def test_a_crash_in_the_rollback_is_finished_without_writing_twice(
    when: str, sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", 2)
    journal = JournalFake()
    ACTION.execute(planned(connector_ctx, params), params, journal)
    undo = JournalFake(crash_at=("restore-deployment", when), reverses=journal)
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.rollback(connector_ctx, params, undo, force=False)
    result = ACTION.rollback(connector_ctx, params, undo, force=False)
    assert patches(kubesim_cluster, mark) == [f"PATCH {sandbox.path('web')}"]
    assert result["verified"] is True and sandbox.get("web")["spec"]["replicas"] == 1
    assert undo.names(StepPhase.DONE) == ["restore-deployment"]
