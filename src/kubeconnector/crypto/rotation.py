"""Master key rotation: a new active key, every stored ciphertext resealed, old keys retired.

With the key file, rotation runs in three steps, ordered so that a crash at any point leaves
every ciphertext openable by what the key file holds:

1. the key file gains a new active key (old keys kept);
2. the store reseals every ciphertext under the new key in one transaction (all or nothing; on
   failure the previous key file is put back);
3. only after the commit, keys no ciphertext names any more are dropped from the file.

A ring given in ``KUBECONNECTOR_MASTER_KEY`` cannot be rewritten by kubeconnector, so the
operator provides the new ring there (new key first, old keys after it) and removes the old keys
after rotation.

Run rotation while no other kubeconnector process writes: a process that loaded the previous
ring would keep sealing with the retired key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from kubeconnector.crypto.keyring import KeyRing
from kubeconnector.crypto.sources import (
    load_or_create_key_file,
    parse_env_key_ring,
    write_key_file,
)
from kubeconnector.errors import ConfigError
from kubeconnector.settings import ENV_MASTER_KEY, Settings

ENV_ROTATION_HELP = (
    f"the key ring comes from {ENV_MASTER_KEY}, which kubeconnector cannot rewrite, so the "
    f"operator provides the new ring: set {ENV_MASTER_KEY}='<new-kid>:<base64 key>,"
    "<old-kid>:<base64 key>' (new key first, current keys after it), run the rotation, then "
    "remove the old keys from the variable"
)


class CiphertextStore(Protocol):
    """What rotation needs from the database (`kubeconnector.store.SealedValues`)."""

    def reseal_all(self, ring: KeyRing) -> int:
        """Reseal every stored ciphertext under ``ring``'s active key in one transaction."""
        ...

    def key_ids_in_use(self) -> set[str]:
        """The key ids that stored ciphertexts name."""
        ...


@dataclass(frozen=True)
class RotationResult:
    """What a rotation did.

    Attributes:
        source: Where the ring lives (``file`` or ``env``).
        active_kid: The key that now seals everything.
        resealed: How many ciphertexts were resealed.
        retired_kids: Keys no longer needed; with ``env`` the operator removes them.
        kept_kids: Old keys still named by some ciphertext (written meanwhile), kept.
    """

    source: Literal["file", "env"]
    active_kid: str
    resealed: int
    retired_kids: tuple[str, ...]
    kept_kids: tuple[str, ...]


def rotate_master_key(settings: Settings, store: CiphertextStore) -> RotationResult:
    """Rotate the master key the settings point at and reseal everything the store holds.

    Raises:
        ConfigError: The ring comes from the environment and holds a single key (the message
            says how to provide the new ring), or the key source is unusable.
        CryptoError: A stored ciphertext does not open; nothing was changed.
        StorageError: The database failed; nothing was changed.
    """
    if settings.master_key is not None:
        return _rotate_env(settings.master_key, store)
    return _rotate_file(settings.key_file, store)


def _rotate_file(path: Path, store: CiphertextStore) -> RotationResult:
    previous = load_or_create_key_file(path)
    rotated = previous.with_new_active_key()
    write_key_file(path, rotated)
    try:
        resealed = store.reseal_all(rotated)
    except BaseException:
        write_key_file(path, previous)
        raise
    retired, kept = _split_old_kids(rotated, store.key_ids_in_use())
    write_key_file(path, rotated.retaining(kept))
    return RotationResult("file", rotated.active_kid, resealed, retired, kept)


def _rotate_env(value: str, store: CiphertextStore) -> RotationResult:
    ring = parse_env_key_ring(value)
    if len(ring.kids) < 2:
        raise ConfigError(ENV_ROTATION_HELP)
    resealed = store.reseal_all(ring)
    retired, kept = _split_old_kids(ring, store.key_ids_in_use())
    return RotationResult("env", ring.active_kid, resealed, retired, kept)


def _split_old_kids(ring: KeyRing, in_use: set[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    old = ring.kids[1:]
    return tuple(k for k in old if k not in in_use), tuple(k for k in old if k in in_use)
