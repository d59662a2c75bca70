"""Success paths over HTTP against kubesim: a connector by id or name, a subject's
permissions, a rejection, and resuming a change a crash left executing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.kubeconnector.api.conftest import Api, namespace_with_secret
from tests.kubeconnector.changes.engine.engine_support import admin_client, b64

from kubeconnector.settings import (
    ENV_DATABASE_URL,
    ENV_FAILPOINT,
    ENV_HOME,
    ENV_MASTER_KEY,
    ENV_USER,
)
from kubesim.runner import Cluster

KUBECONNECTOR = str(Path(sys.executable).with_name("kubeconnector"))
CONNECTOR_SUBJECT = "serviceaccount:kubeconnector:connector"
NEW_VALUE = "resumed-pass-8Jw3Tq"


def _plan(api: Api, namespace: str) -> dict[str, Any]:
    params = {"namespace": namespace, "name": "db", "value.password": NEW_VALUE}
    body = {"connector": "sim", "action": "rotate-secret", "params": params}
    planned = api.call("operator", "POST", "/change-requests", json=body)
    assert planned.status_code == 201, planned.text
    change: dict[str, Any] = planned.json()
    return change


def test_a_connector_is_found_by_name_and_by_id(sim: Api) -> None:
    by_name = sim.call("viewer", "GET", "/connectors/sim")
    assert by_name.status_code == 200
    connector = by_name.json()
    assert connector["name"] == "sim" and "kubeconfig" not in connector
    assert sim.call("viewer", "GET", f"/connectors/{connector['id']}").json() == connector


def test_a_subject_s_permissions_come_from_the_inventory(sim: Api) -> None:
    done = sim.wait("operator", sim.call("operator", "POST", "/connectors/sim/discover").json())
    assert done["state"] == "succeeded", done
    query = {"connector": "sim", "subject": CONNECTOR_SUBJECT}
    response = sim.call("viewer", "GET", "/rbac/permissions", params=query)
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["subject"]["name"] == "connector" and found["isMaster"] is False
    assert "secrets" in json.dumps(found["clusterWide"])
    unknown = {"connector": "sim", "subject": "nonsense"}
    assert sim.call("viewer", "GET", "/rbac/permissions", params=unknown).status_code == 422


def test_an_approver_rejects_a_planned_change(sim: Api, kubesim_cluster: Cluster) -> None:
    change = _plan(sim, namespace_with_secret(kubesim_cluster, "apiroutes"))
    path = f"/change-requests/{change['id']}"
    rejected = sim.call("approver", "POST", f"{path}/reject", json={"comment": "not now"})
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["state"] == "rejected"
    assert sim.call("viewer", "GET", path).json()["state"] == "rejected"
    assert sim.call("approver2", "POST", f"{path}/approve").status_code == 409
    assert sim.call("operator", "POST", f"{path}/execute").status_code == 409
    events = sim.call("viewer", "GET", "/audit", params={"change": change["id"]}).json()
    assert any(e["actor"] == "approver" and "not now" in json.dumps(e) for e in events)


def _crash_while_executing(api: Api, change_id: str) -> None:
    """Execute with the CLI, killed by SIGKILL once the Secret is written, before recording it."""
    env = {
        ENV_HOME: str(api.settings.home),
        ENV_DATABASE_URL: api.settings.database_url,
        ENV_MASTER_KEY: str(api.settings.master_key),
        ENV_USER: "operator",
        ENV_FAILPOINT: "update-secret:after",
        "PATH": "/usr/bin:/bin",
    }
    command = [KUBECONNECTOR, "change", "execute", change_id, "--json"]
    done = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert done.returncode == -9, done.stderr


def test_a_change_left_executing_is_resumed(sim: Api, kubesim_cluster: Cluster) -> None:
    namespace = namespace_with_secret(kubesim_cluster, "apiroutes")
    change = _plan(sim, namespace)
    path = f"/change-requests/{change['id']}"
    for approver in ("approver", "approver2")[: change["required_approvals"]]:
        assert sim.call(approver, "POST", f"{path}/approve").status_code == 200
    _crash_while_executing(sim, change["id"])
    assert sim.call("viewer", "GET", path).json()["state"] == "executing"

    job = sim.call("operator", "POST", f"{path}/resume")
    assert job.status_code == 202 and job.json()["kind"] == "resume"
    done = sim.wait("operator", job.json())
    assert done["state"] == "succeeded", done
    assert done["result"]["state"] == "completed"
    with admin_client(kubesim_cluster) as admin:
        secret = admin.request("GET", f"/api/v1/namespaces/{namespace}/secrets/db")
    assert secret["data"]["password"] == b64(NEW_VALUE)
    assert sim.call("operator", "POST", f"{path}/resume").status_code == 409
    for text in sim.seen:
        assert NEW_VALUE not in text and b64(NEW_VALUE) not in text
