"""The ``kubeconnector`` command: the root group and the registration of every command group.

Command groups live in one module each (`kubeconnector.cli.connectors`, ``discover``,
``assets``, ``rbac``, ``keys``, ``changes``, ``audit``); rendering lives in
`kubeconnector.cli.render` and failure handling in `kubeconnector.cli.errors`, whose
docstring lists the exit codes. Usage errors (an unknown option, a missing argument) are
reported like every other error: one line on stderr, exit code 2.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Annotated, Any

import typer
import urllib3
from typer.core import TyperGroup

from kubeconnector import __version__
from kubeconnector.cli import (
    assets,
    audit,
    changes,
    connectors,
    discover,
    keys,
    rbac,
    serve,
    users,
)
from kubeconnector.cli.errors import USAGE, usage_line


class OneLineErrors(TyperGroup):
    """The root group: click's usage errors become one ``error:`` line on stderr."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the command line, reporting usage errors on one line."""
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except typer.TyperException as error:
            code = _report_usage(error)
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            code = 1
        if not standalone_mode:
            return code
        sys.exit(code if isinstance(code, int) else 0)


EXIT_CODES_HELP = (
    "Exit codes: 0 success, 1 internal error, 2 usage or invalid input, 3 configuration, "
    "4 kubeconfig refused, 5 not found, 6 already exists, 7 key ring cannot decrypt, "
    "8 database, 10 cluster unreachable, 11 TLS certificate changed, 12 credentials expired "
    "or invalid (401), 13 forbidden (403), 14 other cluster error, 20 change refused or "
    "failed, 130 interrupted."
)


def _report_usage(error: typer.TyperException) -> int:
    if type(error).__name__ == "NoArgsIsHelpError":  # a group run without a command: its help
        typer.echo(error.format_message(), err=True)
        return USAGE
    typer.echo(f"error: {usage_line(error)}", err=True)
    return error.exit_code


app = typer.Typer(
    cls=OneLineErrors,
    name="kubeconnector",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Governed, reversible changes to Kubernetes clusters.",
    epilog=EXIT_CODES_HELP,
)


def _print_version(value: bool) -> None:
    if value:
        typer.echo(__version__)
        raise typer.Exit()


@app.callback()
def root(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Governed, reversible changes to Kubernetes clusters."""
    # Connectors with insecure-skip-tls-verify carry their own warning, shown with every
    # result; urllib3 would otherwise repeat one on stderr for every request.
    warnings.filterwarnings("ignore", category=urllib3.exceptions.InsecureRequestWarning)


@app.command("version")
def version_command() -> None:
    """Print the kubeconnector version."""
    typer.echo(__version__)


app.add_typer(connectors.app, name="connector")
app.command("discover")(discover.discover)
app.command("assets")(assets.assets)
app.add_typer(rbac.app, name="rbac")
app.add_typer(keys.app, name="keys")
app.add_typer(changes.app, name="change")
app.add_typer(audit.app, name="audit")
app.add_typer(users.app, name="users")
app.command("serve")(serve.serve)


def main() -> None:
    """The console script's entry point."""
    app()
