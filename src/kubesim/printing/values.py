"""Tolerant readers of wire objects for the printers.

Printers run on whatever the store holds, so a missing or mistyped field reads as the Go zero
value (the printers work on converted internal objects, where absent means zero).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubesim.printing.timefmt import since

EMPTY: Mapping[str, Any] = {}


def dig(obj: Any, *keys: str) -> Any:
    """The value at a key path, or None when any step is missing or not an object."""
    node = obj
    for key in keys:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def section(obj: Any, *keys: str) -> Mapping[str, Any]:
    """The object at a key path, or an empty mapping."""
    node = dig(obj, *keys)
    return node if isinstance(node, Mapping) else EMPTY


def items(obj: Any, *keys: str) -> list[Any]:
    """The list at a key path, or an empty list."""
    node = dig(obj, *keys)
    return node if isinstance(node, list) else []


def text(obj: Any, *keys: str) -> str:
    """The string at a key path, or ""."""
    node = dig(obj, *keys)
    return node if isinstance(node, str) else ""


def number(obj: Any, *keys: str, default: int = 0) -> int:
    """The integer at a key path, or `default`."""
    node = dig(obj, *keys)
    return node if isinstance(node, int) and not isinstance(node, bool) else default


def count(obj: Any, *keys: str) -> int:
    """`len()` of the list or map at a key path (0 when absent)."""
    node = dig(obj, *keys)
    return len(node) if isinstance(node, list | Mapping) else 0


def name(obj: Mapping[str, Any]) -> str:
    """`metadata.name`."""
    return text(obj, "metadata", "name")


def age(obj: Mapping[str, Any], now: Any) -> str:
    """The Age cell: time since `metadata.creationTimestamp`."""
    return since(dig(obj, "metadata", "creationTimestamp"), now)


def layout_containers(containers: list[Any]) -> tuple[str, str]:
    """`layoutContainerCells`: container names and images, each comma-joined."""
    names = ",".join(text(c, "name") for c in containers)
    images = ",".join(text(c, "image") for c in containers)
    return names, images


def quantity(value: Any) -> str:
    """A resource quantity as printed; absent pointers print as Go's `<nil>`."""
    if value is None:
        return "<nil>"
    return value if isinstance(value, str) else str(value)


def int_or_string(value: Any) -> str:
    """`intstr.IntOrString.String()`."""
    return value if isinstance(value, str) else str(value)
