"""The seven actions; `action_for` maps an action id to its implementation.

Each module below defines one action class (``cordon_node`` defines two: cordon and
uncordon); `ACTIONS` holds one instance of each.
"""

from __future__ import annotations

from kubeconnector.changes.actions.cordon_node import CordonNode, UncordonNode
from kubeconnector.changes.actions.delete_secret import DeleteSecret
from kubeconnector.changes.actions.patch_deployment import PatchDeployment
from kubeconnector.changes.actions.rotate_sa_token import RotateSaToken
from kubeconnector.changes.actions.rotate_secret import RotateSecret
from kubeconnector.changes.actions.scale_deployment import ScaleDeployment
from kubeconnector.changes.base import Action
from kubeconnector.errors import InvalidInput
from kubeconnector.models.changes import ActionId

_ALL: tuple[Action, ...] = (
    RotateSecret(),
    DeleteSecret(),
    RotateSaToken(),
    PatchDeployment(),
    ScaleDeployment(),
    CordonNode(),
    UncordonNode(),
)
ACTIONS: tuple[Action, ...] = tuple(sorted(_ALL, key=lambda a: list(ActionId).index(a.id)))
"""One instance of every action, in `ActionId` order."""


def parse_action_id(value: str) -> ActionId:
    """The action id named by ``value``.

    Raises:
        InvalidInput: ``value`` names no action (the message lists them).
    """
    try:
        return ActionId(value)
    except ValueError:
        names = ", ".join(a.value for a in ActionId)
        raise InvalidInput(f"unknown action {value!r}; actions: {names}", "action") from None


def action_for(action: ActionId | str) -> Action:
    """The implementation of an action.

    Raises:
        InvalidInput: No such action.
    """
    wanted = parse_action_id(str(action))
    return next(candidate for candidate in ACTIONS if candidate.id == wanted)
