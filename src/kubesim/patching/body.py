"""Decoding patch bodies the way the patch handler does, with Go's error texts.

Raw bodies are parsed here; duplicate keys are turned into strict-decoding complaints
(`duplicate field "spec.replicas"`) and the value handed on is made of plain dicts and lists.
"""

from __future__ import annotations

from typing import Any

from kubesim.api.status import StatusError
from kubesim.patching.golang import go_syntax_error
from kubesim.schema.decoding import load_json


def decode_body(body: Any, prefix: str = "") -> tuple[Any, list[str]]:
    """The decoded patch and its duplicate-key complaints.

    Raw `bytes`/`str` are parsed (400 `<prefix><json error>` if they are not JSON); decoded
    bodies are accepted as they are (those from `load_json` keep their duplicate keys).
    """
    if isinstance(body, bytes | str):
        problem = go_syntax_error(body)
        if problem is not None:
            raise StatusError(400, "BadRequest", prefix + problem)
        body = load_json(body)
    duplicates: list[str] = []
    return _plain(body, "", duplicates), duplicates


def _plain(value: Any, path: str, duplicates: list[str]) -> Any:
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            duplicates.append(f'duplicate field "{path}{key}"')
        return {key: _plain(child, f"{path}{key}.", duplicates) for key, child in value.items()}
    if isinstance(value, list):
        base = path.rstrip(".")
        return [_plain(item, f"{base}[{i}].", duplicates) for i, item in enumerate(value)]
    return value
