"""Merging an applied configuration into a live object (server-side apply's merge step).

Granular structs and maps merge key by key (live order kept, new keys appended), leaves and
atomic values take the applied value, and associative lists merge item by item by their
keys, ordered as structured-merge-diff orders them: applied items in applied order, with
live-only items kept where they were.
"""

from __future__ import annotations

import copy
from typing import Any

from kubesim.patching.typed import MISSING, child_type, list_elements, shape
from kubesim.schema.types import Kind, TypeInfo


def merge(live: Any, applied: Any, node: TypeInfo) -> Any:
    """The result of applying `applied` over `live` (inputs are not modified)."""
    return _merge(live, applied, node, ())


def _merge(lhs: Any, rhs: Any, node: TypeInfo, path: tuple[str, ...]) -> Any:
    if rhs is MISSING:
        return lhs
    if lhs is MISSING:
        return copy.deepcopy(rhs)
    form = shape(node, rhs)
    if form == "leaf":
        return copy.deepcopy(rhs)
    if form == "list":
        if not isinstance(rhs, list):
            return lhs if rhs is None else copy.deepcopy(rhs)
        return _merge_list(lhs if isinstance(lhs, list) else [], rhs, node, path)
    if not isinstance(rhs, dict):
        return lhs if rhs is None and isinstance(lhs, dict) else copy.deepcopy(rhs)
    out: dict[str, Any] = dict(lhs) if isinstance(lhs, dict) else {}
    for name, value in rhs.items():
        merged = _merge(out.get(name, MISSING), value, child_type(node, name), (*path, name))
        if merged is None and node.kind is Kind.STRUCT:
            out.pop(name, None)  # a null field decodes to an unset optional field
        else:
            out[name] = merged
    return out


def _merge_list(lhs: list[Any], rhs: list[Any], node: TypeInfo, path: tuple[str, ...]) -> list[Any]:
    return _ListMerge(lhs, rhs, node, path).run()


class _ListMerge:
    """structured-merge-diff's associative list merge: applied order wins for shared items."""

    def __init__(self, lhs: list[Any], rhs: list[Any], node: TypeInfo, path: tuple[str, ...]):
        self.left = list_elements(node, lhs, path, False)
        self.right = list_elements(node, rhs, path, True)
        self.left_items = dict(self.left)
        self.right_items = dict(self.right)
        self.shared = [pe for pe, _ in self.right if pe in self.left_items]
        self.next_shared = self._advance_shared()
        self.node, self.path = node, path
        self.out: list[Any] = []
        self.done: set[str] = set()
        self.li = self.ri = 0

    def _advance_shared(self) -> str | None:
        return self.shared.pop(0) if self.shared else None

    def _item(self, pe: str) -> Any:
        lhs = self.left_items.get(pe, MISSING)
        return _merge(lhs, self.right_items[pe], self.node.elem, (*self.path, pe))

    def run(self) -> list[Any]:
        """The merged list."""
        while self.li < len(self.left) or self.ri < len(self.right):
            if not self._step_both() and not self._step_left():
                self._step_right()
        return self.out

    def _step_both(self) -> bool:
        if self.li >= len(self.left) or self.ri >= len(self.right):
            return False
        pe = self.left[self.li][0]
        if pe == self.right[self.ri][0]:
            self.done.add(pe)
            self.out.append(self._item(pe))
            self.li, self.ri = self.li + 1, self.ri + 1
            self.next_shared = self._advance_shared()
            return True
        if pe in self.right_items and self.next_shared not in (None, pe):
            self.li += 1  # a shared item, but not the one due now
            return True
        return False

    def _step_left(self) -> bool:
        if self.li >= len(self.left):
            return False
        pe, item = self.left[self.li]
        if pe not in self.right_items:
            self.out.append(item)
        elif pe not in self.done:
            return False
        self.li += 1
        return True

    def _step_right(self) -> None:
        pe = self.right[self.ri][0]
        self.done.add(pe)
        self.out.append(self._item(pe))
        self.ri += 1
        if self.next_shared == pe:
            self.next_shared = self._advance_shared()
