"""``kubeconnector connector add|list|show|update|remove`` in table and JSON form."""

from __future__ import annotations

from typing import Any

import pytest
from tests.kubeconnector.cli.conftest import Cli
from tests.kubeconnector.connectors.test_connectors_refusals import REFUSALS
from tests.kubeconnector.kube.kubefixtures import TOKEN, document, dump, secret_fragments

INSECURE = document(cluster={"insecure-skip-tls-verify": True, "certificate-authority-data": None})
INSECURE_WARNING = (
    'cluster "prod" sets insecure-skip-tls-verify: the API server\'s certificate is not '
    "verified, so the connection can be intercepted"
)


def _add(cli: Cli, name: str = "prod-k8s", doc: Any = None, *extra: str) -> Any:
    path = cli.file(f"{name}.yaml", dump(doc or document()))
    return cli("connector", "add", name, "--kubeconfig", path, *extra)


def test_add_prints_the_connector_and_its_kubeconfig_summary(cli_on: Cli) -> None:
    run = _add(cli_on, "prod-k8s", None, "--environment", "prod", "-n", "apps")
    assert (run.code, run.stderr) == (0, "")
    assert run.stdout.startswith("connector prod-k8s added\n")
    for line in ("environment      prod", "discovery scope  apps", "authentication   token",
                 "server           https://k8s.example.com:6443"):  # fmt: skip
        assert line in run.stdout
    assert TOKEN not in run.stdout


def test_add_json_prints_the_registration(cli_on: Cli) -> None:
    data = _add(cli_on, "prod-k8s", None, "--json").json()
    assert data["connector"]["name"] == "prod-k8s"
    assert data["connector"]["environment"] == "dev"
    assert data["kubeconfig"]["authKind"] == "token"
    assert data["notices"] == []
    assert [e.event_type for e in cli_on.events()] == ["connector.created"]


def test_add_reads_the_kubeconfig_from_stdin(cli: Cli) -> None:
    run = cli("connector", "add", "piped", "--kubeconfig", "-", "--json", stdin=dump(document()))
    assert run.code == 0
    assert run.json()["connector"]["context"] == "prod-ctx"


def test_list_shows_every_connector_and_their_warnings(cli_on: Cli) -> None:
    _add(cli_on, "prod-k8s")
    _add(cli_on, "lab", INSECURE)
    run = cli_on("connector", "list")
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["NAME", "ENV", "SERVER", "CONTEXT", "SCOPE", "WARNINGS"]
    assert lines[2].split()[:2] == ["lab", "dev"] and "1 (see below)" in lines[2]
    assert lines[3].split()[0] == "prod-k8s"
    assert lines[-1] == f"warning: lab: {INSECURE_WARNING}"
    data = cli_on("connector", "list", "--json").json()
    assert [(c["name"], c["warnings"]) for c in data["connectors"]] == [
        ("lab", [INSECURE_WARNING]),
        ("prod-k8s", []),
    ]


def test_list_without_connectors_says_how_to_add_one(cli: Cli) -> None:
    assert cli("connector", "list").stdout == (
        "no connectors; add one with 'kubeconnector connector add NAME --kubeconfig FILE'\n"
    )
    assert cli("connector", "list", "--json").json() == {"connectors": []}


def test_show_prints_the_fields_the_last_discovery_and_the_warnings(cli_on: Cli) -> None:
    _add(cli_on, "lab", INSECURE)
    run = cli_on("connector", "show", "lab")
    assert run.code == 0
    assert "last discovery   never" in run.stdout
    assert run.stdout.splitlines()[-1] == f"warning: {INSECURE_WARNING}"
    data = cli_on("connector", "show", "lab", "--json").json()
    assert (data["connector"]["name"], data["lastDiscovery"]) == ("lab", None)
    assert data["connector"]["warnings"] == [INSECURE_WARNING]


