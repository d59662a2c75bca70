"""What every command shares: the ``--json`` and ``--as`` options, and the session it runs in."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer

from kubeconnector.session import Session

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print one JSON document instead of tables.")
]
ActorOption = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="USER",
        help="Who is acting, for the ledger (default: KUBECONNECTOR_USER, else the login name).",
    ),
]
ConnectorArgument = Annotated[str, typer.Argument(metavar="NAME", help="The connector's name.")]


@contextmanager
def session(actor: str | None) -> Iterator[Session]:
    """A session configured from the environment, acting as ``actor`` when given."""
    with Session.from_env(actor) as opened:
        yield opened
