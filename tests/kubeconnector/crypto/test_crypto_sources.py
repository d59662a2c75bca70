"""The key ring comes from KUBECONNECTOR_MASTER_KEY or from a private key file."""

from __future__ import annotations

import base64
import json
import os
import stat
import threading
from pathlib import Path

import pytest

from kubeconnector.crypto import (
    KeyRing,
    load_key_ring,
    load_or_create_key_file,
    parse_env_key_ring,
    read_key_file,
    write_key_file,
)
from kubeconnector.errors import ConfigError
from kubeconnector.settings import Settings

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))
B64_A = base64.b64encode(KEY_A).decode()
B64_B = base64.b64encode(KEY_B).decode()
AAD = b"connector:x:kubeconfig"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"KUBECONNECTOR_HOME": str(tmp_path / "home"), **env})


def test_the_environment_ring_lists_keys_with_the_active_one_first() -> None:
    ring = parse_env_key_ring(f"new:{B64_B},old:{B64_A}")
    assert ring.kids == ("new", "old")
    sealed = KeyRing("old", {"old": KEY_A}).encrypt(b"x", AAD)
    assert ring.decrypt(sealed, AAD) == b"x"


def test_a_bare_environment_key_gets_the_key_id_env() -> None:
    ring = parse_env_key_ring(B64_A)
    assert ring.kids == ("env",)
    assert ring.decrypt(KeyRing("env", {"env": KEY_A}).encrypt(b"x", AAD), AAD) == b"x"


def test_url_safe_and_unpadded_base64_keys_are_accepted() -> None:
    encoded = base64.urlsafe_b64encode(KEY_B).decode().rstrip("=")
    assert parse_env_key_ring(f"k1:{encoded}").kids == ("k1",)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("not base64!", "KUBECONNECTOR_MASTER_KEY entry 1 is not a base64-encoded 32-byte key"),
        (
            f"k1:{B64_A},k2:{base64.b64encode(b'short').decode()}",
            "KUBECONNECTOR_MASTER_KEY entry 2 is not a base64-encoded 32-byte key",
        ),
        (f"k1:{B64_A},{B64_B}", "KUBECONNECTOR_MASTER_KEY entry 2 is not '<kid>:<base64 key>'"),
        (f"k1:{B64_A},k1:{B64_B}", "KUBECONNECTOR_MASTER_KEY names key id 'k1' twice"),
        (f"bad kid:{B64_A}", "KUBECONNECTOR_MASTER_KEY: invalid key id 'bad kid'"),
    ],
)
def test_a_malformed_environment_ring_is_refused_without_echoing_keys(
    value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_env_key_ring(value)
    assert str(caught.value) == message
    assert B64_A not in str(caught.value) and B64_B not in str(caught.value)


def test_settings_with_a_master_key_use_the_environment_ring(tmp_path: Path) -> None:
    ring = load_key_ring(_settings(tmp_path, KUBECONNECTOR_MASTER_KEY=f"ops1:{B64_A}"))
    assert ring.kids == ("ops1",)
    assert not (tmp_path / "home").exists()


def test_the_key_file_is_created_0600_in_a_0700_home_on_first_use(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    ring = load_key_ring(settings)
    assert _mode(settings.key_file) == 0o600
    assert _mode(settings.home) == 0o700
    assert load_key_ring(settings).kids == ring.kids
    assert [p.name for p in settings.home.iterdir()] == ["master.key"]


def test_the_key_file_records_the_active_key_and_every_key(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    write_key_file(path, KeyRing("b", {"a": KEY_A, "b": KEY_B}))
    document = json.loads(path.read_text())
    assert document == {
        "format": "kubeconnector-keyring",
        "version": 1,
        "active": "b",
        "keys": {"b": B64_B, "a": B64_A},
    }
    assert read_key_file(path).kids == ("b", "a")


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o660, 0o602])
def test_a_key_file_that_others_may_access_is_refused(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "master.key"
    write_key_file(path, KeyRing.generate())
    path.chmod(mode)
    with pytest.raises(ConfigError) as caught:
        read_key_file(path)
    assert str(caught.value) == (
        f"the key file {path} is accessible by group or others (mode {mode:04o}); "
        f"kubeconnector refuses to use it: run 'chmod 600 {path}' and check who copied it"
    )


def test_a_symlinked_key_file_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "real.key"
    write_key_file(real, KeyRing.generate())
    link = tmp_path / "master.key"
    link.symlink_to(real)
    with pytest.raises(ConfigError, match=f"cannot open the key file {link}"):
        read_key_file(link)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "is not a kubeconnector key file (not JSON)"),
        (
            '{"version": 1}',
            "is not a kubeconnector key file (no 'format': 'kubeconnector-keyring')",
        ),
        (
            '{"format": "kubeconnector-keyring", "version": 9}',
            "is not a kubeconnector key file (unsupported version 9)",
        ),
        (
            '{"format": "kubeconnector-keyring", "version": 1, "active": "a", '
            '"keys": {"a": "c2hvcnQ="}}',
            "key 'a' is not 32 base64 bytes",
        ),
        (
            '{"format": "kubeconnector-keyring", "version": 1, "active": "b", '
            f'"keys": {{"a": "{B64_A}"}}}}',
            "the active key 'b' is not in the key ring",
        ),
    ],
)
def test_a_malformed_key_file_is_refused_with_the_reason(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "master.key"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content)
    with pytest.raises(ConfigError) as caught:
        read_key_file(path)
    assert message in str(caught.value)
    assert B64_A not in str(caught.value)


def test_processes_creating_the_key_file_at_once_share_one_ring(tmp_path: Path) -> None:
    path = tmp_path / "home" / "master.key"
    barrier = threading.Barrier(4)
    results: list[tuple[str, ...]] = []

    def create() -> None:
        barrier.wait()
        results.append(load_or_create_key_file(path).kids)

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(results)) == 1
    assert read_key_file(path).kids == results[0]
    assert [p.name for p in path.parent.iterdir()] == ["master.key"]


def test_replacing_the_key_file_keeps_it_private(tmp_path: Path) -> None:
    path = tmp_path / "master.key"
    write_key_file(path, KeyRing.generate("a"))
    write_key_file(path, KeyRing.generate("b"))
    assert _mode(path) == 0o600
    assert read_key_file(path).kids == ("b",)