def test_update_replaces_the_kubeconfig_and_scope(cli_on: Cli) -> None:
    _add(cli_on, "prod-k8s", None, "-n", "apps")
    path = cli_on.file("new.yaml", dump(document(cluster={"server": "https://new.example.com"})))
    run = cli_on("connector", "update", "prod-k8s", "--kubeconfig", path, "-A", "-e", "staging")
    assert run.code == 0
    assert run.stdout.startswith("connector prod-k8s updated\n")
    data = cli_on("connector", "show", "prod-k8s", "--json").json()["connector"]
    assert (data["server"], data["namespace"], data["environment"]) == (
        "https://new.example.com",
        None,
        "staging",
    )
    updated = cli_on("connector", "update", "prod-k8s", "-n", "shop", "--json").json()
    assert (updated["connector"]["namespace"], updated["kubeconfig"]) == ("shop", None)


def test_remove_deletes_the_connector_and_then_it_is_not_found(cli_on: Cli) -> None:
    _add(cli_on, "prod-k8s")
    _add(cli_on, "other")
    assert cli_on("connector", "remove", "prod-k8s").stdout == "connector prod-k8s removed\n"
    assert cli_on("connector", "remove", "other", "--json").json()["removed"]["name"] == "other"
    missing = cli_on("connector", "show", "prod-k8s")
    assert (missing.code, missing.stdout) == (5, "")
    assert missing.error == "error: connector 'prod-k8s' not found"


def test_a_taken_name_exits_6(cli: Cli) -> None:
    _add(cli, "prod-k8s")
    run = _add(cli, "prod-k8s")
    assert run.code == 6
    assert run.error == "error: a connector named 'prod-k8s' already exists"


@pytest.mark.parametrize(
    ("doc", "context", "code", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in REFUSALS],
)
def test_a_refused_kubeconfig_exits_4_with_one_line_and_stores_nothing(
    cli: Cli, doc: Any, context: str | None, code: str, words: str
) -> None:
    path = cli.file("bad.yaml", doc if isinstance(doc, str) else dump(doc))
    args = ["connector", "add", "bad", "--kubeconfig", path]
    run = cli(*args, *(["--context", context] if context else []))
    assert (run.code, run.stdout) == (4, "")
    assert run.error.startswith(f"error: kubeconfig refused ({code}): ")
    assert words in run.error
    if isinstance(doc, dict):
        assert [s for s in secret_fragments(doc) if s in run.stderr] == []
    assert cli("connector", "list", "--json").json() == {"connectors": []}
    assert cli.events() == []


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["connector", "add", "x", "--kubeconfig", "/no/such/file"],
         "error: cannot read the kubeconfig '/no/such/file': No such file or directory"),
        (["connector", "list", "--bogus"],
         "error: No such option: --bogus (see 'kubeconnector connector list --help')"),
        (["connector", "show"],
         "error: Missing argument 'NAME'. (see 'kubeconnector connector show --help')"),
        (["nonsense"], "error: No such command 'nonsense'. (see 'kubeconnector --help')"),
        (["connector", "update", "x", "--context", "c"],
         "error: connector 'x' not found"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_on_stderr(cli: Cli, args: list[str], line: str) -> None:
    run = cli(*args)
    assert run.code in (2, 5)
    assert run.error == line
    assert "Traceback" not in run.stderr


def test_a_bad_environment_or_name_exits_2(cli: Cli) -> None:
    bad_env = _add(cli, "prod-k8s", None, "--environment", "production")
    assert (bad_env.code, bad_env.error) == (
        2,
        "error: environment 'production' is not one of prod, staging, dev",
    )
    bad_name = _add(cli, "prod k8s")
    assert bad_name.code == 2 and bad_name.error.startswith("error: connector name 'prod k8s'")


def test_the_acting_user_comes_from_as_or_the_environment(cli: Cli) -> None:
    _add(cli, "one")
    _add(cli, "two", None, "--as", "bob")
    cli("connector", "remove", "one", KUBECONNECTOR_USER="carol")
    assert [(e.event_type, e.actor) for e in cli.events()] == [
        ("connector.created", "alice"),
        ("connector.created", "bob"),
        ("connector.removed", "carol"),
    ]


def test_the_version_is_printed(cli: Cli) -> None:
    assert cli("--version").stdout == "0.1.0\n"
    assert cli("version").stdout == "0.1.0\n"
