"""Typed action parameters from ``--param key=value`` text, with errors that name the field.

`build` validates with pydantic and turns a `ValidationError` into `InvalidInput` naming the
first offending field; the message never repeats the input (it may be a secret value).
Repeated parameters (``remove=a --param remove=b``) reach an action as one comma-separated
value, since the raw parameters are a mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kubeconnector.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)
_TRUE = frozenset({"true", "yes", "1", "on"})
_FALSE = frozenset({"false", "no", "0", "off", ""})
# RFC 1123 label (namespaces) and subdomain (most object names).
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def parse_bool(field: str, text: str) -> bool:
    """``true``/``false`` (also yes/no, 1/0, on/off).

    Raises:
        InvalidInput: Anything else.
    """
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise InvalidInput(f"{field} must be true or false", field)


def parse_int(field: str, text: str) -> int:
    """A decimal integer.

    Raises:
        InvalidInput: Not an integer.
    """
    try:
        return int(text.strip(), 10)
    except ValueError:
        raise InvalidInput(f"{field} must be an integer", field) from None


def split_list(text: str) -> tuple[str, ...]:
    """``a,b , c`` -> ``("a", "b", "c")`` (empty items dropped)."""
    return tuple(item.strip() for item in text.split(",") if item.strip())


def reject_unknown(raw: Mapping[str, str], known: set[str], prefixes: tuple[str, ...]) -> None:
    """Refuse parameters an action does not take.

    Raises:
        InvalidInput: Naming the first unknown parameter.
    """
    for key in raw:
        if key not in known and not key.startswith(prefixes):
            expected = sorted(known) + [f"{p}KEY" for p in prefixes]
            message = f"unknown parameter {key!r}; expected one of: {', '.join(expected)}"
            raise InvalidInput(message, key)


def require(raw: Mapping[str, str], *names: str) -> None:
    """Refuse a missing or empty required parameter.

    Raises:
        InvalidInput: Naming the first missing one.
    """
    for name in names:
        if not str(raw.get(name) or "").strip():
            raise InvalidInput(f"the parameter {name} is required", name)


def build(model: type[M], data: Mapping[str, Any]) -> M:
    """Validate `data` into `model`.

    Raises:
        InvalidInput: Naming the first invalid field (the input itself is never quoted).
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as err:
        first = err.errors(include_input=False, include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or model.__name__
        raise InvalidInput(f"{field}: {first['msg']}", field) from None


def object_ref(raw: Mapping[str, str], field: str = "name") -> dict[str, str]:
    """The ``namespace`` and object name (parameter `field`) every namespaced action takes.

    Raises:
        InvalidInput: Naming the first one missing, empty or not a valid Kubernetes name.
    """
    require(raw, "namespace", field)
    return {
        "namespace": check_name("namespace", raw["namespace"].strip(), DNS_LABEL, 63),
        field: check_name(field, raw[field].strip(), DNS_SUBDOMAIN, 253),
    }


def flag(raw: Mapping[str, str], field: str) -> bool:
    """An optional boolean parameter (false when absent).

    Raises:
        InvalidInput: It is given but is not true or false.
    """
    return parse_bool(field, raw.get(field, ""))


def check_name(field: str, value: str, pattern: re.Pattern[str], limit: int) -> str:
    """A Kubernetes name that matches `pattern` and is at most `limit` characters.

    Raises:
        InvalidInput: It does not.
    """
    if not value or len(value) > limit or not pattern.match(value):
        raise InvalidInput(f"{field} {value!r} is not a valid Kubernetes name", field)
    return value
