"""Digests that tell secret values apart without showing them, and scrubbing of messages.

A digest is ``sha256:`` and the first 16 hex digits of the SHA-256 of the raw value: enough to
see that two values differ or match in a plan, a diff or a result. A digest identifies a value;
it does not hide a guessable one, which is why the values themselves are only ever sealed.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping

DIGEST_PREFIX = "sha256:"
_DIGEST_HEX = 16
_REDACTED = "[redacted]"


def value_digest(value: bytes | str) -> str:
    """The digest of one raw value (text is encoded as UTF-8)."""
    raw = value.encode() if isinstance(value, str) else value
    return DIGEST_PREFIX + hashlib.sha256(raw).hexdigest()[:_DIGEST_HEX]


def decode_b64(encoded: str) -> bytes:
    """A Secret ``data`` value as bytes (an undecodable value is digested as received)."""
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        return encoded.encode()


def encode_b64(value: bytes) -> str:
    """Bytes as a Secret ``data`` value."""
    return base64.b64encode(value).decode()


def data_digests(data: Mapping[str, str] | None) -> dict[str, str]:
    """Key -> digest of a Secret's ``data`` (base64 values), keys sorted."""
    return {key: value_digest(decode_b64(value)) for key, value in sorted((data or {}).items())}


def scrub(text: str, secrets: Iterable[bytes | str]) -> str:
    """`text` with every occurrence of a secret value (raw or base64) replaced.

    Server messages may quote a request body; anything built from them passes through here
    before it reaches a Check, a Step, an exception or a log.
    """
    for secret in secrets:
        raw = secret.encode() if isinstance(secret, str) else secret
        if len(raw) < 4:  # too short to be told apart from ordinary text
            continue
        for form in (raw.decode(errors="ignore"), encode_b64(raw)):
            if form:
                text = text.replace(form, _REDACTED)
    return text
