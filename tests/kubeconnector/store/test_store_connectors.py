"""Connectors are stored with their kubeconfig sealed and bound to their own record."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from kubeconnector.crypto import KeyRing, key_id_of
from kubeconnector.errors import CryptoError, RecordExists, RecordNotFound
from kubeconnector.models import (
    AssetKey,
    ConnectorUpdate,
    DiscoveredAsset,
    DiscoveredRelation,
    Environment,
    NewConnector,
)
from kubeconnector.store import AssetRepository, ConnectorRepository, Database

KUBECONFIG = "apiVersion: v1\nkind: Config\nusers:\n- name: u\n  user:\n    token: abc123\n"


def _new(name: str = "prod-k8s", **fields: object) -> NewConnector:
    values: dict[str, object] = {
        "name": name,
        "environment": Environment.PROD,
        "server": "https://10.0.0.1:6443",
    }
    return NewConnector.model_validate(values | fields)


@pytest.fixture
def repo(
    database: Database, key_ring: KeyRing, clock: Callable[[], datetime]
) -> ConnectorRepository:
    return ConnectorRepository(database, key_ring, clock=clock)


def test_an_added_connector_is_found_by_id_and_by_name(repo: ConnectorRepository) -> None:
    added = repo.add(_new(context="admin@prod", namespace="payments"), KUBECONFIG)
    assert repo.get(added.id) == added
    assert repo.get("prod-k8s") == added
    assert added.context == "admin@prod"
    assert added.namespace == "payments"
    assert added.created_at == datetime(2025, 3, 1, 12, 1, tzinfo=UTC)


def test_the_kubeconfig_opens_to_what_was_stored(repo: ConnectorRepository) -> None:
    added = repo.add(_new(), KUBECONFIG)
    assert repo.kubeconfig(added.id) == KUBECONFIG
    assert repo.kubeconfig("prod-k8s") == KUBECONFIG


def test_the_stored_kubeconfig_is_sealed_with_the_active_key(
    repo: ConnectorRepository, database: Database, key_ring: KeyRing
) -> None:
    added = repo.add(_new(), KUBECONFIG)
    with database.engine.connect() as conn:
        sealed, kid = conn.execute(
            text("SELECT kubeconfig_sealed, key_id FROM connectors WHERE id = :id"),
            {"id": added.id},
        ).one()
    assert sealed.startswith(f"kc1:{key_ring.active_kid}:")
    assert kid == key_id_of(sealed) == added.key_id == key_ring.active_kid


def test_a_kubeconfig_copied_into_another_connector_does_not_open(
    repo: ConnectorRepository, database: Database
) -> None:
    victim = repo.add(_new("victim"), KUBECONFIG)
    thief = repo.add(_new("thief"), "apiVersion: v1\nkind: Config\n")
    with database.engine.begin() as conn:
        conn.execute(
            text(
                "UPDATE connectors SET kubeconfig_sealed = "
                "(SELECT kubeconfig_sealed FROM connectors WHERE id = :victim) WHERE id = :thief"
            ),
            {"victim": victim.id, "thief": thief.id},
        )
    with pytest.raises(CryptoError):
        repo.kubeconfig("thief")


def test_a_taken_name_is_refused(repo: ConnectorRepository) -> None:
    repo.add(_new(), KUBECONFIG)
    with pytest.raises(RecordExists) as caught:
        repo.add(_new(environment=Environment.DEV), KUBECONFIG)
    assert str(caught.value) == "a connector named 'prod-k8s' already exists"


def test_an_unknown_connector_is_reported_by_the_reference_given(
    repo: ConnectorRepository,
) -> None:
    with pytest.raises(RecordNotFound) as caught:
        repo.get("staging-k8s")
    assert str(caught.value) == "connector 'staging-k8s' not found"
    with pytest.raises(RecordNotFound):
        repo.kubeconfig("staging-k8s")


def test_connectors_are_listed_by_name(repo: ConnectorRepository) -> None:
    for name in ("zeta", "alpha", "mid"):
        repo.add(_new(name), KUBECONFIG)
    assert [c.name for c in repo.list()] == ["alpha", "mid", "zeta"]


def test_an_update_changes_only_the_fields_given(repo: ConnectorRepository) -> None:
    added = repo.add(
        _new(context="c1", namespace="n1", warnings=("insecure-skip-tls-verify",)), KUBECONFIG
    )
    updated = repo.update(
        added.id, ConnectorUpdate(namespace=None, environment=Environment.STAGING)
    )
    assert updated.namespace is None
    assert updated.environment is Environment.STAGING
    assert updated.context == "c1"
    assert updated.warnings == ("insecure-skip-tls-verify",)
    assert updated.updated_at > added.updated_at
    assert repo.get(added.id) == updated


def test_an_update_with_a_kubeconfig_reseals_it_under_the_current_key(
    database: Database,
) -> None:
    old_ring = KeyRing.generate("old")
    added = ConnectorRepository(database, old_ring).add(_new(), KUBECONFIG)
    new_ring = old_ring.with_new_active_key("new")
    repo = ConnectorRepository(database, new_ring)
    updated = repo.update(added.id, ConnectorUpdate(), kubeconfig="apiVersion: v1\nkind: Config\n")
    assert updated.key_id == "new"
    assert repo.kubeconfig(added.id) == "apiVersion: v1\nkind: Config\n"


def test_required_fields_cannot_be_cleared_by_an_update() -> None:
    with pytest.raises(ValueError, match="server cannot be cleared"):
        ConnectorUpdate(server=None)


def test_removing_a_connector_removes_its_inventory(
    repo: ConnectorRepository, database: Database
) -> None:
    added = repo.add(_new(), KUBECONFIG)
    assets = AssetRepository(database)
    run = assets.start_run(added.id)
    secret = DiscoveredAsset(kind="Secret", namespace="app", name="db", uid="u1")
    relation = DiscoveredRelation(
        relation_type="consumes-secret",
        source=AssetKey(kind="Deployment", namespace="app", name="api"),
        target=secret.key,
    )
    assets.replace_inventory(run.id, [secret], [relation])
    assert repo.remove("prod-k8s") == added
    with pytest.raises(RecordNotFound):
        repo.get(added.id)
    with database.engine.connect() as conn:
        for table in ("assets", "relations", "discovery_runs"):
            assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() == 0
