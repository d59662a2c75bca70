"""``kubeconnector discover NAME``: inventory a connector's cluster."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from kubeconnector.cli.common import ActorOption, ConnectorArgument, JsonOption, session
from kubeconnector.cli.errors import guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import inventory as render
from kubeconnector.discovery import ProgressCallback, rich_progress


@guarded
def discover(
    name: ConnectorArgument, as_user: ActorOption = None, json_output: JsonOption = False
) -> None:
    """Discover a connector's cluster: assets, Secret consumers, ServiceAccounts, RBAC, drift.

    Secret values are never fetched. A progress display is drawn on stderr when it is a
    terminal; the summary (or the JSON document) goes to stdout.
    """
    out = Output(json_output)
    display: AbstractContextManager[ProgressCallback | None] = (
        rich_progress() if out.stderr_is_terminal else nullcontext(None)
    )
    with session(as_user) as current:
        first = current.assets.last_run(current.connectors.get(name).id) is None
        with display as progress:
            result = current.discovery.run(name, progress=progress)
    out.emit(result.to_dict(), lambda o: render.discovery(o, name, result, first))
