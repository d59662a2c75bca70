"""Digests that tell secret values apart without showing them, and scrubbing of messages.

Digests are keyed (`Digester`, defined in `kubeconnector.changes.value_digests`): see there.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

from kubeconnector.changes.value_digests import (
    DIGEST_PREFIX,
    Digester,
    data_fingerprints,
    decode_b64,
)

__all__ = [
    "DIGEST_PREFIX",
    "Digester",
    "data_fingerprints",
    "decode_b64",
    "encode_b64",
    "scrub",
]

_REDACTED = "[redacted]"


def encode_b64(value: bytes) -> str:
    """Bytes as a Secret ``data`` value."""
    return base64.b64encode(value).decode()


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
