"""``discover``, ``assets`` and ``rbac`` against a discovered kubesim demo, table and JSON."""

from __future__ import annotations

from typing import Any

import pytest
from tests.kubeconnector.cli.conftest import Cli, Run

from kubesim.runner import Cluster


@pytest.fixture(scope="module")
def demo(kubesim_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, Run]:
    cli = Cli(tmp_path_factory.mktemp("cli-inventory") / "home")
    assert cli.add(kubesim_cluster, "demo").code == 0
    return cli, cli("discover", "demo")


def test_the_first_discovery_prints_counts_and_what_could_not_be_listed(
    demo: tuple[Cli, Run],
) -> None:
    _, run = demo
    assert (run.code, run.stderr) == (0, "")
    lines = run.stdout.splitlines()
    assert lines[0].startswith("discovery of demo: partial in ")
    assert any(line.split() == ["Node", "not", "listed", "(forbidden)"] for line in lines)
    assert any(line.split()[:1] == ["Secret"] for line in lines)
    assert lines[-1].startswith("first discovery: ") and lines[-1].endswith(" assets stored")


def test_a_rediscovery_in_json_reports_drift(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    data = cli("discover", "demo", "--json").json()
    assert data["run"]["status"] == "partial"
    assert data["forbiddenKinds"] == ["Node"]
    assert data["unlisted"] == {"Node": "forbidden"}
    assert set(data["drift"]) == {"summary", "added", "removed", "changed"}
    assert data["counts"]["Secret"] >= 20
    table = cli("discover", "demo")
    assert "drift since the previous discovery: " in table.stdout


def test_assets_are_listed_by_kind_and_namespace(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    run = cli("assets", "demo", "--kind", "secret", "-n", "shop")
    assert run.code == 0
    rows = [line.split() for line in run.stdout.splitlines()[2:-1]]
    assert {row[2] for row in rows} == {
        "db-credentials",
        "regcred",
        "search-api-key",
        "smtp-credentials",
        "storefront-env",
        "storefront-tls",
    }
    assert "type Opaque-or-other; keys: host, password, username" in run.stdout
    data = cli("assets", "demo", "-k", "Deployment", "-n", "shop", "--json").json()
    assert {a["name"] for a in data["assets"]} >= {"cart", "storefront"}
    assert data["run"]["status"] == "partial"


def test_one_asset_is_shown_with_its_relations(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    run = cli("assets", "demo", "deployment/shop/cart")
    assert run.code == 0
    assert "asset             Deployment/shop/cart" in run.stdout
    assert "runs-as           ServiceAccount/shop/cart" in run.stdout
    data = cli("assets", "demo", "deployment/shop/cart", "--json").json()
    assert data["asset"]["name"] == "cart"
    assert {r["relation_type"] for r in data["outgoing"]} >= {"runs-as", "consumes-secret"}


def test_a_secrets_consumers_say_whether_they_refresh_by_themselves(
    demo: tuple[Cli, Run],
) -> None:
    cli, _ = demo
    run = cli("assets", "demo", "secret/payments/payments-db", "--consumers")
    assert run.code == 0
    out = run.stdout
    assert out.startswith("Secret payments/payments-db\n")
    assert "never refreshes (a subPath file is copied once when the container starts)" in out
    assert "needs a restart (only a new container sees the new value)" in out
    assert out.splitlines()[-1] == "3 consumers, 4 uses: 1 never, 3 restart"
    data = cli("assets", "demo", "secret/shop/storefront-tls", "--consumers", "--json").json()
    (volume,) = [c for c in data["consumers"] if c["via"] == "volume"]
    assert (volume["refresh"], volume["refreshText"]) == (
        "auto",
        "refreshes by itself (the kubelet rewrites mounted files within about 2 minutes)",
    )


@pytest.mark.parametrize(
    ("args", "code", "line"),
    [
        (["assets", "demo", "--consumers"], 2,
         "error: --consumers needs a Secret: assets NAME secret/NS/NAME --consumers"),
        (["assets", "demo", "--kind", "configmap"], 2, None),
        (["assets", "demo", "secret/shop"], 2,
         "error: 'secret/shop' must be kind/namespace/name for a Secret"),
        (["assets", "demo", "secret/shop/none", "--consumers"], 5, None),
        (["assets", "nope"], 5, "error: connector 'nope' not found"),
    ],
)  # fmt: skip
def test_asset_errors_exit_with_one_line(
    demo: tuple[Cli, Run], args: list[str], code: int, line: str | None
) -> None:
    cli, _ = demo
    run = cli(*args)
    assert run.code == code
    assert run.error == line if line else run.error.startswith("error: ")


def test_who_can_lists_subjects_with_provenance(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    run = cli("rbac", "who-can", "demo", "get", "secrets", "-n", "shop")
    assert run.code == 0
    assert run.stdout.startswith("who can get secrets in namespace shop?")
    assert "serviceaccount:ci:deployer" in run.stdout
    assert "RoleBinding shop/ci-deployer -> ClusterRole edit -> rules[" in run.stdout
    assert "caveat: members of system:masters are allowed everything" in run.stdout
    data = cli("rbac", "who-can", "demo", "get", "secrets", "-A", "--json").json()
    assert data["namespace"] == "*"
    keys = {(s["subject"]["kind"], s["subject"]["name"]) for s in data["subjects"]}
    assert ("ServiceAccount", "deployer") in keys
    assert data["inventory"]["connector"] == "demo"


def test_who_can_on_one_named_object_cluster_wide(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    data = cli("rbac", "who-can", "demo", "impersonate", "users", "--name", "x", "--json").json()
    assert (data["namespace"], data["name"]) == ("", "x")
    assert "user:support@example.com" in {
        f"{s['subject']['kind'].lower()}:{s['subject']['name']}" for s in data["subjects"]
    }


def test_permissions_are_listed_per_scope(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    run = cli("rbac", "permissions", "demo", "serviceaccount:ci:deployer")
    assert run.code == 0
    assert run.stdout.startswith("effective permissions of serviceaccount:ci:deployer\n")
    assert any(line.split()[:1] == ["ci"] for line in run.stdout.splitlines())
    data = cli("rbac", "permissions", "demo", "user:alice@example.com", "--json").json()
    assert data["subject"] == {"kind": "User", "name": "alice@example.com"}
    assert data["clusterWide"]
    bad = cli("rbac", "permissions", "demo", "robot")
    assert bad.code == 2 and bad.error.startswith("error: subject 'robot' must be")


def test_findings_list_risks_and_what_was_excluded(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    run = cli("rbac", "findings", "demo")
    assert run.code == 0
    assert "cluster-admin bound to a non-system subject" in run.stdout
    assert "Deployment ci/build-runner" in run.stdout
    assert "excluded by default-bindings (" in run.stdout
    assert "use --all to include them" in run.stdout
    data: dict[str, Any] = cli("rbac", "findings", "demo", "--json").json()
    assert {f["severity"] for f in data["findings"]} <= {"critical", "high", "medium", "low"}
    everything = cli("rbac", "findings", "demo", "--all", "--json").json()
    assert everything["includeAll"] is True
    assert len(everything["findings"]) > len(data["findings"])


def test_rbac_before_any_discovery_exits_5(demo: tuple[Cli, Run], kubesim_cluster: Cluster) -> None:
    cli, _ = demo
    cli.add(kubesim_cluster, "undiscovered", "discovery")
    try:
        run = cli("rbac", "findings", "undiscovered")
        assert (run.code, run.error) == (
            5,
            "error: connector 'undiscovered' has no inventory yet: run 'kubeconnector discover "
            "undiscovered' first",
        )
        listing = cli("assets", "undiscovered")
        assert listing.stdout.startswith("undiscovered was never discovered")
    finally:
        cli("connector", "remove", "undiscovered")


def test_the_ledger_records_each_decryption_for_discovery(demo: tuple[Cli, Run]) -> None:
    cli, _ = demo
    operations = [e.payload["operation"] for e in cli.events("connector.decrypted")]
    assert operations[:1] == ["discover"]
    assert set(operations) == {"discover"}
