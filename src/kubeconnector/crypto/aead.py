"""The sealed-text format: AES-256-GCM ciphertexts as self-describing text.

A sealed value reads ``kc1:<kid>:<base64url(nonce | ciphertext | tag)>``: the format version,
the id of the key that sealed it (so keys can rotate), then a fresh random 96-bit nonce and
the GCM output. The associated data the caller passes (which record, which purpose) is bound
together with the format version and the key id, so a value copied to another record, another
purpose or relabelled with another key id does not open.
"""

from __future__ import annotations

import base64
import os
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from kubeconnector.errors import CryptoError

FORMAT = "kc1"
KEY_SIZE = 32
NONCE_SIZE = 12
TAG_SIZE = 16
KID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def valid_kid(kid: str) -> bool:
    """Whether ``kid`` can name a key (letters, digits, ``.``, ``_``, ``-``; at most 64)."""
    return KID_PATTERN.fullmatch(kid) is not None


def seal(key: bytes, kid: str, plaintext: bytes, aad: bytes) -> str:
    """Encrypt ``plaintext`` under ``key`` with a random nonce.

    Args:
        key: 32 key bytes.
        kid: The id recorded in the sealed text.
        plaintext: The bytes to protect.
        aad: Associated data naming the record and purpose the value belongs to.

    Returns:
        The sealed text.
    """
    nonce = os.urandom(NONCE_SIZE)
    body = AESGCM(key).encrypt(nonce, plaintext, _bound_aad(kid, aad))
    return f"{FORMAT}:{kid}:{_b64encode(nonce + body)}"


def key_id_of(sealed: str) -> str:
    """The key id a sealed text names.

    Raises:
        CryptoError: The text is not in the sealed format.
    """
    return _split(sealed)[0]


def unseal(key: bytes, sealed: str, aad: bytes) -> bytes:
    """Decrypt a sealed text with ``key`` (the key its key id names).

    Raises:
        CryptoError: The text is malformed, was tampered with, belongs to another record or
            purpose, or was sealed with another key.
    """
    kid, blob = _split(sealed)
    nonce, body = blob[:NONCE_SIZE], blob[NONCE_SIZE:]
    try:
        return AESGCM(key).decrypt(nonce, body, _bound_aad(kid, aad))
    except InvalidTag:
        raise CryptoError(
            f"the value sealed with key {kid!r} does not open: it was altered, belongs to "
            "another record or purpose, or the key with that id is not the one that sealed it"
        ) from None


def _bound_aad(kid: str, aad: bytes) -> bytes:
    return f"{FORMAT}:{kid}:".encode() + aad


def _split(sealed: str) -> tuple[str, bytes]:
    parts = sealed.split(":")
    if len(parts) != 3 or parts[0] != FORMAT:
        raise CryptoError(f"not a sealed value (expected '{FORMAT}:<kid>:<data>')")
    kid, data = parts[1], parts[2]
    if not valid_kid(kid):
        raise CryptoError("sealed value has an invalid key id")
    blob = _b64decode(data)
    if len(blob) < NONCE_SIZE + TAG_SIZE:
        raise CryptoError(f"sealed value with key {kid!r} is truncated")
    return kid, blob


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    # urlsafe_b64decode silently skips foreign characters; a sealed value must be exact.
    if _B64URL.fullmatch(text) is None or len(text) % 4 == 1:
        raise CryptoError("sealed value is not valid base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
