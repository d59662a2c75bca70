"""``kubeconnector keys rotate``: a new master key, everything resealed in one transaction."""

from __future__ import annotations

import typer

from kubeconnector.cli.common import ActorOption, JsonOption, session
from kubeconnector.cli.errors import guarded
from kubeconnector.cli.render import Output
from kubeconnector.cli.render import connectors as render

app = typer.Typer(no_args_is_help=True, help="Manage the master key ring.")


@app.command("rotate")
@guarded
def rotate(as_user: ActorOption = None, json_output: JsonOption = False) -> None:
    """Make a new active master key and reseal every stored secret with it.

    With the key file, the file is updated and keys no longer used are dropped. With
    KUBECONNECTOR_MASTER_KEY, set it first to '<new-kid>:<key>,<old-kid>:<key>' (new key first);
    the retired keys are then listed for removal from the variable.
    """
    with session(as_user) as current:
        result = current.keys.rotate()
    data = {
        "source": result.source,
        "activeKid": result.active_kid,
        "resealed": result.resealed,
        "retiredKids": list(result.retired_kids),
        "keptKids": list(result.kept_kids),
    }
    Output(json_output).emit(data, lambda out: render.rotation(out, result))
