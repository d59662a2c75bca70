"""``kubeconnector keys rotate``: a new master key, connectors still open afterwards."""

from __future__ import annotations

import base64

from tests.kubeconnector.cli.conftest import Cli
from tests.kubeconnector.kube.kubefixtures import document, dump

from kubesim.runner import Cluster


def _key(seed: int) -> str:
    return base64.b64encode(bytes([seed]) * 32).decode()


def test_rotation_with_the_key_file_reseals_and_retires_the_old_key(
    cli_on: Cli, kubesim_cluster: Cluster
) -> None:
    cli_on.add(kubesim_cluster, "demo")
    old = cli_on("connector", "show", "demo", "--json").json()["connector"]["key_id"]
    run = cli_on("keys", "rotate")
    assert run.code == 0
    assert run.stdout.startswith("the master key was rotated: active key ")
    assert "values resealed        1" in run.stdout
    assert f"keys retired           {old}" in run.stdout
    data = cli_on("keys", "rotate", "--json").json()
    assert (data["source"], data["resealed"], data["keptKids"]) == ("file", 1, [])
    assert (
        cli_on("connector", "show", "demo", "--json").json()["connector"]["key_id"]
        == (data["activeKid"])
    )
    assert cli_on("connector", "test", "demo").code == 0
    assert [e.payload["activeKid"] for e in cli_on.events("keys.rotated")][-1] == data["activeKid"]


def test_rotation_of_a_single_environment_key_exits_3_saying_what_to_do(cli: Cli) -> None:
    run = cli("keys", "rotate", KUBECONNECTOR_MASTER_KEY=_key(1))
    assert run.code == 3
    assert run.error.startswith(
        "error: the key ring comes from KUBECONNECTOR_MASTER_KEY, which kubeconnector cannot "
        "rewrite"
    )


def test_rotation_with_an_environment_ring_lists_the_keys_to_remove(cli: Cli) -> None:
    path = cli.file("k.yaml", dump(document()))
    added = cli(
        "connector", "add", "k", "--kubeconfig", path, KUBECONNECTOR_MASTER_KEY=f"a:{_key(1)}"
    )
    assert added.code == 0
    ring = f"b:{_key(2)},a:{_key(1)}"
    run = cli("keys", "rotate", KUBECONNECTOR_MASTER_KEY=ring)
    assert run.code == 0
    assert (
        run.stdout.splitlines()[-1] == "remove the retired keys (a) from KUBECONNECTOR_MASTER_KEY"
    )


def test_a_connector_sealed_with_another_key_exits_7(cli: Cli) -> None:
    path = cli.file("k.yaml", dump(document()))
    assert (
        cli(
            "connector", "add", "k", "--kubeconfig", path, KUBECONNECTOR_MASTER_KEY=f"a:{_key(1)}"
        ).code
        == 0
    )
    run = cli("connector", "test", "k", KUBECONNECTOR_MASTER_KEY=f"z:{_key(9)}")
    assert run.code == 7
    assert (
        run.error
        == "error: the value was sealed with key 'a', which is not in the key ring (keys: z)"
    )
