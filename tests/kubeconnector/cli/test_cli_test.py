"""``kubeconnector connector test`` against kubesim: the report, and each failure's exit code."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from tests.kubeconnector.cli.conftest import Cli
from tests.kubeconnector.connectors.conftest import kubesim_kubeconfig, user_entry
from tests.kubeconnector.kube.kubefixtures import b64, ca_pair, closed_port

from kubesim.runner import Cluster

CONNECTOR = "system:serviceaccount:kubeconnector:connector"


def _actions(data: dict[str, Any]) -> dict[str, bool]:
    return {a["action"]: a["canRun"] for a in data["permissions"]["actions"]}


def test_the_report_shows_identity_permissions_actions_and_the_fix(
    cli: Cli, kubesim_cluster: Cluster
) -> None:
    cli.add(kubesim_cluster, "demo")
    run = cli("connector", "test", "demo")
    assert (run.code, run.stderr) == (0, "")
    out = run.stdout
    assert f"identity       {CONNECTOR} (SelfSubjectReview)" in out
    assert f"server         {kubesim_cluster.url}" in out
    assert "connected      yes" in out
    assert "list nodes" in out and "missing" in out
    assert "cordon-node" in out
    assert "to grant what is missing, apply as a cluster administrator:" in out
    fix = out.split("to grant what is missing, apply as a cluster administrator:\n", 1)[1]
    role, binding = yaml.safe_load_all(fix)
    assert (role["kind"], binding["kind"]) == ("ClusterRole", "ClusterRoleBinding")


@pytest.mark.parametrize(
    ("context", "can_run"),
    [
        ("connector", {"discovery": False, "rotate-secret": True, "cordon-node": False}),
        ("discovery", {"discovery": False, "rotate-secret": False, "scale-deployment": False}),
        ("nobody", {"discovery": False, "rotate-secret": False, "delete-secret": False}),
    ],
)
def test_the_json_report_says_which_actions_can_run(
    cli: Cli, kubesim_cluster: Cluster, context: str, can_run: dict[str, bool]
) -> None:
    cli.add(kubesim_cluster, context, context)
    data = cli("connector", "test", context, "--json").json()
    assert data["connected"] is True and data["problem"] is None
    assert data["identity"]["username"] == f"system:serviceaccount:kubeconnector:{context}"
    assert {k: v for k, v in _actions(data).items() if k in can_run} == can_run
    assert data["fixYaml"].startswith("apiVersion: rbac.authorization.k8s.io/v1\n")


def _edited(cli: Cli, cluster: Cluster, name: str, edit: Any) -> None:
    path = cli.file(f"{name}.yaml", kubesim_kubeconfig(cluster, "connector", edit))
    assert cli("connector", "add", name, "--kubeconfig", path).code == 0


def test_an_unreachable_server_exits_10_with_one_line(cli: Cli, kubesim_cluster: Cluster) -> None:
    port = closed_port()

    def closed(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"

    _edited(cli, kubesim_cluster, "gone", closed)
    run = cli("connector", "test", "gone")
    assert run.code == 10
    assert run.error == (
        f"error: cannot reach the API server at 127.0.0.1:{port}: connection refused; check the "
        "server URL, that the API server runs and the network path to it"
    )
    assert "connected      no" in run.stdout
    data = cli("connector", "test", "gone", "--json")
    assert data.code == 10
    assert data.json()["problem"]["category"] == "unreachable"


def test_a_changed_certificate_exits_11_saying_the_kubeconfig_must_be_updated(
    cli: Cli, kubesim_cluster: Cluster
) -> None:
    def other_ca(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["certificate-authority-data"] = b64(ca_pair().cert)

    _edited(cli, kubesim_cluster, "moved", other_ca)
    run = cli("connector", "test", "moved")
    assert run.code == 11
    assert run.error.endswith(
        "; the kubeconfig must be updated: kubeconnector connector update moved --kubeconfig FILE"
    )
    fixed = cli.file("fixed.yaml", kubesim_kubeconfig(kubesim_cluster, "connector"))
    assert cli("connector", "update", "moved", "--kubeconfig", fixed).code == 0
    assert cli("connector", "test", "moved").code == 0


def test_an_invalid_token_exits_12(cli: Cli, kubesim_cluster: Cluster) -> None:
    def bogus(config: dict[str, Any]) -> None:
        user_entry(config, "connector")["token"] = "bogus-token-value"

    _edited(cli, kubesim_cluster, "stale", bogus)
    run = cli("connector", "test", "stale")
    assert run.code == 12
    assert (
        "refused the credentials (401 Unauthorized): the token is expired or invalid" in run.error
    )


def test_a_forbidden_review_exits_13(cli: Cli, kubesim_cluster: Cluster) -> None:
    cli.add(kubesim_cluster, "denied")
    kubesim_cluster.control.fault(path="selfsubjectrulesreviews$", status=403, user=CONNECTOR)
    run = cli("connector", "test", "denied", "--json")
    assert run.code == 13
    assert run.json()["problem"]["step"] == "permissions"
    assert run.error.startswith(
        "error: the connector's identity may not review its own permissions"
    )


def test_a_test_of_an_unknown_connector_exits_5(cli: Cli) -> None:
    run = cli("connector", "test", "nope")
    assert (run.code, run.error) == (5, "error: connector 'nope' not found")


def test_reviewing_more_namespaces_adds_one_review_each(cli: Cli, kubesim_cluster: Cluster) -> None:
    cli.add(kubesim_cluster, "demo", "connector", "-n", "shop")
    data = cli("connector", "test", "demo", "--review-namespace", "ci", "--json").json()
    assert data["reviewedNamespaces"][1:] == ["shop", "ci"]
    assert data["permissions"]["namespace"] == "shop"
