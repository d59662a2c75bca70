"""The installed ``kubeconnector`` console script, run as a real process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.kubeconnector.connectors.conftest import kubesim_kubeconfig

from kubesim.runner import Cluster

SCRIPT = Path(sys.executable).parent / "kubeconnector"


def _run(home: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "KUBECONNECTOR_HOME": str(home), "KUBECONNECTOR_USER": "alice"}
    return subprocess.run(
        [str(SCRIPT), *args], input=stdin, env=env, capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def test_the_console_script_prints_its_version(home: Path) -> None:
    done = _run(home, "--version")
    assert (done.returncode, done.stdout, done.stderr) == (0, "0.1.0\n", "")


def test_a_connector_added_from_stdin_is_tested_over_tls(
    home: Path, kubesim_cluster: Cluster
) -> None:
    text = kubesim_kubeconfig(kubesim_cluster, "connector")
    added = _run(home, "connector", "add", "demo", "--kubeconfig", "-", "--json", stdin=text)
    assert added.returncode == 0, added.stderr
    tested = _run(home, "connector", "test", "demo", "--json")
    assert tested.returncode == 0, tested.stderr
    assert '"connected": true' in tested.stdout
    assert '"username": "system:serviceaccount:kubeconnector:connector"' in tested.stdout


def test_a_failing_command_prints_one_line_and_no_traceback(home: Path) -> None:
    done = _run(home, "connector", "show", "missing")
    assert (done.returncode, done.stdout) == (5, "")
    assert done.stderr == "error: connector 'missing' not found\n"
