"""Go decoder error texts that reach clients: `encoding/base64` and `encoding/json`.

A Secret's `data` values are Go `[]byte`, so a bad value fails base64 decoding with
`illegal base64 data at input byte N`, where N follows Go's decoder exactly (newlines are
skipped, padding is checked). Docker config secrets must hold JSON, and the 422 carries the
`encoding/json` error text.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
_NEWLINES = (0x0A, 0x0D)
_PAD = 0x3D
_CANONICAL = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def _skip_newlines(src: bytes, si: int) -> int:
    while si < len(src) and src[si] in _NEWLINES:
        si += 1
    return si


def _padding_error(src: bytes, si: int, j: int) -> int | None:
    """Go's handling of a `=` seen at quantum position j (si is just past it)."""
    if j < 2:
        return si - 1
    if j == 2:
        si = _skip_newlines(src, si)
        if si == len(src):
            return len(src)
        if src[si] != _PAD:
            return si - 1
        si += 1
    si = _skip_newlines(src, si)
    return si if si < len(src) else None


def corrupt_offset(src: bytes) -> int | None:
    """The byte offset Go's `base64.StdEncoding` reports for src, or None when it decodes."""
    si, n = 0, len(src)
    while True:
        j = 0
        while j < 4:
            if si == n:
                return None if j == 0 else si - j
            c = src[si]
            si += 1
            if c in _ALPHABET:
                j += 1
            elif c in _NEWLINES:
                continue
            elif c != _PAD:
                return si - 1
            else:
                return _padding_error(src, si, j)


def canonical_base64(text: str) -> str | int:
    """Re-encode a base64 value as Go would after a decode/encode round trip.

    Returns:
        The canonical text, or the offset of Go's `illegal base64 data` error.
    """
    if len(text) % 4 == 0 and _CANONICAL.fullmatch(text):
        try:
            return base64.b64encode(base64.b64decode(text)).decode()
        except binascii.Error:
            pass
    raw = text.encode()
    offset = corrupt_offset(raw)
    if offset is not None:
        return offset
    cleaned = raw.replace(b"\n", b"").replace(b"\r", b"")
    return base64.b64encode(base64.b64decode(cleaned)).decode()


def decoded_length(text: Any) -> int:
    """Length in bytes of a (canonical) base64 value without decoding it."""
    if not isinstance(text, str):
        return 0
    padding = 2 if text.endswith("==") else 1 if text.endswith("=") else 0
    return len(text) * 3 // 4 - padding


def json_kind(value: Any) -> str:
    """The JSON kind word Go's unmarshal errors use."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _quote_char(char: str) -> str:
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + json.dumps(char)[1:-1] + "'"


_CONTEXTS = {
    "Expecting value": "looking for beginning of value",
    "Expecting property name enclosed in double quotes": (
        "looking for beginning of object key string"
    ),
    "Expecting ':' delimiter": "after object key",
    "Extra data": "after top-level value",
    "Invalid control character at": "in string literal",
    "Invalid \\escape": "in string escape code",
}


def _innermost(doc: str, pos: int) -> str:
    stack: list[str] = []
    in_string = escaped = False
    for char in doc[:pos]:
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
            stack.append(char)
        elif char in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def json_object_error(data: bytes) -> str | None:
    """The `json.Unmarshal(data, &map[string]interface{}{})` error text, or None if it parses."""
    doc = data.decode("utf-8", errors="replace")
    try:
        value = json.loads(doc, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        return _syntax_error(doc, exc)
    except ValueError:
        return "invalid character 'N' looking for beginning of value"
    if value is None or isinstance(value, dict):
        return None
    kind = json_kind(value)
    return f"json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"


def _syntax_error(doc: str, exc: json.JSONDecodeError) -> str:
    pos = exc.pos
    if pos >= len(doc.rstrip()) or exc.msg.startswith("Unterminated"):
        return "unexpected end of JSON input"
    context = next((text for msg, text in _CONTEXTS.items() if exc.msg.startswith(msg)), "")
    if not context:
        inner = _innermost(doc, pos)
        context = "after object key:value pair" if inner == "{" else "after array element"
    return f"invalid character {_quote_char(doc[pos])} {context}"
