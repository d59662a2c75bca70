"""Checks an applied configuration must pass before it can be merged (its "typed" form).

The field manager converts the apply body to a typed value first; fields the schema does not
declare, scalars of the wrong type, list-map items without their keys, and duplicate list
items make that conversion fail, with structured-merge-diff's path-prefixed messages.
"""

from __future__ import annotations

import json
from typing import Any

from kubesim.patching import fieldpath as fp
from kubesim.patching.golang import go_sprint, go_type_name
from kubesim.patching.typed import TypedError, element, shape
from kubesim.schema.types import Kind, TypeInfo


def config_errors(obj: Any, node: TypeInfo) -> list[str]:
    """Every reason `obj` does not convert to its typed form, in document order."""
    errors: list[str] = []
    _walk(obj, node, (), errors)
    return errors


def _scalar_error(value: Any, node: TypeInfo) -> str | None:
    """structured-merge-diff's scalar check (int-or-string and quantities accept both)."""
    if value is None or node.kind is not Kind.SCALAR or node.name:
        return None
    if node.scalar in ("integer", "number"):
        if isinstance(value, int | float) and not isinstance(value, bool):
            return None
        return f"expected numeric (int or float), got {go_type_name(value)}"
    if node.scalar == "string" and not isinstance(value, str):
        return f"expected string, got &value.valueUnstructured{{Value:{_go_sharp(value)}}}"
    if node.scalar == "boolean" and not isinstance(value, bool):
        return f"expected boolean, got &{{{go_sprint(value)}}}"
    return None


def _go_sharp(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, dict | list):
        return go_type_name(value) + go_sprint(value)[3 if isinstance(value, dict) else 0 :]
    return go_sprint(value)


def _walk(value: Any, node: TypeInfo, path: fp.Path, errors: list[str]) -> None:
    problem = _scalar_error(value, node)
    if problem is not None:
        errors.append(f"{fp.path_string(path)}: {problem}")
        return
    form = shape(node, value)
    if form == "list" and isinstance(value, list):
        _walk_list(value, node, path, errors)
    elif form == "map" and isinstance(value, dict):
        for name, item in value.items():
            child = (*path, fp.field(name))
            if node.kind is Kind.STRUCT and name not in node.fields and not node.preserve_unknown:
                errors.append(f"{fp.path_string(child)}: field not declared in schema")
                continue
            _walk(item, node.child(name), child, errors)


def _walk_list(items: list[Any], node: TypeInfo, path: fp.Path, errors: list[str]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(items):
        try:
            pe = element(node, item, path, index)
        except TypedError as err:
            errors.append(str(err))
            continue
        if pe in seen:
            errors.append(
                f"{fp.path_string(path)}: duplicate entries for key {fp.element_string(pe)}"
            )
            continue
        seen.add(pe)
        _walk(item, node.elem, (*path, pe), errors)
