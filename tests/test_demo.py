"""The README's demo, end to end: the default story and the ``--serve`` mode, as processes."""

from __future__ import annotations

import base64
import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from kubesim.scenarios import demo as demo_scenario

pytestmark = pytest.mark.slow

DEMO = [sys.executable, "-m", "kubeconnector.demo"]
# Data keys whose values are credentials (user names and hosts also appear as plain names).
SECRET_KEY = re.compile(r"pass|secret|token|key|auth|url|dockerconfig|release", re.IGNORECASE)
# What a leaked credential would look like: a JWT, a PEM block (raw or base64), or the
# 32-character generated value.
LEAK_PATTERNS = (
    re.compile(r"eyJhbGciOi"),
    re.compile(r"-----BEGIN"),
    re.compile(r"LS0tLS1CRUdJTi"),
    re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{32}(?![A-Za-z0-9])"),
)


def demo_environment() -> dict[str, str]:
    """This process's environment (already free of kubeconnector settings), unbuffered."""
    return {**os.environ, "PYTHONUNBUFFERED": "1"}


def scenario_secret_values() -> list[str]:
    """Every credential the demo scenario's Secrets hold, decoded."""
    values = []
    for manifest in demo_scenario.objects():
        if manifest["kind"] != "Secret":
            continue
        for key, encoded in (manifest.get("data") or {}).items():
            value = base64.b64decode(encoded).decode(errors="replace")
            if SECRET_KEY.search(key) and len(value) >= 6:
                values.append(value.strip())
    return values


def assert_no_secret(output: str) -> None:
    """No Secret value of the scenario, token, key or generated value is in ``output``."""
    values = scenario_secret_values()
    assert len(values) > 15  # the check below is meaningful only if it has values to look for
    for value in values:
        assert value not in output
    for pattern in LEAK_PATTERNS:
        assert pattern.search(output) is None, pattern.pattern


def assert_discovered_counts(output: str) -> None:
    """Discovery found every Deployment of the scenario, and its Secrets plus the token
    Secrets the emulator makes."""
    scenario = Counter(manifest["kind"] for manifest in demo_scenario.objects())
    found = {
        kind: int(count)
        for kind, count in re.findall(r"^ (Deployment|Secret)\s+(\d+)$", output, re.MULTILINE)
    }
    assert found["Deployment"] == scenario["Deployment"]
    assert found["Secret"] >= scenario["Secret"]


def test_demo_tells_the_whole_story() -> None:
    started = time.monotonic()
    result = subprocess.run(
        DEMO,
        env=demo_environment(),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    expected = [
        r"kubesim listens at https://127\.0\.0\.1:\d+",
        r"\$ kubeconnector connector add demo --kubeconfig \S+ --context connector "
        r"--environment prod",
        r"connector demo added",
        r"\$ kubeconnector connector test demo",
        r"connected\s+yes",
        r"get nodes\s+missing",
        r"rotate-secret\s+yes",
        r"kind: ClusterRole",
        r"discovery of demo: partial",
        r"Node\s+not listed \(forbidden\)",
        r"Deployment shop/cart\s+env\s+cart",
        r"critical\s+rights granted to unauthenticated requests",
        r"risk\s+8/10 high",
        r"approvals\s+0 of 2",
        r"data\.password\s+change\s+hmac:[0-9a-f]+\s+generated: 32 alnum characters",
        r"approvals\s+2 of 2 \(bob, carol\)",
        r"state\s+completed",
        r"restart-deployment/cart\s+done",
        r'"verified": true',
        r"state\s+rolled_back|change\.rolled_back",
        r"rollback of\s+[0-9a-f-]{36}",
        r"\$ kubeconnector audit verify\nledger intact: \d+ events",
        r"demo finished",
    ]
    for pattern in expected:
        assert re.search(pattern, output), pattern
    assert_discovered_counts(output)
    assert_no_secret(output)
    assert elapsed < 90, f"the demo took {elapsed:.0f}s"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def read_until(process: subprocess.Popen[str], pattern: str, timeout: float) -> re.Match[str]:
    """Read the process's output until a line matches; fail with what was read.

    A thread reads the lines into a queue: `select` on the pipe would miss lines already
    buffered by an earlier `readline`.
    """
    lines = _LINES.get(process.pid)
    if lines is None:
        lines = _LINES[process.pid] = queue.Queue()
        threading.Thread(target=_pump, args=(process, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            line = lines.get(timeout=left)
        except queue.Empty:
            break
        if line is None:
            break
        seen.append(line)
        found = re.search(pattern, line)
        if found:
            return found
    tail = "".join(seen[-40:])
    raise AssertionError(f"no line matching {pattern!r} (exit {process.poll()}):\n{tail}")


_LINES: dict[int, queue.Queue[str | None]] = {}


def _pump(process: subprocess.Popen[str], lines: queue.Queue[str | None]) -> None:
    assert process.stdout is not None
    for line in process.stdout:
        lines.put(line)
    lines.put(None)


@pytest.fixture
def serving_demo() -> Iterator[tuple[subprocess.Popen[str], int]]:
    port = free_port()
    process = subprocess.Popen(
        [*DEMO, "--serve", "--port", str(port)],
        env=demo_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: the server and kubesim go with it
    )
    try:
        yield process, port
    finally:
        _stop_group(process)
        if process.stdout is not None:
            process.stdout.close()


def _stop_group(process: subprocess.Popen[str]) -> None:
    """SIGTERM the demo's process group (it cleans up), SIGKILL whatever is left after 20 s."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


def test_demo_serve_runs_the_api_with_its_users(
    serving_demo: tuple[subprocess.Popen[str], int],
) -> None:
    process, port = serving_demo
    url = read_until(process, r"kubeconnector is serving at (http://\S+/)", 120).group(1)
    assert url == f"http://127.0.0.1:{port}/"
    token = read_until(process, r"token for admin \(admin\): (\S+)", 10).group(1)
    read_until(process, r"token for carol \(approver\): \S+", 10)

    health = httpx.get(url + "health", timeout=10)
    assert health.status_code == 200
    assert health.json()["status"] == "ok"
    me = httpx.get(url + "me", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    assert me.status_code == 200
    assert me.json() == {"name": "admin", "role": "admin"}
    assert httpx.get(url + "me", timeout=10).status_code == 401

    process.terminate()  # like Ctrl-C: the demo stops the server and the cluster
    assert process.wait(timeout=60) == 130
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "health", timeout=5)
