"""The demo cluster: ``kubesim serve --scenario demo`` as a child process.

kubeconnector never imports kubesim, so the cluster is started as a process and known only by
the one JSON line it prints when ready (``{url, kubeconfig}``) and the kubeconfig it writes.
Before the story starts, kubesim's control API is asked to let its controllers settle, so the
first discovery sees every Pod the scenario's workloads will have.
"""

from __future__ import annotations

import base64
import json
import os
import select
import ssl
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

from kubeconnector.demo.errors import DemoFailed

START_TIMEOUT = 60.0
SETTLE_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


@dataclass(frozen=True)
class DemoCluster:
    """A running kubesim: where it listens and the kubeconfig it wrote (contexts admin,
    connector, discovery, nobody)."""

    url: str
    kubeconfig: Path


@contextmanager
def demo_cluster(workdir: Path) -> Iterator[DemoCluster]:
    """Start kubesim with the demo scenario, wait until it has settled, stop it on exit.

    The process is stopped however the block ends (an error, Ctrl-C, SIGTERM turned into
    SystemExit).

    Raises:
        DemoFailed: kubesim exited or stayed silent before it was ready.
    """
    kubeconfig = workdir / "kubesim-kubeconfig.yaml"
    log = (workdir / "kubesim.log").open("w")
    command = [
        sys.executable, "-m", "kubesim", "serve", "--scenario", "demo", "--port", "0",
        "--kubeconfig-out", str(kubeconfig), "--ready-json",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        url = _ready_url(process)
        cluster = DemoCluster(url=url, kubeconfig=kubeconfig)
        _settle(cluster, workdir)
        yield cluster
    finally:
        _stop(process)
        log.close()


def _ready_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    readable, _, _ = select.select([process.stdout], [], [], START_TIMEOUT)
    line = process.stdout.readline() if readable else ""
    if not line:
        raise DemoFailed("kubesim did not start (see kubesim.log in the demo's directory)")
    return str(json.loads(line)["url"])


def _settle(cluster: DemoCluster, workdir: Path) -> None:
    """Ask the control API to wait until the controllers have no work due soon."""
    config = yaml.safe_load(cluster.kubeconfig.read_text())
    with httpx.Client(
        base_url=cluster.url, verify=_admin_tls(config, workdir), timeout=SETTLE_TIMEOUT + 10
    ) as client:
        response = client.post("/kubesim/v1/settle", params={"timeout": SETTLE_TIMEOUT})
    if response.status_code >= 400 and response.status_code != 504:
        raise DemoFailed(f"kubesim did not settle (HTTP {response.status_code})")


def _admin_tls(config: dict[str, Any], workdir: Path) -> ssl.SSLContext:
    """TLS trusting the cluster's CA and presenting its admin client certificate.

    The certificate and key are written (mode 0600) to the demo's private directory only
    because `ssl` loads client certificates from files.
    """
    cluster = config["clusters"][0]["cluster"]
    user = next(entry["user"] for entry in config["users"] if entry["name"] == "admin")
    context = ssl.create_default_context(
        cadata=base64.b64decode(cluster["certificate-authority-data"]).decode()
    )
    cert, key = workdir / "admin.crt", workdir / "admin.key"
    for path, field in ((cert, "client-certificate-data"), (key, "client-key-data")):
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(base64.b64decode(user[field]))
    context.load_cert_chain(cert, key)
    return context


def _stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stdout is not None:
        process.stdout.close()
