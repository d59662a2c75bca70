"""The protocol buffers wire format, read-only: varints and tagged fields.

Only what decoding request bodies needs: a message is split into `(number, wire type, value)`
triples, where the value is an int for varint and fixed-width fields and the raw bytes for
length-delimited ones. Groups (wire types 3 and 4) are obsolete and never produced by
Kubernetes clients, so they are rejected like any other malformed input.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass

VARINT = 0
FIXED64 = 1
BYTES = 2
FIXED32 = 5


class WireError(ValueError):
    """The bytes are not a well-formed protocol buffers message."""


@dataclass(frozen=True)
class Field:
    """One field occurrence: its number, wire type and undecoded value."""

    number: int
    wire: int
    value: int | bytes


def read_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint starting at `pos` and the position after it."""
    result = 0
    shift = 0
    while pos < len(data):
        byte = data[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7
        if shift >= 64:
            break
    raise WireError("truncated or overlong varint")


def _value(data: bytes, pos: int, wire: int) -> tuple[int | bytes, int]:
    if wire == VARINT:
        return read_varint(data, pos)
    if wire == BYTES:
        size, pos = read_varint(data, pos)
        if pos + size > len(data):
            raise WireError("length-delimited field runs past the end of the message")
        return data[pos : pos + size], pos + size
    width = {FIXED64: 8, FIXED32: 4}.get(wire)
    if width is None or pos + width > len(data):
        raise WireError(f"unsupported or truncated wire type {wire}")
    return int.from_bytes(data[pos : pos + width], "little"), pos + width


def fields(data: bytes) -> Iterator[Field]:
    """Every field of a message, in wire order (repeated fields appear once per element)."""
    pos = 0
    while pos < len(data):
        key, pos = read_varint(data, pos)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise WireError("field number 0")
        value, pos = _value(data, pos, wire)
        yield Field(number, wire, value)


def signed(value: int, bits: int = 64) -> int:
    """A varint read as a two's-complement int32/int64 (negative numbers use 10 bytes)."""
    value &= (1 << 64) - 1
    if value >= 1 << (bits - 1) and bits == 64:
        return value - (1 << 64)
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >= 1 << (bits - 1) else value


def packed_varints(data: bytes) -> list[int]:
    """The elements of a packed repeated varint field."""
    out = []
    pos = 0
    while pos < len(data):
        value, pos = read_varint(data, pos)
        out.append(value)
    return out


def double(value: int) -> float:
    """A fixed64 field read as an IEEE 754 double."""
    result: float = struct.unpack("<d", value.to_bytes(8, "little"))[0]
    return result
