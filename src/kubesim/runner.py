"""Run a kubesim cluster from Python: in a background thread or as a subprocess.

with kubesim.running(scenario="demo") as cluster:
    config = cluster.kubeconfig(context="connector")
    cluster.control.fault(path="/secrets", status=429, retry_after=1, count=1)
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kubesim.config import SimConfig
from kubesim.control.client import Control
from kubesim.settings import as_pairs


@dataclass
class Cluster:
    """A running cluster: its URL, kubeconfig and control API."""

    url: str
    kubeconfig_path: Path
    control: Control
    _config: dict[str, Any] = field(repr=False)

    def kubeconfig(self, context: str | None = None) -> dict[str, Any]:
        """The kubeconfig (all four contexts), with `context` as current if given."""
        config = copy.deepcopy(self._config)
        if context is not None:
            names = [c["name"] for c in config["contexts"]]
            if context not in names:
                raise ValueError(f"no context {context!r}; contexts: {', '.join(names)}")
            config["current-context"] = context
        return config

    def kubeconfig_yaml(self, context: str | None = None) -> str:
        return yaml.safe_dump(self.kubeconfig(context), sort_keys=False)

    def write_kubeconfig(self, path: Path, context: str | None = None) -> Path:
        """Write the kubeconfig with mode 0600 (it holds a client key and tokens)."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(self.kubeconfig_yaml(context))
        return path


@contextlib.contextmanager
def running(
    scenario: str = "demo",
    *,
    scale: float = 1.0,
    config: SimConfig | None = None,
    mode: str = "process",
    host: str = "127.0.0.1",
) -> Iterator[Cluster]:
    """Start a cluster, wait until its controllers settle, yield it, stop it."""
    config = config or SimConfig()
    with tempfile.TemporaryDirectory(prefix="kubesim-") as tmp:
        path = Path(tmp) / "kubeconfig"
        starter = _in_thread if mode == "thread" else _in_process
        with starter(scenario, scale, config, host, path) as url:
            kubeconfig = yaml.safe_load(path.read_text())
            control = Control(url, kubeconfig)
            try:
                control.settle(120.0)
                yield Cluster(url, path, control, kubeconfig)
            finally:
                control.close()


@contextlib.contextmanager
def _in_process(
    scenario: str, scale: float, config: SimConfig, host: str, path: Path
) -> Iterator[str]:
    args = [
        sys.executable,
        "-m",
        "kubesim",
        "serve",
        "--host",
        host,
        "--port",
        "0",
        "--scenario",
        scenario,
        "--scale",
        str(scale),
        "--kubeconfig-out",
        str(path),
        "--ready-json",
    ]
    for pair in as_pairs(config):
        args += ["--set", pair]
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"kubesim exited before it was ready (code {proc.wait()})")
        yield str(json.loads(line)["url"])
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()


@contextlib.contextmanager
def _in_thread(
    scenario: str, scale: float, config: SimConfig, host: str, path: Path
) -> Iterator[str]:
    from kubesim.cli import write_kubeconfig
    from kubesim.server.app import Server
    from kubesim.server.emulator import Emulator

    loop = asyncio.new_event_loop()
    ready = threading.Event()
    result: dict[str, Any] = {}

    def run() -> None:
        asyncio.set_event_loop(loop)
        try:
            emu = Emulator(config, hosts=(host,))
            emu.load(scenario, scale)
            server = Server(emu, host, 0)
            url = loop.run_until_complete(server.start())
            write_kubeconfig(path, yaml.safe_dump(emu.kubeconfig(url), sort_keys=False))
            result.update(url=url, server=server)
        except BaseException as err:  # surfaced to the caller below
            result["error"] = err
        ready.set()
        if "server" in result:
            loop.run_forever()
            loop.run_until_complete(result["server"].stop())
        loop.close()

    thread = threading.Thread(target=run, name="kubesim", daemon=True)
    thread.start()
    ready.wait()
    if "error" in result:
        raise RuntimeError("kubesim failed to start") from result["error"]
    try:
        yield str(result["url"])
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
