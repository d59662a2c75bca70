"""Secret ``data`` maps: generating values, applying key changes, diffing by digest.

Values are bytes here and base64 strings in ``data``; nothing in this module logs or returns
a value in a form meant for display: diffs carry digests (`Digester`) and the
comparisons name keys only.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass

from pydantic import JsonValue

from kubeconnector.changes.helpers.digests import Digester, encode_b64
from kubeconnector.models.changes import DiffItem, JsonObject

ALPHABETS: dict[str, str] = {
    "alnum": string.ascii_letters + string.digits,
    "hex": "0123456789abcdef",
    "base64url": string.ascii_letters + string.digits + "-_",
    "printable": string.ascii_letters + string.digits + string.punctuation,
}
# A Secret data key: upstream IsConfigMapKey.
KEY_PATTERN = r"^[-._a-zA-Z0-9]+$"
MAX_KEY_LENGTH = 253


def generate_value(length: int, alphabet: str) -> bytes:
    """A random value of `length` characters from one of `ALPHABETS` (``secrets`` module)."""
    chars = ALPHABETS[alphabet]
    return "".join(secrets.choice(chars) for _ in range(length)).encode()


def apply_changes(
    data: Mapping[str, str] | None, values: Mapping[str, bytes], remove: Collection[str]
) -> dict[str, str]:
    """The new ``data``: `values` set (raw bytes), `remove` dropped, keys sorted."""
    result = {k: v for k, v in (data or {}).items() if k not in remove}
    result.update({key: encode_b64(value) for key, value in values.items()})
    return dict(sorted(result.items()))


@dataclass(frozen=True)
class KeyChanges:
    """Which keys differ between two ``data`` maps (names only).

    Attributes:
        added: Keys only in the new map.
        changed: Keys in both with different values.
        removed: Keys only in the old map.
    """

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """No key differs."""
        return not (self.added or self.changed or self.removed)

    def describe(self) -> str:
        """``key 'a' changed, key 'b' added`` (``no key changed`` when empty)."""
        parts = [f"key {k!r} changed" for k in self.changed]
        parts += [f"key {k!r} added" for k in self.added]
        parts += [f"key {k!r} removed" for k in self.removed]
        return ", ".join(parts) or "no key changed"

    def as_json(self) -> JsonObject:
        """``{"added": [...], "changed": [...], "removed": [...]}``."""
        return {
            "added": list[JsonValue](self.added),
            "changed": list[JsonValue](self.changed),
            "removed": list[JsonValue](self.removed),
        }


def key_changes(old: Mapping[str, str], new: Mapping[str, str]) -> KeyChanges:
    """Compare two key -> digest (or key -> base64) maps."""
    return KeyChanges(
        added=tuple(sorted(set(new) - set(old))),
        changed=tuple(sorted(k for k in set(old) & set(new) if old[k] != new[k])),
        removed=tuple(sorted(set(old) - set(new))),
    )


def data_diff(
    digests: Digester,
    old: Mapping[str, str] | None,
    new: Mapping[str, str],
    generated: Mapping[str, str] | None = None,
) -> tuple[DiffItem, ...]:
    """Diff items ``data.<key>`` between two ``data`` maps, values as digests.

    Args:
        digests: Makes the digests shown.
        old: The live ``data``.
        new: The ``data`` to write.
        generated: Keys whose new value is generated at execution, with the description to
            show instead of a digest (e.g. ``generated: 32 alnum characters``).
    """
    before, after = digests.data(old), digests.data(new)
    shown = dict(generated or {})
    items: list[DiffItem] = []
    changes = key_changes(before, after)
    for key in sorted({*changes.added, *changes.changed, *shown}):
        shown_new = shown.get(key, after[key])
        if key in before:
            items.append(DiffItem(path=f"data.{key}", op="change", old=before[key], new=shown_new))
        else:
            items.append(DiffItem(path=f"data.{key}", op="add", new=shown_new))
    items += [DiffItem(path=f"data.{k}", op="remove", old=before[k]) for k in changes.removed]
    return tuple(sorted(items, key=lambda item: item.path))
