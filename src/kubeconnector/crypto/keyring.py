"""The key ring: one active key that seals, older keys that still open.

A `KeyRing` is an immutable value; rotation builds a new ring. It never shows key bytes in its
``repr`` or in an exception, and it is not cached anywhere: whoever loads it holds it for as
long as the operation needs it.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Collection, Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from kubeconnector.crypto.aead import KEY_SIZE, key_id_of, seal, unseal, valid_kid
from kubeconnector.errors import CryptoError


class KeyRing:
    """AES-256-GCM keys by key id, with one active key.

    Args:
        active_kid: The id of the key that seals new values.
        keys: Every key by id, the active one included (32 bytes each).

    Raises:
        CryptoError: A key id is invalid, a key is not 32 bytes, or the active key is missing.
    """

    __slots__ = ("_active", "_keys")

    def __init__(self, active_kid: str, keys: Mapping[str, bytes]) -> None:
        _check_keys(active_kid, keys)
        self._active = active_kid
        self._keys = MappingProxyType(dict(keys))

    @classmethod
    def generate(cls, kid: str | None = None) -> KeyRing:
        """A ring holding one new random key."""
        kid = kid or new_kid()
        return cls(kid, {kid: os.urandom(KEY_SIZE)})

    @property
    def active_kid(self) -> str:
        """The id of the key that seals new values."""
        return self._active

    @property
    def kids(self) -> tuple[str, ...]:
        """Every key id, the active one first."""
        return (self._active, *(kid for kid in self._keys if kid != self._active))

    def encrypt(self, plaintext: bytes, aad: bytes) -> str:
        """Seal ``plaintext`` with the active key, bound to ``aad``.

        Args:
            plaintext: The secret bytes.
            aad: Which record and purpose the value belongs to, e.g.
                ``b"connector:<uuid>:kubeconfig"``.

        Returns:
            The sealed text (``kc1:<kid>:<data>``).
        """
        return seal(self._keys[self._active], self._active, plaintext, aad)

    def decrypt(self, sealed: str, aad: bytes) -> bytes:
        """Open a sealed text with whichever key of the ring sealed it.

        Raises:
            CryptoError: The key id is not in the ring, or the value does not open (tampered,
                moved to another record or purpose, or sealed by a different key).
        """
        kid = key_id_of(sealed)
        key = self._keys.get(kid)
        if key is None:
            raise CryptoError(
                f"the value was sealed with key {kid!r}, which is not in the key ring "
                f"(keys: {', '.join(self.kids)})"
            )
        return unseal(key, sealed, aad)

    def derive_key(self, info: bytes) -> bytes:
        """A 32-byte subkey of the active key for one purpose (HKDF-SHA256, `info` names it).

        Distinct purposes get independent keys, and none of them reveals the master key.
        """
        hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_SIZE, salt=None, info=info)
        return hkdf.derive(self._keys[self._active])

    def with_new_active_key(self, kid: str | None = None) -> KeyRing:
        """A ring with a fresh random key made active and every current key kept."""
        kid = kid or new_kid()
        if kid in self._keys:
            raise CryptoError(f"key id {kid!r} is already in the key ring")
        return KeyRing(kid, {**self._keys, kid: os.urandom(KEY_SIZE)})

    def retaining(self, kids: Collection[str]) -> KeyRing:
        """A ring with only the active key and the listed keys (others retired)."""
        keep = set(kids) | {self._active}
        return KeyRing(self._active, {k: v for k, v in self._keys.items() if k in keep})

    def key_material(self) -> Iterator[tuple[str, bytes]]:
        """Each (key id, key bytes), active first; only for writing the key file."""
        for kid in self.kids:
            yield kid, self._keys[kid]

    def __repr__(self) -> str:
        return f"KeyRing(active_kid={self._active!r}, kids={list(self.kids)!r})"


def new_kid(now: datetime | None = None) -> str:
    """A fresh key id: the UTC creation time plus random hex, e.g. ``k20250102T030405-a1b2c3``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S")
    return f"k{stamp}-{secrets.token_hex(3)}"


def _check_keys(active_kid: str, keys: Mapping[str, bytes]) -> None:
    for kid, key in keys.items():
        if not valid_kid(kid):
            raise CryptoError(f"invalid key id {kid!r}")
        if len(key) != KEY_SIZE:
            raise CryptoError(f"key {kid!r} is {len(key)} bytes; AES-256 needs {KEY_SIZE}")
    if active_kid not in keys:
        raise CryptoError(f"the active key {active_kid!r} is not in the key ring")
