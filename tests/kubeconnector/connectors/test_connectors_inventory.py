"""A session over a discovered kubesim inventory: discovery runs, assets, consumers, RBAC."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from tests.kubeconnector.connectors.conftest import kubesim_kubeconfig

from kubeconnector.connectors import parse_kind, parse_target
from kubeconnector.discovery import DiscoveryResult
from kubeconnector.errors import InvalidInput, RecordNotFound
from kubeconnector.models import AssetKey, AuditQuery, RunStatus
from kubeconnector.session import Session
from kubeconnector.settings import Settings
from kubesim.runner import Cluster


@pytest.fixture(scope="module")
def discovered(
    kubesim_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Session, DiscoveryResult]]:
    home = tmp_path_factory.mktemp("inventory")
    settings = Settings.from_env({"KUBECONNECTOR_HOME": str(home)})
    with Session(settings, "alice") as session:
        session.connectors.add("demo", kubesim_kubeconfig(kubesim_cluster, "connector"))
        yield session, session.discovery.run("demo")


@pytest.mark.parametrize("text", ["Secret", "secret", "secrets", " SECRETS "])
def test_a_kind_is_named_by_kind_singular_or_plural(text: str) -> None:
    assert parse_kind(text) == "Secret"


def test_an_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_kind("configmap")
    assert str(caught.value).startswith("unknown kind 'configmap'; kinds: ClusterRole, ")


def test_targets_carry_a_namespace_only_for_namespaced_kinds() -> None:
    assert parse_target("secret/shop/db") == AssetKey(kind="Secret", namespace="shop", name="db")
    assert parse_target("nodes/node-1") == AssetKey(kind="Node", name="node-1")
    for bad, shape in (("secret/db", "kind/namespace/name"), ("node/a/b", "kind/name")):
        with pytest.raises(InvalidInput, match=shape):
            parse_target(bad)


def test_a_discovery_run_is_audited_and_stored(discovered: tuple[Session, DiscoveryResult]) -> None:
    session, result = discovered
    assert (result.run.status, result.forbidden_kinds) == (RunStatus.PARTIAL, ("Node",))
    events = session.audit.list(AuditQuery(resource_id=result.run.connector_id))
    assert [e.event_type for e in events][-2:] == ["connector.decrypted", "discovery.completed"]
    assert events[-2].payload == {"name": "demo", "operation": "discover"}
    completed = events[-1].payload
    assert (completed["runId"], completed["status"]) == (result.run.id, "partial")
    assert completed["counts"] == result.counts
    assert session.assets.last_run(result.run.connector_id) == result.run


def test_assets_are_listed_by_kind_and_namespace(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    listing = session.assets.list("demo", kind="secrets", namespace="shop")
    assert {a.name for a in listing.assets} == {
        "db-credentials",
        "regcred",
        "search-api-key",
        "smtp-credentials",
        "storefront-env",
        "storefront-tls",
    }
    assert listing.to_dict()["assets"][0]["kind"] == "Secret"


def test_one_asset_is_shown_with_its_relations_both_ways(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    view = session.assets.show("demo", "serviceaccount/ci/deployer")
    incoming = {(r.relation_type, str(r.source)) for r in view.incoming}
    assert ("runs-as", "Deployment/ci/build-runner") in incoming
    assert ("token-of", "Secret/ci/deployer-token") in incoming


def test_a_secrets_consumers_say_how_each_reacts_to_a_new_value(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    found = session.assets.consumers("demo", "secret/payments/payments-db").to_dict()
    rows = {(c["consumer"]["name"], c["via"], c["refresh"]) for c in found["consumers"]}
    assert rows == {
        ("psql-client", "env", "restart"),
        ("payments-api", "volume", "never"),
        ("postgres", "env", "restart"),
    }
    texts = {c["refresh"]: c["refreshText"] for c in found["consumers"]}
    assert texts["never"] == (
        "never refreshes (a subPath file is copied once when the container starts)"
    )
    assert found["exists"] is True


def test_a_referenced_but_missing_secret_still_has_its_consumer(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    found = session.assets.consumers("demo", "secret/shop/smtp-relay-override")
    assert found.secret is None
    assert [str(r.source) for r in found.consumers] == ["Deployment/shop/notifications"]


def test_consumers_of_nothing_or_of_a_non_secret_are_refused(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    with pytest.raises(RecordNotFound):
        session.assets.consumers("demo", "secret/shop/no-such-secret")
    with pytest.raises(InvalidInput, match="only Secrets have consumers, not a Deployment"):
        session.assets.consumers("demo", "deployment/shop/cart")


def test_who_can_answers_from_the_inventory_with_provenance(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, result = discovered
    answer = session.rbac.who_can("demo", "get", "secrets", namespace="shop")
    subjects = {e.subject.key: e for e in answer.result.entries}
    assert {"user:alice@example.com", "serviceaccount:ci:deployer"} <= set(subjects)
    (grant,) = subjects["serviceaccount:ci:deployer"].grants
    assert grant.path.startswith("RoleBinding shop/ci-deployer -> ClusterRole edit -> rules[")
    assert answer.basis.run.id == result.run.id
    assert answer.basis.unlisted_kinds == ()
    assert answer.to_dict()["inventory"]["runId"] == result.run.id


def test_effective_permissions_are_per_namespace(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    answer = session.rbac.permissions("demo", "serviceaccount:ci:deployer")
    assert {"ci", "shop"} <= set(answer.result.namespaces)


def test_findings_name_the_workloads_running_as_the_subject(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, _ = discovered
    report = session.rbac.findings("demo").result
    impersonation = [
        f for f in report.of_kind("impersonate") if f.subject.key == "serviceaccount:ci:deployer"
    ]
    assert [w.description for w in impersonation[0].workloads] == ["Deployment ci/build-runner"]
    assert report.excluded["default-bindings"] > 0
    assert session.rbac.findings("demo", include_all=True).result.exclusions == ()


def test_rbac_questions_need_a_discovery_first(
    discovered: tuple[Session, DiscoveryResult], kubesim_cluster: Cluster
) -> None:
    session, _ = discovered
    session.connectors.add("fresh", kubesim_kubeconfig(kubesim_cluster, "discovery"))
    try:
        with pytest.raises(RecordNotFound) as caught:
            session.rbac.findings("fresh")
        assert str(caught.value) == (
            "connector 'fresh' has no inventory yet: run 'kubeconnector discover fresh' first"
        )
    finally:
        session.connectors.remove("fresh")


def test_a_new_discovery_replaces_the_engine_the_answers_come_from(
    discovered: tuple[Session, DiscoveryResult],
) -> None:
    session, first = discovered
    before = session.rbac.who_can("demo", "list", "pods").basis.run.id
    second = session.discovery.run("demo")
    after = session.rbac.who_can("demo", "list", "pods").basis.run.id
    assert (before, after) == (first.run.id, second.run.id)
