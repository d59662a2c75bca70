"""Fixtures for CLI tests: a `Cli` runner with its own KUBECONNECTOR_HOME, kubesim kubeconfigs."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from tests.kubeconnector.connectors.conftest import kubesim_kubeconfig
from typer.testing import CliRunner

from kubeconnector.cli import app
from kubeconnector.models import AuditEvent
from kubeconnector.settings import Settings
from kubeconnector.store import AuditLog, Database
from kubesim.runner import Cluster


@dataclass(frozen=True)
class Run:
    """What one command did."""

    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """stdout as JSON."""
        return json.loads(self.stdout)

    @property
    def error(self) -> str:
        """The single stderr line (asserting there is exactly one)."""
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        return lines[0]


class Cli:
    """Runs ``kubeconnector`` in-process with a given environment.

    Args:
        home: The KUBECONNECTOR_HOME.
        env: More environment variables.
    """

    def __init__(self, home: Path, env: dict[str, str] | None = None) -> None:
        self.home = home
        self.env = {"KUBECONNECTOR_HOME": str(home), "KUBECONNECTOR_USER": "alice", **(env or {})}
        self._runner = CliRunner()

    def __call__(self, *args: str, stdin: str | None = None, **env: str) -> Run:
        result = self._runner.invoke(
            app, list(args), input=stdin, env={**self.env, **env}, catch_exceptions=False
        )
        return Run(result.exit_code, result.stdout, result.stderr)

    def file(self, name: str, text: str) -> str:
        """Write a file under the home's parent and return its path."""
        path = self.home.parent / name
        path.write_text(text)
        return str(path)

    def add(self, cluster: Cluster, name: str, context: str = "connector", *extra: str) -> Run:
        """Register a kubesim context as a connector."""
        path = self.file(f"{name}.kubeconfig", kubesim_kubeconfig(cluster, context))
        return self("connector", "add", name, "--kubeconfig", path, "--context", context, *extra)

    def events(self, event_type: str | None = None) -> list[AuditEvent]:
        """The ledger (of one event type)."""
        settings = Settings.from_env(self.env)
        with Database.open(settings.database_url) as database:
            found = AuditLog(database).list()
        return [e for e in found if event_type is None or e.event_type == event_type]


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    """A CLI with a fresh home (SQLite)."""
    return Cli(tmp_path / "home")


@pytest.fixture
def cli_on(tmp_path: Path, database_url: str) -> Cli:
    """A CLI with a fresh home, on SQLite and on PostgreSQL (the test runs for both)."""
    return Cli(tmp_path / "home", {"KUBECONNECTOR_DATABASE_URL": database_url})


@pytest.fixture(autouse=True)
def _no_faults_left(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "kubesim_cluster" in request.fixturenames:
        cluster: Cluster = request.getfixturevalue("kubesim_cluster")
        cluster.control.clear_faults()


Edit = Callable[[dict[str, Any]], None]
