"""``POST /change-requests`` takes the parameters in the shape ``GET /actions`` publishes, as
well as in the CLI's flat ``--param`` form; a typed Secret value is sealed like a flat one."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from tests.kubeconnector.api.conftest import Api, namespace_with_secret
from tests.kubeconnector.changes.engine.engine_support import admin_client, b64

from kubeconnector.api.params import flat_params
from kubeconnector.errors import InvalidInput
from kubesim.runner import Cluster

NEW_VALUE = "typed-pass-Q7rX2m"


def test_the_typed_form_becomes_the_flat_form() -> None:
    typed = {
        "namespace": "app",
        "values": {"password": "p", "user": "u"},
        "generate": {"token": 32},
        "env": {"MODE": "fast"},
        "remove": ["a", "b"],
        "unset_env": [],
        "replicas": 3.0,
        "force": True,
        "auto_rollback": False,
        "image": None,
    }
    assert flat_params(typed) == {
        "namespace": "app",
        "value.password": "p",
        "value.user": "u",
        "generate.token": "32",
        "env.MODE": "fast",
        "remove": "a,b",
        "unset_env": "",
        "replicas": "3",
        "force": "true",
        "auto_rollback": "false",
    }


def test_the_flat_form_passes_unchanged() -> None:
    flat = {"namespace": "app", "value.password": "p", "remove": "a,b", "force": "yes"}
    assert flat_params(flat) == flat


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"labels": {"a": "b"}}, "params.labels"),
        ({"values": {"k": {"nested": "secret-value"}}}, "params.values.k"),
        ({"replicas": 1.5}, "params.replicas"),
        ({"remove": ["a,b"]}, "params.remove"),
        ({"values": {"k": "secret-value"}, "value.k": "secret-value"}, "value.k"),
    ],
)
def test_a_value_no_parameter_takes_is_refused_without_quoting_it(
    params: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        flat_params(params)
    assert refused.value.field == field
    assert "secret-value" not in str(refused.value)


def _typed_examples(namespace: str) -> dict[str, dict[str, Any]]:
    """For every action, parameters in its published (typed) shape, using every field type."""
    ref = {"namespace": namespace}
    return {
        "rotate-secret": {
            **ref,
            "name": "db",
            "values": {"password": NEW_VALUE},
            "generate": {"api-key": 24},
            "alphabet": "hex",
            "remove": [],
            "restart_consumers": False,
            "force": False,
        },
        "delete-secret": {**ref, "name": "db", "force": True},
        "rotate-sa-token": {**ref, "serviceaccount": "default"},
        "patch-deployment": {
            **ref,
            "name": "web",
            "container": "app",
            "image": None,
            "replicas": 2,
            "env": {"MODE": "fast"},
            "unset_env": ["OLD"],
            "auto_rollback": True,
            "force": False,
        },
        "scale-deployment": {**ref, "name": "web", "replicas": 3, "force": False},
        "cordon-node": {"node": "kube-worker-1"},
        "uncordon-node": {"node": "kube-worker-1"},
    }


def test_every_action_takes_the_shape_it_publishes(sim: Api, kubesim_cluster: Cluster) -> None:
    examples = _typed_examples(namespace_with_secret(kubesim_cluster, "apiparams"))
    actions = sim.call("viewer", "GET", "/actions").json()
    assert {a["id"] for a in actions} == set(examples)
    for action in actions:
        params = examples[action["id"]]
        jsonschema.validate(params, action["params_schema"])
        body = {"connector": "sim", "action": action["id"], "params": params}
        planned = sim.call("operator", "POST", "/change-requests", json=body)
        assert planned.status_code == 201, (action["id"], planned.text)
        assert planned.json()["action"] == action["id"]
        assert planned.json()["state"] == "planned"


def test_the_action_still_validates_a_typed_shape(sim: Api) -> None:
    body = {
        "connector": "sim",
        "action": "scale-deployment",
        "params": {"namespace": "app", "name": "web", "replicas": -1},
    }
    refused = sim.call("operator", "POST", "/change-requests", json=body)
    assert refused.status_code == 422
    assert refused.json()["reason"] == "Invalid"
    assert "replicas" in refused.json()["message"]


def _approve_all(api: Api, change: dict[str, Any]) -> None:
    for approver in ("approver", "approver2")[: change["required_approvals"]]:
        response = api.call(approver, "POST", f"/change-requests/{change['id']}/approve")
        assert response.status_code == 200, response.text


def test_a_typed_secret_value_is_sealed_and_written(sim: Api, kubesim_cluster: Cluster) -> None:
    namespace = namespace_with_secret(kubesim_cluster, "apiparams")
    params = {"namespace": namespace, "name": "db", "values": {"password": NEW_VALUE}}
    body = {"connector": "sim", "action": "rotate-secret", "params": params}
    planned = sim.call("operator", "POST", "/change-requests", json=body)
    assert planned.status_code == 201, planned.text
    change = planned.json()
    assert change["params"]["values"]["password"] != NEW_VALUE  # a digest
    _approve_all(sim, change)
    job = sim.call("operator", "POST", f"/change-requests/{change['id']}/execute").json()
    done = sim.wait("operator", job)
    assert done["state"] == "succeeded" and done["result"]["state"] == "completed", done
    with admin_client(kubesim_cluster) as admin:
        secret = admin.request("GET", f"/api/v1/namespaces/{namespace}/secrets/db")
    assert secret["data"]["password"] == b64(NEW_VALUE)
    sim.call("viewer", "GET", "/audit", params={"change": change["id"]})
    sim.call("viewer", "GET", f"/change-requests/{change['id']}")
    for text in sim.seen:
        assert NEW_VALUE not in text and b64(NEW_VALUE) not in text
    for stored in sim.settings.home.glob("kc.db*"):  # with the write-ahead log, if any
        assert NEW_VALUE.encode() not in stored.read_bytes()
