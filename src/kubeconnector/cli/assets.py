"""``kubeconnector assets NAME [KIND/NS/NAME] [--consumers]``: what discovery found."""

from __future__ import annotations

from typing import Annotated

import typer

from kubeconnector.cli.common import ActorOption, ConnectorArgument, JsonOption, session
from kubeconnector.cli.errors import guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import inventory as render
from kubeconnector.errors import InvalidInput

TargetArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="[KIND/NS/NAME]",
        help="One asset, e.g. secret/shop/db-credentials (kind/name when cluster-scoped).",
    ),
]


@guarded
def assets(
    name: ConnectorArgument,
    target: TargetArgument = None,
    kind: Annotated[
        str | None, typer.Option("--kind", "-k", help="Only this kind (e.g. secret, Deployment).")
    ] = None,
    namespace: Annotated[
        str | None, typer.Option("--namespace", "-n", help="Only this namespace.")
    ] = None,
    consumers: Annotated[
        bool,
        typer.Option(
            "--consumers",
            help="For a Secret: every consumer, how it consumes it, and whether it picks up a "
            "new value by itself, needs a restart, or never does.",
        ),
    ] = False,
    deleted: Annotated[
        bool, typer.Option("--deleted", help="Include assets that have disappeared.")
    ] = False,
    as_user: ActorOption = None,
    json_output: JsonOption = False,
) -> None:
    """List a connector's discovered assets, show one, or show a Secret's consumers."""
    if target is None and consumers:
        raise InvalidInput("--consumers needs a Secret: assets NAME secret/NS/NAME --consumers")
    if target is not None and (kind or namespace or deleted):
        raise InvalidInput("--kind, --namespace and --deleted filter lists, not one asset")
    out = Output(json_output)
    with session(as_user) as current:
        if target is None:
            listing = current.assets.list(
                name, kind=kind, namespace=namespace, include_deleted=deleted
            )
            out.emit(listing, lambda o: render.asset_list(o, listing))
        elif consumers:
            found = current.assets.consumers(name, target)
            out.emit(found, lambda o: render.consumers(o, found))
        else:
            view = current.assets.show(name, target)
            out.emit(view, lambda o: render.asset_view(o, view))
