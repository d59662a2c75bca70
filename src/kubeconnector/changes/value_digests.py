"""Keyed digests of secret values (`Digester`), apart from the helpers so `base` can use it.

A digest is ``hmac:`` and the first 16 hex digits of the HMAC-SHA256 of the raw value under
the installation's digest key (HKDF from the active master key, info `DIGEST_INFO`): enough to
see that two values differ or match in a plan, a diff or a result, while a guessable value (a
weak password) cannot be confirmed offline by someone who only sees the digest. Equal values
give equal digests under one key; after ``keys rotate`` new digests use the new key.

A fingerprint (`data_fingerprints`) is the unkeyed form kept only inside sealed snapshots,
where it must stay comparable across key rotation; it is never shown.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

DIGEST_PREFIX = "hmac:"
DIGEST_INFO = b"kubeconnector value digest v1"
_FINGERPRINT_PREFIX = "sha256:"
_DIGEST_HEX = 16
_KEY_SIZE = 32


class KeySource(Protocol):
    """Derives purpose keys (`kubeconnector.crypto.KeyRing`)."""

    def derive_key(self, info: bytes) -> bytes:
        """A subkey for the purpose ``info`` names."""
        ...


@dataclass(frozen=True)
class Digester:
    """Makes keyed digests of secret values; the key never appears in a repr."""

    key: bytes = field(repr=False)

    @classmethod
    def from_keys(cls, keys: KeySource) -> Digester:
        """The installation's digester: its key derived from the active master key."""
        return cls(keys.derive_key(DIGEST_INFO))

    @classmethod
    def ephemeral(cls) -> Digester:
        """A digester under a random key (consistent only within this process)."""
        return cls(os.urandom(_KEY_SIZE))

    def value(self, value: bytes | str) -> str:
        """The digest of one raw value (text is encoded as UTF-8)."""
        raw = value.encode() if isinstance(value, str) else value
        mac = hmac.new(self.key, raw, hashlib.sha256).hexdigest()
        return DIGEST_PREFIX + mac[:_DIGEST_HEX]

    def data(self, data: Mapping[str, str] | None) -> dict[str, str]:
        """Key -> digest of a Secret's ``data`` (base64 values), keys sorted."""
        return {key: self.value(decode_b64(value)) for key, value in sorted((data or {}).items())}

    def raw(self, values: Mapping[str, bytes]) -> dict[str, str]:
        """Key -> digest of raw values, keys sorted."""
        return {key: self.value(value) for key, value in sorted(values.items())}


def data_fingerprints(data: Mapping[str, str] | None) -> dict[str, str]:
    """Key -> unkeyed fingerprint of a Secret's ``data``: for sealed snapshots only."""
    return {
        key: _FINGERPRINT_PREFIX + hashlib.sha256(decode_b64(value)).hexdigest()[:_DIGEST_HEX]
        for key, value in sorted((data or {}).items())
    }


def decode_b64(encoded: str) -> bytes:
    """A Secret ``data`` value as bytes (an undecodable value is digested as received)."""
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return encoded.encode()
