"""Field errors as Kubernetes renders them (`k8s.io/apimachinery/pkg/util/validation/field`).

A 422 Invalid response aggregates field errors into one message and one cause per error;
both renderings must match the real server byte for byte, so they live here and nowhere else.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from typing import Any


class ErrorType(enum.Enum):
    """The field error types, with the text and the cause reason the server uses."""

    NOT_FOUND = ("Not found", "FieldValueNotFound")
    REQUIRED = ("Required value", "FieldValueRequired")
    DUPLICATE = ("Duplicate value", "FieldValueDuplicate")
    INVALID = ("Invalid value", "FieldValueInvalid")
    NOT_SUPPORTED = ("Unsupported value", "FieldValueNotSupported")
    FORBIDDEN = ("Forbidden", "FieldValueForbidden")
    TOO_LONG = ("Too long", "FieldValueTooLong")
    TOO_MANY = ("Too many", "FieldValueTooMany")
    INTERNAL = ("Internal error", "InternalError")
    TYPE_INVALID = ("Invalid value", "FieldValueTypeInvalid")

    @property
    def text(self) -> str:
        return self.value[0]

    @property
    def cause_reason(self) -> str:
        return self.value[1]


class _Omitted:
    """Marks a field error that carries no bad value (Required, Forbidden, ...)."""

    def __repr__(self) -> str:
        return "OMITTED"


OMITTED: Any = _Omitted()


def go_quote(text: str) -> str:
    """Render a string as Go's `%q` does (close enough for printable text)."""
    return json.dumps(text, ensure_ascii=False)


def go_value(value: Any) -> str:
    """Render a bad value the way `field.Error.Error()` does.

    Strings are quoted, numbers and booleans are plain, everything else uses Go's `%#v`
    rendering of the equivalent Go type.
    """
    if isinstance(value, GoLiteral):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return go_quote(value)
    if isinstance(value, int | float):
        return repr(value)
    if value is None:
        return '"null"'
    if isinstance(value, list | tuple):
        if all(isinstance(item, str) for item in value):
            return "[]string{" + ", ".join(go_quote(item) for item in value) + "}"
        return "[]interface {}{" + ", ".join(go_value(item) for item in value) + "}"
    if isinstance(value, dict):
        if all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            inner = ", ".join(f"{go_quote(k)}:{go_quote(v)}" for k, v in sorted(value.items()))
            return "map[string]string{" + inner + "}"
        inner = ", ".join(f"{go_quote(str(k))}:{go_value(v)}" for k, v in sorted(value.items()))
        return "map[string]interface {}{" + inner + "}"
    return str(value)


@dataclass(frozen=True)
class GoLiteral:
    """A bad value whose Go rendering is given verbatim (e.g. `0x0`, a struct dump)."""

    text: str


@dataclass(frozen=True)
class FieldError:
    """One field error: `<field>: <type text>[: <value>][: <detail>]`."""

    type: ErrorType
    field: str
    bad_value: Any = OMITTED
    detail: str = ""
    supported: tuple[str, ...] = ()

    def body(self) -> str:
        """The error text without the field path (what a Status cause's message holds)."""
        text = self.type.text
        valueless = (
            ErrorType.REQUIRED,
            ErrorType.FORBIDDEN,
            ErrorType.TOO_LONG,
            ErrorType.INTERNAL,
        )
        if self.type not in valueless and self.bad_value is not OMITTED:
            text += f": {go_value(self.bad_value)}"
        detail = self.detail
        if self.type is ErrorType.NOT_SUPPORTED and self.supported:
            detail = "supported values: " + ", ".join(go_quote(s) for s in self.supported)
        return f"{text}: {detail}" if detail else text

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}" if self.field else self.body()

    def cause(self) -> dict[str, str]:
        """The StatusCause this error becomes in a 422 response."""
        return {"reason": self.type.cause_reason, "message": self.body(), "field": self.field}


def aggregate(errors: list[FieldError]) -> str:
    """Join field errors as `utilerrors.NewAggregate` does: one plain, several bracketed."""
    seen: list[str] = []
    for err in errors:
        text = str(err)
        if text not in seen:
            seen.append(text)
    if len(seen) == 1:
        return seen[0]
    return "[" + ", ".join(seen) + "]"


def required(path: str, detail: str = "") -> FieldError:
    return FieldError(ErrorType.REQUIRED, path, detail=detail)


def invalid(path: str, value: Any, detail: str = "") -> FieldError:
    return FieldError(ErrorType.INVALID, path, value, detail)


def forbidden(path: str, detail: str) -> FieldError:
    return FieldError(ErrorType.FORBIDDEN, path, detail=detail)


def not_supported(path: str, value: Any, supported: list[str] | tuple[str, ...]) -> FieldError:
    return FieldError(ErrorType.NOT_SUPPORTED, path, value, supported=tuple(supported))


def too_long(path: str, detail: str) -> FieldError:
    return FieldError(ErrorType.TOO_LONG, path, detail=detail)


def duplicate(path: str, value: Any) -> FieldError:
    return FieldError(ErrorType.DUPLICATE, path, value)


def not_found(path: str, value: Any) -> FieldError:
    return FieldError(ErrorType.NOT_FOUND, path, value)
