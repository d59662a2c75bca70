"""Template and revision hashes as the workload controllers name their objects.

Upstream renders every hash as the decimal string of a 32-bit value, each digit mapped into
`rand.SafeEncodeString`'s alphabet (so hashes are 8-10 characters of `456789bcdf`).

- `pod_template_hash`: the `pod-template-hash` of Deployments and the DaemonSet
  `controller-revision-hash`. Upstream feeds a dump of the Go struct to FNV-1a; that dump cannot
  be reproduced outside Go, so a keyed digest of the canonical JSON stands in for it (same
  shape, same collision-count input, stable across runs).
- `revision_hash`: StatefulSet ControllerRevision names, FNV-1 over the revision's JSON patch
  followed by the decimal collision count, exactly as `history.HashControllerRevision`.
"""

from __future__ import annotations

import hashlib
import struct
from typing import Any

import orjson

SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"
_FNV_OFFSET = 2166136261
_FNV_PRIME = 16777619
_MASK = 0xFFFFFFFF
_GO_ESCAPES = (
    (b"<", b"\\u003c"),
    (b">", b"\\u003e"),
    (b"&", b"\\u0026"),
    ("\u2028".encode(), b"\\u2028"),
    ("\u2029".encode(), b"\\u2029"),
)


def safe_encode(text: str) -> str:
    """`rand.SafeEncodeString`: map every character into a vowel-free alphabet."""
    return "".join(SAFE_ALPHABET[ord(ch) % len(SAFE_ALPHABET)] for ch in text)


def fnv1_32(data: bytes) -> int:
    """32-bit FNV-1 (multiply, then xor), as Go's `hash/fnv.New32`."""
    value = _FNV_OFFSET
    for byte in data:
        value = ((value * _FNV_PRIME) & _MASK) ^ byte
    return value


def canonical_json(obj: Any) -> bytes:
    """Compact JSON with sorted keys and HTML escapes, as Go's `json.Marshal` renders a map."""
    raw = orjson.dumps(obj, option=orjson.OPT_SORT_KEYS)
    for char, escaped in _GO_ESCAPES:
        if char in raw:
            raw = raw.replace(char, escaped)
    return raw


def pod_template_hash(template: dict[str, Any], collision_count: int | None = None) -> str:
    """The hash naming a ReplicaSet (`<deployment>-<hash>`) or a DaemonSet revision."""
    digest = hashlib.blake2b(canonical_json(template), digest_size=4)
    if collision_count is not None:
        # Upstream appends the count as 8 little-endian bytes (a uint32 in an 8-byte buffer).
        digest.update(struct.pack("<Q", collision_count & _MASK))
    return safe_encode(str(int.from_bytes(digest.digest(), "big")))


def revision_patch(template: dict[str, Any]) -> bytes:
    """The `data` of a ControllerRevision: `{"spec":{"template":{...,"$patch":"replace"}}}`."""
    body = dict(template)
    meta = dict(body.get("metadata") or {})
    # The Go encoder writes the unset creationTimestamp of an embedded ObjectMeta as null.
    meta.setdefault("creationTimestamp", None)
    body["metadata"] = meta
    body["$patch"] = "replace"
    return canonical_json({"spec": {"template": body}})


def revision_hash(raw: bytes, collision_count: int | None) -> str:
    """`history.HashControllerRevision` over the revision's raw data."""
    data = raw if collision_count is None else raw + str(collision_count).encode()
    return safe_encode(str(fnv1_32(data)))
