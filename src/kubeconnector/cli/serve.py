"""``kubeconnector serve``: run the HTTP API (and the web console, when installed)."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from kubeconnector.api import ApiOptions, Limits, create_app
from kubeconnector.cli.errors import guarded
from kubeconnector.settings import Settings


@guarded
def serve(
    host: Annotated[str, typer.Option("--host", help="The address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="The port.")] = 8080,
    rate: Annotated[
        float, typer.Option("--rate", min=0.1, help="Requests per second per token.")
    ] = 20.0,
    burst: Annotated[int, typer.Option("--burst", min=1, help="Requests at once per token.")] = 100,
) -> None:
    """Serve the HTTP API on the CLI's database and key ring (tokens: ``users add``)."""
    import uvicorn  # only this command needs the server

    settings = Settings.from_env(os.environ)
    options = ApiOptions(limits=Limits(rate=rate, burst=burst))
    uvicorn.run(create_app(settings, options), host=host, port=port, log_level="info")
