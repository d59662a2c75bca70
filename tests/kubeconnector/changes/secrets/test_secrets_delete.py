"""delete-secret against kubesim, as the seed's `connector` identity."""

from __future__ import annotations

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake, SimulatedCrash
from tests.kubeconnector.changes.secrets.secrets_support import Sandbox
from tests.kubeconnector.changes.support import (
    CONNECTOR_USER,
    DIGESTS,
    connector_calls,
    context_for,
)

from kubeconnector.changes.actions.delete_secret import DeleteSecret, DeleteSecretParams
from kubeconnector.changes.base import ActionContext
from kubeconnector.errors import ChangeError, Forbidden, NotFound, RollbackRefused
from kubeconnector.models.changes import StepPhase
from kubesim import Cluster
from kubesim.scenarios.workloads import mount, secret_env, secret_volume

ACTION = DeleteSecret()


def _params(sandbox: Sandbox, **raw: str) -> DeleteSecretParams:
    return ACTION.parse({"namespace": sandbox.namespace, "name": "old", **raw})


def _exists(sandbox: Sandbox) -> bool:
    try:
        sandbox.get("Secret", "old")
    except NotFound:
        return False
    return True


@pytest.fixture
def old(sandbox: Sandbox) -> Sandbox:
    sandbox.secret("old", {"key": "Unused-Value-3e3e"})
    return sandbox


def test_an_unused_secret_plans_with_a_dry_run_and_no_rollback(
    old: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, _params(old))
    ns = old.namespace
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET /api/v1/namespaces/{ns}/secrets/old",
        f"GET /api/v1/namespaces/{ns}/pods",
        f"GET /apis/apps/v1/namespaces/{ns}/deployments",
        f"GET /apis/apps/v1/namespaces/{ns}/daemonsets",
        f"GET /apis/apps/v1/namespaces/{ns}/statefulsets",
        "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        f"DELETE /api/v1/namespaces/{ns}/secrets/old?dryRun",
    ]
    assert plan.refused == ()
    assert [(d.path, d.op, d.old) for d in plan.diff] == [
        ("secret", "remove", "type Opaque"),
        ("data.key", "remove", DIGESTS.value("Unused-Value-3e3e")),
    ]
    assert (plan.rollback_available, plan.rollback_note) == (
        False,
        "No rollback: a deleted Secret is not restored; re-create it from its source",
    )
    assert _exists(old)


def test_every_consumer_that_breaks_is_listed_and_force_is_required(
    old: Sandbox, connector_ctx: ActionContext
) -> None:
    old.app("envapp", env=[secret_env("K", "old", "key")])
    old.app("volapp", volumeMounts=[mount("s", "/s")], volumes=[secret_volume("s", "old")])
    old.app("optapp", env=[secret_env("K", "old", "key", optional=True)])
    old.running_pods(3)
    plan = ACTION.plan(connector_ctx, _params(old))
    ns = old.namespace
    assert [c.message for c in plan.refused] == [
        f"3 consumer(s) of Secret {ns}/old will break: Deployment {ns}/envapp, Deployment "
        f"{ns}/optapp, Deployment {ns}/volapp; use force to proceed"
    ]
    assert plan.dry_run is None
    assert [(i.subject, i.effect) for i in plan.impact] == [
        (
            f"Deployment {ns}/envapp",
            "new containers fail to start (CreateContainerConfigError); running ones keep it",
        ),
        (f"Deployment {ns}/optapp", "starts without it (optional reference)"),
        (
            f"Deployment {ns}/volapp",
            "new Pods cannot mount it (stuck in ContainerCreating); running Pods keep it",
        ),
    ]
    forced = ACTION.plan(connector_ctx, _params(old, force="true"))
    assert forced.refused == () and forced.dry_run is not None and forced.dry_run.ok
    assert (forced.blast_radius.workloads, forced.blast_radius.pods) == (3, 3)


def test_a_token_secret_warns_that_its_token_stops_working(connector_ctx: ActionContext) -> None:
    plan = ACTION.plan(
        connector_ctx, ACTION.parse({"namespace": "payments", "name": "reporting-token"})
    )
    assert plan.warnings == (
        "Secret payments/reporting-token is a token of ServiceAccount reporting: its token "
        "stops working at once (rotate-sa-token replaces it without a gap)",
    )


def test_a_secret_an_external_controller_would_recreate_needs_force(
    connector_ctx: ActionContext,
) -> None:
    plan = ACTION.plan(
        connector_ctx, ACTION.parse({"namespace": "payments", "name": "acquirer-api-token"})
    )
    assert [c.name for c in plan.refused] == ["managed-by", "consumers"]


