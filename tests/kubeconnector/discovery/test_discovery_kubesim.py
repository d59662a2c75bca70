"""Discovery end to end against kubesim's `demo` cluster, through the connector's client."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import orjson
import pytest

from kubeconnector.crypto import KeyRing
from kubeconnector.discovery import KINDS, SECRET_TYPES, DiscoveryResult, discover
from kubeconnector.kube import ClientOptions, ClusterClient, ResponseRecord, parse_kubeconfig
from kubeconnector.models import Connector, Environment, NewConnector, Relation, RunStatus
from kubeconnector.store import AssetRepository, ConnectorRepository, Database
from kubesim import Cluster
from kubesim.scenarios import demo

DEMO_NAMESPACES = ("shop", "payments", "monitoring", "ci")
DEMO_SECRET_VALUES = ("Zq8-demo-db-pass", "pg-91d7c3b2", "srch-6b1d9e0f4a", "graf-3c7d1e")


class Recorder:
    """Keeps every response the client receives."""

    def __init__(self) -> None:
        self.records: list[ResponseRecord] = []

    def __call__(self, record: ResponseRecord) -> None:
        self.records.append(record)


class Harness:
    """A connector on a throwaway database, discovering through one kubesim context."""

    def __init__(self, cluster: Cluster, tmp: Path, context: str, scope: str | None) -> None:
        self.cluster = cluster
        self.database = Database.open(f"sqlite:///{tmp / 'kubeconnector.db'}")
        self.db_path = tmp / "kubeconnector.db"
        self.recorder = Recorder()
        text = cluster.kubeconfig_yaml(context)
        options = ClientOptions(on_response=self.recorder)
        self.client = ClusterClient(parse_kubeconfig(text, context), options)
        new = NewConnector(
            name=context, environment=Environment.DEV, namespace=scope, server=cluster.url
        )
        self.connector: Connector = ConnectorRepository(self.database, KeyRing.generate()).add(
            new, text
        )
        self.assets = AssetRepository(self.database)

    def discover(self) -> DiscoveryResult:
        return discover(self.client, self.connector, self.assets)

    def close(self) -> None:
        self.client.close()
        self.database.dispose()


@pytest.fixture
def harness_for(kubesim_cluster: Cluster, tmp_path: Path) -> Iterator[Any]:
    made: list[Harness] = []

    def make(context: str, scope: str | None = None) -> Harness:
        directory = tmp_path / f"{context}-{len(made)}"
        directory.mkdir()
        made.append(Harness(kubesim_cluster, directory, context, scope))
        return made[-1]

    yield make
    for harness in made:
        harness.close()


@pytest.fixture(scope="module")
def connector_run(kubesim_cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Any:
    harness = Harness(kubesim_cluster, tmp_path_factory.mktemp("connector"), "connector", None)
    mark = kubesim_cluster.control.mark()
    result = harness.discover()
    yield harness, result, kubesim_cluster.control.requests(mark)
    harness.close()


def _demo_keys(kind: str) -> set[tuple[str, str]]:
    return {
        (m["metadata"].get("namespace", ""), m["metadata"]["name"])
        for m in demo.objects()
        if m["kind"] == kind
    }


def _found(harness: Harness, kind: str) -> set[tuple[str, str]]:
    assets = harness.assets.list_assets(harness.connector.id, kind=kind)
    return {
        (a.namespace, a.name) for a in assets if a.namespace in DEMO_NAMESPACES or not a.namespace
    }


@pytest.mark.parametrize(
    "kind", ["Secret", "Deployment", "StatefulSet", "DaemonSet", "Service", "Role", "RoleBinding"]
)
def test_every_demo_object_of_a_kind_is_discovered(connector_run: Any, kind: str) -> None:
    harness, _, _ = connector_run
    assert _found(harness, kind) == _demo_keys(kind)


def test_demo_cluster_scoped_objects_and_namespaces_are_discovered(connector_run: Any) -> None:
    harness, result, _ = connector_run
    for kind in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
        assert _demo_keys(kind) <= _found(harness, kind)
    assert _demo_keys("ServiceAccount") <= _found(harness, "ServiceAccount")
    assert {("shop", "debug-shell"), ("payments", "psql-client")} <= _found(harness, "Pod")
    assert set(result.counts) == {k.kind for k in KINDS} - {"Node"}


def test_the_connector_identity_may_not_list_nodes(connector_run: Any) -> None:
    _, result, _ = connector_run
    assert result.run.status is RunStatus.PARTIAL
    assert result.forbidden_kinds == ("Node",)


def test_secrets_are_listed_metadata_only_and_no_data_is_received(connector_run: Any) -> None:
    harness, _, _ = connector_run
    secret_lists = [r for r in harness.recorder.records if r.path.endswith("/secrets")]
    assert len(secret_lists) == 8
    for record in secret_lists:
        body = orjson.loads(record.data)
        assert body["kind"] == "PartialObjectMetadataList"
        assert all(item["kind"] == "PartialObjectMetadata" for item in body["items"])
        assert all(set(item) == {"kind", "apiVersion", "metadata"} for item in body["items"])
        assert b'"data":' not in record.data


def test_the_request_log_shows_paginated_lists_and_typed_secret_lists(connector_run: Any) -> None:
    _, result, log = connector_run
    lists = [e for e in log if e["verb"] == "list"]
    assert len(lists) == result.requests == 20
    queries = [(e["resource"], parse_qs(e["query"])) for e in lists]
    assert all(query["limit"] == ["500"] for _, query in queries)
    selectors = sorted(
        q["fieldSelector"][0] for r, q in queries if r == "secrets" and q.get("fieldSelector")
    )
    assert selectors == sorted(f"type={t}" for t in SECRET_TYPES)
    assert {e["status"] for e in lists if e["resource"] == "nodes"} == {403}


def test_secret_types_and_managers_of_the_demo(connector_run: Any) -> None:
    harness, _, _ = connector_run
    secrets = {
        (a.namespace, a.name): a
        for a in harness.assets.list_assets(harness.connector.id, kind="Secret")
    }
    types = {key: a.details["type"] for key, a in secrets.items()}
    assert types[("shop", "regcred")] == "kubernetes.io/dockerconfigjson"
    assert types[("shop", "storefront-tls")] == "kubernetes.io/tls"
    assert types[("ci", "git-credentials")] == "kubernetes.io/basic-auth"
    assert types[("ci", "deployer-token")] == "kubernetes.io/service-account-token"
    assert types[("monitoring", "sh.helm.release.v1.grafana.v3")] == "helm.sh/release.v1"
    assert types[("payments", "payments-db")] == "Opaque-or-other"
    managers = {
        key: [m["type"] for m in a.managers if m["type"] != "field-manager"]
        for key, a in secrets.items()
    }
    assert managers[("monitoring", "grafana-admin")] == ["helm"]
    assert managers[("shop", "search-api-key")] == ["argocd"]
    assert managers[("payments", "fraud-model-token")] == ["flux"]
    assert managers[("payments", "psp-credentials")] == ["external-secrets"]
    assert managers[("payments", "acquirer-api-token")] == ["external-secrets"]
    assert managers[("shop", "smtp-credentials")] == ["sealed-secrets"]


def test_secret_key_names_come_from_managed_fields(connector_run: Any) -> None:
    harness, _, _ = connector_run
    assets = harness.assets.list_assets(harness.connector.id, kind="Secret", namespace="shop")
    keys = {a.name: a.details.get("keys") for a in assets}
    assert keys["db-credentials"] == ["host", "password", "username"]
    assert keys["storefront-tls"] == ["tls.crt", "tls.key"]
    field_managers = {m["manager"] for a in assets for m in a.managers if "manager" in m}
    assert field_managers


def _consumers(harness: Harness, namespace: str, name: str) -> list[Relation]:
    return harness.assets.consumers_of_secret(harness.connector.id, namespace, name)


# (secret, consumer, via, refresh, container kind)
KNOWN_CONSUMERS = [
    ("shop/storefront-env", "Deployment/shop/storefront", "envFrom", "restart", "container"),
    ("shop/storefront-tls", "Deployment/shop/storefront", "volume", "auto", "container"),
    ("shop/regcred", "Deployment/shop/storefront", "imagePullSecrets", "pull", None),
    ("shop/regcred", "Deployment/shop/cart", "imagePullSecrets", "pull", None),
    ("shop/db-credentials", "Deployment/shop/cart", "env", "restart", "container"),
    ("shop/db-credentials", "Pod/shop/debug-shell", "env", "restart", "ephemeralContainer"),
    ("shop/smtp-credentials", "Deployment/shop/notifications", "envFrom", "restart", "container"),
    ("payments/migration-credentials", "Deployment/payments/payments-api", "env", "restart",
     "initContainer"),
    ("payments/payments-db", "Deployment/payments/payments-api", "volume", "never", "container"),
    ("payments/payments-db", "StatefulSet/payments/postgres", "env", "restart", "container"),
    ("payments/payments-db", "Pod/payments/psql-client", "env", "restart", "container"),
    ("payments/stripe-api-key", "Deployment/payments/payments-api", "projected", "auto",
     "container"),
    ("monitoring/prometheus-token", "Deployment/monitoring/prometheus", "volume", "auto",
     "container"),
    ("ci/git-credentials", "Deployment/ci/build-runner", "env", "restart", "initContainer"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("secret", "consumer", "via", "refresh", "container_kind"), KNOWN_CONSUMERS
)
def test_known_consumers_of_demo_secrets(
    connector_run: Any,
    secret: str,
    consumer: str,
    via: str,
    refresh: str,
    container_kind: str | None,
) -> None:
    harness, _, _ = connector_run
    namespace, name = secret.split("/")
    found = {
        (
            str(r.source),
            r.attributes["via"],
            r.attributes["refresh"],
            r.attributes.get("container_kind"),
        )
        for r in _consumers(harness, namespace, name)
    }
    assert (consumer, via, refresh, container_kind) in found


def test_the_missing_optional_secret_is_still_a_consumed_target(connector_run: Any) -> None:
    harness, _, _ = connector_run
    (relation,) = _consumers(harness, "shop", "smtp-relay-override")
    assert str(relation.source) == "Deployment/shop/notifications"
    assert (relation.attributes["optional"], relation.attributes["missing"]) == (True, True)


def test_nobody_consumes_the_legacy_webhook_secret(connector_run: Any) -> None:
    harness, _, _ = connector_run
    assert _consumers(harness, "payments", "legacy-webhook-secret") == []


def test_only_bare_pods_consume_secrets_as_pods(connector_run: Any) -> None:
    harness, _, _ = connector_run
    relations = harness.assets.relations(harness.connector.id, relation_type="consumes-secret")
    # Other tests add namespaces of their own to the shared cluster: look at the demo's.
    pods = {
        str(r.source)
        for r in relations
        if r.source.kind == "Pod" and r.source.namespace in DEMO_NAMESPACES
    }
    assert pods == {"Pod/shop/debug-shell", "Pod/payments/psql-client"}


def test_service_account_relations_of_the_demo(connector_run: Any) -> None:
    harness, _, _ = connector_run
    relations = harness.assets.relations(harness.connector.id)
    triples = {(r.relation_type, str(r.source), str(r.target)) for r in relations}
    assert ("runs-as", "Deployment/ci/build-runner", "ServiceAccount/ci/deployer") in triples
    assert ("token-of", "Secret/ci/deployer-token", "ServiceAccount/ci/deployer") in triples
    binders = {s for t, s, d in triples if t == "binds" and d == "ServiceAccount/ci/deployer"}
    assert binders == {"RoleBinding/ci/deployer-superuser", "RoleBinding/shop/ci-deployer"}
    grants = {(s, d) for t, s, d in triples if t == "grants"}
    assert ("RoleBinding/ci/deployer-superuser", "Role/ci/ci-superuser") in grants
    assert ("RoleBinding/shop/ci-deployer", "ClusterRole/edit") in grants
    missing = [r for r in relations if r.relation_type == "grants" and r.attributes.get("missing")]
    assert [str(r.target) for r in missing] == ["Role/monitoring/dashboard-reader"]


def test_no_secret_value_reaches_the_database(connector_run: Any) -> None:
    harness, _, _ = connector_run
    content = harness.db_path.read_bytes()
    wal = harness.db_path.with_name(harness.db_path.name + "-wal")
    if wal.exists():
        content += wal.read_bytes()
    for value in DEMO_SECRET_VALUES:
        assert value.encode() not in content
        assert base64.b64encode(value.encode()) not in content


def test_the_discovery_identity_is_forbidden_nodes_only(harness_for: Any) -> None:
    result = harness_for("discovery").discover()
    assert (result.run.status, result.forbidden_kinds) == (RunStatus.PARTIAL, ("Node",))
    assert result.counts["Secret"] >= len(_demo_keys("Secret"))


def test_an_identity_without_rights_is_forbidden_every_kind(harness_for: Any) -> None:
    result = harness_for("nobody").discover()
    assert result.run.status is RunStatus.PARTIAL
    assert result.forbidden_kinds == tuple(sorted(k.kind for k in KINDS))
    assert result.counts == {}


def _admin(cluster: Cluster) -> ClusterClient:
    return ClusterClient(parse_kubeconfig(cluster.kubeconfig_yaml("admin"), "admin"))


def _secret(name: str, namespace: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name},
        "stringData": {"k": "v"},
    }


def test_rediscovery_after_a_change_reports_drift(
    harness_for: Any, kubesim_cluster: Cluster
) -> None:
    namespace = "discovery-drift"
    secrets = f"/api/v1/namespaces/{namespace}/secrets"
    with _admin(kubesim_cluster) as admin:
        admin.request("POST", "/api/v1/namespaces", body={"metadata": {"name": namespace}})
        admin.request("POST", secrets, body=_secret("first", namespace))
        admin.request("POST", secrets, body=_secret("gone", namespace))
        harness = harness_for("connector", scope=namespace)
        first = harness.discover()
        assert first.counts["Secret"] == 2 and first.counts["Namespace"] == 1
        admin.request(
            "PATCH",
            f"{secrets}/first",
            body={"metadata": {"labels": {"rotated": "yes"}}},
            content_type="application/merge-patch+json",
        )
        admin.request("POST", secrets, body=_secret("second", namespace))
        admin.request("DELETE", f"{secrets}/gone")
    drift = harness.discover().drift
    assert [str(k) for k in drift.added] == [f"Secret/{namespace}/second"]
    assert [str(k) for k in drift.removed] == [f"Secret/{namespace}/gone"]
    assert [str(c.key) for c in drift.changed] == [f"Secret/{namespace}/first"]
