"""`kubesim serve`: run an emulated cluster and write a kubeconfig for it."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
import yaml

from kubesim import scenarios
from kubesim.config import SimConfig
from kubesim.server.app import Server
from kubesim.server.emulator import Emulator
from kubesim.settings import apply_overrides

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)


@app.callback()
def _root() -> None:
    """kubesim: a Kubernetes API server emulator."""


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on (0: any free port).")] = 0,
    scenario: Annotated[str, typer.Option(help="demo, large or empty.")] = "demo",
    scale: Annotated[float, typer.Option(help="Size factor of the large scenario.")] = 1.0,
    kubeconfig_out: Annotated[
        Path | None, typer.Option(help="Write a kubeconfig (mode 0600) to this path.")
    ] = None,
    legacy_token_autogen: Annotated[
        bool, typer.Option(help="Behave like a pre-1.24 cluster for ServiceAccount tokens.")
    ] = False,
    setting: Annotated[
        list[str] | None, typer.Option("--set", help="Override a setting: name=value.")
    ] = None,
    ready_json: Annotated[
        bool, typer.Option(help="Print one JSON line {url, kubeconfig} when ready.")
    ] = False,
) -> None:
    """Serve an emulated cluster until interrupted."""
    if scenario not in scenarios.NAMES:
        _fail(f"unknown scenario {scenario!r}; choose one of: {', '.join(scenarios.NAMES)}")
    try:
        config = apply_overrides(
            SimConfig(legacy_token_autogen=legacy_token_autogen), setting or []
        )
    except ValueError as err:
        _fail(str(err))
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    asyncio.run(_serve(config, host, port, scenario, scale, kubeconfig_out, ready_json))


async def _serve(
    config: SimConfig,
    host: str,
    port: int,
    scenario: str,
    scale: float,
    kubeconfig_out: Path | None,
    ready_json: bool,
) -> None:
    emu = Emulator(config, hosts=(host,))
    emu.load(scenario, scale)
    server = Server(emu, host, port)
    url = await server.start()
    if kubeconfig_out is not None:
        write_kubeconfig(kubeconfig_out, yaml.safe_dump(emu.kubeconfig(url), sort_keys=False))
    if ready_json:
        sys.stdout.write(json.dumps({"url": url, "kubeconfig": str(kubeconfig_out or "")}) + "\n")
    else:
        sys.stdout.write(f"kubesim serving scenario {scenario!r} at {url}\n")
        if kubeconfig_out is not None:
            sys.stdout.write(
                f"kubeconfig: {kubeconfig_out} (contexts: admin, connector, "
                "discovery, nobody; current: connector)\n"
            )
    sys.stdout.flush()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await server.stop()


def write_kubeconfig(path: Path, text: str) -> None:
    """Write a file readable by its owner only (it holds a client key and tokens)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.chmod(path, 0o600)


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def main() -> None:
    app()
