"""``kubeconnector connector ...``: add, list, show, update, remove and test connectors."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from kubeconnector.cli.common import ActorOption, ConnectorArgument, JsonOption, session
from kubeconnector.cli.errors import exit_code, fail, guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import connectors as render
from kubeconnector.connectors import read_kubeconfig
from kubeconnector.errors import InvalidInput

app = typer.Typer(no_args_is_help=True, help="Register, inspect and test connectors.")

KubeconfigOption = Annotated[
    str,
    typer.Option(
        "--kubeconfig",
        metavar="FILE",
        help="The kubeconfig (kubectl config view --raw); '-' reads it from stdin.",
    ),
]
ContextOption = Annotated[
    str | None,
    typer.Option("--context", help="The context to use (default: the current-context)."),
]
NamespaceOption = Annotated[
    str | None,
    typer.Option("--namespace", "-n", help="Limit discovery to this namespace (default: all)."),
]
EnvironmentOption = Annotated[
    str, typer.Option("--environment", "-e", help="prod, staging or dev.")
]


def load_kubeconfig(source: str) -> str:
    """The kubeconfig text from a file, or from stdin for ``-`` (at most 1 MiB is read).

    Raises:
        InvalidInput: The file cannot be read.
        KubeconfigError: Too large or not UTF-8.
    """
    if source == "-":
        return read_kubeconfig(sys.stdin.buffer)
    try:
        with Path(source).open("rb") as stream:
            return read_kubeconfig(stream)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InvalidInput(
            f"cannot read the kubeconfig {source!r}: {reason}", "kubeconfig"
        ) from None


@app.command("add")
@guarded
def add(
    name: ConnectorArgument,
    kubeconfig: KubeconfigOption,
    context: ContextOption = None,
    namespace: NamespaceOption = None,
    environment: EnvironmentOption = "dev",
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Register a connector; the kubeconfig is validated, then stored encrypted."""
    text = load_kubeconfig(kubeconfig)
    with session(as_user) as current:
        done = current.connectors.add(
            name, text, context=context, namespace=namespace, environment=environment
        )
    Output(json_output).emit(done, lambda out: render.registration(out, done, "added"))


@app.command("list")
@guarded
def list_connectors(as_user: ActorOption = None, json_output: JsonOption = False) -> None:
    """List the connectors, with their warnings."""
    with session(as_user) as current:
        connectors = current.connectors.list()
    data = {"connectors": connectors}
    Output(json_output).emit(data, lambda out: render.connector_list(out, connectors))


@app.command("show")
@guarded
def show(
    name: ConnectorArgument, as_user: ActorOption = None, json_output: JsonOption = False
) -> None:
    """Show one connector, its last discovery and its warnings (never its credentials)."""
    with session(as_user) as current:
        connector = current.connectors.get(name)
        last_run = current.assets.last_run(connector.id)
    data = {"connector": connector, "lastDiscovery": last_run}
    Output(json_output).emit(data, lambda out: render.connector_show(out, connector, last_run))


@app.command("update")
@guarded
def update(
    name: ConnectorArgument,
    kubeconfig: Annotated[
        str | None,
        typer.Option("--kubeconfig", metavar="FILE", help="A new kubeconfig ('-': stdin)."),
    ] = None,
    context: ContextOption = None,
    namespace: NamespaceOption = None,
    all_namespaces: Annotated[
        bool, typer.Option("--all-namespaces", "-A", help="Lift the namespace limit.")
    ] = False,
    environment: Annotated[
        str | None, typer.Option("--environment", "-e", help="prod, staging or dev.")
    ] = None,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Replace a connector's kubeconfig (e.g. after the API server's certificate changed),
    its namespace limit or its environment."""
    text = load_kubeconfig(kubeconfig) if kubeconfig is not None else None
    with session(as_user) as current:
        done = current.connectors.update(
            name,
            kubeconfig=text,
            context=context,
            namespace=namespace,
            all_namespaces=all_namespaces,
            environment=environment,
        )
    Output(json_output).emit(done, lambda out: render.registration(out, done, "updated"))


@app.command("remove")
@guarded
def remove(
    name: ConnectorArgument, as_user: ActorOption = None, json_output: JsonOption = False
) -> None:
    """Remove a connector and its inventory (its ledger events stay)."""
    with session(as_user) as current:
        removed = current.connectors.remove(name)
    data = {"removed": removed}
    Output(json_output).emit(data, lambda out: out.line(f"connector {removed.name} removed"))


@app.command("test")
@guarded
def test(
    name: ConnectorArgument,
    namespaces: Annotated[
        list[str] | None,
        typer.Option(
            "--review-namespace",
            metavar="NS",
            help="Also review the connector's permissions in this namespace (repeatable).",
        ),
    ] = None,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Test the connection: server, version, identity, permissions per action, and the fix.

    Exits 0 when every step worked, even if permissions are missing (they are listed with the
    YAML that grants them); otherwise with the exit code of the failure.
    """
    with session(as_user) as current:
        report = current.connectors.test(name, namespaces=namespaces or ())
    Output(json_output).emit(report, lambda out: render.connection_report(out, report))
    if report.problem is not None:
        fail(report.problem.line, exit_code(report.problem.error))
