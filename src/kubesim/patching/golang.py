"""Go renderings of decoded JSON values, for error messages that embed them.

The API server formats values with `fmt`'s `%v` (`map[a:1 b:[x y]]`), names their dynamic
types with `reflect` (`map[string]interface {}`), and reports JSON syntax errors with
encoding/json's wording. These helpers reproduce those renderings for JSON-decoded values.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def go_sprint(value: Any) -> str:
    """`fmt.Sprintf("%v", value)` for a JSON-decoded value (map keys sorted, as fmt does)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, dict):
        inner = " ".join(f"{key}:{go_sprint(value[key])}" for key in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(go_sprint(item) for item in value) + "]"
    return str(value)


def _go_float(value: float) -> str:
    """`%v` of a float64: shortest digits, exponent form outside [1e-4, 1e6) as `%g` does."""
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    parts = Decimal(repr(value)).as_tuple()
    digits = "".join(str(d) for d in parts.digits).rstrip("0") or "0"
    sign = "-" if parts.sign else ""
    if digits == "0":
        return sign + "0"
    exponent = len(parts.digits) + int(parts.exponent) - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    point = exponent + 1
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def go_type_name(value: Any) -> str:
    """`reflect.TypeOf(value).String()` for a JSON-decoded value (`<nil>` for null)."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int64"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "map[string]interface {}"
    return "[]interface {}"


def go_equal(left: Any, right: Any) -> bool:
    """Go's `==` on two interface values holding JSON scalars: same dynamic type and value."""
    return type(left) is type(right) and left == right


def json_kind(value: Any) -> str:
    """The JSON kind Go's decoder names in `cannot unmarshal <kind> into ...`."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _quote_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + char + "'"


def go_syntax_error(raw: bytes | str) -> str | None:
    """encoding/json's syntax error for `raw`, or None if it is valid JSON."""
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    try:
        json.loads(text)
    except json.JSONDecodeError as err:
        return _describe(err, text)
    return None


def _describe(err: json.JSONDecodeError, text: str) -> str:
    position = err.pos
    if position >= len(text) or err.msg.startswith("Unterminated"):
        return "unexpected end of JSON input"
    char = _quote_char(text[position])
    contexts = {
        "Expecting property name": "looking for beginning of object key string",
        "Expecting ':' delimiter": "after object key",
        "Extra data": "after top-level value",
    }
    for prefix, context in contexts.items():
        if err.msg.startswith(prefix):
            return f"invalid character {char} {context}"
    if err.msg.startswith("Expecting ',' delimiter"):
        inside = _enclosing(text, position)
        context = "after object key:value pair" if inside == "{" else "after array element"
        return f"invalid character {char} {context}"
    return f"invalid character {char} looking for beginning of value"


def _enclosing(text: str, position: int) -> str:
    depth: list[str] = []
    in_string = escaped = False
    for char in text[:position]:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth.append(char)
        elif char in "]}" and depth:
            depth.pop()
    return depth[-1] if depth else ""
