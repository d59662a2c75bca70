"""SIGKILL at every failpoint of every action, then ``change resume``: nothing lost or doubled.

For each action that is available, a baseline run (no crash) gives the action's journal step
names and the writes it sends. Then, for every failpoint (each step's ``before``, ``after``
and ``done``; ``snapshot:before|after``; ``transition:executing|verifying|completed``), a
fresh target is set up, the change planned and approved, and ``kubeconnector change execute
ID`` runs as a subprocess with ``KUBECONNECTOR_FAILPOINT`` set, dying by SIGKILL there.
``kubeconnector change resume ID`` then finishes it. Checked each time: the record still
exists and ends ``completed``; every write of the connector's identity that succeeded was sent
at most as often as in the baseline (kubesim's request log); the cluster is in the changed
state. The test runs on its own kubesim cluster, since it cordons nodes.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.kubeconnector.changes.engine.engine_support import Engine, b64, engine_for
from typer.testing import CliRunner

import kubesim
from kubeconnector.errors import Conflict, NotFound
from kubeconnector.models.changes import ActionId, ChangeState, StepPhase
from kubesim import Cluster
from kubesim.scenarios.build import service_account, token_secret
from kubesim.scenarios.workloads import container, deployment, pod_spec
from kubesim.testing import FAST

CONNECTOR_USER = "system:serviceaccount:kubeconnector:connector"
NODE = "kube-worker-2"
FIXED_POINTS = (
    "snapshot:before",
    "snapshot:after",
    "transition:executing",
    "transition:verifying",
    "transition:completed",
)
KUBECONNECTOR = str(Path(sys.executable).with_name("kubeconnector"))

Setup = Callable[[Engine, str], dict[str, str]]
Verify = Callable[[Engine, str], None]


@dataclass(frozen=True)
class Scenario:
    """How to give an action a fresh target, and what the cluster shows once it is done."""

    setup: Setup
    verify: Verify


def _secret_setup(engine: Engine, ns: str) -> dict[str, str]:
    engine.secret(ns, "db", {"password": "old-value"})
    return {"namespace": ns, "name": "db", "value.password": "n3w-value", "generate.extra": "16"}


def _secret_verify(engine: Engine, ns: str) -> None:
    data = engine.get(f"/api/v1/namespaces/{ns}/secrets/db")["data"]
    assert data["password"] == b64("n3w-value") and "extra" in data


def _delete_setup(engine: Engine, ns: str) -> dict[str, str]:
    engine.secret(ns, "db", {"password": "old-value"})
    return {"namespace": ns, "name": "db"}


def _delete_verify(engine: Engine, ns: str) -> None:
    with pytest.raises(NotFound):
        engine.get(f"/api/v1/namespaces/{ns}/secrets/db")


def _token_setup(engine: Engine, ns: str) -> dict[str, str]:
    engine.admin.request("POST", f"/api/v1/namespaces/{ns}/serviceaccounts",
                         body=service_account("robot", ns))  # fmt: skip
    engine.admin.request("POST", f"/api/v1/namespaces/{ns}/secrets",
                         body=token_secret("robot-token", ns, "robot"))  # fmt: skip
    engine.cluster.control.settle(10.0)
    return {"namespace": ns, "serviceaccount": "robot"}


def _token_verify(engine: Engine, ns: str) -> None:
    with pytest.raises(NotFound):
        engine.get(f"/api/v1/namespaces/{ns}/secrets/robot-token")
    items = engine.get(f"/api/v1/namespaces/{ns}/secrets")["items"]
    tokens = [s for s in items if s["type"] == "kubernetes.io/service-account-token"]
    assert len(tokens) == 1 and tokens[0]["data"]["token"]


def _deployment(engine: Engine, ns: str) -> None:
    spec = pod_spec([container("web", "nginx:1.25")])
    body = deployment("web", ns, 1, {"app": "web"}, spec)
    engine.admin.request("POST", f"/apis/apps/v1/namespaces/{ns}/deployments", body=body)
    engine.cluster.control.settle(10.0)


def _patch_setup(engine: Engine, ns: str) -> dict[str, str]:
    _deployment(engine, ns)
    return {"namespace": ns, "name": "web", "container": "web", "image": "nginx:1.26"}


def _patch_verify(engine: Engine, ns: str) -> None:
    found = engine.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web")
    assert found["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"


def _scale_setup(engine: Engine, ns: str) -> dict[str, str]:
    _deployment(engine, ns)
    return {"namespace": ns, "name": "web", "replicas": "2"}


def _scale_verify(engine: Engine, ns: str) -> None:
    assert engine.get(f"/apis/apps/v1/namespaces/{ns}/deployments/web")["spec"]["replicas"] == 2


def _node(engine: Engine, unschedulable: bool) -> None:
    body = {"spec": {"unschedulable": True if unschedulable else None}}
    engine.admin.request("PATCH", f"/api/v1/nodes/{NODE}", body=body,
                         content_type="application/merge-patch+json")  # fmt: skip
    engine.cluster.control.settle(10.0)


def grant_node_reads(engine: Engine) -> None:
    """Let the connector get nodes, which cordoning needs beyond the seed's permissions."""
    rbac = "/apis/rbac.authorization.k8s.io/v1"
    name = {"name": "crash-node-reader"}
    role = {"kind": "ClusterRole", "apiVersion": "rbac.authorization.k8s.io/v1", "metadata": name,
            "rules": [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get"]}]}  # fmt: skip
    binding = {
        "kind": "ClusterRoleBinding",
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "metadata": name,
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", **name},
        "subjects": [{"kind": "ServiceAccount", "name": "connector", "namespace": "kubeconnector"}],
    }
    for path, body in ((f"{rbac}/clusterroles", role), (f"{rbac}/clusterrolebindings", binding)):
        with contextlib.suppress(Conflict):  # granted by the other node action's run
            engine.admin.request("POST", path, body=body)


def _cordon_setup(engine: Engine, ns: str) -> dict[str, str]:
    _node(engine, unschedulable=False)
    return {"node": NODE}


def _uncordon_setup(engine: Engine, ns: str) -> dict[str, str]:
    _node(engine, unschedulable=True)
    return {"node": NODE}


def _node_is(unschedulable: bool) -> Verify:
    def verify(engine: Engine, ns: str) -> None:
        assert bool(engine.get(f"/api/v1/nodes/{NODE}")["spec"].get("unschedulable")) is (
            unschedulable
        )

    return verify


SCENARIOS = {
    ActionId.ROTATE_SECRET: Scenario(_secret_setup, _secret_verify),
    ActionId.DELETE_SECRET: Scenario(_delete_setup, _delete_verify),
    ActionId.ROTATE_SA_TOKEN: Scenario(_token_setup, _token_verify),
    ActionId.PATCH_DEPLOYMENT: Scenario(_patch_setup, _patch_verify),
    ActionId.SCALE_DEPLOYMENT: Scenario(_scale_setup, _scale_verify),
    ActionId.CORDON_NODE: Scenario(_cordon_setup, _node_is(True)),
    ActionId.UNCORDON_NODE: Scenario(_uncordon_setup, _node_is(False)),
}


@pytest.fixture(scope="module")
def crash_cluster() -> Iterator[Cluster]:
    with kubesim.running("demo", config=FAST) as cluster:
        yield cluster


def approved(engine: Engine, action: ActionId, ns: str) -> str:
    raw = SCENARIOS[action].setup(engine, ns)
    record = engine.service.plan("sim", action.value, raw, "alice")
    assert not record.plan or not record.plan.refused, record.plan
    for approver in ("bob", "carol"):
        if record.state == ChangeState.PLANNED:
            record = engine.service.approve(record.id, approver)
    assert record.state == ChangeState.APPROVED
    return record.id


def writes(engine: Engine, since: int, ns: str) -> Counter[tuple[str, str]]:
    """Successful writes by the connector identity since ``since`` (namespace normalised)."""
    counted: Counter[tuple[str, str]] = Counter()
    for entry in engine.cluster.control.requests(since):
        if entry["user"] != CONNECTOR_USER or entry["method"] == "GET":
            continue
        if entry["status"] >= 300 or "dryRun" in entry["query"]:
            continue
        if "accessreviews" in entry["path"]:
            continue
        counted[(entry["method"], re.sub(re.escape(ns), "NS", entry["path"]))] += 1
    return counted


@dataclass
class Baseline:
    points: list[str]
    writes: Counter[tuple[str, str]]


def baseline(engine: Engine, action: ActionId) -> Baseline:
    ns = engine.namespace()
    change_id = approved(engine, action, ns)
    mark = engine.cluster.control.mark()
    record = engine.service.execute(change_id, "bob")
    assert record.state == ChangeState.COMPLETED, record.error
    SCENARIOS[action].verify(engine, ns)
    steps = list(dict.fromkeys(s.name for s in record.steps if s.phase == StepPhase.INTENT))
    points = [f"{step}:{when}" for step in steps for when in ("before", "after", "done")]
    return Baseline([*points, *FIXED_POINTS], writes(engine, mark, ns))


def killed_run(engine: Engine, change_id: str, failpoint: str) -> int:
    env = {**engine.env, "KUBECONNECTOR_USER": "bob", "KUBECONNECTOR_FAILPOINT": failpoint}
    command = [KUBECONNECTOR, "change", "execute", change_id, "--json", "--rollout-timeout", "30"]
    done = subprocess.run(command, env=env, capture_output=True, timeout=180, check=False)
    return done.returncode


def resume(engine: Engine, change_id: str) -> dict[str, Any]:
    env = {**engine.env, "KUBECONNECTOR_USER": "carol"}
    result = CliRunner().invoke(app_module(), ["change", "resume", change_id, "--json"], env=env)
    assert result.exit_code in (0, 20), result.stderr
    found: dict[str, Any] = json.loads(result.stdout)
    return found


def app_module() -> Any:
    from kubeconnector.cli import app

    return app


def crash_and_resume(engine: Engine, action: ActionId, failpoint: str, base: Baseline) -> None:
    ns = engine.namespace()
    change_id = approved(engine, action, ns)
    mark = engine.cluster.control.mark()
    assert killed_run(engine, change_id, failpoint) == -9, f"{failpoint} was not reached"
    record = engine.service.show(change_id)
    if record.state != ChangeState.COMPLETED:
        assert record.state in (ChangeState.EXECUTING, ChangeState.VERIFYING)
        record_json = resume(engine, change_id)
        assert record_json["state"] == "completed", record_json.get("error")
    sent = writes(engine, mark, ns)
    doubled = {k: n for k, n in sent.items() if n > base.writes.get(k, 0)}
    assert doubled == {}, f"writes sent more often than without a crash: {doubled}"
    SCENARIOS[action].verify(engine, ns)


@pytest.mark.slow
@pytest.mark.parametrize("action", list(SCENARIOS))
def test_every_failpoint_of_an_action_is_survived_by_resume(
    crash_cluster: Cluster, tmp_path: Path, action: ActionId, subtests: Any
) -> None:
    with engine_for(crash_cluster, tmp_path / "home") as engine:
        if action in (ActionId.CORDON_NODE, ActionId.UNCORDON_NODE):
            grant_node_reads(engine)
        base = baseline(engine, action)
        for failpoint in base.points:
            with subtests.test(failpoint=failpoint):
                crash_and_resume(engine, action, failpoint, base)
