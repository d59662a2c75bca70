"""Action parameters as ``POST /change-requests`` takes them, in either of two forms.

The engine takes the CLI's flat ``--param`` form: a mapping of strings such as
``{"value.password": "...", "generate.token": "32", "remove": "a,b", "force": "true"}``.
``GET /actions`` publishes each action's typed parameters model as a JSON schema, so a client
may equally send an object of that shape: ``{"values": {"password": "..."}, "generate":
{"token": 32}, "remove": ["a", "b"], "force": true}``. `flat_params` turns either (or a mix)
into the flat form; the action's own parser then validates it, exactly as for the CLI.

Messages name the parameter, never its value (a value may be a secret).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeconnector.errors import InvalidInput

# A typed mapping field and the prefix its keys take in the flat form (``values.KEY`` is
# ``value.KEY`` there). Every mapping field of every action's parameters model is listed.
MAPPING_PREFIXES: dict[str, str] = {"values": "value.", "generate": "generate.", "env": "env."}
_LIST_SEPARATOR = ","


def flat_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The flat ``--param`` form of ``params``, given flat, typed or mixed.

    Strings pass unchanged; booleans become ``true``/``false``; integers their decimal text;
    lists are joined with commas; ``null`` leaves the parameter out; a mapping field (see
    `MAPPING_PREFIXES`) becomes one ``PREFIX.KEY`` parameter per key.

    Raises:
        InvalidInput: A value of a type no parameter takes, a mapping where none is taken, a
            list item holding a comma, or a parameter given twice (flat and typed).
    """
    flat: dict[str, str] = {}
    for key, value in params.items():
        if isinstance(value, Mapping):
            prefix = MAPPING_PREFIXES.get(key)
            if prefix is None:
                raise InvalidInput(f"params.{key} takes no object", f"params.{key}")
            for sub, item in value.items():
                _put(flat, f"{prefix}{sub}", _scalar(f"params.{key}.{sub}", item))
        elif isinstance(value, list):
            _put(flat, key, _joined(f"params.{key}", value))
        elif value is not None:
            _put(flat, key, _scalar(f"params.{key}", value))
    return flat


def _put(flat: dict[str, str], key: str, text: str) -> None:
    if key in flat:
        raise InvalidInput(f"the parameter {key} is given twice", key)
    flat[key] = text


def _scalar(where: str, value: Any) -> str:
    """A string, boolean or integer as the flat form writes it."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):  # before int: a bool is an int in Python
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    raise InvalidInput(f"{where} must be a string, an integer or a boolean", where)


def _joined(where: str, items: list[Any]) -> str:
    """A list of names as the flat form's comma-separated text."""
    texts = [_scalar(f"{where}[{i}]", item) for i, item in enumerate(items)]
    if any(_LIST_SEPARATOR in text for text in texts):
        raise InvalidInput(f"{where}: an item may not contain a comma", where)
    return _LIST_SEPARATOR.join(texts)
