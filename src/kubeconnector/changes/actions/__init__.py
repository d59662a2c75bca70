"""The seven actions; `action_for` maps an action id to its implementation.

Each module below defines one action class (``cordon_node`` defines two: cordon and
uncordon); every class with an ``id`` from `ActionId` and an ``execute`` method is
instantiated once, in `ACTIONS`. A module that is not installed is skipped, and asking for its
action then names what is missing.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType
from typing import cast

from kubeconnector.changes.base import Action
from kubeconnector.errors import InvalidInput
from kubeconnector.models.changes import ActionId

MODULES = (
    "rotate_secret",
    "delete_secret",
    "rotate_sa_token",
    "patch_deployment",
    "scale_deployment",
    "cordon_node",
)


def _import(name: str) -> ModuleType | None:
    qualified = f"{__name__}.{name}"
    try:
        return importlib.import_module(qualified)
    except ModuleNotFoundError as exc:
        if exc.name == qualified:
            return None
        raise


def _actions_in(module: ModuleType) -> list[Action]:
    found: list[Action] = []
    for _, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__ or not hasattr(cls, "execute"):
            continue
        if isinstance(getattr(cls, "id", None), ActionId):
            found.append(cast(Action, cls()))
    return found


def _load() -> tuple[Action, ...]:
    loaded = [a for m in MODULES if (mod := _import(m)) is not None for a in _actions_in(mod)]
    order = list(ActionId)
    return tuple(sorted(loaded, key=lambda a: order.index(a.id)))


ACTIONS: tuple[Action, ...] = _load()
"""One instance of every available action, in `ActionId` order."""


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
        InvalidInput: No such action, or its module is not available.
    """
    wanted = parse_action_id(str(action))
    for candidate in ACTIONS:
        if candidate.id == wanted:
            return candidate
    raise InvalidInput(f"action {wanted.value} is not available in this build", "action")
