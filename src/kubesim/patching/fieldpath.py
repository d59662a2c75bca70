"""Field paths and field sets in the `FieldsV1` encoding used by `metadata.managedFields`.

A path is a tuple of path elements, each kept in its FieldsV1 spelling: `f:<field>`,
`k:<json object of the list-map keys>`, `v:<json value>` (set items) or `i:<index>`. A field
set is a frozenset of member paths; FieldsV1 trees are produced and read here, with children
ordered as structured-merge-diff orders path elements, and `.` marking a member that also has
children.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

Path = tuple[str, ...]
FieldSet = frozenset[Path]
EMPTY: FieldSet = frozenset()


def go_json(value: Any) -> str:
    """Compact JSON with Go's HTML escaping (as FieldsV1 keys and values are written)."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def field(name: str) -> str:
    """The path element of a struct field or map key."""
    return "f:" + name


def key(fields: dict[str, Any]) -> str:
    """The path element of a list-map item, from its key fields."""
    return "k:" + go_json(dict(sorted(fields.items())))


def value(item: Any) -> str:
    """The path element of a set item."""
    return "v:" + go_json(item)


def _value_order(item: Any) -> tuple[Any, ...]:
    """structured-merge-diff's total order on values: numbers, strings, bools, lists, maps, null."""
    if isinstance(item, bool):
        return (2, item)
    if isinstance(item, int | float):
        return (0, item)
    if isinstance(item, str):
        return (1, item)
    if isinstance(item, list):
        return (3, tuple(_value_order(x) for x in item))
    if isinstance(item, dict):
        return (4, tuple((k, _value_order(v)) for k, v in sorted(item.items())))
    return (5,)


def element_order(element: str) -> tuple[Any, ...]:
    """Sort key of one path element: fields, then keys, then values, then indexes."""
    kind, body = element[:2], element[2:]
    if kind == "f:":
        return (0, body)
    if kind == "k:":
        fields = json.loads(body)
        return (1, tuple((name, _value_order(fields[name])) for name in sorted(fields)))
    if kind == "v:":
        return (2, _value_order(json.loads(body)))
    return (3, int(body) if body.lstrip("-").isdigit() else 0)


def element_string(element: str) -> str:
    """The element as `fieldpath.Path.String()` prints it (`.spec`, `[name="app"]`)."""
    kind, body = element[:2], element[2:]
    if kind == "f:":
        return "." + body
    if kind == "k:":
        fields = json.loads(body)
        return "[" + ",".join(f"{name}={go_json(fields[name])}" for name in fields) + "]"
    if kind == "v:":
        return f"[={body}]"
    return f"[{body}]"


def path_string(path: Path) -> str:
    """A path as conflict messages print it: `.spec.template.spec.containers[name="app"].image`."""
    return "".join(element_string(element) for element in path)


def path_order(path: Path) -> tuple[tuple[Any, ...], ...]:
    """Sort key of a whole path (element by element, shorter first on ties)."""
    return tuple(element_order(element) for element in path)


def _tree(members: Iterable[Path]) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for path in members:
        node = root
        for element in path:
            node = node.setdefault(element, {})
        node["."] = {}
    return root


def _emit(node: dict[str, Any], member: bool) -> dict[str, Any]:
    children = sorted((k for k in node if k != "."), key=element_order)
    out: dict[str, Any] = {}
    if member and children:
        out["."] = {}
    for child in children:
        grand = node[child]
        out[child] = _emit(grand, "." in grand)
    return out


def to_fields_v1(members: Iterable[Path]) -> dict[str, Any]:
    """The FieldsV1 tree of a field set."""
    return _emit(_tree(members), False)


def from_fields_v1(tree: Any) -> FieldSet:
    """The field set a FieldsV1 tree encodes (raises ValueError if it is malformed)."""
    if not isinstance(tree, dict):
        raise ValueError("FieldsV1 must be an object")
    found: list[Path] = []
    _collect(tree, (), found)
    return frozenset(found)


def _collect(node: dict[str, Any], prefix: Path, found: list[Path]) -> None:
    for name, child in node.items():
        if name == ".":
            continue
        if name[:2] not in ("f:", "k:", "v:", "i:") or not isinstance(child, dict):
            raise ValueError(f"invalid FieldsV1 element {name!r}")
        path = (*prefix, name)
        if not child or "." in child:
            found.append(path)
        _collect(child, path, found)


def sorted_paths(members: Iterable[Path]) -> list[Path]:
    """Paths in structured-merge-diff's iteration order."""
    return sorted(members, key=path_order)


def without_prefixes(members: FieldSet, prefixes: Iterable[Path]) -> FieldSet:
    """The members that neither equal nor lie under any of `prefixes`."""
    blocked = tuple(prefixes)
    if not blocked:
        return members
    return frozenset(p for p in members if not any(p[: len(b)] == b for b in blocked))
