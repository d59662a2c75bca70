"""The fault matrix: 429, 500 and a dropped connection at each API call of each action.

Every call an action makes (its plan, execution and, for rotate-secret, rollback) is listed
below in order; `test_the_call_lists_are_what_the_actions_send` keeps the lists true. Each
matrix case injects one fault at one call (kubesim's fault API: method, exact path, the
connector's user, ``skip`` = the earlier calls to the same method and path, ``count=1``) and
checks that the run ends consistent: the client retried (reads, reviews, dry runs and the
precondition-guarded writes are all safe to resend), the action finished, the cluster is in
the expected final state and every write took effect exactly once.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from tests.kubeconnector.changes.journal_fake import JournalFake
from tests.kubeconnector.changes.secrets.secrets_support import Sandbox, b64
from tests.kubeconnector.changes.support import CONNECTOR_USER, connector_calls, context_for

from kubeconnector.changes.actions.delete_secret import DeleteSecret
from kubeconnector.changes.actions.rotate_sa_token import RotateSaToken
from kubeconnector.changes.actions.rotate_secret import RotateSecret
from kubeconnector.changes.base import ActionContext
from kubeconnector.errors import NotFound, ServerError
from kubeconnector.models.changes import StepPhase
from kubesim import Cluster
from kubesim.scenarios.build import service_account, token_secret

pytestmark = pytest.mark.slow

SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SECRETS = "/api/v1/namespaces/{ns}/secrets"
DB = SECRETS + "/db"
ACCOUNT = "/api/v1/namespaces/{ns}/serviceaccounts/app"
OLD_TOKEN = SECRETS + "/app-token"
NEW_TOKEN = SECRETS + "/{new}"
LISTS = [
    ("GET", "/api/v1/namespaces/{ns}/pods"),
    ("GET", "/apis/apps/v1/namespaces/{ns}/deployments"),
    ("GET", "/apis/apps/v1/namespaces/{ns}/daemonsets"),
    ("GET", "/apis/apps/v1/namespaces/{ns}/statefulsets"),
]
ROTATE_CALLS = [
    ("GET", DB),
    ("POST", SSAR),
    *LISTS,
    ("PUT", DB),  # dry run
    ("GET", DB),
    ("PUT", DB),
    ("GET", DB),  # verify
    ("GET", DB),  # rollback
    ("PUT", DB),
    ("GET", DB),  # verify
]
DELETE_CALLS = [
    ("GET", DB),
    *LISTS,
    ("POST", SSAR),
    ("DELETE", DB),  # dry run
    ("GET", DB),
    ("DELETE", DB),
    ("GET", DB),  # verify
]
TOKEN_CALLS = [
    ("GET", ACCOUNT),
    ("GET", SECRETS),
    ("GET", "/version"),
    ("POST", SSAR),
    ("POST", SSAR),
    *LISTS,
    ("POST", SECRETS),  # dry run
    ("DELETE", OLD_TOKEN),  # dry run
    ("GET", ACCOUNT),
    ("GET", SECRETS),
    ("GET", "/version"),
    ("POST", SECRETS),
    ("GET", NEW_TOKEN),  # until filled (the first poll)
    ("DELETE", OLD_TOKEN),
    ("GET", SECRETS),  # verify
    *LISTS,  # who still holds the old token
]
SECRET_VALUES = {"user": "app", "password": "Old-Password-91aa"}
NEW_NAME = re.compile(r"app-token-[bcdfghjklmnpqrstvwxz2456789]{5}")


@dataclass(frozen=True)
class Scenario:
    """One action's whole run, and what a consistent end looks like."""

    calls: list[tuple[str, str]]
    setup: Callable[[Sandbox], None]
    run: Callable[[ActionContext, Sandbox], dict[str, Any]]
    check: Callable[[Sandbox, list[dict[str, Any]], dict[str, Any]], None]


def _rotate_setup(sandbox: Sandbox) -> None:
    sandbox.secret("db", SECRET_VALUES)


def _rotate_run(ctx: ActionContext, sandbox: Sandbox) -> dict[str, Any]:
    action = RotateSecret()
    raw = {
        "namespace": sandbox.namespace,
        "name": "db",
        "value.password": "New-7f",
        "generate.t": "8",
    }
    params = action.parse(raw)
    assert action.plan(ctx, params).refused == ()
    journal = JournalFake()
    assert action.execute(ctx, params, journal)["verified"] is True
    return action.rollback(ctx, params, JournalFake(reverses=journal), force=False)


def _rotate_check(sandbox: Sandbox, log: list[dict[str, Any]], result: dict[str, Any]) -> None:
    assert result["verified"] is True
    assert sandbox.get("Secret", "db")["data"] == {k: b64(v) for k, v in SECRET_VALUES.items()}
    assert _writes(log, "PUT", 200) == 2


def _delete_run(ctx: ActionContext, sandbox: Sandbox) -> dict[str, Any]:
    action = DeleteSecret()
    params = action.parse({"namespace": sandbox.namespace, "name": "db"})
    assert action.plan(ctx, params).refused == ()
    return action.execute(ctx, params, JournalFake())


def _delete_check(sandbox: Sandbox, log: list[dict[str, Any]], result: dict[str, Any]) -> None:
    assert result["deleted"] is True
    with pytest.raises(NotFound):
        sandbox.get("Secret", "db")
    assert _writes(log, "DELETE", 200) == 1


def _token_setup(sandbox: Sandbox) -> None:
    sandbox.create(service_account("app", sandbox.namespace))
    sandbox.create(token_secret("app-token", sandbox.namespace, "app"))
    sandbox.wait(lambda: bool((sandbox.get("Secret", "app-token").get("data") or {}).get("token")))


