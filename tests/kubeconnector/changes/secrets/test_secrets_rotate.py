"""rotate-secret against kubesim, as the seed's `connector` identity."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake, SimulatedCrash
from tests.kubeconnector.changes.secrets.secrets_support import Sandbox, b64
from tests.kubeconnector.changes.support import (
    CONNECTOR_USER,
    DIGESTS,
    connector_calls,
    context_for,
)

from kubeconnector.changes.actions.rotate_secret import RotateSecret, RotateSecretParams
from kubeconnector.changes.base import ActionContext
from kubeconnector.errors import ChangeError, Forbidden, InvalidInput, RollbackRefused
from kubeconnector.models.changes import ImpactItem, StepPhase
from kubesim import Cluster
from kubesim.scenarios.workloads import mount, secret_env, secret_volume

ACTION = RotateSecret()
GIVEN = "Given-Secret-Value-7c1f"
ORIGINAL = {"user": "app", "password": "Old-Password-91aa", "legacy": "retired-key-55"}


def _params(sandbox: Sandbox, **raw: str) -> RotateSecretParams:
    return ACTION.parse({"namespace": sandbox.namespace, "name": "db", **raw})


def _rotation(sandbox: Sandbox, **extra: str) -> RotateSecretParams:
    raw = {"value.password": GIVEN, "generate.token": "24", "remove": "legacy", **extra}
    return _params(sandbox, **raw)


def _consumers(sandbox: Sandbox) -> None:
    sandbox.app("envapp", env=[secret_env("P", "db", "password")])
    sandbox.app("volapp", volumeMounts=[mount("s", "/s")], volumes=[secret_volume("s", "db")])
    sandbox.app(
        "subapp",
        volumeMounts=[mount("s", "/s/p", sub_path="password")],
        volumes=[secret_volume("s", "db")],
    )
    sandbox.running_pods(3)


def _data(sandbox: Sandbox) -> dict[str, str]:
    data: dict[str, str] = sandbox.get("Secret", "db")["data"]
    return data


@pytest.fixture
def db(sandbox: Sandbox) -> Sandbox:
    sandbox.secret("db", ORIGINAL)
    return sandbox


def test_parse_reads_values_generated_keys_removals_and_flags() -> None:
    params = ACTION.parse(
        {
            "namespace": "shop",
            "name": "db-credentials",
            "value.password": "x-1",
            "generate.api.key": "32",
            "alphabet": "hex",
            "remove": "old, older",
            "restart_consumers": "true",
        }
    )
    assert params.generate == {"api.key": 32}
    assert (params.alphabet, params.remove, params.restart_consumers) == (
        "hex",
        ("old", "older"),
        True,
    )
    assert ACTION.public_params(params, DIGESTS)["values"] == {"password": DIGESTS.value("x-1")}
    assert ACTION.secret_params(params) == {"value.password": b"x-1"}
    assert "x-1" not in repr(params)


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        ({"name": "s", "value.k": "v"}, "namespace", "the parameter namespace is required"),
        ({"namespace": "n", "name": "s"}, "RotateSecretParams", "give at least one"),
        ({"namespace": "n", "name": "s", "valu.k": "v"}, "valu.k", "unknown parameter 'valu.k'"),
        ({"namespace": "N_", "name": "s", "value.k": "v"}, "namespace", "not a valid Kubernetes"),
        ({"namespace": "n", "name": "s", "value.a b": "v"}, "RotateSecretParams", "not a valid"),
        ({"namespace": "n", "name": "s", "generate.k": "0"}, "RotateSecretParams", "between 1"),
        ({"namespace": "n", "name": "s", "generate.k": "x"}, "generate.k", "must be an integer"),
        ({"namespace": "n", "name": "s", "value.k": "v", "remove": "k"}, "RotateSecretParams", ""),
        ({"namespace": "n", "name": "s", "value.k": "v", "alphabet": "emoji"}, "alphabet", ""),
    ],
)
def test_invalid_parameters_name_the_field_and_never_quote_a_value(
    raw: dict[str, str], field: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        ACTION.parse(raw)
    assert caught.value.field == field
    assert message in str(caught.value)
    assert "v\n" not in str(caught.value) and "'v'" not in str(caught.value)


def test_the_plan_diffs_by_digest_and_says_how_each_consumer_refreshes(
    db: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    _consumers(db)
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, _rotation(db))
    ns = db.namespace
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET /api/v1/namespaces/{ns}/secrets/db",
        "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        f"GET /api/v1/namespaces/{ns}/pods",
        f"GET /apis/apps/v1/namespaces/{ns}/deployments",
        f"GET /apis/apps/v1/namespaces/{ns}/daemonsets",
        f"GET /apis/apps/v1/namespaces/{ns}/statefulsets",
        f"PUT /api/v1/namespaces/{ns}/secrets/db?dryRun",
    ]
    assert plan.refused == ()
    assert plan.dry_run is not None and plan.dry_run.message == (
        f"the API server accepts the update of Secret {ns}/db (dryRun=All)"
    )
    assert [(d.path, d.op, d.old, d.new) for d in plan.diff] == [
        ("data.legacy", "remove", DIGESTS.value(ORIGINAL["legacy"]), None),
        ("data.password", "change", DIGESTS.value(ORIGINAL["password"]), DIGESTS.value(GIVEN)),
        ("data.token", "add", None, "generated: 24 alnum characters"),
    ]
    assert [(i.subject, i.effect) for i in plan.impact] == [
        (f"Deployment {ns}/envapp", "needs a restart to see the new value"),
        (f"Deployment {ns}/subapp", "never refreshes (subPath mount): needs a restart"),
        (
            f"Deployment {ns}/volapp",
            "refreshes within the kubelet sync delay (about 2 minutes)",
        ),
    ]
    assert (plan.blast_radius.workloads, plan.blast_radius.pods) == (3, 3)
    assert plan.rollback_available and plan.rollback_note == (
        "restores the previous data byte for byte"
    )
    assert plan.target_resource_version == db.get("Secret", "db")["metadata"]["resourceVersion"]


def test_a_pull_secret_counts_the_workloads_that_inherit_it_from_their_account(
    connector_ctx: ActionContext,
) -> None:
    plan = ACTION.plan(
        connector_ctx, ACTION.parse({"namespace": "shop", "name": "regcred", "value.x": "y-1"})
    )
    effects = {i.subject: i.effect for i in plan.impact}
    assert effects["Deployment shop/storefront"] == "uses the new value at its next image pull"
    assert effects["Deployment shop/cart"] == "uses the new value at its next image pull"


@pytest.mark.parametrize(
    ("namespace", "name", "check", "message"),
    [
        (
            "payments",
            "stripe-api-key",
            "immutable",
            "Secret payments/stripe-api-key is immutable: immutable Secrets cannot be rotated "
            "in place",
        ),
        (
            "payments",
            "reporting-token",
            "secret-type",
            "Secret payments/reporting-token is a service account token Secret, filled by the "
            "token controller: use rotate-sa-token",
        ),
        (
            "monitoring",
            "grafana-admin",
            "managed-by",
            "Secret monitoring/grafana-admin is managed by Helm (release monitoring/grafana): "
            "the next helm upgrade restores the chart's version, reverting this change; change "
            "the release's values instead; use force to proceed",
        ),
        (
            "shop",
            "smtp-credentials",
            "managed-by",
            "Secret shop/smtp-credentials is managed by Sealed Secrets (SealedSecret "
            "smtp-credentials): its controller rewrites the data from the SealedSecret, "
            "reverting this change; reseal the new value instead; use force to proceed",
        ),
    ],
)
def test_the_preflight_refuses_secrets_that_cannot_or_should_not_be_rotated(
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
    namespace: str,
    name: str,
    check: str,
    message: str,
) -> None:
    params = ACTION.parse({"namespace": namespace, "name": name, "value.k": "v-1"})
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, params)
    assert [(c.name, c.message) for c in plan.refused] == [(check, message)]
    assert plan.dry_run is None
    assert not any("dryRun" in c for c in connector_calls(kubesim_cluster, mark))


def test_force_turns_a_managers_refusal_into_a_warning_and_runs_the_dry_run(
    connector_ctx: ActionContext,
) -> None:
    params = ACTION.parse(
        {"namespace": "shop", "name": "search-api-key", "value.k": "v-1", "force": "true"}
    )
    plan = ACTION.plan(connector_ctx, params)
    assert plan.refused == ()
    managed = next(c for c in plan.preflight if c.name == "managed-by")
    assert (managed.severity, managed.message.endswith("(overridden by force)")) == (
        "warning",
        True,
    )
    assert plan.dry_run is not None and plan.dry_run.ok
    assert plan.warnings[0].startswith("Secret shop/search-api-key is managed by Argo CD")


def test_a_rotation_writes_verifies_and_rolls_back_byte_for_byte(
    db: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    before = _data(db)
    params = _rotation(db)
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    result = ACTION.execute(connector_ctx, params, journal)
    path = f"/api/v1/namespaces/{db.namespace}/secrets/db"
    assert connector_calls(kubesim_cluster, mark) == [f"GET {path}", f"PUT {path}", f"GET {path}"]
    token = journal.sealed["generated.token"]
    after = _data(db)
    assert after == {"password": b64(GIVEN), "token": b64(token), "user": before["user"]}
    assert len(token) == 24
    assert result["keys"] == {"added": ["token"], "changed": ["password"], "removed": ["legacy"]}
    assert result["digests"] == {"token": DIGESTS.value(token), "password": DIGESTS.value(GIVEN)}
    assert result["verified"] is True
    assert journal.names() == ["update-secret", "update-secret"]
    snapshot = journal.snapshot()
    assert snapshot is not None and snapshot["data"] == before

    mark = kubesim_cluster.control.mark()
    undone = ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=False)
    assert connector_calls(kubesim_cluster, mark) == [f"GET {path}", f"PUT {path}", f"GET {path}"]
    assert _data(db) == before
    assert undone["keys"] == {"added": ["legacy"], "changed": ["password"], "removed": ["token"]}


def test_restart_consumers_restarts_each_workload_that_needs_it_and_rollback_again(
    db: Sandbox, connector_ctx: ActionContext
) -> None:
    _consumers(db)
    params = _rotation(db, restart_consumers="true")
    journal = JournalFake()
    result = ACTION.execute(connector_ctx, params, journal)
    ns = db.namespace
    assert result["restarted"] == [f"Deployment {ns}/envapp", f"Deployment {ns}/subapp"]
    assert [s.name for s in journal.steps() if s.phase is StepPhase.DONE] == [
        "update-secret",
        "restart-deployment/envapp",
        "restart-deployment/subapp",
    ]
    stamps = {name: _stamp(db, name) for name in ("envapp", "subapp", "volapp")}
    assert stamps["volapp"] is None and None not in (stamps["envapp"], stamps["subapp"])

    back = JournalFake(reverses=journal)
    undone = ACTION.rollback(connector_ctx, params, back, force=False)
    assert undone["restarted"] == result["restarted"]
    assert _stamp(db, "volapp") is None
    assert all(_stamp(db, n) != stamps[n] for n in ("envapp", "subapp"))


def _stamp(sandbox: Sandbox, name: str) -> Any:
    template = sandbox.get("Deployment", name)["spec"]["template"]
    return (template["metadata"].get("annotations") or {}).get("kubectl.kubernetes.io/restartedAt")


def test_restart_consumers_is_refused_when_a_consumer_kind_may_not_be_patched(
    db: Sandbox, connector_ctx: ActionContext
) -> None:
    from kubesim.scenarios.workloads import container, pod_spec, stateful_set

    spec = pod_spec([container("db", "postgres:16", env=[secret_env("P", "db", "password")])])
    db.create(stateful_set("pg", db.namespace, 1, {"app": "pg"}, spec, "pg"))
    plan = ACTION.plan(connector_ctx, _rotation(db, restart_consumers="true"))
    assert [c.message for c in plan.refused] == [
        f"the connector may not patch statefulsets in namespace {db.namespace}"
    ]


def test_a_concurrent_edit_after_the_read_fails_the_change_and_leaves_the_data(
    db: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    before = _data(db)
    path = f"/api/v1/namespaces/{db.namespace}/secrets/db$"
    kubesim_cluster.control.concurrent_writer(method="GET", path=path, user=CONNECTOR_USER, count=1)
    journal = JournalFake()
    with pytest.raises(ChangeError) as caught:
        ACTION.execute(connector_ctx, _rotation(db), journal)
    assert str(caught.value).startswith(
        f"Secret {db.namespace}/db was changed by someone else since it was read (resourceVersion "
    )
    assert str(caught.value).endswith("): Conflict; nothing was written")
    assert _data(db) == before
    assert [s.phase for s in journal.steps()] == [StepPhase.INTENT]


def test_an_edit_between_plan_and_execute_fails_the_change_before_any_write(
    db: Sandbox, kubesim_cluster: Cluster
) -> None:
    params = _rotation(db)
    ctx = context_for(kubesim_cluster)
    ctx.plan = ACTION.plan(ctx, params)
    db.edit_secret("db", user="someone-else")
    edited = _data(db)
    mark = kubesim_cluster.control.mark()
    with pytest.raises(ChangeError, match=r"changed since the plan \(resourceVersion \d+ is now"):
        ACTION.execute(ctx, params, JournalFake())
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET /api/v1/namespaces/{db.namespace}/secrets/db"
    ]
    assert _data(db) == edited
    ctx.client.close()


def test_the_discovery_identity_is_refused_by_the_preflight_and_by_the_server(
    db: Sandbox, kubesim_cluster: Cluster
) -> None:
    ctx = context_for(kubesim_cluster, "discovery")
    plan = ACTION.plan(ctx, _rotation(db))
    assert [c.message for c in plan.refused] == [
        f"the connector may not update secrets in namespace {db.namespace}"
    ]
    before = _data(db)
    with pytest.raises(Forbidden):
        ACTION.execute(ctx, _rotation(db), JournalFake())
    assert _data(db) == before
    ctx.client.close()


def test_a_missing_secret_stops_the_plan_after_one_read_and_fails_an_execution(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, _params(sandbox, **{"value.k": "v-1"}))
    assert [(c.name, c.message) for c in plan.refused] == [
        ("target-exists", f"Secret {sandbox.namespace}/db does not exist")
    ]
    assert len(connector_calls(kubesim_cluster, mark)) == 1
    with pytest.raises(ChangeError, match=r"does not exist \(nothing was written\)$"):
        ACTION.execute(connector_ctx, _params(sandbox, **{"value.k": "v-1"}), JournalFake())


def test_rollback_refuses_when_the_data_changed_since_unless_forced(
    db: Sandbox, connector_ctx: ActionContext
) -> None:
    before = _data(db)
    params = _rotation(db)
    journal = JournalFake()
    ACTION.execute(connector_ctx, params, journal)
    db.edit_secret("db", password="Changed-By-Hand-0")
    edited = _data(db)
    with pytest.raises(RollbackRefused) as caught:
        ACTION.rollback(connector_ctx, params, JournalFake(reverses=journal), force=False)
    assert str(caught.value) == (
        f"resource state has changed: Secret {db.namespace}/db: key 'password' changed since "
        "the rotation; the rollback would overwrite it (use force to restore anyway)"
    )
    assert _data(db) == edited
    forced = JournalFake(reverses=journal)
    result = ACTION.rollback(connector_ctx, params, forced, force=True)
    assert result["overwritten"] == ["key 'password' changed"]
    assert forced.events == [
        (
            "rollback-forced",
            {"secret": f"Secret {db.namespace}/db", "overwritten": ["key 'password' changed"]},
        )
    ]
    assert _data(db) == before


def test_rollback_without_a_snapshot_is_refused(db: Sandbox, connector_ctx: ActionContext) -> None:
    with pytest.raises(RollbackRefused, match=r"^No snapshot available"):
        ACTION.rollback(connector_ctx, _rotation(db), JournalFake(), force=False)


def _successful_puts(cluster: Cluster, since: int, namespace: str) -> int:
    return sum(
        1
        for e in cluster.control.requests(since)
        if e["user"] == CONNECTOR_USER
        and e["method"] == "PUT"
        and "dryRun" not in (e.get("query") or "")
        and e["path"].endswith(f"/namespaces/{namespace}/secrets/db")
        and e["status"] == 200
    )


@pytest.mark.parametrize("moment", ["before", "after", "done"])
def test_a_crash_at_the_write_resumes_without_writing_twice(
    db: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster, moment: str
) -> None:
    params = _rotation(db)
    journal = JournalFake(crash_at=("update-secret", moment))
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.execute(connector_ctx, params, journal)
    result = ACTION.resume(connector_ctx, params, journal)
    assert result["verified"] is True
    assert _successful_puts(kubesim_cluster, mark, db.namespace) == 1
    assert _data(db)["token"] == b64(journal.sealed["generated.token"])


@pytest.mark.parametrize("moment", ["before", "after", "done"])
def test_a_crash_in_the_rollback_resumes_without_writing_twice(
    db: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster, moment: str
) -> None:
    before = _data(db)
    params = _rotation(db)
    journal = JournalFake()
    ACTION.execute(connector_ctx, params, journal)
    back = JournalFake(crash_at=("restore-secret", moment), reverses=journal)
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.rollback(connector_ctx, params, back, force=False)
    ACTION.rollback(connector_ctx, params, back, force=False)
    assert _successful_puts(kubesim_cluster, mark, db.namespace) == 1
    assert _data(db) == before


def test_new_values_appear_in_no_plan_step_result_error_or_log(
    db: Sandbox,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    _consumers(db)
    params = _rotation(db)
    texts = [ACTION.plan(connector_ctx, params).model_dump_json()]
    journal = JournalFake()
    texts.append(json.dumps(ACTION.execute(connector_ctx, params, journal)))
    texts.append(json.dumps(ACTION.public_params(params, DIGESTS)))
    path = f"/api/v1/namespaces/{db.namespace}/secrets/db$"
    kubesim_cluster.control.concurrent_writer(method="GET", path=path, user=CONNECTOR_USER, count=1)
    with pytest.raises(ChangeError) as caught:
        ACTION.execute(connector_ctx, _params(db, **{"value.password": GIVEN + "2"}), JournalFake())
    texts += [str(caught.value), repr(caught.value), journal.transcript(), caplog.text]
    back = JournalFake(reverses=journal)
    texts.append(json.dumps(ACTION.rollback(connector_ctx, params, back, force=False)))
    texts.append(back.transcript())
    generated = journal.sealed["generated.token"].decode()
    everything = "\n".join(texts)
    for value in (GIVEN, generated, ORIGINAL["password"]):
        assert value not in everything
        assert b64(value) not in everything


def test_impact_items_are_models_the_engine_can_store(
    db: Sandbox, connector_ctx: ActionContext
) -> None:
    _consumers(db)
    plan = ACTION.plan(connector_ctx, _rotation(db, restart_consumers="true"))
    envapp = next(i for i in plan.impact if i.subject.endswith("/envapp"))
    assert isinstance(envapp, ImpactItem)
    assert envapp.effect == (
        "needs a restart to see the new value (restarted by this change, one workload at a time)"
    )
    assert plan.rollback_note == (
        "restores the previous data byte for byte and restarts the same consumers again"
    )