def test_the_deletion_is_guarded_verified_and_has_no_rollback(
    old: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    uid = old.get("Secret", "old")["metadata"]["uid"]
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    result = ACTION.execute(connector_ctx, _params(old), journal)
    path = f"/api/v1/namespaces/{old.namespace}/secrets/old"
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET {path}",
        f"DELETE {path}",
        f"GET {path}",
    ]
    assert result == {
        "secret": f"Secret {old.namespace}/old",
        "uid": uid,
        "deleted": True,
        "finalizing": False,
        "recreated": False,
        "keys": ["key"],
        "verified": True,
    }
    assert not _exists(old)
    snapshot = journal.snapshot()
    assert snapshot is not None and "Unused-Value-3e3e" not in str(snapshot)
    assert snapshot["digests"] == {"key": DIGESTS.value("Unused-Value-3e3e")}
    assert journal.entries[0].detail["uid"] == uid
    with pytest.raises(RollbackRefused, match=r"^No rollback"):
        ACTION.rollback(connector_ctx, _params(old), JournalFake(reverses=journal), force=True)


def test_a_concurrent_edit_fails_the_deletion_and_keeps_the_secret(
    old: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    path = f"/api/v1/namespaces/{old.namespace}/secrets/old$"
    kubesim_cluster.control.concurrent_writer(method="GET", path=path, user=CONNECTOR_USER, count=1)
    journal = JournalFake()
    with pytest.raises(ChangeError, match=r"was changed by someone else since it was read"):
        ACTION.execute(connector_ctx, _params(old), journal)
    assert _exists(old)
    assert [s.phase for s in journal.steps()] == [StepPhase.INTENT]


def test_an_edit_between_plan_and_execute_fails_before_the_delete(
    old: Sandbox, kubesim_cluster: Cluster
) -> None:
    ctx = context_for(kubesim_cluster)
    ctx.plan = ACTION.plan(ctx, _params(old))
    old.edit_secret("old", key="Edited")
    with pytest.raises(ChangeError, match="changed since the plan"):
        ACTION.execute(ctx, _params(old), JournalFake())
    assert _exists(old)
    ctx.client.close()


def test_the_discovery_identity_may_not_delete(old: Sandbox, kubesim_cluster: Cluster) -> None:
    ctx = context_for(kubesim_cluster, "discovery")
    plan = ACTION.plan(ctx, _params(old))
    assert [c.message for c in plan.refused] == [
        f"the connector may not delete secrets in namespace {old.namespace}"
    ]
    with pytest.raises(Forbidden):
        ACTION.execute(ctx, _params(old), JournalFake())
    assert _exists(old)
    ctx.client.close()


def test_a_missing_secret_is_refused(sandbox: Sandbox, connector_ctx: ActionContext) -> None:
    plan = ACTION.plan(connector_ctx, _params(sandbox))
    assert [c.message for c in plan.refused] == [f"Secret {sandbox.namespace}/old does not exist"]
    with pytest.raises(ChangeError, match=r"does not exist \(nothing was written\)$"):
        ACTION.execute(connector_ctx, _params(sandbox), JournalFake())


def test_a_secret_recreated_under_the_same_name_is_never_deleted_on_resume(
    old: Sandbox, connector_ctx: ActionContext
) -> None:
    journal = JournalFake(crash_at=("delete-secret", "before"))
    with pytest.raises(SimulatedCrash):
        ACTION.execute(connector_ctx, _params(old), journal)
    old.admin.request("DELETE", old.path("Secret", "old"))
    old.secret("old", {"key": "New-Owner"})
    result = ACTION.resume(connector_ctx, _params(old), journal)
    assert (result["deleted"], result["recreated"]) == (True, True)
    assert _exists(old)


@pytest.mark.parametrize("moment", ["before", "after", "done"])
def test_a_crash_at_the_delete_resumes_without_deleting_twice(
    old: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster, moment: str
) -> None:
    journal = JournalFake(crash_at=("delete-secret", moment))
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.execute(connector_ctx, _params(old), journal)
    assert ACTION.resume(connector_ctx, _params(old), journal)["deleted"] is True
    deletes = [
        e
        for e in kubesim_cluster.control.requests(mark)
        if e["user"] == CONNECTOR_USER and e["method"] == "DELETE" and e["status"] == 200
    ]
    assert len(deletes) == 1
    assert not _exists(old)
