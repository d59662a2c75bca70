"""Discovery runs replace a connector's inventory in one step and report the drift."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from kubeconnector.crypto import KeyRing
from kubeconnector.errors import InvalidInput, RecordNotFound
from kubeconnector.models import (
    AssetChange,
    AssetKey,
    DiscoveredAsset,
    DiscoveredRelation,
    Drift,
    DriftSummary,
    Environment,
    NewConnector,
    RunStatus,
)
from kubeconnector.models.inventory import LAST_APPLIED
from kubeconnector.store import AssetRepository, ConnectorRepository, Database


def _asset(
    kind: str, name: str, namespace: str = "app", uid: str = "", rv: str = "1"
) -> DiscoveredAsset:
    return DiscoveredAsset(
        kind=kind, namespace=namespace, name=name, uid=uid or f"uid-{name}", resource_version=rv
    )


def _key(kind: str, name: str, namespace: str = "app") -> AssetKey:
    return AssetKey(kind=kind, namespace=namespace, name=name)


def _consumes(deployment: str, secret: str, **attributes: str) -> DiscoveredRelation:
    return DiscoveredRelation(
        relation_type="consumes-secret",
        source=_key("Deployment", deployment),
        target=_key("Secret", secret),
        attributes=dict(attributes),
    )


@pytest.fixture
def connector_id(database: Database) -> str:
    connector = NewConnector(name="prod", environment=Environment.PROD, server="https://k:6443")
    return ConnectorRepository(database, KeyRing.generate()).add(connector, "kind: Config").id


@pytest.fixture
def repo(database: Database, clock: Callable[[], datetime]) -> AssetRepository:
    return AssetRepository(database, clock=clock)


def _discover(
    repo: AssetRepository,
    connector_id: str,
    assets: list[DiscoveredAsset],
    relations: tuple[DiscoveredRelation, ...] = (),
    forbidden: tuple[str, ...] = (),
) -> tuple[str, Drift]:
    run = repo.start_run(connector_id)
    return run.id, repo.replace_inventory(run.id, assets, relations, forbidden)


BASELINE = [
    _asset("Secret", "db"),
    _asset("Secret", "api-key"),
    _asset("Deployment", "api"),
    _asset("Namespace", "app", namespace=""),
]


def test_a_first_run_adds_everything_and_finishes_succeeded(
    repo: AssetRepository, connector_id: str
) -> None:
    run_id, drift = _discover(repo, connector_id, BASELINE)
    assert drift.added == (
        _key("Deployment", "api"),
        AssetKey(kind="Namespace", name="app"),
        _key("Secret", "api-key"),
        _key("Secret", "db"),
    )
    run = repo.get_run(run_id)
    assert run.status is RunStatus.SUCCEEDED
    assert run.counts == {"Secret": 2, "Deployment": 1, "Namespace": 1}
    assert run.drift == DriftSummary(added=4)
    # Clock readings: 12:01 started, 12:02 the assets were seen, 12:03 the run finished.
    assert run.finished_at == datetime(2025, 3, 1, 12, 3, tzinfo=UTC)
    assert repo.get_asset(connector_id, _key("Secret", "db")).last_seen == datetime(
        2025, 3, 1, 12, 2, tzinfo=UTC
    )


def test_a_later_run_reports_changed_removed_and_recreated_assets(
    repo: AssetRepository, connector_id: str
) -> None:
    first_run, _ = _discover(repo, connector_id, BASELINE)
    later = [
        _asset("Secret", "db", rv="2"),
        _asset("Deployment", "api", uid="uid-new"),
        _asset("Namespace", "app", namespace=""),
        _asset("Secret", "tls"),
    ]
    second_run, drift = _discover(repo, connector_id, later)
    assert drift.added == (_key("Secret", "tls"),)
    assert drift.removed == (_key("Secret", "api-key"),)
    assert drift.changed == (
        AssetChange(
            key=_key("Deployment", "api"),
            old_resource_version="1",
            new_resource_version="1",
            recreated=True,
        ),
        AssetChange(key=_key("Secret", "db"), old_resource_version="1", new_resource_version="2"),
    )
    gone = repo.get_asset(connector_id, _key("Secret", "api-key"))
    assert (gone.deleted, gone.removed_by_run_id, gone.last_run_id) == (True, second_run, first_run)
    recreated = repo.get_asset(connector_id, _key("Deployment", "api"))
    assert recreated.first_seen == recreated.last_seen
    kept = repo.get_asset(connector_id, _key("Secret", "db"))
    assert kept.first_seen < kept.last_seen


def test_a_removed_asset_that_comes_back_is_added_again(
    repo: AssetRepository, connector_id: str
) -> None:
    _discover(repo, connector_id, BASELINE)
    _discover(repo, connector_id, BASELINE[1:])
    _, drift = _discover(repo, connector_id, BASELINE)
    assert drift.added == (_key("Secret", "db"),)
    back = repo.get_asset(connector_id, _key("Secret", "db"))
    assert (back.deleted, back.removed_by_run_id) == (False, None)


def test_kinds_a_run_could_not_list_are_not_counted_as_removed(
    repo: AssetRepository, connector_id: str
) -> None:
    _discover(repo, connector_id, BASELINE, (_consumes("api", "db"),))
    without_secrets = [a for a in BASELINE if a.kind != "Secret"]
    run_id, drift = _discover(repo, connector_id, without_secrets, forbidden=("Secret",))
    assert drift.removed == ()
    assert repo.get_run(run_id).status is RunStatus.PARTIAL
    assert repo.get_run(run_id).forbidden_kinds == ("Secret",)
    assert len(repo.list_assets(connector_id, kind="Secret")) == 2


def test_relations_from_a_forbidden_kind_survive_the_run(
    repo: AssetRepository, connector_id: str
) -> None:
    _discover(repo, connector_id, BASELINE, (_consumes("api", "db"),))
    _discover(repo, connector_id, BASELINE, forbidden=("Deployment",))
    assert len(repo.consumers_of_secret(connector_id, "app", "db")) == 1
    _discover(repo, connector_id, BASELINE)
    assert repo.consumers_of_secret(connector_id, "app", "db") == []


def test_the_consumers_of_a_secret_are_found_with_how_they_consume_it(
    repo: AssetRepository, connector_id: str
) -> None:
    relations = (
        _consumes("api", "db", via="env", container="app", key="password", refresh="restart"),
        _consumes("worker", "db", via="volume", refresh="kubelet-sync"),
        _consumes("api", "api-key", via="env"),
        DiscoveredRelation(
            relation_type="runs-as",
            source=_key("Deployment", "api"),
            target=_key("ServiceAccount", "api"),
        ),
    )
    _discover(repo, connector_id, BASELINE, relations)
    consumers = repo.consumers_of_secret(connector_id, "app", "db")
    assert [(r.source.name, r.attributes.get("via")) for r in consumers] == [
        ("api", "env"),
        ("worker", "volume"),
    ]
    assert consumers[0].attributes == {
        "via": "env",
        "container": "app",
        "key": "password",
        "refresh": "restart",
    }
    by_source = repo.relations(connector_id, source=_key("Deployment", "api"))
    assert [r.relation_type for r in by_source] == ["consumes-secret", "consumes-secret", "runs-as"]


def test_assets_are_queried_by_kind_namespace_and_name(
    repo: AssetRepository, connector_id: str
) -> None:
    _discover(repo, connector_id, [*BASELINE, _asset("Secret", "db", namespace="other")])
    secrets = repo.list_assets(connector_id, kind="Secret")
    assert [(a.namespace, a.name) for a in secrets] == [
        ("app", "api-key"),
        ("app", "db"),
        ("other", "db"),
    ]
    assert [a.namespace for a in repo.list_assets(connector_id, name="db")] == ["app", "other"]
    assert len(repo.list_assets(connector_id, namespace="app")) == 3
    assert len(repo.list_assets(connector_id, limit=2, offset=1)) == 2
    with pytest.raises(RecordNotFound, match="asset Secret/app/missing not found"):
        repo.get_asset(connector_id, _key("Secret", "missing"))


def test_metadata_is_kept_but_a_last_applied_manifest_is_dropped(
    repo: AssetRepository, connector_id: str
) -> None:
    secret = DiscoveredAsset(
        kind="Secret",
        namespace="app",
        name="db",
        uid="u1",
        labels={"app": "api"},
        annotations={"team": "payments", LAST_APPLIED: '{"data":{"password":"aHVudGVyMg=="}}'},
        owners=[{"kind": "ExternalSecret", "name": "db", "controller": True}],
        managers=[{"manager": "external-secrets", "operation": "Apply"}],
        details={"type": "Opaque", "keys": ["password"]},
    )
    _discover(repo, connector_id, [secret])
    stored = repo.get_asset(connector_id, secret.key)
    assert stored.annotations == {"team": "payments"}
    assert stored.labels == {"app": "api"}
    assert stored.owners == [{"kind": "ExternalSecret", "name": "db", "controller": True}]
    assert stored.details == {"type": "Opaque", "keys": ["password"]}


def test_a_failed_run_leaves_the_inventory_alone(repo: AssetRepository, connector_id: str) -> None:
    _discover(repo, connector_id, BASELINE)
    run = repo.start_run(connector_id)
    failed = repo.fail_run(run.id, "connection refused")
    assert (failed.status, failed.error) == (RunStatus.FAILED, "connection refused")
    assert len(repo.list_assets(connector_id)) == 4
    assert repo.list_runs(connector_id)[0].id == run.id


def test_a_finished_run_cannot_replace_the_inventory_again(
    repo: AssetRepository, connector_id: str
) -> None:
    run_id, _ = _discover(repo, connector_id, BASELINE)
    with pytest.raises(InvalidInput, match="already finished"):
        repo.replace_inventory(run_id, [], [])


def test_a_run_listing_one_asset_twice_changes_nothing(
    repo: AssetRepository, connector_id: str
) -> None:
    run = repo.start_run(connector_id)
    with pytest.raises(InvalidInput, match="asset Secret/app/db appears twice"):
        repo.replace_inventory(run.id, [_asset("Secret", "db"), _asset("Secret", "db")], [])
    assert repo.get_run(run.id).status is RunStatus.RUNNING
    assert repo.list_assets(connector_id) == []


def test_a_run_for_an_unknown_connector_is_refused(repo: AssetRepository) -> None:
    with pytest.raises(RecordNotFound, match="connector 'nope' not found"):
        repo.start_run("nope")
