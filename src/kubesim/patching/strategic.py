"""Strategic merge patch (`application/strategic-merge-patch+json`), applied as the server does.

Maps merge recursively and `null` deletes; lists whose field declares the `merge` strategy
merge by their merge key (or as sets of primitives); other lists are replaced. The directives
`$patch` (replace/delete/merge), `$retainKeys`, `$deleteFromPrimitiveList/<f>` and
`$setElementOrder/<f>` are honoured. Patch metadata comes from the shared schema catalog, i.e.
the same `x-kubernetes-patch-*` declarations the Go struct tags carry.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from kubesim.api.status import StatusError
from kubesim.patching import strategic_order as order
from kubesim.patching.body import decode_body
from kubesim.patching.errors import (
    BAD_PRIMITIVE_LIST,
    BAD_RETAIN_KEYS,
    BAD_SET_ELEMENT_ORDER,
    PatchError,
    bad_arg_type,
    bad_patch_type,
    no_merge_key,
)
from kubesim.patching.golang import json_kind
from kubesim.schema.types import Kind, TypeInfo, kind_type

DIRECTIVE = "$patch"
RETAIN_KEYS = "$retainKeys"
DELETE_PREFIX = "$deleteFromPrimitiveList"
ORDER_PREFIX = "$setElementOrder"


@dataclass(frozen=True)
class PatchMeta:
    """The patch strategy (retainKeys removed) and merge key of a field."""

    strategy: str = ""
    merge_key: str = ""


class PatchedObject(dict[str, Any]):
    """A patched object; `strict` holds the strict-decoding complaints about the patch body.

    The complaints (duplicate keys, unknown members of JSON patch operations) come before
    those about the patched object when the handler reports strict decoding errors.
    """

    def __init__(self, obj: dict[str, Any], strict: list[str]) -> None:
        super().__init__(obj)
        self.strict = strict


def _strategy(strategies: tuple[str, ...]) -> str:
    """`extractRetainKeysPatchStrategy`: the strategy besides `retainKeys`."""
    others = [s for s in strategies if s != "retainKeys"]
    if len(strategies) > 2 or (len(strategies) == 2 and len(others) != 1):
        raise PatchError(f"unexpected patch strategy: [{' '.join(strategies)}]")
    return others[0] if others else ""


def lookup(node: TypeInfo, key: str) -> tuple[TypeInfo, PatchMeta]:
    """The type under `key` and its patch metadata (`LookupPatchMetadataForStruct`)."""
    if node.kind is Kind.STRUCT:
        found = node.field(key)
        if found is None:
            struct = node.go_type.rsplit(".", 1)[-1]
            raise PatchError(
                f'unable to find api field in struct {struct} for the json field "{key}"'
            )
        return found.type, PatchMeta(_strategy(found.patch_strategies), found.merge_key)
    return node.child(key), PatchMeta()


def _extract_key(key: str, prefix: str) -> str:
    head, sep, rest = key.partition("/")
    if not sep or head != prefix:
        raise PatchError(BAD_PRIMITIVE_LIST if prefix == DELETE_PREFIX else BAD_SET_ELEMENT_ORDER)
    return rest


def remove_directives(value: Any) -> tuple[Any, bool]:
    """Strip `$patch` maps from a value taken as-is; False if the value itself is one."""
    if isinstance(value, dict):
        if DIRECTIVE in value:
            return None, False
        for key in list(value):
            cleaned, keep = remove_directives(value[key])
            if keep:
                value[key] = cleaned
            else:
                del value[key]
        return value, True
    if isinstance(value, list):
        kept = [remove_directives(item) for item in value]
        return [item for item, keep in kept if keep], True
    return value, True


def discard_nulls(value: Any) -> None:
    """Drop `null` members from a value taken as-is (they only mean "delete" in merges)."""
    if isinstance(value, dict):
        for key in [k for k, v in value.items() if v is None]:
            del value[key]
        for child in value.values():
            discard_nulls(child)
    elif isinstance(value, list):
        for child in value:
            discard_nulls(child)


def _map_directive(directive: Any, patch: dict[str, Any]) -> dict[str, Any]:
    if directive == "replace":
        del patch[DIRECTIVE]
        return patch
    if directive == "delete":
        return {}
    raise bad_patch_type(directive, patch)


def _retain_keys(original: dict[str, Any], patch: dict[str, Any]) -> None:
    if RETAIN_KEYS not in patch:
        return
    retained = patch.pop(RETAIN_KEYS)
    if not isinstance(retained, list):
        raise PatchError(BAD_RETAIN_KEYS)
    allowed = {item for item in retained if isinstance(item, str)}
    for key, value in patch.items():
        skipped = value is None or key.startswith((DELETE_PREFIX, ORDER_PREFIX))
        if not skipped and key not in allowed:
            raise PatchError(BAD_RETAIN_KEYS)
    for key in [k for k in original if k not in allowed]:
        del original[key]


def merge_map(
    original: dict[str, Any] | None, patch: dict[str, Any], node: TypeInfo
) -> dict[str, Any]:
    """Merge `patch` into `original` (both modified), as `mergeMap` does."""
    if DIRECTIVE in patch:
        return _map_directive(patch[DIRECTIVE], patch)
    target: dict[str, Any] = {} if original is None else original
    _retain_keys(target, patch)
    _merge_ordered_lists(target, patch, node)
    for key in list(patch):
        _merge_key(target, key, patch[key], node)
    return target


def _merge_key(target: dict[str, Any], key: str, value: Any, node: TypeInfo) -> None:
    is_delete_list = key.startswith(DELETE_PREFIX)
    if is_delete_list:
        key = _extract_key(key, DELETE_PREFIX)
    if value is None:
        target.pop(key, None)
        return
    current = target.get(key, _MISSING)
    if current is _MISSING or type(current) is not type(value):
        if not is_delete_list:
            _take(target, key, value)
        return
    if isinstance(current, dict):
        sub, meta = lookup(node, key)
        target[key] = value if meta.strategy == "replace" else merge_map(current, value, sub)
    elif isinstance(current, list):
        sub, meta = lookup(node, key)
        target[key] = _merge_list_field(current, value, sub, meta, is_delete_list)
    else:
        _take(target, key, value)


_MISSING = object()


def _take(target: dict[str, Any], key: str, value: Any) -> None:
    discard_nulls(value)
    cleaned, keep = remove_directives(value)
    if keep:
        target[key] = cleaned
    else:
        target.pop(key, None)


def _merge_list_field(
    current: list[Any], patch: list[Any], node: TypeInfo, meta: PatchMeta, is_delete_list: bool
) -> list[Any]:
    if meta.strategy != "merge":
        return patch
    return merge_list(current, patch, node.elem, meta.merge_key, is_delete_list)


def merge_list(
    original: list[Any], patch: list[Any], elem: TypeInfo, key: str, is_delete_list: bool = False
) -> list[Any]:
    """Merge two lists of a `merge` field (`mergeSlice`)."""
    if not original and not patch:
        return original
    is_map = order.slice_element_type(original, patch) is dict
    if not is_map:
        if is_delete_list:
            return [item for item in original if not any(_same(item, d) for d in patch)]
        merged = order.dedupe(original + patch)
        inside, outside = order.partition_primitives(merged, patch)
        return order.normalize_element_order(inside, outside, patch, original, key, False)
    if not key:
        raise PatchError(f"cannot merge lists without merge key for {elem.kind.value}")
    original, patch = _special_elements(original, patch, key)
    merged = _merge_elements(original, patch, key, elem)
    inside, outside = order.partition_maps(merged, patch, key)
    return order.normalize_element_order(inside, outside, patch, original, key, True)


def _same(left: Any, right: Any) -> bool:
    return type(left) is type(right) and left == right


def _special_elements(
    original: list[Any], patch: list[Any], key: str
) -> tuple[list[Any], list[Any]]:
    plain: list[Any] = []
    replace = False
    for item in patch:
        if DIRECTIVE not in item:
            plain.append(item)
            continue
        directive = item[DIRECTIVE]
        if directive == "delete":
            if key not in item:
                raise no_merge_key(item, key)
            original = [o for o in original if not _matches(o, key, item[key])]
        elif directive == "replace":
            replace = True
        elif directive == "merge":
            raise PatchError("merging lists cannot yet be specified in the patch")
        else:
            raise bad_patch_type(directive, item)
    return (plain, []) if replace else (original, plain)


def _matches(item: Any, key: str, value: Any) -> bool:
    if not isinstance(item, dict):
        raise PatchError("value for key is not a map")
    return key in item and _same(item[key], value)


def _merge_elements(original: list[Any], patch: list[Any], key: str, elem: TypeInfo) -> list[Any]:
    merged = list(original)
    for item in patch:
        if key not in item:
            raise no_merge_key(item, key)
        index = order.find_by_key(merged, key, item[key])
        if index >= 0:
            merged[index] = merge_map(merged[index], item, elem)
        else:
            merged.append(item)
    return merged


def _merge_ordered_lists(target: dict[str, Any], patch: dict[str, Any], node: TypeInfo) -> None:
    """Process `$setElementOrder/<f>` with its list (`mergePatchIntoOriginal`)."""
    for directive_key in [k for k in patch if k.startswith(ORDER_PREFIX)]:
        wanted = patch.pop(directive_key)
        if not isinstance(wanted, list):
            raise bad_arg_type(order.SLICE, wanted)
        field = _extract_key(directive_key, ORDER_PREFIX)
        current = _as_list(target.get(field, _MISSING))
        patched = _as_list(patch.get(field, _MISSING))
        sub, meta = lookup(node, field)
        order.validate_against_order(patched or [], wanted, meta.merge_key)
        if current is None and patched is None:
            continue
        if patched is None:
            merged = current or []
        elif current is None:
            merged = patched
        else:
            merged = _merge_list_field(current, patched, sub, meta, False)
        target[field] = _reorder(merged, wanted, current or [], patched or [], meta.merge_key)
        patch.pop(field, None)


def _as_list(value: Any) -> list[Any] | None:
    if value is _MISSING:
        return None
    if not isinstance(value, list):
        raise bad_arg_type(order.SLICE, value)
    return value


def _reorder(
    merged: list[Any], wanted: list[Any], current: list[Any], patched: list[Any], key: str
) -> list[Any]:
    if key:
        inside, outside = order.partition_maps(merged, wanted, key)
    else:
        inside, outside = order.partition_primitives(merged, wanted)
    is_map = order.slice_element_type(current, patched) is dict
    return order.normalize_element_order(inside, outside, wanted, current, key, is_map)


def strategic_merge_patch(original: dict[str, Any], patch: Any, node: TypeInfo) -> PatchedObject:
    """Apply a strategic merge patch body to `original` (neither input is modified).

    Args:
        original: The live object.
        patch: The patch body, raw bytes or already decoded (decode with
            `kubesim.schema.decoding.load_json` to have duplicate keys reported).
        node: The schema type of the object (see `kubesim.schema.kind_type`).

    Returns:
        The patched object and the strict-decoding complaints about the patch body.

    Raises:
        StatusError: 400 for undecodable bodies and malformed directives, 422 for lists of
            lists or retainKeys mismatches, 500 (raw message) for other merge failures.
    """
    patch, strict = decode_body(patch)
    if patch is None:
        patch = {}
    if not isinstance(patch, dict):
        what = json_kind(patch)
        raise StatusError(
            400,
            "BadRequest",
            f"json: cannot unmarshal {what} into Go value of type map[string]interface {{}}",
        )
    try:
        merged = merge_map(copy.deepcopy(original), copy.deepcopy(patch), node)
    except PatchError as err:
        raise err.to_status() from err
    return PatchedObject(merged, strict)


def apply_strategic_patch(
    original: dict[str, Any], patch: Any, gvk: tuple[str, str, str]
) -> PatchedObject:
    """`strategic_merge_patch` for the built-in kind `(group, version, kind)`."""
    return strategic_merge_patch(original, patch, kind_type(*gvk))
