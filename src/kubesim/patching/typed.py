"""Schema-aware walks over objects for server-side apply (structured-merge-diff semantics).

`to_field_set` lists the fields an applied configuration sets, `compare` finds what an
update modified, added and removed, `merge` folds an applied configuration into a live
object, and `remove_items` prunes fields. Granular structs and maps recurse, atomic ones are
leaves, associative lists are keyed by their list-map keys, sets by their values, and
free-form (untyped) content is deduced from the values: maps granular, lists atomic.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kubesim.patching import fieldpath as fp
from kubesim.schema.types import Kind, TypeInfo

MISSING: Any = object()


class TypedError(Exception):
    """An object that does not fit its schema (e.g. a list-map item without its key)."""


def shape(node: TypeInfo, value: Any) -> str:
    """How a node is walked: `leaf`, `map` (granular struct/map) or `list` (keyed/set list)."""
    kind = node.kind
    if kind is Kind.UNTYPED:
        return "map" if isinstance(value, dict) else "leaf"
    if kind in (Kind.STRUCT, Kind.MAP):
        return "leaf" if node.atomic else "map"
    if kind is Kind.LIST:
        return "leaf" if node.atomic else "list"
    return "leaf"


def child_type(node: TypeInfo, name: str) -> TypeInfo:
    """The type under a struct field or map key (untyped if undeclared)."""
    return node.child(name)


def element(node: TypeInfo, item: Any, path: fp.Path = (), index: int = 0) -> str:
    """The path element of a list item (`k:{...}` for list-maps, `v:...` for sets)."""
    if node.list_type != "map":
        return fp.value(item)
    if not isinstance(item, dict):
        raise TypedError(f"{fp.path_string(path)}: element {index}: expected a map")
    fields: dict[str, Any] = {}
    for name in node.keys:
        if name in item:
            fields[name] = item[name]
            continue
        default = node.key_default(name)
        if default is None:
            raise TypedError(
                f"{fp.path_string(path)}: element {index}: associative list with keys has an "
                f'element that omits key field "{name}" (and doesn\'t have default value)'
            )
        fields[name] = default
    return fp.key(fields)


def list_elements(node: TypeInfo, items: Any, path: fp.Path, strict: bool) -> list[tuple[str, Any]]:
    """The (path element, item) pairs of a keyed list; unkeyable items fail when `strict`."""
    if not isinstance(items, list):
        return []
    out: list[tuple[str, Any]] = []
    for index, item in enumerate(items):
        try:
            out.append((element(node, item, path, index), item))
        except TypedError:
            if strict:
                raise
    return out


def to_field_set(obj: Any, node: TypeInfo, *, strict: bool = False) -> fp.FieldSet:
    """The fields `obj` sets, as an applied configuration owns them."""
    out: set[fp.Path] = set()
    _set_walk(obj, node, (), out, strict)
    return frozenset(out)


def _set_walk(value: Any, node: TypeInfo, path: fp.Path, out: set[fp.Path], strict: bool) -> None:
    form = shape(node, value)
    if form == "leaf" or (form == "map" and not isinstance(value, dict)):
        out.add(path)
        return
    if form == "list":
        for pe, item in list_elements(node, value, path, strict):
            child = (*path, pe)
            _set_walk(item, node.elem, child, out, strict)
            out.add(child)
        return
    declared = node.fields if node.kind is Kind.STRUCT else {}
    for name, item in value.items():
        child = (*path, fp.field(name))
        _set_walk(item, child_type(node, name), child, out, strict)
        if item is None or item == {} or name not in declared:
            out.add(child)


def values_equal(left: Any, right: Any) -> bool:
    """Value equality as structured-merge-diff sees it (1 == 1.0, but True != 1)."""
    numbers = (int, float)
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, numbers) and isinstance(right, numbers):
        return left == right
    return type(left) is type(right) and left == right


@dataclass
class Comparison:
    """The field-level difference between two versions of an object."""

    modified: set[fp.Path] = field(default_factory=set)
    added: set[fp.Path] = field(default_factory=set)
    removed: set[fp.Path] = field(default_factory=set)

    @property
    def changed(self) -> fp.FieldSet:
        """Modified and added fields: what an update takes ownership of."""
        return frozenset(self.modified | self.added)


def compare(old: Any, new: Any, node: TypeInfo) -> Comparison:
    """What changed from `old` to `new` (both whole objects)."""
    result = Comparison()
    _compare(old, new, node, (), result)
    return result


def _compare(lhs: Any, rhs: Any, node: TypeInfo, path: fp.Path, out: Comparison) -> None:
    form = shape(node, rhs if rhs is not MISSING else lhs)
    if form == "leaf":
        if lhs is MISSING:
            out.added.add(path)
        elif rhs is MISSING:
            out.removed.add(path)
        elif not values_equal(lhs, rhs):
            out.modified.add(path)
        return
    if form == "list":
        left = dict(list_elements(node, lhs, path, False))
        right = dict(list_elements(node, rhs, path, False))
        for pe in {**left, **right}:
            _compare(left.get(pe, MISSING), right.get(pe, MISSING), node.elem, (*path, pe), out)
    else:
        left = lhs if isinstance(lhs, dict) else {}
        right = rhs if isinstance(rhs, dict) else {}
        for name in {**left, **right}:
            sub = child_type(node, name)
            _compare(
                left.get(name, MISSING), right.get(name, MISSING), sub, (*path, fp.field(name)), out
            )
    if lhs is MISSING:
        out.added.add(path)
    elif rhs is MISSING:
        out.removed.add(path)


def remove_items(obj: Any, paths: Iterable[fp.Path], node: TypeInfo) -> Any:
    """A copy of `obj` without the values at `paths` (each removed with its subtree)."""
    grouped: dict[str, list[fp.Path]] = {}
    for path in paths:
        if path:
            grouped.setdefault(path[0], []).append(path[1:])
    if not grouped:
        return obj
    form = shape(node, obj)
    if form == "map" and isinstance(obj, dict):
        return _remove_from_map(obj, grouped, node)
    if form == "list" and isinstance(obj, list):
        return _remove_from_list(obj, grouped, node)
    return obj


def _remove_from_map(
    obj: dict[str, Any], grouped: dict[str, list[fp.Path]], node: TypeInfo
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, item in obj.items():
        rest = grouped.get(fp.field(name))
        if rest is None:
            out[name] = item
        elif () not in rest:
            out[name] = remove_items(item, rest, child_type(node, name))
    return out


def _remove_from_list(
    obj: list[Any], grouped: dict[str, list[fp.Path]], node: TypeInfo
) -> list[Any]:
    out: list[Any] = []
    for pe, item in list_elements(node, obj, (), False):
        rest = grouped.get(pe)
        if rest is None:
            out.append(item)
        elif () not in rest:
            out.append(remove_items(item, rest, node.elem))
    return out


def named_fields(members: fp.FieldSet, node: TypeInfo) -> fp.FieldSet:
    """`EnsureNamedFieldsAreMembers`: also own every struct field on the way to a member."""
    out = set(members)
    for path in members:
        current = node
        for depth, pe in enumerate(path[:-1]):
            if pe.startswith("f:") and current.kind is Kind.STRUCT and pe[2:] in current.fields:
                out.add(path[: depth + 1])
            current = current.child(pe[2:]) if pe.startswith("f:") else current.elem
    return frozenset(out)


# Fields a Go object always serializes even when unset: non-pointer structs. The empty object
# an ownership comparison starts from on create has them, so they are not "added" fields.
_ALWAYS_PRESENT = frozenset(
    {"metadata", "spec", "status", "template", "strategy", "updateStrategy"}
)
_ZERO_SCALARS: dict[str, Any] = {
    "string": "",
    "integer": 0,
    "number": 0,
    "boolean": False,
    "int-or-string": 0,
    "quantity": "0",
}


def zero_object(node: TypeInfo) -> dict[str, Any]:
    """The typed zero value of a kind, as the server compares a created object against."""
    return _zero_struct(node, 0)


def _zero_struct(node: TypeInfo, depth: int) -> dict[str, Any]:
    required = set(node.raw.get("required", ()))
    out: dict[str, Any] = {}
    for name, info in node.fields.items():
        if name in required or name in _ALWAYS_PRESENT:
            out[name] = _zero_value(info.type, depth)
    if node.name.endswith(".ObjectMeta"):
        out["creationTimestamp"] = None
    return out


def _zero_value(node: TypeInfo, depth: int) -> Any:
    if node.kind is Kind.STRUCT and not node.atomic and depth < 8:
        return _zero_struct(node, depth + 1)
    if node.kind is Kind.SCALAR and not node.name:
        return _ZERO_SCALARS.get(node.scalar)
    return None
