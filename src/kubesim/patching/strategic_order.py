"""List ordering and list helpers of strategic merge patch.

After merging, list items are ordered by precedence `$setElementOrder` > patch order > live
order, with server-only items interleaved where the live list had them. The algorithms here
follow apimachinery's strategicpatch helpers step by step (including Go's insertion sort
with its lenient comparator), so merged lists come out in exactly the real server's order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kubesim.patching.errors import NO_LIST_OF_LISTS, PatchError, bad_arg_type, no_merge_key
from kubesim.patching.golang import go_equal, go_sprint

DIRECTIVE = "$patch"
MAP = "map[string]interface {}"
SLICE = "[]interface {}"


def _kind(value: Any) -> type:
    return type(value)


def slice_element_type(*slices: list[Any]) -> type:
    """The common element type of `slices`; errors like `sliceElementType` does."""
    found: type | None = None
    for items in slices:
        for item in items:
            current = _kind(item)
            if found is None:
                found = current
                if current is list:
                    raise PatchError(NO_LIST_OF_LISTS)
            elif found is not current:
                shown = go_sprint([list(s) for s in slices])
                raise PatchError(f"list element types are not identical: {shown}")
    if found is None:
        raise PatchError("no elements in any of the given slices")
    return found


def dedupe(items: list[Any]) -> list[Any]:
    """Scalars without repeats (Go `==` equality), first occurrence kept."""
    out: list[Any] = []
    for item in items:
        if not any(go_equal(item, seen) for seen in out):
            out.append(item)
    return out


def find_by_key(items: list[Any], key: str, value: Any) -> int:
    """Index of the first map whose `key` equals `value`, or -1."""
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PatchError(f"value for key {index} is not a map")
        if key in item and go_equal(item[key], value):
            return index
    return -1


def partition_primitives(items: list[Any], by: list[Any]) -> tuple[list[Any], list[Any]]:
    """Items present in `by`, and the others."""
    inside = [item for item in items if any(go_equal(item, other) for other in by)]
    outside = [item for item in items if not any(go_equal(item, other) for other in by)]
    return inside, outside


def partition_maps(items: list[Any], by: list[Any], key: str) -> tuple[list[Any], list[Any]]:
    """Maps whose merge key value appears in `by`, and the others."""
    inside: list[Any] = []
    outside: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise bad_arg_type(MAP, item)
        if key not in item:
            raise no_merge_key(item, key)
        (inside if find_by_key(by, key, item[key]) >= 0 else outside).append(item)
    return inside, outside


def _index(items: list[Any], value: Any, key: str, is_map: bool) -> int:
    def get(item: Any) -> Any:
        return item.get(key) if is_map and isinstance(item, dict) else (None if is_map else item)

    wanted = get(value)
    for position, item in enumerate(items):
        if go_equal(get(item), wanted):
            return position
    return -1


def _insertion_sort(items: list[Any], less: Callable[[Any, Any], bool]) -> list[Any]:
    out = list(items)
    for i in range(1, len(out)):
        j = i
        while j > 0 and less(out[j], out[j - 1]):
            out[j], out[j - 1] = out[j - 1], out[j]
            j -= 1
    return out


def _split_deletions(items: list[Any]) -> tuple[list[Any], list[Any]]:
    keep: list[Any] = []
    drop: list[Any] = []
    for item in items:
        if not isinstance(item, dict):
            raise bad_arg_type(MAP, item)
        (drop if item.get(DIRECTIVE) == "delete" else keep).append(item)
    return keep, drop


def _require_keys(key: str, *lists: list[Any]) -> None:
    for items in lists:
        for item in items:
            if not isinstance(item, dict):
                raise bad_arg_type(MAP, item)
            if key not in item:
                raise no_merge_key(item, key)


def normalize_slice_order(items: list[Any], order: list[Any], key: str, is_map: bool) -> list[Any]:
    """Sort `items` by their position in `order`; `$patch: delete` items go last."""
    deletions: list[Any] = []
    if is_map:
        _require_keys(key, items, order)
        items, deletions = _split_deletions(items)

    def less(left: Any, right: Any) -> bool:
        li = _index(order, left, key, is_map)
        ri = _index(order, right, key, is_map)
        return li < ri if li >= 0 and ri >= 0 else True

    return _insertion_sort(items, less) + deletions


def merge_sorted(
    left: list[Any], right: list[Any], order: list[Any], key: str, is_map: bool
) -> list[Any]:
    """Interleave server-only items (`left`) with patch items (`right`) by live order."""
    out: list[Any] = []
    i = j = 0
    while i < len(left) or j < len(right):
        if i >= len(left):
            out.append(right[j])
            j += 1
        elif j >= len(right):
            out.append(left[i])
            i += 1
        else:
            li = _index(order, left[i], key, is_map)
            ri = _index(order, right[j], key, is_map)
            if li >= 0 and ri >= 0 and li < ri:
                out.append(left[i])
                i += 1
            else:
                out.append(right[j])
                j += 1
    return out


def normalize_element_order(
    patch: list[Any],
    server_only: list[Any],
    patch_order: list[Any],
    server_order: list[Any],
    key: str,
    is_map: bool,
) -> list[Any]:
    """The final order of a merged list (`normalizeElementOrder`)."""
    patch = normalize_slice_order(patch, patch_order, key, is_map)
    server_only = normalize_slice_order(server_only, server_order, key, is_map)
    return merge_sorted(server_only, patch, server_order, key, is_map)


def _key_equal(left: Any, right: Any, key: str) -> bool:
    if not key:
        return go_equal(left, right)
    for side in (left, right):
        if not isinstance(side, dict):
            raise bad_arg_type(MAP, side)
        if key not in side:
            raise no_merge_key(side, key)
    return go_equal(left[key], right[key])


def validate_against_order(patch_list: list[Any], order: list[Any], key: str) -> None:
    """Checks the patch list is ordered consistently with its `$setElementOrder` list."""
    if not order or not patch_list:
        return
    kept = _split_deletions(patch_list)[0] if key else patch_list
    pi = si = 0
    while pi < len(kept) and si < len(order):
        if isinstance(kept[pi], dict) and DIRECTIVE in kept[pi]:
            pi += 1
            continue
        if _key_equal(kept[pi], order[si], key):
            pi += 1
        si += 1
    if pi < len(kept) and si >= len(order):
        raise PatchError(
            f"The order in patch list:\n{go_sprint(patch_list)}\n doesn't match "
            f"$setElementOrder list:\n{go_sprint(order)}\n"
        )
