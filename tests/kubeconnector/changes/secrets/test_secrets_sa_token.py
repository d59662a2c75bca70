"""rotate-sa-token against kubesim: both cluster generations, and no gap on 1.24+."""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import ssl
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake, SimulatedCrash
from tests.kubeconnector.changes.secrets.secrets_support import Sandbox, unb64
from tests.kubeconnector.changes.support import (
    CONNECTOR_USER,
    DIGESTS,
    client_for,
    connector_calls,
    context_for,
)

import kubesim
from kubeconnector.changes.actions.rotate_sa_token import RotateSaToken, RotateSaTokenParams
from kubeconnector.changes.base import ActionContext, ChangeOptions
from kubeconnector.changes.helpers.tokens import wait_filled
from kubeconnector.errors import ChangeError, NotFound, RollbackRefused
from kubesim import Cluster
from kubesim.scenarios.build import service_account, token_secret
from kubesim.scenarios.workloads import container, mount, pod_spec, secret_volume
from kubesim.testing import FAST

ACTION = RotateSaToken()
TOKEN_TYPE = "kubernetes.io/service-account-token"


def _params(sandbox: Sandbox, account: str = "app") -> RotateSaTokenParams:
    return ACTION.parse({"namespace": sandbox.namespace, "serviceaccount": account})


def _tokens(sandbox: Sandbox) -> dict[str, str]:
    """Name -> token of the sandbox's filled token Secrets (read as admin)."""
    path = f"/api/v1/namespaces/{sandbox.namespace}/secrets"
    items = sandbox.admin.request("GET", path, {"fieldSelector": f"type={TOKEN_TYPE}"})["items"]
    return {
        s["metadata"]["name"]: unb64(s["data"]["token"]).decode()
        for s in items
        if (s.get("data") or {}).get("token") and not s["metadata"].get("deletionTimestamp")
    }


def _works(cluster: Cluster, token: str) -> bool:
    """Whether the API server accepts the bearer token."""
    ca = base64.b64decode(
        cluster.kubeconfig()["clusters"][0]["cluster"]["certificate-authority-data"]
    )
    context = ssl.create_default_context(cadata=ca.decode())
    headers = {"Authorization": f"Bearer {token}"}
    response = httpx.get(f"{cluster.url}/version", headers=headers, verify=context, timeout=10)
    return response.status_code == 200


def _account(sandbox: Sandbox, mount_token: bool = True) -> str:
    """ServiceAccount `app` with a token Secret `app-token` (filled), and a workload using it."""
    sandbox.create(service_account("app", sandbox.namespace))
    sandbox.create(token_secret("app-token", sandbox.namespace, "app"))
    sandbox.wait(lambda: "app-token" in _tokens(sandbox))
    if mount_token:
        spec = pod_spec(
            [container("runner", "busybox:1.36", volumeMounts=[mount("t", "/var/run/t")])],
            volumes=[secret_volume("t", "app-token")],
            serviceAccountName="app",
        )
        sandbox.deployment("runner", spec)
        sandbox.running_pods(1)
    return _tokens(sandbox)["app-token"]


def test_the_plan_on_a_1_24_cluster_creates_first_and_names_the_holders(
    sandbox: Sandbox, connector_ctx: ActionContext, kubesim_cluster: Cluster
) -> None:
    _account(sandbox)
    ns = sandbox.namespace
    mark = kubesim_cluster.control.mark()
    plan = ACTION.plan(connector_ctx, _params(sandbox))
    assert connector_calls(kubesim_cluster, mark) == [
        f"GET /api/v1/namespaces/{ns}/serviceaccounts/app",
        f"GET /api/v1/namespaces/{ns}/secrets",
        "GET /version",
        "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        "POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
        f"GET /api/v1/namespaces/{ns}/pods",
        f"GET /apis/apps/v1/namespaces/{ns}/deployments",
        f"GET /apis/apps/v1/namespaces/{ns}/daemonsets",
        f"GET /apis/apps/v1/namespaces/{ns}/statefulsets",
        f"POST /api/v1/namespaces/{ns}/secrets?dryRun",
        f"DELETE /api/v1/namespaces/{ns}/secrets/app-token?dryRun",
    ]
    assert plan.refused == ()
    assert plan.dry_run is not None and plan.dry_run.message == (
        "the API server accepts all 2 writes"
    )
    assert [(d.path, d.op) for d in plan.diff] == [
        ("secret <account>-token-<new>", "add"),
        ("secret app-token", "remove"),
    ]
    assert [(i.subject, i.effect) for i in plan.impact] == [
        (
            f"Deployment {ns}/runner",
            "reads the old token Secret app-token by name: point it at the new token Secret, "
            "then restart it",
        )
    ]
    assert plan.warnings[0] == (
        "the replacement is created before the old tokens are deleted (the API server is "
        "v1.30.2 (1.24+) and no auto-generated token Secret is referenced)"
    )
    assert (plan.rollback_available, plan.rollback_note) == (
        False,
        "No rollback (old token is gone once deleted)",
    )


