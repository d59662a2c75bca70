"""FieldsV1 trees remembered by field set, and field sets by the tree objects handed out.

Most writes change one managedFields entry and leave the others (often the largest, such as
the owner of a whole pod template) as they were; decoding and re-encoding those on every write
was most of the write path's cost. A tree made here is shared by every object version that
carries it: stored objects are never edited in place, so it never changes once made, and a
later write that finds the very same tree object reads its field set back without decoding.
"""

from __future__ import annotations

from typing import Any

from kubesim.patching import fieldpath as fp

Tree = dict[str, Any]


class FieldsCodec:
    """A bounded memo of `to_fields_v1` and of its inverse for the trees it produced."""

    def __init__(self, size: int = 1024) -> None:
        self.size = size
        self._trees: dict[fp.FieldSet, Tree] = {}
        # id(tree) -> (tree, fields): holding the tree keeps its id from being reused.
        self._sets: dict[int, tuple[Tree, fp.FieldSet]] = {}

    def encode(self, fields: fp.FieldSet) -> Tree:
        """The FieldsV1 tree of a field set (the same object for an equal set while cached)."""
        tree = self._trees.pop(fields, None)
        if tree is None:
            tree = fp.to_fields_v1(fields)
            self._sets[id(tree)] = (tree, fields)
            self._evict()
        self._trees[fields] = tree
        return tree

    def decode(self, tree: Any) -> fp.FieldSet:
        """The field set of a FieldsV1 tree (raises ValueError if it is malformed)."""
        known = self._sets.get(id(tree))
        if known is not None and known[0] is tree:
            return known[1]
        return fp.from_fields_v1(tree)

    def _evict(self) -> None:
        while len(self._trees) >= self.size:
            oldest = next(iter(self._trees))
            tree = self._trees.pop(oldest)
            self._sets.pop(id(tree), None)


CODEC = FieldsCodec()
