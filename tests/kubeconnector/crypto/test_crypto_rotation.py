"""Key rotation reseals everything in one transaction and only then retires old keys."""

from __future__ import annotations

import base64
import stat
from pathlib import Path

import pytest
from sqlalchemy import event, text

from kubeconnector.crypto import (
    ENV_ROTATION_HELP,
    KeyRing,
    load_key_ring,
    read_key_file,
    rotate_master_key,
)
from kubeconnector.errors import ConfigError, CryptoError
from kubeconnector.models import Environment, NewConnector
from kubeconnector.settings import Settings
from kubeconnector.store import ConnectorRepository, Database, SealedValues

KUBECONFIGS = {f"cluster-{n}": f"kind: Config\ntoken: tok-{n}\n" for n in range(3)}


def _settings(tmp_path: Path, master_key: str | None = None) -> Settings:
    env = {"KUBECONNECTOR_HOME": str(tmp_path / "home")}
    if master_key is not None:
        env["KUBECONNECTOR_MASTER_KEY"] = master_key
    return Settings.from_env(env)


def _store_connectors(database: Database, ring: KeyRing) -> ConnectorRepository:
    repo = ConnectorRepository(database, ring)
    for name, kubeconfig in KUBECONFIGS.items():
        repo.add(
            NewConnector(name=name, environment=Environment.DEV, server="https://k"), kubeconfig
        )
    return repo


def _sealed_column(database: Database) -> list[tuple[str, str, str]]:
    with database.engine.connect() as conn:
        rows = conn.execute(
            text("SELECT name, kubeconfig_sealed, key_id FROM connectors ORDER BY name")
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _opens_all(database: Database, ring: KeyRing) -> bool:
    repo = ConnectorRepository(database, ring)
    return all(repo.kubeconfig(name) == kubeconfig for name, kubeconfig in KUBECONFIGS.items())


def test_rotation_reseals_every_value_under_a_new_key_and_retires_the_old_one(
    database: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    old = load_key_ring(settings)
    _store_connectors(database, old)
    result = rotate_master_key(settings, SealedValues(database))
    new = read_key_file(settings.key_file)
    assert (result.source, result.resealed) == ("file", 3)
    assert result.retired_kids == old.kids
    assert result.kept_kids == ()
    assert new.kids == (result.active_kid,) != old.kids
    assert {kid for _, _, kid in _sealed_column(database)} == {result.active_kid}
    assert _opens_all(database, new)
    assert stat.S_IMODE(settings.key_file.stat().st_mode) == 0o600
    with pytest.raises(CryptoError, match="not in the key ring"):
        _opens_all(database, old)


def test_resealing_commits_exactly_one_transaction(database: Database) -> None:
    old = KeyRing.generate("old")
    _store_connectors(database, old)
    commits: list[object] = []

    def count(conn: object) -> None:
        commits.append(conn)

    event.listen(database.engine, "commit", count)
    try:
        resealed = SealedValues(database).reseal_all(old.with_new_active_key("new"))
    finally:
        event.remove(database.engine, "commit", count)
    assert (resealed, len(commits)) == (3, 1)


def test_a_failure_midway_leaves_every_value_openable_by_the_old_ring(
    database: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = _settings(tmp_path)
    old = load_key_ring(settings)
    _store_connectors(database, old)
    before = _sealed_column(database)
    original_encrypt = KeyRing.encrypt
    calls: list[int] = []

    def encrypt_then_fail(self: KeyRing, plaintext: bytes, aad: bytes) -> str:
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return original_encrypt(self, plaintext, aad)

    monkeypatch.setattr(KeyRing, "encrypt", encrypt_then_fail)
    with pytest.raises(OSError, match="disk full"):
        rotate_master_key(settings, SealedValues(database))
    monkeypatch.undo()
    assert _sealed_column(database) == before
    assert _opens_all(database, old)
    assert read_key_file(settings.key_file).kids == old.kids


def test_a_value_that_does_not_open_stops_rotation_before_anything_changes(
    database: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path)
    old = load_key_ring(settings)
    _store_connectors(database, old)
    with database.engine.begin() as conn:
        conn.execute(
            text("UPDATE connectors SET kubeconfig_sealed = :bad WHERE name = 'cluster-2'"),
            {"bad": KeyRing.generate(old.active_kid).encrypt(b"x", b"elsewhere")},
        )
    before = _sealed_column(database)
    with pytest.raises(CryptoError):
        rotate_master_key(settings, SealedValues(database))
    assert _sealed_column(database) == before
    assert read_key_file(settings.key_file).kids == old.kids


def test_an_environment_ring_with_one_key_asks_the_operator_for_the_new_ring(
    database: Database, tmp_path: Path
) -> None:
    settings = _settings(tmp_path, base64.b64encode(bytes(32)).decode())
    with pytest.raises(ConfigError) as caught:
        rotate_master_key(settings, SealedValues(database))
    assert str(caught.value) == ENV_ROTATION_HELP
    assert str(caught.value) == (
        "the key ring comes from KUBECONNECTOR_MASTER_KEY, which kubeconnector cannot rewrite, "
        "so the operator provides the new ring: set KUBECONNECTOR_MASTER_KEY='<new-kid>:<base64 "
        "key>,<old-kid>:<base64 key>' (new key first, current keys after it), run the rotation, "
        "then remove the old keys from the variable"
    )


def test_an_environment_ring_given_by_the_operator_reseals_under_its_first_key(
    database: Database, tmp_path: Path
) -> None:
    old_b64, new_b64 = (base64.b64encode(bytes([n]) * 32).decode() for n in (1, 2))
    old = load_key_ring(_settings(tmp_path, f"old:{old_b64}"))
    _store_connectors(database, old)
    settings = _settings(tmp_path, f"new:{new_b64},old:{old_b64}")
    result = rotate_master_key(settings, SealedValues(database))
    assert (result.source, result.active_kid, result.resealed) == ("env", "new", 3)
    assert result.retired_kids == ("old",)
    assert _opens_all(database, load_key_ring(_settings(tmp_path, f"new:{new_b64}")))
    assert not settings.key_file.exists()


class StragglerStore:
    """A store where a value sealed with the old key appeared after the reseal."""

    def __init__(self, straggler_kid: str) -> None:
        self.straggler_kid = straggler_kid
        self.resealed_with: KeyRing | None = None

    def reseal_all(self, ring: KeyRing) -> int:
        self.resealed_with = ring
        return 0

    def key_ids_in_use(self) -> set[str]:
        return {self.straggler_kid}


def test_an_old_key_still_in_use_after_the_reseal_is_kept(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    old = load_key_ring(settings)
    store = StragglerStore(old.active_kid)
    result = rotate_master_key(settings, store)
    assert result.kept_kids == old.kids
    assert result.retired_kids == ()
    assert read_key_file(settings.key_file).kids == (result.active_kid, *old.kids)
    assert store.resealed_with is not None
    assert store.resealed_with.active_kid == result.active_kid