class TokenProbe:
    """Authenticates with every token of the sandbox's account, over and over, in a thread."""

    def __init__(self, sandbox: Sandbox, old: str) -> None:
        self.sandbox = sandbox
        self.admin = client_for(sandbox.cluster, "admin")
        self.known = {"app-token": old}
        self.samples: list[dict[str, bool]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.is_set():
            self.samples.append(self.sample())

    def sample(self) -> dict[str, bool]:
        path = f"/api/v1/namespaces/{self.sandbox.namespace}/secrets"
        items = self.admin.request("GET", path, {"fieldSelector": f"type={TOKEN_TYPE}"})["items"]
        for item in items:
            token = (item.get("data") or {}).get("token")
            if token:
                self.known.setdefault(item["metadata"]["name"], unb64(token).decode())
        return {name: _works(self.sandbox.cluster, t) for name, t in self.known.items()}

    def __enter__(self) -> TokenProbe:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join(10)
        self.admin.close()


def test_a_rotation_on_1_24_never_leaves_the_account_without_a_valid_token(
    sandbox: Sandbox,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    old = _account(sandbox)
    # Hold the old token's deletion a moment so the probe sees the handover, not just its ends.
    kubesim_cluster.control.fault(
        method="DELETE", path="/secrets/app-token$", user=CONNECTOR_USER, delay=0.4, count=1
    )
    journal = JournalFake()
    mark = kubesim_cluster.control.mark()
    with TokenProbe(sandbox, old) as probe:
        sandbox.wait(lambda: len(probe.samples) >= 2)
        result = ACTION.execute(connector_ctx, _params(sandbox), journal)
        seen = len(probe.samples)
        sandbox.wait(lambda: len(probe.samples) > seen + 1)
    final = probe.sample()
    new_name = str(result["new_secret"])
    new = probe.known[new_name]
    assert all(any(sample.values()) for sample in probe.samples)
    assert any(s.get("app-token") and s.get(new_name) for s in probe.samples)
    assert final == {"app-token": False, new_name: True}
    assert result["generation"] == "bound"
    assert result["token_digest"] == DIGESTS.value(new)
    assert result["deleted"] == ["app-token"]
    assert result["still_holding_old_token"] == [
        {
            "subject": f"Deployment {sandbox.namespace}/runner",
            "why": "reads the old token Secret app-token by name: point it at the new token "
            "Secret, then restart it",
            "pods": 1,
        }
    ]
    assert [s.name for s in journal.steps()] == [
        "create-token-secret",
        "create-token-secret",
        "delete-token-secret/app-token",
        "delete-token-secret/app-token",
    ]
    calls = connector_calls(kubesim_cluster, mark)
    assert calls.index(f"POST /api/v1/namespaces/{sandbox.namespace}/secrets") < calls.index(
        f"DELETE /api/v1/namespaces/{sandbox.namespace}/secrets/app-token"
    )
    everything = json.dumps(result) + journal.transcript() + caplog.text
    assert new not in everything and old not in everything


def test_an_account_without_token_secrets_has_nothing_to_rotate(
    sandbox: Sandbox, connector_ctx: ActionContext
) -> None:
    sandbox.create(service_account("bare", sandbox.namespace))
    plan = ACTION.plan(connector_ctx, _params(sandbox, "bare"))
    assert [c.message for c in plan.refused] == [
        f"ServiceAccount {sandbox.namespace}/bare has no legacy token Secret: nothing to rotate"
    ]
    assert plan.dry_run is None


def test_a_missing_account_is_refused(sandbox: Sandbox, connector_ctx: ActionContext) -> None:
    plan = ACTION.plan(connector_ctx, _params(sandbox, "ghost"))
    assert [c.message for c in plan.refused] == [
        f"ServiceAccount {sandbox.namespace}/ghost does not exist"
    ]
    with pytest.raises(ChangeError, match=r"does not exist \(nothing was written\)$"):
        ACTION.execute(connector_ctx, _params(sandbox, "ghost"), JournalFake())


def test_the_discovery_identity_may_neither_create_nor_delete_secrets(
    sandbox: Sandbox, kubesim_cluster: Cluster
) -> None:
    _account(sandbox, mount_token=False)
    ctx = context_for(kubesim_cluster, "discovery")
    plan = ACTION.plan(ctx, _params(sandbox))
    ns = sandbox.namespace
    assert [c.message for c in plan.refused] == [
        f"the connector may not create secrets in namespace {ns}",
        f"the connector may not delete secrets in namespace {ns}",
    ]
    ctx.client.close()


def test_an_edit_of_the_account_between_plan_and_execute_fails_before_any_write(
    sandbox: Sandbox, kubesim_cluster: Cluster
) -> None:
    _account(sandbox, mount_token=False)
    ctx = context_for(kubesim_cluster)
    ctx.plan = ACTION.plan(ctx, _params(sandbox))
    sandbox.admin.request(
        "PATCH",
        sandbox.path("ServiceAccount", "app"),
        body={"metadata": {"annotations": {"edited": "yes"}}},
        content_type="application/merge-patch+json",
    )
    with pytest.raises(ChangeError, match="changed since the plan"):
        ACTION.execute(ctx, _params(sandbox), JournalFake())
    assert list(_tokens(sandbox)) == ["app-token"]
    ctx.client.close()


@pytest.mark.parametrize(
    ("step", "moment"),
    [
        (step, moment)
        for step in ("create-token-secret", "delete-token-secret/app-token")
        for moment in ("before", "after", "done")
    ],
)
def test_a_crash_at_any_write_resumes_without_creating_or_deleting_twice(
    sandbox: Sandbox,
    connector_ctx: ActionContext,
    kubesim_cluster: Cluster,
    step: str,
    moment: str,
) -> None:
    _account(sandbox, mount_token=False)
    journal = JournalFake(crash_at=(step, moment))
    mark = kubesim_cluster.control.mark()
    with pytest.raises(SimulatedCrash):
        ACTION.execute(connector_ctx, _params(sandbox), journal)
    result = ACTION.resume(connector_ctx, _params(sandbox), journal)
    writes = [
        (e["method"], e["status"])
        for e in kubesim_cluster.control.requests(mark)
        if e["user"] == CONNECTOR_USER
        and e["method"] in ("POST", "DELETE")
        and "dryRun" not in e["query"]
    ]
    assert writes.count(("POST", 201)) == 1
    assert writes.count(("DELETE", 200)) == 1
    assert list(_tokens(sandbox)) == [result["new_secret"]]


def test_there_is_no_rollback(sandbox: Sandbox, connector_ctx: ActionContext) -> None:
    with pytest.raises(RollbackRefused, match=r"^No rollback \(old token is gone once deleted\)$"):
        ACTION.rollback(connector_ctx, _params(sandbox), JournalFake(), force=True)


def test_waiting_for_the_token_controller_gives_up_after_the_token_timeout(
    sandbox: Sandbox, kubesim_cluster: Cluster
) -> None:
    sandbox.secret("unfilled", {"note": "no token here"})
    ctx = context_for(kubesim_cluster)
    ctx.options = ChangeOptions(token_timeout=0.2, poll_interval=0.05)
    path = sandbox.path("Secret", "unfilled")
    with pytest.raises(ChangeError, match=r"^the token controller did not fill it within 0.2s$"):
        wait_filled(ctx, path, "it")
    ctx.client.close()


# --- the pre-1.24 generation ------------------------------------------------------------------


@pytest.fixture(scope="module")
def legacy_cluster() -> Iterator[Cluster]:
    """A cluster whose token controller auto-creates and re-creates token Secrets."""
    config = dataclasses.replace(FAST, legacy_token_autogen=True)
    with kubesim.running("demo", config=config) as cluster:
        yield cluster


@pytest.fixture
def legacy_sandbox(legacy_cluster: Cluster) -> Iterator[Sandbox]:
    admin = client_for(legacy_cluster, "admin")
    body = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "legacy"}}
    admin.request("POST", "/api/v1/namespaces", body=body)
    yield Sandbox(legacy_cluster, admin, "legacy")
    admin.close()


