"""End to end over HTTP against kubesim: connector, discovery, assets, a governed rotation
and its rollback; no response ever carries the kubeconfig, a token or a Secret value."""

from __future__ import annotations

import yaml
from tests.kubeconnector.api.conftest import Api, kubeconfig
from tests.kubeconnector.changes.engine.engine_support import admin_client, b64, unique
from tests.kubeconnector.connectors.conftest import kubesim_secrets

from kubesim.runner import Cluster

OLD_VALUE = "old-pass-7Hq2Xv"
NEW_VALUE = "new-pass-Zk93Lw"


def _workload(cluster: Cluster) -> str:
    namespace = unique("api")
    with admin_client(cluster) as admin:
        admin.request(
            "POST",
            "/api/v1/namespaces",
            body={"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}},
        )
        admin.request(
            "POST",
            f"/api/v1/namespaces/{namespace}/secrets",
            body={
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "Opaque",
                "metadata": {"name": "db", "namespace": namespace},
                "data": {"password": b64(OLD_VALUE)},
            },
        )
        env = [{"name": "PW", "valueFrom": {"secretKeyRef": {"name": "db", "key": "password"}}}]
        admin.request(
            "POST",
            f"/api/v1/namespaces/{namespace}/pods",
            body={
                "apiVersion": "v1",
                "kind": "Pod",
                "metadata": {"name": "app", "namespace": namespace},
                "spec": {"containers": [{"name": "app", "image": "nginx", "env": env}]},
            },
        )
    return namespace  # fmt: skip


def test_the_whole_governed_flow_over_http(sim: Api, kubesim_cluster: Cluster) -> None:
    namespace = _workload(kubesim_cluster)
    assert sim.call("operator", "POST", "/connectors/sim/test").json()["server"]
    job = sim.call("operator", "POST", "/connectors/sim/discover")
    assert job.status_code == 202 and job.json()["kind"] == "discovery"
    done = sim.wait("operator", job.json())
    assert done["state"] == "succeeded", done
    assert done["progress"]["stage"] == "finished" and done["result"]["run"]["status"]

    query = {"connector": "sim", "kind": "secret", "namespace": namespace}
    secrets = sim.call("viewer", "GET", "/assets", params=query).json()
    assert [s["name"] for s in secrets] == ["db"]
    assert sim.call("viewer", "GET", f"/assets/{secrets[0]['id']}").json() == secrets[0]
    view = sim.call("viewer", "GET", f"/assets/{secrets[0]['id']}/relations").json()
    consumers = [r for r in view["incoming"] if r["relation_type"] == "consumes-secret"]
    assert [r["source"]["name"] for r in consumers] == ["app"]

    wanted = {"verb": "get", "resource": "secrets", "namespace": namespace}
    who = sim.call("viewer", "GET", "/connectors/sim/rbac/who-can", params=wanted)
    assert who.status_code == 200 and "inventory" in who.json()
    assert sim.call("viewer", "GET", "/rbac/findings?connector=sim").status_code == 200

    params = {"namespace": namespace, "name": "db", "value.password": NEW_VALUE}
    request = {"connector": "sim", "action": "rotate-secret", "params": params}
    plan = sim.call("operator", "POST", "/change-requests", json=request)
    assert plan.status_code == 201, plan.text
    change = plan.json()
    assert change["state"] == "planned" and change["requester"] == "operator"
    cid = change["id"]
    assert sim.call("operator", "POST", f"/change-requests/{cid}/execute").status_code == 409
    for approver in ("approver", "approver2")[: change["required_approvals"]]:
        again = sim.call(
            approver, "POST", f"/change-requests/{cid}/approve", json={"comment": "ok"}
        )
        assert again.status_code == 200, again.text
        if approver == "approver":
            refused = sim.call("approver", "POST", f"/change-requests/{cid}/approve")
            assert refused.status_code in (403, 409), refused.text
    assert sim.call("viewer", "GET", f"/change-requests/{cid}").json()["state"] == "approved"

    executed = sim.wait(
        "operator", sim.call("operator", "POST", f"/change-requests/{cid}/execute").json()
    )
    assert executed["state"] == "succeeded", executed
    assert executed["result"]["state"] == "completed"
    rolled = sim.wait(
        "operator", sim.call("operator", "POST", f"/change-requests/{cid}/rollback", json={}).json()
    )
    assert rolled["state"] == "succeeded", rolled
    assert rolled["result"]["rollback_of"] == cid

    listed = sim.call("viewer", "GET", "/change-requests", params={"connector": "sim"}).json()
    assert {c["id"] for c in listed} >= {cid, rolled["result"]["id"]}
    events = sim.call("viewer", "GET", "/audit", params={"change": cid}).json()
    assert {"operator", "approver"} <= {e["actor"] for e in events}
    assert sim.call("viewer", "GET", "/audit/verify").json()["ok"] is True

    removed = sim.call("admin", "DELETE", "/connectors/sim")
    assert removed.status_code == 204
    leaked = [
        OLD_VALUE,
        NEW_VALUE,
        b64(OLD_VALUE),
        b64(NEW_VALUE),
        *kubesim_secrets(kubesim_cluster),
        *sim.tokens.values(),
    ]
    config = yaml.safe_load(kubeconfig(kubesim_cluster))
    leaked.append(config["clusters"][0]["cluster"]["certificate-authority-data"][30:90])
    for text in sim.seen:
        for value in leaked:
            assert value not in text


def test_an_unreachable_cluster_is_502(api: Api, kubesim_cluster: Cluster) -> None:
    config = yaml.safe_load(kubeconfig(kubesim_cluster))
    for entry in config["clusters"]:
        entry["cluster"]["server"] = "https://127.0.0.1:9"
    body = {"name": "dead", "kubeconfig": yaml.safe_dump(config), "context": "connector"}
    assert api.call("admin", "POST", "/connectors", json=body).status_code == 201
    plan = api.call("operator", "POST", "/change-requests", json={
        "connector": "dead", "action": "rotate-secret",
        "params": {"namespace": "x", "name": "y", "generate.k": "16"}})  # fmt: skip
    assert plan.status_code == 502, plan.text
    assert plan.json()["reason"] in ("Unreachable", "ClusterError")
    job = api.wait("operator", api.call("operator", "POST", "/connectors/dead/discover").json())
    assert job["state"] == "failed" and job["error"]["reason"] == "Unreachable"


def test_a_taken_connector_name_is_409(sim: Api, kubesim_cluster: Cluster) -> None:
    body = {"name": "sim", "kubeconfig": kubeconfig(kubesim_cluster), "context": "connector"}
    response = sim.call("admin", "POST", "/connectors", json=body)
    assert response.status_code == 409 and response.json()["reason"] == "AlreadyExists"
    listed = sim.call("viewer", "GET", "/connectors").json()
    assert [c["name"] for c in listed] == ["sim"]
    assert "kubeconfig" not in listed[0]
