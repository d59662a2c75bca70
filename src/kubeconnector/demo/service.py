"""``--serve``: the demo cluster behind the HTTP API, with four users to log in as.

The connector is added and discovered with the command line, the users are created with
``kubeconnector users add`` (each prints its login token once), then ``kubeconnector serve``
runs on the demo's home until the demo is interrupted.
"""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.text import Text

from kubeconnector.demo.cluster import DemoCluster
from kubeconnector.demo.errors import DemoFailed
from kubeconnector.demo.shell import Shell
from kubeconnector.demo.story import add_connector, discover, header

USERS = (("admin", "admin"), ("alice", "operator"), ("bob", "approver"), ("carol", "approver"))
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def run_service(console: Console, shell: Shell, cluster: DemoCluster, port: int) -> None:
    """Prepare the connector and the users, run the API, block until interrupted.

    Raises:
        DemoFailed: A command failed, or the server exited or did not answer in time.
    """
    add_connector(console, shell, cluster, 2)
    discover(console, shell, 3)
    header(
        console, 4, "Users",
        "One token per user, shown once and stored as a hash; the role decides what it may do.",
    )  # fmt: skip
    tokens = {name: _add_user(shell, name, role) for name, role in USERS}
    header(console, 5, "The HTTP API", "kubeconnector serve, on the same database and key ring.")
    log_path = Path(shell.env["KUBECONNECTOR_HOME"]).parent / "serve.log"
    with log_path.open("w") as log:
        command = [*shell.program, "serve", "--host", HOST, "--port", str(port)]
        console.print(Text("$ kubeconnector serve --port " + str(port), style="bold cyan"))
        server = subprocess.Popen(command, env=dict(shell.env), stdout=log, stderr=log)
        try:
            url = f"http://{HOST}:{port}/"
            _wait_healthy(url, server)
            _show_logins(console, url, tokens)
            server.wait()
            raise DemoFailed(f"kubeconnector serve exited with code {server.returncode}")
        finally:
            _stop(server)


def _add_user(shell: Shell, name: str, role: str) -> str:
    """Create a user and return its token (the command's output is not echoed: the tokens are
    listed together once the server is up)."""
    shell.console.print(Text(f"$ kubeconnector users add {name} --role {role}", style="bold cyan"))
    output = shell.run(["users", "add", name, "--role", role, "--json"], quiet=True)
    return _token(output)


def _token(output: str) -> str:
    """The token in ``users add --json`` output (a ``token`` field, at the top or one level
    down).

    Raises:
        DemoFailed: The output holds no token (its text is not repeated: it may hold one).
    """
    try:
        document = json.loads(output)
    except ValueError:
        raise DemoFailed("users add printed no JSON document") from None
    candidates = [document] if isinstance(document, dict) else []
    candidates += [v for d in candidates for v in d.values() if isinstance(v, dict)]
    for candidate in candidates:
        token = candidate.get("token")
        if isinstance(token, str) and token:
            return token
    raise DemoFailed("users add printed no token")


def _wait_healthy(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise DemoFailed(f"kubeconnector serve exited with code {server.returncode}")
        try:
            if httpx.get(url + "health", timeout=2.0).status_code == 200:
                return
        except httpx.HTTPError:
            pass  # not listening yet
        time.sleep(0.2)
    raise DemoFailed(f"kubeconnector serve did not answer on {url} within {START_TIMEOUT:.0f}s")


def _show_logins(console: Console, url: str, tokens: dict[str, str]) -> None:
    console.print(Text(f"\nkubeconnector is serving at {url}", style="bold green"))
    for name, role in USERS:
        # One line per user: a table would wrap the tokens and spoil copying them.
        console.print(Text(f"token for {name} ({role}): {tokens[name]}"), soft_wrap=True)
    console.print(Text(f"\nweb console: {url} (log in with a token); API docs: {url}docs"))
    console.print(Text(f"e.g. curl -H 'Authorization: Bearer <token>' {url}me", style="dim"))
    console.print(Text("Ctrl-C stops the server and the cluster.", style="bold"))
    console.file.flush()


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
