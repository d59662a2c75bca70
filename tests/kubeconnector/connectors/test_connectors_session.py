"""The Session: who acts, what it opens once, and master key rotation through it."""

from __future__ import annotations

import base64
import os
import pwd
from pathlib import Path

import pytest
from tests.kubeconnector.kube.kubefixtures import document, dump

from kubeconnector import Session as PublicSession
from kubeconnector import resolve_actor as public_resolve_actor
from kubeconnector.errors import ConfigError, InvalidInput
from kubeconnector.models import AuditQuery
from kubeconnector.session import Session, check_actor, resolve_actor
from kubeconnector.settings import Settings


def _settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"KUBECONNECTOR_HOME": str(tmp_path), **env})


def _key(seed: int) -> str:
    return base64.b64encode(bytes([seed]) * 32).decode()


def test_the_package_exports_the_session() -> None:
    assert (PublicSession, public_resolve_actor) == (Session, resolve_actor)


def test_the_actor_comes_from_as_then_the_setting_then_the_login(tmp_path: Path) -> None:
    plain = _settings(tmp_path)
    configured = _settings(tmp_path, KUBECONNECTOR_USER="carol")
    assert resolve_actor("alice", configured, {"USER": "dave"}) == "alice"
    assert resolve_actor(None, configured, {"USER": "dave"}) == "carol"
    assert resolve_actor(None, plain, {"USER": "dave", "LOGNAME": "erin"}) == "dave"
    assert resolve_actor(None, plain, {"LOGNAME": "erin"}) == "erin"
    assert resolve_actor(None, plain, {}) == pwd.getpwuid(os.getuid()).pw_name


@pytest.mark.parametrize("actor", ["", "   ", "a\nb", "x" * 256])
def test_an_unusable_actor_is_refused(actor: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_actor(actor)
    assert (caught.value.field, str(caught.value)) == (
        "actor",
        "the acting user must be 1 to 255 printable characters",
    )


def test_an_explicit_blank_actor_is_not_replaced_by_a_fallback(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        resolve_actor("", _settings(tmp_path), {"USER": "dave"})


def test_nothing_is_opened_until_first_used(tmp_path: Path) -> None:
    with Session(_settings(tmp_path), "alice") as session:
        assert list(tmp_path.iterdir()) == []
        session.connectors.list()
        assert sorted(p.name for p in tmp_path.iterdir()) == [
            "kubeconnector.db",
            "kubeconnector.db-shm",
            "kubeconnector.db-wal",
        ]
        assert session.database is session.database


def test_rotating_the_key_file_reseals_connectors_and_is_audited(tmp_path: Path) -> None:
    with Session(_settings(tmp_path), "alice") as session:
        added = session.connectors.add("prod-k8s", dump(document())).connector
        result = session.keys.rotate()
        assert (result.source, result.resealed) == ("file", 1)
        assert result.retired_kids == (added.key_id,)
        assert session.connectors.get("prod-k8s").key_id == result.active_kid
        with session.connectors.open_client("prod-k8s", "test") as client:
            assert client.server == "https://k8s.example.com:6443"
        (event,) = session.audit.list(AuditQuery(event_type="keys.rotated"))
        opened = session.audit.list(AuditQuery(event_type="connector.decrypted"))
    assert (event.actor, event.resource_id) == ("alice", result.active_kid)
    assert [(e.resource_id, e.payload["operation"]) for e in opened] == [
        (added.id, "rotate-keys"),
        (added.id, "test"),
    ]
    assert event.payload["retiredKids"] == [added.key_id]


def test_rotating_a_single_environment_key_says_how_to_provide_the_new_ring(
    tmp_path: Path,
) -> None:
    settings = _settings(tmp_path, KUBECONNECTOR_MASTER_KEY=_key(1))
    with Session(settings, "alice") as session, pytest.raises(ConfigError) as caught:
        session.keys.rotate()
    assert "new key first, current keys after it" in str(caught.value)


def test_an_environment_ring_with_a_new_first_key_reseals_under_it(tmp_path: Path) -> None:
    with Session(_settings(tmp_path, KUBECONNECTOR_MASTER_KEY=f"old:{_key(1)}"), "a") as first:
        first.connectors.add("prod-k8s", dump(document()))
    ring = f"new:{_key(2)},old:{_key(1)}"
    with Session(_settings(tmp_path, KUBECONNECTOR_MASTER_KEY=ring), "a") as second:
        result = second.keys.rotate()
        assert (result.source, result.active_kid, result.retired_kids) == ("env", "new", ("old",))
    third = Session(_settings(tmp_path, KUBECONNECTOR_MASTER_KEY=f"new:{_key(2)}"), "a")
    with third, third.connectors.open_client("prod-k8s", "test") as client:
        assert client.server == "https://k8s.example.com:6443"