def _token_run(ctx: ActionContext, sandbox: Sandbox) -> dict[str, Any]:
    action = RotateSaToken()
    params = action.parse({"namespace": sandbox.namespace, "serviceaccount": "app"})
    assert action.plan(ctx, params).refused == ()
    return action.execute(ctx, params, JournalFake())


def _token_check(sandbox: Sandbox, log: list[dict[str, Any]], result: dict[str, Any]) -> None:
    path = f"/api/v1/namespaces/{sandbox.namespace}/secrets"
    query = {"fieldSelector": "type=kubernetes.io/service-account-token"}
    names = [s["metadata"]["name"] for s in sandbox.admin.request("GET", path, query)["items"]]
    assert names == [result["new_secret"]]
    assert _writes(log, "POST", 201) == 1
    assert _writes(log, "DELETE", 200) == 1


SCENARIOS = {
    "rotate-secret": Scenario(ROTATE_CALLS, _rotate_setup, _rotate_run, _rotate_check),
    "delete-secret": Scenario(DELETE_CALLS, _rotate_setup, _delete_run, _delete_check),
    "rotate-sa-token": Scenario(TOKEN_CALLS, _token_setup, _token_run, _token_check),
}
FAULTS: dict[str, dict[str, Any]] = {
    "429": {"status": 429, "retry_after": 1},
    "500": {"status": 500},
    "drop": {"drop": True},
}


def _writes(log: list[dict[str, Any]], method: str, status: int) -> int:
    """Writes by the connector that took effect (dry runs excluded)."""
    return sum(
        1
        for e in log
        if e["user"] == CONNECTOR_USER
        and e["method"] == method
        and e["status"] == status
        and "dryRun" not in e["query"]
        and "selfsubject" not in e["path"]
    )


def _cases() -> list[Any]:
    cases = []
    for name, scenario in SCENARIOS.items():
        for index, (method, path) in enumerate(scenario.calls):
            skip = scenario.calls[:index].count((method, path))
            for fault in FAULTS:
                label = f"{name}-{index:02d}-{method}-{path.rsplit('/', 1)[-1]}-{fault}"
                cases.append(pytest.param(name, method, path, skip, fault, id=label))
    return cases


def _pattern(path: str, namespace: str) -> str:
    escaped = re.escape(path.replace("{ns}", namespace)).replace(r"\{new\}", NEW_NAME.pattern)
    return f"^{escaped}$"


def _normalized(calls: list[str], namespace: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for call in calls:
        method, path = call.removesuffix("?dryRun").split(" ", 1)
        path = NEW_NAME.sub("{new}", path.replace(namespace, "{ns}"))
        if (method, path) == ("GET", NEW_TOKEN) and out[-1] == (method, path):
            continue  # further polls while the token controller fills the Secret
        out.append((method, path))
    return out


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_call_lists_are_what_the_actions_send(
    name: str, sandbox: Sandbox, kubesim_cluster: Cluster
) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(sandbox)
    ctx = context_for(kubesim_cluster)
    mark = kubesim_cluster.control.mark()
    result = scenario.run(ctx, sandbox)
    log = kubesim_cluster.control.requests(mark)
    calls = connector_calls(kubesim_cluster, mark)
    assert _normalized(calls, sandbox.namespace) == scenario.calls
    scenario.check(sandbox, log, result)
    assert ctx.client.stats.retries == 0
    ctx.client.close()


@pytest.mark.parametrize(("name", "method", "path", "skip", "fault"), _cases())
def test_one_fault_at_one_call_ends_consistent(
    name: str,
    method: str,
    path: str,
    skip: int,
    fault: str,
    sandbox: Sandbox,
    kubesim_cluster: Cluster,
) -> None:
    scenario = SCENARIOS[name]
    scenario.setup(sandbox)
    ctx = context_for(kubesim_cluster)
    kubesim_cluster.control.fault(
        method=method,
        path=_pattern(path, sandbox.namespace),
        user=CONNECTOR_USER,
        skip=skip,
        count=1,
        **FAULTS[fault],
    )
    mark = kubesim_cluster.control.mark()
    result = scenario.run(ctx, sandbox)
    scenario.check(sandbox, kubesim_cluster.control.requests(mark), result)
    assert ctx.client.stats.retries == 1  # the fault fired, once, and was retried
    ctx.client.close()


def test_a_write_that_keeps_failing_ends_failed_untouched_and_resumes_once(
    sandbox: Sandbox, kubesim_cluster: Cluster
) -> None:
    _rotate_setup(sandbox)
    before = sandbox.get("Secret", "db")["data"]
    ctx = context_for(kubesim_cluster)
    action = RotateSecret()
    params = action.parse({"namespace": sandbox.namespace, "name": "db", "value.password": "N-1"})
    path = _pattern(DB, sandbox.namespace)
    kubesim_cluster.control.fault(method="PUT", path=path, user=CONNECTOR_USER, status=500)
    journal = JournalFake()
    with pytest.raises(ServerError):
        action.execute(ctx, params, journal)
    assert [s.phase for s in journal.steps()] == [StepPhase.INTENT]
    assert sandbox.get("Secret", "db")["data"] == before
    kubesim_cluster.control.clear_faults()
    mark = kubesim_cluster.control.mark()
    assert action.resume(ctx, params, journal)["verified"] is True
    assert _writes(kubesim_cluster.control.requests(mark), "PUT", 200) == 1
    assert sandbox.get("Secret", "db")["data"]["password"] == b64("N-1")
    ctx.client.close()
