"""``kubeconnector users ...``: the HTTP API's users and their bearer tokens.

``users add`` prints the new token once; only its hash is stored, so a lost token is replaced
by removing the user and adding it again.
"""

from __future__ import annotations

from typing import Annotated

import typer

from kubeconnector.cli.common import ActorOption, JsonOption, session
from kubeconnector.cli.errors import guarded
from kubeconnector.cli.render import Output
from kubeconnector.store import Role, UserRepository

app = typer.Typer(no_args_is_help=True, help="HTTP API users and their tokens.")

NameArgument = Annotated[str, typer.Argument(metavar="NAME", help="The user's name.")]


@app.command("add")
@guarded
def add(
    name: NameArgument,
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """Create a user and print their bearer token (shown this once only)."""
    with session(as_user) as current:
        user, token = UserRepository(current.database, current.audit).add(name, role, current.actor)
    data = {**user.model_dump(mode="json"), "token": token}

    def draw(out: Output) -> None:
        out.line(f"user {user.name} ({user.role.value}) created; its token (shown once):")
        out.line(token)

    Output(json_output).emit(data, draw)


@app.command("list")
@guarded
def list_users(as_user: ActorOption = None, json_output: JsonOption = False) -> None:
    """List the users and their roles."""
    with session(as_user) as current:
        users = UserRepository(current.database, current.audit).list()

    def draw(out: Output) -> None:
        for user in users:
            out.line(f"{user.name}\t{user.role.value}\t{user.created_at.isoformat()}")

    Output(json_output).emit([u.model_dump(mode="json") for u in users], draw)


@app.command("remove")
@guarded
def remove(
    name: NameArgument, as_user: ActorOption = None, json_output: JsonOption = False
) -> None:
    """Remove a user; their token stops working at once."""
    with session(as_user) as current:
        removed = UserRepository(current.database, current.audit).remove(name, current.actor)
    data = removed.model_dump(mode="json")
    Output(json_output).emit(data, lambda out: out.line(f"user {removed.name} removed"))