def _auto_token(sandbox: Sandbox) -> tuple[str, str]:
    def referenced() -> list[Any]:
        try:
            return list(sandbox.get("ServiceAccount", "app").get("secrets") or [])
        except NotFound:
            return []

    sandbox.wait(lambda: bool(referenced()))
    name = referenced()[0]["name"]
    sandbox.wait(lambda: name in _tokens(sandbox))
    return name, _tokens(sandbox)[name]


def test_on_a_legacy_cluster_the_tokens_are_deleted_and_the_regenerated_one_reported(
    legacy_sandbox: Sandbox, legacy_cluster: Cluster
) -> None:
    sandbox = legacy_sandbox
    sandbox.create(service_account("app", sandbox.namespace))
    old_name, old = _auto_token(sandbox)
    ctx = context_for(legacy_cluster)
    mark = legacy_cluster.control.mark()
    plan = ACTION.plan(ctx, _params(sandbox))
    assert "GET /version" not in connector_calls(legacy_cluster, mark)
    assert plan.warnings[0] == (
        f"token Secrets are re-created by this cluster (the ServiceAccount references the "
        f"auto-generated {old_name}): the old token stops working when deleted, and the new "
        "one appears within seconds"
    )
    assert plan.refused == () and plan.dry_run is not None and plan.dry_run.ok
    result = ACTION.execute(ctx, _params(sandbox), JournalFake())
    new_name = str(result["new_secret"])
    assert (result["generation"], result["deleted"]) == ("legacy", [old_name])
    assert new_name != old_name and new_name.startswith("app-token-")
    new = _tokens(sandbox)[new_name]
    assert result["token_digest"] == DIGESTS.value(new)
    assert not _works(legacy_cluster, old)
    assert _works(legacy_cluster, new)
    assert result["still_holding_old_token"] == []
    ctx.client.close()
