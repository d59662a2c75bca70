"""The discovery service: runs stored with their inventory, drift, partial and failed runs."""

from __future__ import annotations

import gc

import pytest
from tests.kubeconnector.discovery.discovery_fakes import (
    FakeSource,
    deployment,
    env_from,
    secret,
    service_account,
)

from kubeconnector.crypto import KeyRing
from kubeconnector.discovery import ProgressEvent, discover
from kubeconnector.discovery.service import gc_paused
from kubeconnector.errors import RecordNotFound, Unauthorized
from kubeconnector.models import AssetKey, Connector, Environment, NewConnector, RunStatus
from kubeconnector.store import AssetRepository, ConnectorRepository, Database

SPEC = {"serviceAccountName": "web", "containers": [{"name": "app", "envFrom": [env_from("env")]}]}


@pytest.fixture
def connector(database: Database, key_ring: KeyRing) -> Connector:
    repository = ConnectorRepository(database, key_ring)
    new = NewConnector(name="shop", environment=Environment.DEV, server="https://k8s.example:6443")
    return repository.add(new, "apiVersion: v1\nkind: Config\n")


@pytest.fixture
def assets(database: Database) -> AssetRepository:
    return AssetRepository(database)


def _source() -> FakeSource:
    source = FakeSource()
    source.add("serviceaccounts", service_account("web", "shop"))
    source.add("secrets", secret("env", "shop"), secret("spare", "shop"))
    source.add("deployments", deployment("web", "shop", SPEC))
    return source


def test_discover_stores_the_inventory_and_its_relations(
    connector: Connector, assets: AssetRepository
) -> None:
    result = discover(_source(), connector, assets)
    assert result.run.status is RunStatus.SUCCEEDED
    assert result.counts["Secret"] == 2 and result.counts["Deployment"] == 1
    assert result.forbidden_kinds == ()
    assert result.drift.summary.added == 4
    stored = assets.list_assets(connector.id, kind="Secret")
    assert [(a.name, a.details["type"]) for a in stored] == [
        ("env", "Opaque-or-other"),
        ("spare", "Opaque-or-other"),
    ]
    consumers = assets.consumers_of_secret(connector.id, "shop", "env")
    assert [(str(r.source), r.attributes["via"]) for r in consumers] == [
        ("Deployment/shop/web", "envFrom")
    ]
    assert result.relations == len(assets.relations(connector.id))
    assert result.run.counts == {"Deployment": 1, "Secret": 2, "ServiceAccount": 1}
    assert result.pages == 20


def test_rediscovery_reports_what_changed(connector: Connector, assets: AssetRepository) -> None:
    source = _source()
    discover(source, connector, assets)
    source.objects["secrets"] = [
        secret("env", "shop", resourceVersion="7"),
        secret("new", "shop"),
    ]
    drift = discover(source, connector, assets).drift
    assert drift.added == (AssetKey(kind="Secret", namespace="shop", name="new"),)
    assert drift.removed == (AssetKey(kind="Secret", namespace="shop", name="spare"),)
    assert [
        (str(c.key), c.old_resource_version, c.new_resource_version) for c in drift.changed
    ] == [("Secret/shop/env", "1", "7")]


def test_forbidden_kinds_make_the_run_partial(
    connector: Connector, assets: AssetRepository
) -> None:
    source = _source()
    source.errors.update({"nodes": 403, "clusterroles": 403})
    result = discover(source, connector, assets)
    assert result.run.status is RunStatus.PARTIAL
    assert result.forbidden_kinds == ("ClusterRole", "Node")
    assert result.run.forbidden_kinds == ("ClusterRole", "Node")
    assert result.unlisted == {"Node": "forbidden", "ClusterRole": "forbidden"}


def test_a_failed_listing_is_stored_as_a_failed_run(
    connector: Connector, assets: AssetRepository
) -> None:
    source = _source()
    source.errors["pods"] = 401
    with pytest.raises(Unauthorized):
        discover(source, connector, assets)
    (run,) = assets.list_runs(connector.id)
    assert (run.status, run.error) == (RunStatus.FAILED, "Unauthorized: status 401")
    assert assets.list_assets(connector.id) == []


def test_an_unknown_connector_is_refused_before_listing(assets: AssetRepository) -> None:
    source = _source()
    ghost = Connector.model_construct(id="00000000-0000-0000-0000-000000000000", namespace=None)
    with pytest.raises(RecordNotFound):
        discover(source, ghost, assets)
    assert source.calls == []


def test_progress_ends_with_storing_and_finished(
    connector: Connector, assets: AssetRepository
) -> None:
    events: list[ProgressEvent] = []
    discover(_source(), connector, assets, progress=events.append)
    assert [(e.kind, e.state, e.items) for e in events[-3:]] == [
        (None, "linking", 0),
        (None, "storing", 4),
        (None, "finished", 4),
    ]


def test_the_result_counts_requests_when_the_source_does(
    connector: Connector, assets: AssetRepository
) -> None:
    class Counting(FakeSource):
        @property
        def request_count(self) -> int:
            return len(self.calls)

        @property
        def bytes_received(self) -> int:
            return 100 * len(self.calls)

    source = Counting()
    source.add("secrets", secret("env", "shop"))
    result = discover(source, connector, assets)
    assert (result.requests, result.bytes_received) == (20, 2000)
    assert discover(_source(), connector, assets).requests is None


def test_the_garbage_collector_is_paused_only_for_the_block() -> None:
    assert gc.isenabled()
    with pytest.raises(RuntimeError), gc_paused():
        assert not gc.isenabled()
        raise RuntimeError("boom")
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
