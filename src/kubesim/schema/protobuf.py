"""Request bodies in the Kubernetes protobuf encoding, decoded to the JSON a client would send.

Typed clients (kubectl 1.33's `create namespace|secret|token`, `auth can-i`, `auth whoami`...)
post `application/vnd.kubernetes.protobuf`: the magic `k8s\\x00`, then a `runtime.Unknown`
whose TypeMeta names the kind and whose `raw` holds the object's message. Field numbers and
types come from `protobuf_types.json`, the FileDescriptorProtos that k8s.io/api v0.33 registers
for the served groups (with gogo's `nullable` option recorded as the `p` flag).

The result is what Go's JSON encoder would make of the same Go struct, up to omitted zero
values: the Go marshaller writes every non-pointer field, so a zero scalar there means "unset"
and is dropped (decoding JSON into Go gives the same struct either way), while a present
pointer field keeps its value even when it is zero (`replicas: 0`, `immutable: false`).
"""

from __future__ import annotations

import base64
import datetime
import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kubesim.schema import protowire
from kubesim.schema.protowire import Field, WireError

CONTENT_TYPE = "application/vnd.kubernetes.protobuf"
MAGIC = b"k8s\x00"
_TABLE = Path(__file__).with_name("protobuf_types.json")


class ProtobufError(ValueError):
    """The body is not a Kubernetes protobuf object this server can decode."""


@dataclass(frozen=True)
class Row:
    """One field of a message: JSON name, scalar code, flags and message type."""

    name: str
    code: str
    repeated: bool
    pointer: bool
    type_name: str


@dataclass(frozen=True)
class Table:
    """Messages by full name (field number -> Row) and message names by `apiVersion/kind`."""

    messages: Mapping[str, Mapping[int, Row]]
    kinds: Mapping[str, str]


def _row(entry: list[Any]) -> Row:
    code, flags = entry[2][0], entry[2][1:]
    type_name = entry[3] if len(entry) > 3 else ""
    return Row(entry[1], code, "r" in flags, "p" in flags, type_name)


@functools.cache
def table() -> Table:
    """The decoding table, read once per process."""
    doc = json.loads(_TABLE.read_text())
    messages = {name: {int(e[0]): _row(e) for e in rows} for name, rows in doc["messages"].items()}
    return Table(messages, doc["kinds"])


def decode_object(body: bytes) -> dict[str, Any]:
    """The object in a protobuf request body, as a JSON-like dict with apiVersion and kind.

    Raises:
        ProtobufError: the magic prefix is missing, the wire data is malformed, or the kind
            is not one this server knows.
    """
    if not body.startswith(MAGIC):
        raise ProtobufError("provided data does not appear to be a protobuf message")
    try:
        api_version, kind, raw = _unknown(body[len(MAGIC) :])
        name = table().kinds.get(f"{api_version}/{kind}")
        if name is None:
            raise ProtobufError(f'no kind "{kind}" is registered for version "{api_version}"')
        obj = {"kind": kind, "apiVersion": api_version}
        obj.update(message(name, raw))
        return obj
    except (WireError, UnicodeDecodeError) as err:
        raise ProtobufError(str(err)) from err


def _unknown(data: bytes) -> tuple[str, str, bytes]:
    """`runtime.Unknown`: typeMeta (1) {apiVersion (1), kind (2)}, raw (2)."""
    api_version = kind = ""
    raw = b""
    for field in protowire.fields(data):
        if field.number == 1 and isinstance(field.value, bytes):
            for meta in protowire.fields(field.value):
                if isinstance(meta.value, bytes) and meta.number in (1, 2):
                    text = meta.value.decode()
                    api_version, kind = (text, kind) if meta.number == 1 else (api_version, text)
        elif field.number == 2 and isinstance(field.value, bytes):
            raw = field.value
    return api_version, kind, raw


def message(name: str, data: bytes) -> Any:
    """One message as JSON: special wire types get their JSON form, others become dicts."""
    special = _SPECIAL.get(name.rsplit(".", 1)[-1])
    raw = _collect(name, data)
    return special(raw) if special else _jsonify(name, raw)


def _collect(name: str, data: bytes) -> dict[int, list[Field]]:
    """Field occurrences grouped by number (unknown numbers kept; callers pick what they need)."""
    grouped: dict[int, list[Field]] = {}
    for field in protowire.fields(data):
        grouped.setdefault(field.number, []).append(field)
    if name not in table().messages:
        raise ProtobufError(f"no protobuf definition for {name}")
    return grouped


