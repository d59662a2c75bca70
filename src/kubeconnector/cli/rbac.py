"""``kubeconnector rbac ...``: who-can, effective permissions and risky grants."""

from __future__ import annotations

from typing import Annotated

import typer

from kubeconnector.cli.common import ActorOption, ConnectorArgument, JsonOption, session
from kubeconnector.cli.errors import guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import rbac as render
from kubeconnector.errors import InvalidInput

app = typer.Typer(
    no_args_is_help=True,
    help="Answer RBAC questions from the last discovery (no API call per question).",
)

GroupsOption = Annotated[
    list[str] | None,
    typer.Option("--group", "-g", metavar="GROUP", help="A group the user is in (repeatable)."),
]


@app.command("who-can")
@guarded
def who_can(
    name: ConnectorArgument,
    verb: Annotated[str, typer.Argument(help="get, list, create, impersonate, ...")],
    resource: Annotated[
        str,
        typer.Argument(
            metavar="RESOURCE[/SUB]",
            help="e.g. secrets, deployments.apps, pods/exec, or a URL such as /healthz.",
        ),
    ],
    namespace: Annotated[
        str | None,
        typer.Option(
            "--namespace",
            "-n",
            help="The request's namespace (default: the connector's, else cluster-wide).",
        ),
    ] = None,
    any_namespace: Annotated[
        bool, typer.Option("--all-namespaces", "-A", help="In at least one namespace.")
    ] = False,
    object_name: Annotated[
        str | None, typer.Option("--name", metavar="OBJ", help="One object by name.")
    ] = None,
    group: Annotated[
        str | None, typer.Option("--api-group", help="The API group, when it cannot be inferred.")
    ] = None,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Who may VERB RESOURCE: every subject, with binding -> role -> rule provenance."""
    if namespace and any_namespace:
        raise InvalidInput("give --namespace or --all-namespaces, not both", "namespace")
    with session(as_user) as current:
        scope = "*" if any_namespace else namespace
        if scope is None:
            scope = current.connectors.get(name).namespace or ""
        answer = current.rbac.who_can(
            name, verb, resource, namespace=scope, name=object_name or "", group=group
        )
    Output(json_output).emit(answer, lambda out: render.who_can(out, answer))


@app.command("permissions")
@guarded
def permissions(
    name: ConnectorArgument,
    subject: Annotated[
        str,
        typer.Argument(help="serviceaccount:NS:NAME, user:NAME or group:NAME."),
    ],
    groups: GroupsOption = None,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """A subject's effective rules, cluster-wide and per namespace."""
    with session(as_user) as current:
        answer = current.rbac.permissions(name, subject, groups=groups or ())
    Output(json_output).emit(answer, lambda out: render.permissions(out, answer))


@app.command("findings")
@guarded
def findings(
    name: ConnectorArgument,
    include_all: Annotated[
        bool,
        typer.Option("--all", help="Include built-in grants (turn the exclusion rules off)."),
    ] = False,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Risky grants, most severe first, with provenance and the workloads running as each."""
    with session(as_user) as current:
        answer = current.rbac.findings(name, include_all=include_all)
    Output(json_output).emit(answer, lambda out: render.findings(out, answer))
