"""patch-deployment against kubesim with the seed's ``connector`` identity."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake, SimulatedCrash
from tests.kubeconnector.changes.support import DIGESTS, connector_calls
from tests.kubeconnector.changes.workloads.workloads_support import Sandbox, container_of

from kubeconnector.changes.actions.patch_deployment import PatchDeployment, PatchDeploymentParams
from kubeconnector.changes.base import ActionContext
from kubeconnector.errors import ChangeError, InvalidInput, RollbackRefused, RolloutFailed
from kubeconnector.models.changes import DiffItem, StepPhase
from kubesim import Cluster

ACTION = PatchDeployment()
SECRET = "s3cr3t-Value-that-must-not-leak"
IMAGE = "spec.template.spec.containers[app].image"


def env_of(d: dict[str, Any]) -> list[dict[str, Any]]:
    return list(container_of(d).get("env") or [])


def parse(box: Sandbox, name: str, **raw: str) -> PatchDeploymentParams:
    return ACTION.parse({"namespace": box.namespace, "name": name, **raw})


def planned(ctx: ActionContext, params: PatchDeploymentParams) -> ActionContext:
    """The context an engine gives an execution: the approved plan attached."""
    return replace(ctx, plan=ACTION.plan(ctx, params))


# --- parameters ------------------------------------------------------------------------------


def test_parameters_are_typed_and_env_values_are_secret() -> None:
    params = ACTION.parse(
        {
            "namespace": "shop",
            "name": "web",
            "container": "app",
            "image": "nginx:1.27",
            "replicas": "3",
            "env.DB_PASSWORD": SECRET,
            "unset_env": "OLD, LEGACY",
            "auto_rollback": "true",
        }
    )
    assert params.replicas == 3 and params.unset_env == ("OLD", "LEGACY") and params.auto_rollback
    public = ACTION.public_params(params, DIGESTS)
    assert public["env"] == {"DB_PASSWORD": DIGESTS.value(SECRET)}
    assert SECRET not in json.dumps(public) and SECRET not in repr(params)
    assert ACTION.secret_params(params) == {"env.DB_PASSWORD": SECRET.encode()}


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"image": "nginx:1"}, "PatchDeploymentParams", "container is required"),
        ({}, "PatchDeploymentParams", "give at least one of image, replicas"),
        (
            {"container": "app", "env.A": "1", "unset_env": "A"},
            "PatchDeploymentParams",
            "set or removed",
        ),
        (
            {"container": "app", "env.1BAD": SECRET},
            "PatchDeploymentParams",
            "'1BAD' is not a valid",
        ),
        ({"replicas": "-1"}, "replicas", "greater than or equal to 0"),
        ({"replicas": "many"}, "replicas", "replicas must be an integer"),
        ({"colour": "red"}, "colour", "unknown parameter 'colour'"),
    ],
)
def test_invalid_parameters_name_the_field_and_never_quote_a_value(
    raw: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        ACTION.parse({"namespace": "shop", "name": "web", **raw})
    assert caught.value.field == field
    assert message in str(caught.value) and SECRET not in str(caught.value)


# --- plan --------------------------------------------------------------------------------------


def test_the_plan_checks_dry_runs_diffs_by_digest_and_counts_the_pods_replaced(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", env=[{"name": "MODE", "value": "blue"}, {"name": "OLD", "value": "x"}])
    params = parse(
        sandbox,
        "web",
        container="app",
        image="nginx:1.27.0",
        **{"env.MODE": SECRET},
        unset_env="OLD",
    )
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, params)
    path = sandbox.path("web")
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET {path}",
        "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        f"PATCH {path}?dryRun",
    ]
    assert plan.refused == () and plan.dry_run is not None and plan.dry_run.ok
    assert plan.target == f"Deployment {sandbox.namespace}/web"
    assert plan.diff == (
        DiffItem(path=IMAGE, op="change", old="nginx:1.25.3", new="nginx:1.27.0"),
        DiffItem(
            path="spec.template.spec.containers[app].env[MODE]",
            op="change",
            old=DIGESTS.value("blue"),
            new=DIGESTS.value(SECRET),
        ),
        DiffItem(
            path="spec.template.spec.containers[app].env[OLD]",
            op="remove",
            old=DIGESTS.value("x"),
        ),
    )
    assert [i.effect for i in plan.impact] == [
        "rolling update: its 2 pods are replaced by 2 new ones (maxSurge 25%, maxUnavailable 25%)"
    ]
    assert plan.blast_radius.pods == 2 and plan.rollback_available
    assert SECRET not in plan.model_dump_json()
    assert sandbox.get("web")["metadata"]["generation"] == 1  # the dry run wrote nothing


def test_setting_replicas_warns_that_autoscalers_could_not_be_checked_with_the_seed_grants(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web")
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", replicas="3"))
    assert len(connector_calls(kubesim_cluster, mark)) == 4
    assert plan.warnings == (
        f"could not check for a HorizontalPodAutoscaler targeting Deployment "
        f"{sandbox.namespace}/web: the connector may not list horizontalpodautoscalers in "
        f"namespace {sandbox.namespace}; if one targets it, it will override the replica count "
        "set by this change",
    )
    assert [i.effect for i in plan.impact] == ["scales from 2 to 3 replicas: 1 pods added"]


def test_a_missing_container_or_variable_and_a_no_op_refuse_the_plan(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", container="sidecar", image="busybox"))
    assert [(c.name, c.message) for c in plan.refused] == [
        (
            "container",
            f"Deployment {sandbox.namespace}/web has no container 'sidecar' (containers: app)",
        )
    ]
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", container="app", unset_env="NOPE"))
    assert [c.message for c in plan.refused] == [
        "container 'app' has no environment variable 'NOPE' to remove",
        "nothing would change: every value given is the current one",
    ]
    assert plan.dry_run is None


def test_a_helm_managed_deployment_is_refused_unless_forced(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    labels = {"app.kubernetes.io/managed-by": "Helm"}
    annotations = {
        "meta.helm.sh/release-name": "web",
        "meta.helm.sh/release-namespace": sandbox.namespace,
    }
    sandbox.merge("web", {"metadata": {"labels": labels, "annotations": annotations}})
    plan = ACTION.plan(connector_ctx, parse(sandbox, "web", container="app", image="nginx:1.27"))
    assert [(c.name, c.forceable) for c in plan.refused] == [("managed-by", True)]
    assert "Helm (release" in plan.refused[0].message and plan.dry_run is None
    forced = ACTION.plan(
        connector_ctx, parse(sandbox, "web", container="app", image="nginx:1.27", force="true")
    )
    assert forced.refused == () and forced.dry_run is not None and forced.dry_run.ok


def test_a_missing_deployment_fails_the_plan_after_one_read(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, parse(sandbox, "ghost", replicas="2"))
    assert [c.message for c in plan.refused] == [
        f"Deployment {sandbox.namespace}/ghost does not exist"
    ]
    assert len(connector_calls(kubesim_cluster, mark)) == 1


def test_the_discovery_identity_may_not_patch(
    sandbox: Sandbox, discovery_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    plan = ACTION.plan(discovery_ctx, parse(sandbox, "web", container="app", image="nginx:1.27"))
    assert [c.name for c in plan.refused] == ["can-patch-deployments"]
    assert plan.refused[0].message.startswith(
        f"the connector may not patch deployments in namespace {sandbox.namespace}"
    )
    assert plan.dry_run is None


# --- execute, verify, rollback -----------------------------------------------------------------


def test_execute_patches_verifies_the_rollout_and_rollback_restores_exactly(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    env = [
        {"name": "A", "value": "1"},
        {"name": "GONE", "value": "old"},
        {"name": "Z", "value": "26"},
    ]
    before = sandbox.app("web", env=env)
    params = parse(
        sandbox,
        "web",
        container="app",
        image="nginx:1.27.0",
        replicas="3",
        **{"env.NEW": SECRET, "env.A": "2"},
        unset_env="GONE",
    )
    ctx, journal = planned(connector_ctx, params), JournalFake()
    mark = kubesim_cluster.control.mark()
    result = ACTION.execute(ctx, params, journal)
    calls = connector_calls(kubesim_cluster, mark)
    assert calls[:2] == [f"GET {sandbox.path('web')}", f"PATCH {sandbox.path('web')}"]
    assert set(calls[2:]) == {f"GET {sandbox.path('web')}"}  # rollout polls only
    after = sandbox.get("web")
    assert container_of(after)["image"] == "nginx:1.27.0" and after["spec"]["replicas"] == 3
    assert env_of(after) == [
        {"name": "A", "value": "2"},
        {"name": "Z", "value": "26"},
        {"name": "NEW", "value": SECRET},
    ]
    assert result["verified"] is True and result["rollout"]["outcome"] == "complete"  # type: ignore[index]
    assert sandbox.available("web")
    assert journal.names() == ["patch-deployment", "patch-deployment"]
    assert SECRET not in journal.transcript() + json.dumps(result)

    undo = JournalFake(reverses=journal)
    mark = kubesim_cluster.control.mark()
    restored = ACTION.rollback(connector_ctx, params, undo, force=False)
    calls = connector_calls(kubesim_cluster, mark)
    assert calls[:3] == [
        f"GET {sandbox.path('web')}",
        f"PATCH {sandbox.path('web')}",
        f"GET {sandbox.path('web')}",
    ]
    assert set(calls[3:]) == {f"GET {sandbox.path('web')}"}
    final = sandbox.get("web")
    assert final["spec"]["template"] == before["spec"]["template"]  # env order included
    assert final["spec"]["replicas"] == 2 and restored["verified"] is True
    assert SECRET not in undo.transcript() + json.dumps(restored)


def test_an_edit_between_plan_and_execute_fails_the_change_with_nothing_written(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", container="app", image="nginx:1.27.0")
    ctx = planned(connector_ctx, params)
    sandbox.merge("web", {"metadata": {"annotations": {"team": "blue"}}})
    journal = JournalFake()
    with pytest.raises(ChangeError, match="was changed since the plan"):
        ACTION.execute(ctx, params, journal)
    assert container_of(sandbox.get("web"))["image"] == "nginx:1.25.3"
    assert journal.names(StepPhase.INTENT) == []


def test_a_concurrent_edit_after_the_read_meets_the_precondition_409(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", container="app", image="nginx:1.27.0")
    ctx = planned(connector_ctx, params)
    kubesim_cluster.control.concurrent_writer(method="GET", path=f"{sandbox.path('web')}$", count=1)
    journal = JournalFake()
    with pytest.raises(ChangeError) as caught:
        ACTION.execute(ctx, params, journal)
    assert str(caught.value).startswith(
        f"Deployment {sandbox.namespace}/web was changed by someone else since it was read"
    )
    assert str(caught.value).endswith("Conflict; nothing was written")
    assert container_of(sandbox.get("web"))["image"] == "nginx:1.25.3"
    assert journal.names(StepPhase.DONE) == []


def test_a_deployment_deleted_before_execution_fails_it(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", replicas="2")
    ctx = planned(connector_ctx, params)
    sandbox.admin.request("DELETE", sandbox.path("web"))
    with pytest.raises(ChangeError, match=r"does not exist \(nothing was written\)$"):
        ACTION.execute(ctx, params, JournalFake())


def test_rollback_refuses_when_the_fields_changed_since_and_force_overrides(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", container="app", image="nginx:1.26.0")
    journal = JournalFake()
    ACTION.execute(planned(connector_ctx, params), params, journal)
    sandbox.merge(
        "web",
        {
            "spec": {
                "template": {"spec": {"containers": [{"name": "app", "image": "nginx:1.27.1"}]}}
            }
        },
    )
    with pytest.raises(RollbackRefused) as caught:
        ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=False)
    assert str(caught.value) == (
        f"resource state has changed: Deployment {sandbox.namespace}/web: {IMAGE} changed since "
        "the change; the rollback would overwrite it (use force to restore anyway)"
    )
    forced = JournalFake(reverses=journal)
    result = ACTION.rollback(connector_ctx, params, forced, force=True)
    assert result["overwritten"] == [IMAGE]
    assert forced.events == [
        (
            "rollback-forced",
            {"deployment": f"Deployment {sandbox.namespace}/web", "overwritten": [IMAGE]},
        )
    ]
    assert container_of(sandbox.get("web"))["image"] == "nginx:1.25.3"


def test_a_rollback_of_a_deployment_that_is_gone_is_refused(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", replicas="2")
    journal = JournalFake()
    ACTION.execute(planned(connector_ctx, params), params, journal)
    sandbox.admin.request("DELETE", sandbox.path("web"))
    with pytest.raises(RollbackRefused, match=r"no longer exists; there is nothing to restore$"):
        ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=True)


# --- failed rollouts, paused Deployments, crashes ------------------------------------------------


def test_a_broken_image_fails_the_rollout_past_its_progress_deadline(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    sandbox.merge("web", {"spec": {"progressDeadlineSeconds": 1}})
    params = parse(sandbox, "web", container="app", image="nginx:broken")
    journal = JournalFake()
    with pytest.raises(RolloutFailed) as caught:
        ACTION.execute(planned(connector_ctx, params), params, journal)
    assert str(caught.value) == (
        f'rollout failed: Deployment {sandbox.namespace}/web: deployment "web" exceeded its '
        "progress deadline"
    )
    assert journal.names(StepPhase.DONE) == ["patch-deployment"]  # written, then failed
    restored = ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=False)
    assert restored["rollout"]["outcome"] == "complete"  # type: ignore[index]
    assert container_of(sandbox.get("web"))["image"] == "nginx:1.25.3" and sandbox.available("web")


def test_a_paused_deployment_is_patched_and_verification_reports_it_paused(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.app("web", replicas=1)
    sandbox.merge("web", {"spec": {"paused": True}})
    params = parse(sandbox, "web", container="app", image="nginx:1.27.0")
    plan = ACTION.plan(connector_ctx, params)
    assert plan.warnings[0].startswith(f"Deployment {sandbox.namespace}/web is paused")
    result = ACTION.execute(planned(connector_ctx, params), params, JournalFake())
    assert result["rollout"]["outcome"] == "paused"  # type: ignore[index]


@pytest.mark.parametrize("when", ["before", "after", "done"])
def test_a_crash_at_the_patch_is_resumed_without_writing_twice(
    when: str, sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    sandbox.app("web", replicas=1)
    params = parse(sandbox, "web", container="app", **{"env.TOKEN": SECRET})
    ctx = planned(connector_ctx, params)
    journal = JournalFake(crash_at=("patch-deployment", when))
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.execute(ctx, params, journal)
    result = ACTION.resume(ctx, params, journal)
    patches = [c for c in connector_calls(kubesim_cluster, mark) if c.startswith("PATCH")]
    assert patches == [f"PATCH {sandbox.path('web')}"]  # sent once, whenever the crash came
    assert env_of(sandbox.get("web")) == [{"name": "TOKEN", "value": SECRET}]
    assert result["verified"] is True