def _jsonify(name: str, grouped: Mapping[int, list[Field]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, row in table().messages[name].items():
        occurrences = grouped.get(number)
        if not occurrences:
            continue
        value = _field_value(row, occurrences)
        if value is not _ABSENT:
            out[row.name] = value
    return out


_ABSENT = object()


def _field_value(row: Row, occurrences: list[Field]) -> Any:
    if row.code == "M":
        entries = dict(_map_entry(row, f) for f in occurrences)
        return entries or _ABSENT
    if row.repeated:
        values = [v for f in occurrences for v in _repeated(row, f)]
        return values or _ABSENT
    value = _single(row, occurrences[-1])
    if row.pointer:
        return value
    return _ABSENT if _is_zero(row, value) else value


def _is_zero(row: Row, value: Any) -> bool:
    # Go writes every non-pointer struct, a zero Time as null: only scalars are dropped.
    return row.code != "m" and not value


def _repeated(row: Row, field: Field) -> list[Any]:
    if row.code in _VARINT_CODES and isinstance(field.value, bytes):
        return [_scalar(row.code, v) for v in protowire.packed_varints(field.value)]
    return [_single(row, field)]


def _single(row: Row, field: Field) -> Any:
    if row.code == "m":
        return message(row.type_name, _bytes(field))
    return _scalar(row.code, field.value)


def _map_entry(row: Row, field: Field) -> tuple[str, Any]:
    key, value = "", None
    for part in protowire.fields(_bytes(field)):
        if part.number == 1:
            key = _bytes(part).decode()
        elif part.number == 2:
            value = _map_value(row.type_name, part)
    if value is None:
        value = _map_value(row.type_name, None)
    return key, value


def _map_value(value_type: str, field: Field | None) -> Any:
    """Map values: a scalar code (`s`, `y`...) or a message name."""
    if len(value_type) == 1:
        if field is None:
            return {"s": "", "y": ""}.get(value_type, 0)
        return _scalar(value_type, field.value)
    return message(value_type, b"" if field is None else _bytes(field))


def _bytes(field: Field) -> bytes:
    if not isinstance(field.value, bytes):
        raise WireError(f"field {field.number} should be length-delimited")
    return field.value


_VARINT_CODES = frozenset("iubz")


def _scalar(code: str, value: int | bytes) -> Any:
    if isinstance(value, bytes):
        if code == "s":
            return value.decode()
        if code == "y":
            return base64.b64encode(value).decode()
        raise WireError("length-delimited data where a number was expected")
    converters: dict[str, Callable[[int], Any]] = {
        "i": protowire.signed,
        "u": int,
        "b": bool,
        "z": lambda v: (v >> 1) ^ -(v & 1),
        "d": protowire.double,
    }
    converter = converters.get(code)
    if converter is None:
        raise WireError(f"a number where type {code!r} was expected")
    return converter(value)


def _first(grouped: Mapping[int, list[Field]], number: int) -> int | bytes | None:
    occurrences = grouped.get(number)
    return occurrences[-1].value if occurrences else None


def _time(grouped: Mapping[int, list[Field]], fraction: bool) -> str | None:
    seconds, nanos = _first(grouped, 1), _first(grouped, 2)
    if not isinstance(seconds, int) and not isinstance(nanos, int):
        return None
    seconds = protowire.signed(seconds) if isinstance(seconds, int) else 0
    nanos = protowire.signed(nanos) if isinstance(nanos, int) else 0
    moment = datetime.datetime.fromtimestamp(seconds, datetime.UTC)
    if fraction:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{nanos // 1000:06d}Z"
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _int_or_string(grouped: Mapping[int, list[Field]]) -> int | str:
    kind, number, text = _first(grouped, 1), _first(grouped, 2), _first(grouped, 3)
    if kind == 1:
        return text.decode() if isinstance(text, bytes) else ""
    return protowire.signed(number) if isinstance(number, int) else 0


def _string(grouped: Mapping[int, list[Field]]) -> str:
    value = _first(grouped, 1)
    return value.decode() if isinstance(value, bytes) else ""


def _raw_json(grouped: Mapping[int, list[Field]]) -> Any:
    """RawExtension and FieldsV1 carry JSON bytes; a protobuf-encoded raw object is decoded."""
    value = _first(grouped, 1)
    if not isinstance(value, bytes) or not value:
        return None
    if value.startswith(MAGIC):
        return decode_object(value)
    try:
        return json.loads(value)
    except ValueError as err:
        raise ProtobufError(f"embedded object is not JSON: {err}") from err


def _strings(grouped: Mapping[int, list[Field]]) -> list[str]:
    return [_bytes(f).decode() for f in grouped.get(1, [])]


_SPECIAL: dict[str, Callable[[Mapping[int, list[Field]]], Any]] = {
    "Time": lambda g: _time(g, False),
    "MicroTime": lambda g: _time(g, True),
    "IntOrString": _int_or_string,
    "Quantity": _string,
    "RawExtension": _raw_json,
    "FieldsV1": _raw_json,
    "ExtraValue": _strings,
}
