"""Where the key ring comes from: ``KUBECONNECTOR_MASTER_KEY`` or the key file.

``KUBECONNECTOR_MASTER_KEY`` holds ``<kid>:<base64 32 bytes>`` entries separated by commas, the
active key first; a single bare base64 key gets the key id ``env``. Standard and URL-safe base64
are both accepted (generate one with ``python -c "import os,base64;
print(base64.b64encode(os.urandom(32)).decode())"``).

The key file (``<home>/master.key``) is JSON::

    {"format": "kubeconnector-keyring", "version": 1,
     "active": "<kid>", "keys": {"<kid>": "<base64 32 bytes>", ...}}

It is created on first use, mode 0600 inside a 0700 home, by writing a private temporary file
and linking it into place, so two processes starting at once end up with the same ring. A key
file that its group or others may access, or that another user owns, is refused.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import os
import stat
from pathlib import Path
from typing import Any

from kubeconnector.crypto.aead import KEY_SIZE
from kubeconnector.crypto.keyring import KeyRing
from kubeconnector.errors import ConfigError, CryptoError, KubeConnectorError
from kubeconnector.settings import ENV_MASTER_KEY, Settings

FILE_FORMAT = "kubeconnector-keyring"
FILE_VERSION = 1
ENV_KID = "env"


def load_key_ring(settings: Settings) -> KeyRing:
    """The key ring the settings point at, creating the key file on first use.

    Raises:
        ConfigError: The variable or the key file is malformed or the file is unsafe.
    """
    if settings.master_key is not None:
        return parse_env_key_ring(settings.master_key)
    return load_or_create_key_file(settings.key_file)


def parse_env_key_ring(value: str) -> KeyRing:
    """Parse a ``KUBECONNECTOR_MASTER_KEY`` value (see the module docstring).

    Raises:
        ConfigError: An entry is malformed; the message names the entry by position only.
    """
    entries = [entry.strip() for entry in value.split(",")]
    if len(entries) == 1 and ":" not in entries[0]:
        return _ring_or_config_error(ENV_KID, {ENV_KID: _env_key(entries[0], 1)})
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(entries, start=1):
        kid, sep, encoded = entry.partition(":")
        if not sep or not kid:
            raise ConfigError(f"{ENV_MASTER_KEY} entry {position} is not '<kid>:<base64 key>'")
        if kid in keys:
            raise ConfigError(f"{ENV_MASTER_KEY} names key id {kid!r} twice")
        keys[kid] = _env_key(encoded, position)
    return _ring_or_config_error(entries[0].partition(":")[0], keys)


def load_or_create_key_file(path: Path) -> KeyRing:
    """Read the key file, creating it with one new key when it does not exist yet."""
    try:
        return read_key_file(path)
    except FileNotFoundError:
        ring = KeyRing.generate()
        if _write_private(path, _encode_file(ring), replace=False):
            return ring
        # Another process created the file first; its ring is the one to use.
        return read_key_file(path)


def read_key_file(path: Path) -> KeyRing:
    """Read and check the key file.

    Raises:
        FileNotFoundError: There is no key file.
        ConfigError: The file is unsafe (other users may read it) or malformed.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if isinstance(exc, FileNotFoundError):
            raise
        raise ConfigError(f"cannot open the key file {path}: {exc.strerror}") from None
    with os.fdopen(fd, "rb") as handle:
        _check_private(path, os.fstat(handle.fileno()))
        raw = handle.read()
    return _decode_file(path, raw)


def write_key_file(path: Path, ring: KeyRing) -> None:
    """Atomically replace the key file with ``ring`` (mode 0600)."""
    _write_private(path, _encode_file(ring), replace=True)


def _env_key(encoded: str, position: int) -> bytes:
    key = _b64_key(encoded)
    if key is None:
        raise ConfigError(
            f"{ENV_MASTER_KEY} entry {position} is not a base64-encoded {KEY_SIZE}-byte key"
        )
    return key


def _b64_key(encoded: str) -> bytes | None:
    text = encoded.strip().replace("-", "+").replace("_", "/")
    try:
        key = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        return None
    return key if len(key) == KEY_SIZE else None


def _ring_or_config_error(active: str, keys: dict[str, bytes]) -> KeyRing:
    try:
        return KeyRing(active, keys)
    except CryptoError as exc:
        raise ConfigError(f"{ENV_MASTER_KEY}: {exc}") from None


def _check_private(path: Path, info: os.stat_result) -> None:
    mode = stat.S_IMODE(info.st_mode)
    if mode & 0o077:
        raise ConfigError(
            f"the key file {path} is accessible by group or others (mode {mode:04o}); "
            f"kubeconnector refuses to use it: run 'chmod 600 {path}' and check who copied it"
        )
    if info.st_uid != os.getuid():
        raise ConfigError(f"the key file {path} belongs to another user (uid {info.st_uid})")


def _encode_file(ring: KeyRing) -> bytes:
    keys = {kid: base64.b64encode(key).decode("ascii") for kid, key in ring.key_material()}
    document = {
        "format": FILE_FORMAT,
        "version": FILE_VERSION,
        "active": ring.active_kid,
        "keys": keys,
    }
    return (json.dumps(document, indent=2) + "\n").encode("ascii")


def _decode_file(path: Path, raw: bytes) -> KeyRing:
    problem = f"the key file {path} is not a kubeconnector key file"
    try:
        document: Any = json.loads(raw)
    except ValueError:
        raise ConfigError(f"{problem} (not JSON)") from None
    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        raise ConfigError(f"{problem} (no 'format': {FILE_FORMAT!r})")
    if document.get("version") != FILE_VERSION:
        raise ConfigError(f"{problem} (unsupported version {document.get('version')!r})")
    return _ring_from_document(path, document)


def _ring_from_document(path: Path, document: dict[str, Any]) -> KeyRing:
    entries = document.get("keys")
    active = document.get("active")
    if not isinstance(entries, dict) or not isinstance(active, str):
        raise ConfigError(f"the key file {path} needs 'active' and 'keys'")
    keys: dict[str, bytes] = {}
    for kid, encoded in entries.items():
        key = _b64_key(encoded) if isinstance(encoded, str) else None
        if key is None:
            raise ConfigError(f"the key file {path}: key {kid!r} is not {KEY_SIZE} base64 bytes")
        keys[kid] = key
    try:
        return KeyRing(active, keys)
    except KubeConnectorError as exc:
        raise ConfigError(f"the key file {path}: {exc}") from None


def _write_private(path: Path, content: bytes, *, replace: bool) -> bool:
    """Write ``content`` to ``path`` as a 0600 file, never exposing a partial file.

    Returns False when ``replace`` is off and ``path`` already exists.
    """
    _ensure_private_dir(path.parent)
    temp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        return _install(temp, path, replace=replace)
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _install(temp: Path, path: Path, *, replace: bool) -> bool:
    if replace:
        os.replace(temp, path)
    else:
        try:
            os.link(temp, path)
        except FileExistsError:
            return False
    _fsync_dir(path.parent)
    return True


def _ensure_private_dir(directory: Path) -> None:
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot create {directory}: {exc.strerror}") from None


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
