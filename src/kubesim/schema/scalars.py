"""Scalar checks of the API server's JSON decoder: JSON types, integer ranges, base64, quantities.

Each check mirrors what Go's decoder (or the type's own `UnmarshalJSON`) does with a value, so
the resulting error text can be reported exactly as the real server reports it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kubesim.schema.types import TypeInfo

_INT_RANGES = {"int32": (-(2**31), 2**31 - 1), "int64": (-(2**63), 2**63 - 1)}
_B64 = re.compile(r"[A-Za-z0-9+/]")
QUANTITY_PATTERN = r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$"
_QUANTITY = re.compile(QUANTITY_PATTERN)
_SUFFIXES = {"", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n", "u", "m", "k", "M", "G", "T", "P", "E"}
_EXPONENT = re.compile(r"^[eE][-+]?[0-9]+$")
QUANTITY_FORMAT_ERROR = f"quantities must match the regular expression '{QUANTITY_PATTERN}'"


@dataclass(frozen=True)
class ScalarProblem:
    """Why a scalar does not decode.

    `kind` is `type` (wrong JSON type), `number` (a number the Go integer cannot hold; `text`
    is Go's `number <literal>`) or `raw` (`text` is the complete error message).
    """

    kind: str
    text: str = ""
    go_type: str = ""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _integer_problem(value: Any, go_type: str) -> ScalarProblem | None:
    if not _is_number(value):
        return ScalarProblem("type", go_type=go_type)
    low, high = _INT_RANGES.get(go_type, _INT_RANGES["int64"])
    if isinstance(value, float) or not low <= value <= high:
        return ScalarProblem("number", f"number {value!r}", go_type)
    return None


def base64_error(text: str) -> str | None:
    """Go's `base64.StdEncoding` error for `text` (`illegal base64 data at input byte N`)."""
    position = _base64_corrupt_at(text)
    return None if position is None else f"illegal base64 data at input byte {position}"


def _base64_corrupt_at(src: str) -> int | None:
    si, size = 0, len(src)
    while si < size:
        j = 0
        while j < 4:
            if si == size:
                return None if j == 0 else si - j
            char = src[si]
            si += 1
            if _B64.fullmatch(char):
                j += 1
            elif char in "\r\n":
                continue
            elif char != "=" or j < 2:
                return si - 1
            else:
                return _base64_padding(src, si, j)
    return None


def _base64_padding(src: str, si: int, j: int) -> int | None:
    size = len(src)
    if j == 2:
        while si < size and src[si] in "\r\n":
            si += 1
        if si == size:
            return size
        if src[si] != "=":
            return si - 1
        si += 1
    while si < size and src[si] in "\r\n":
        si += 1
    return si if si < size else None


def quantity_error(value: Any) -> str | None:
    """The `resource.Quantity` parse error for a JSON value, or None if it parses."""
    if value is None or _is_number(value):
        return None
    text = value.strip() if isinstance(value, str) else str(value).lower()
    match = _QUANTITY.match(text)
    if not match:
        return QUANTITY_FORMAT_ERROR
    suffix = match.group(2)
    if suffix not in _SUFFIXES and not _EXPONENT.match(suffix):
        return "unable to parse quantity's suffix"
    return None


def scalar_error(node: TypeInfo, value: Any) -> ScalarProblem | None:
    """What the real decoder says about `value` for the scalar `node` (None if it decodes)."""
    if node.scalar == "int-or-string":
        return None if isinstance(value, str) else _integer_problem(value, "int32")
    if node.scalar == "quantity":
        problem = quantity_error(value)
        return ScalarProblem("raw", problem) if problem else None
    go_type = node.go_type
    if node.scalar == "string":
        if not isinstance(value, str):
            return ScalarProblem("type", go_type=go_type)
        problem = base64_error(value) if node.format == "byte" else None
        return ScalarProblem("raw", problem) if problem else None
    if node.scalar == "integer":
        return _integer_problem(value, go_type)
    if node.scalar == "number":
        return None if _is_number(value) else ScalarProblem("type", go_type=go_type)
    if node.scalar == "boolean":
        return None if isinstance(value, bool) else ScalarProblem("type", go_type=go_type)
    return None
