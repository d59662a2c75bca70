"""Encryption at rest: the AES-256-GCM key ring, where it comes from, and its rotation.

Typical use (the associated data names the record and purpose a value belongs to)::

    ring = load_key_ring(settings)
    sealed = ring.encrypt(kubeconfig.encode(), b"connector:<uuid>:kubeconfig")
    kubeconfig = ring.decrypt(sealed, b"connector:<uuid>:kubeconfig").decode()
"""

from kubeconnector.crypto.aead import key_id_of
from kubeconnector.crypto.keyring import KeyRing, new_kid
from kubeconnector.crypto.rotation import (
    ENV_ROTATION_HELP,
    CiphertextStore,
    RotationResult,
    rotate_master_key,
)
from kubeconnector.crypto.sources import (
    load_key_ring,
    load_or_create_key_file,
    parse_env_key_ring,
    read_key_file,
    write_key_file,
)

__all__ = [
    "ENV_ROTATION_HELP",
    "CiphertextStore",
    "KeyRing",
    "RotationResult",
    "key_id_of",
    "load_key_ring",
    "load_or_create_key_file",
    "new_kid",
    "parse_env_key_ring",
    "read_key_file",
    "rotate_master_key",
    "write_key_file",
]
