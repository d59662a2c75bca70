"""No token or key of a kubeconfig ever reaches the CLI's output, its errors or the logs."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from tests.kubeconnector.cli.conftest import Cli
from tests.kubeconnector.connectors.conftest import (
    kubesim_kubeconfig,
    kubesim_secrets,
    user_entry,
)
from tests.kubeconnector.kube.kubefixtures import b64, ca_pair

from kubesim.runner import Cluster

COMMANDS: list[list[str]] = [
    ["connector", "list"],
    ["connector", "list", "--json"],
    ["connector", "show", "admin"],
    ["connector", "show", "connector", "--json"],
    ["connector", "test", "admin"],
    ["connector", "test", "connector", "--json"],
    ["discover", "admin"],
    ["discover", "connector", "--json"],
    ["assets", "admin", "--kind", "secret"],
    ["assets", "connector", "--json"],
    ["assets", "admin", "secret/shop/db-credentials", "--consumers", "--json"],
    ["rbac", "who-can", "admin", "get", "secrets", "-A"],
    ["rbac", "findings", "connector", "--json"],
    ["keys", "rotate", "--json"],
    ["connector", "test", "moved"],
    ["connector", "test", "stale", "--json"],
]


def _broken(cluster: Cluster, cli: Cli) -> None:
    def other_ca(config: dict[str, Any]) -> None:
        config["clusters"][0]["cluster"]["certificate-authority-data"] = b64(ca_pair().cert)

    def bad_token(config: dict[str, Any]) -> None:
        user_entry(config, "connector")["token"] += "x"

    for name, edit in (("moved", other_ca), ("stale", bad_token)):
        path = cli.file(f"{name}.yaml", kubesim_kubeconfig(cluster, "connector", edit))
        assert cli("connector", "add", name, "--kubeconfig", path).code == 0


def test_no_credential_appears_in_any_output_or_log(
    cli: Cli, kubesim_cluster: Cluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    outputs = [cli.add(kubesim_cluster, "admin", "admin"), cli.add(kubesim_cluster, "connector")]
    _broken(kubesim_cluster, cli)
    outputs += [cli(*command) for command in COMMANDS]
    assert [r.code for r in outputs[-2:]] == [11, 12], "the failures must be exercised"
    assert all(r.code == 0 for r in outputs[:-2])
    texts = [r.stdout + r.stderr for r in outputs] + [caplog.text]
    secrets = kubesim_secrets(kubesim_cluster)
    assert secrets
    assert [s[:12] for s in secrets if any(s in text for text in texts)] == []
