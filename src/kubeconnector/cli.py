"""The `kubeconnector` command line."""

from __future__ import annotations

import typer

from kubeconnector import __version__

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Governed changes to Kubernetes clusters.")


@app.command()
def version() -> None:
    """Print the kubeconnector version."""
    typer.echo(__version__)


def main() -> None:
    app()
