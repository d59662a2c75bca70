"""Listing and linking a whole (scripted) cluster: lists made, consumers, missing targets."""

from __future__ import annotations

from typing import Any

import pytest
from tests.kubeconnector.discovery.discovery_fakes import (
    FakeSource,
    binding,
    deployment,
    env_from,
    namespace,
    pod,
    secret,
    service_account,
)

from kubeconnector.discovery import KINDS, ProgressEvent, collect
from kubeconnector.discovery.kinds import SECRET_TYPES
from kubeconnector.discovery.linker import Inventory, _Known, trusted
from kubeconnector.errors import ServerError, Unauthorized
from kubeconnector.models import AssetKey, DiscoveredAsset, DiscoveredRelation

SA_TOKEN = "kubernetes.io/service-account-token"
WEB_SPEC = {
    "serviceAccountName": "web",
    "containers": [{"name": "app", "image": "web:1", "envFrom": [env_from("web-env")]}],
}


def _inventory(source: FakeSource, scope: str | None = None, **options: Any) -> Inventory:
    return collect(source, scope, **options).inventory


def _relations(inventory: Inventory, relation_type: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (str(r.source), str(r.target), r.attributes)
        for r in inventory.relations
        if r.relation_type == relation_type
    ]


def _shop() -> FakeSource:
    source = FakeSource()
    source.add("namespaces", namespace("shop"))
    source.add("serviceaccounts", service_account("web", "shop"))
    source.add("secrets", secret("web-env", "shop"))
    source.add("deployments", deployment("web", "shop", WEB_SPEC, replicas=2))
    source.add(
        "pods",
        pod("web-abc-1", "shop", WEB_SPEC, deployment_name="web", hash_="abc"),
        pod("web-abc-2", "shop", WEB_SPEC, deployment_name="web", hash_="abc"),
    )
    return source


def test_every_kind_is_listed_once_and_secrets_only_as_metadata() -> None:
    source = FakeSource()
    _inventory(source)
    full = [c for c in source.calls if c.field_selector is None]
    assert sorted(c.plural for c in full) == sorted(k.plural for k in KINDS)
    assert all(c.limit == 500 and c.namespace is None for c in source.calls)
    assert {c.plural for c in source.calls if c.metadata_only} == {"secrets"}
    assert all(c.metadata_only for c in source.calls if c.plural == "secrets")


def test_secret_types_are_asked_for_with_one_field_selector_each() -> None:
    source = FakeSource()
    _inventory(source)
    selectors = [c.field_selector for c in source.calls if c.field_selector]
    assert selectors == [f"type={t}" for t in SECRET_TYPES]


def test_a_namespace_scope_limits_namespaced_kinds_but_not_cluster_scoped_ones() -> None:
    source = FakeSource()
    _inventory(source, "shop", page_size=100)
    by_plural = {c.plural: c for c in source.calls if not (c.field_selector or "").startswith("t")}
    assert by_plural["pods"].namespace == "shop"
    assert by_plural["roles"].namespace == "shop"
    assert by_plural["nodes"].namespace is None
    assert by_plural["clusterrolebindings"].namespace is None
    assert (by_plural["namespaces"].namespace, by_plural["namespaces"].field_selector) == (
        None,
        "metadata.name=shop",
    )
    assert {c.limit for c in source.calls} == {100}


def test_no_secret_data_reaches_the_assets() -> None:
    inventory = _inventory(_shop())
    dumped = [a.model_dump_json() for a in inventory.assets]
    assert not [d for d in dumped if "c2VjcmV0LXZhbHVl" in d]


def test_counts_per_kind() -> None:
    inventory = _inventory(_shop())
    assert inventory.counts == {
        "ClusterRole": 0,
        "ClusterRoleBinding": 0,
        "DaemonSet": 0,
        "Deployment": 1,
        "Namespace": 1,
        "Node": 0,
        "Pod": 2,
        "Role": 0,
        "RoleBinding": 0,
        "Secret": 1,
        "Service": 0,
        "ServiceAccount": 1,
        "StatefulSet": 0,
    }
    assert inventory.unlisted == {}


def test_pods_of_a_listed_deployment_are_represented_by_the_deployment() -> None:
    inventory = _inventory(_shop())
    assert _relations(inventory, "consumes-secret") == [
        (
            "Deployment/shop/web",
            "Secret/shop/web-env",
            {
                "via": "envFrom",
                "refresh": "restart",
                "container": "app",
                "container_kind": "container",
                "optional": False,
            },
        )
    ]
    assert _relations(inventory, "runs-as") == [
        (
            "Deployment/shop/web",
            "ServiceAccount/shop/web",
            {"automountServiceAccountToken": None},
        )
    ]


def test_pods_are_owned_by_their_replicaset() -> None:
    owns = _relations(_inventory(_shop()), "owns")
    assert [(s, t) for s, t, _ in owns] == [
        ("ReplicaSet/shop/web-abc", "Pod/shop/web-abc-1"),
        ("ReplicaSet/shop/web-abc", "Pod/shop/web-abc-2"),
    ]


def test_pods_whose_deployment_could_not_be_listed_are_consumers_themselves() -> None:
    source = _shop()
    source.errors["deployments"] = 403
    inventory = _inventory(source)
    consumers = [s for s, _, _ in _relations(inventory, "consumes-secret")]
    assert consumers == ["Pod/shop/web-abc-1", "Pod/shop/web-abc-2"]
    assert inventory.unlisted == {"Deployment": "forbidden"}
    assert "Deployment" not in inventory.counts


def test_a_bare_pod_consumes_and_runs_as_itself() -> None:
    source = FakeSource()
    spec = {"containers": [{"name": "psql", "env": [_env("PGPASSWORD", "db", "pw")]}]}
    source.add("pods", pod("psql", "payments", spec))
    source.add("secrets", secret("db", "payments"))
    inventory = _inventory(source)
    assert [(s, t) for s, t, _ in _relations(inventory, "consumes-secret")] == [
        ("Pod/payments/psql", "Secret/payments/db")
    ]
    assert [(s, t) for s, t, _ in _relations(inventory, "runs-as")] == [
        ("Pod/payments/psql", "ServiceAccount/payments/default")
    ]


def _env(var: str, name: str, key: str) -> dict[str, Any]:
    return {"name": var, "valueFrom": {"secretKeyRef": {"name": name, "key": key}}}


def test_an_ephemeral_container_of_a_deployments_pod_is_a_consumer_through_the_pod() -> None:
    source = _shop()
    debug = {**WEB_SPEC, "ephemeralContainers": [{"name": "dbg", "env": [_env("X", "db", "pw")]}]}
    source.objects["pods"][0] = pod("web-abc-1", "shop", debug, deployment_name="web", hash_="abc")
    consumes = _relations(_inventory(source), "consumes-secret")
    assert [(s, t, a["container_kind"]) for s, t, a in consumes] == [
        ("Pod/shop/web-abc-1", "Secret/shop/db", "ephemeralContainer"),
        ("Deployment/shop/web", "Secret/shop/web-env", "container"),
    ]


def test_a_secret_that_does_not_exist_is_still_a_consumed_target_flagged_missing() -> None:
    source = _shop()
    source.objects["secrets"] = []
    consumes = _relations(_inventory(source), "consumes-secret")
    assert consumes[0][2]["missing"] is True


def test_missing_is_not_claimed_when_secrets_could_not_be_listed() -> None:
    source = _shop()
    source.errors["secrets"] = 403
    inventory = _inventory(source)
    assert "missing" not in _relations(inventory, "consumes-secret")[0][2]
    assert inventory.unlisted == {"Secret": "forbidden"}


def test_missing_is_not_claimed_outside_the_namespace_scope() -> None:
    source = FakeSource()
    subject = {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"}
    local = {"kind": "ServiceAccount", "name": "ghost"}
    role = {"kind": "ClusterRole", "name": "edit"}
    source.add("rolebindings", binding("ci-edit", "shop", role, subject, local))
    binds = _relations(_inventory(source, "shop"), "binds")
    assert binds == [
        ("RoleBinding/shop/ci-edit", "ServiceAccount/ci/deployer", {"role": "ClusterRole/edit"}),
        (
            "RoleBinding/shop/ci-edit",
            "ServiceAccount/shop/ghost",
            {"role": "ClusterRole/edit", "missing": True},
        ),
    ]


def test_a_binding_to_a_role_that_does_not_exist_is_flagged() -> None:
    source = FakeSource()
    role = {"kind": "Role", "name": "dashboard-reader"}
    source.add("rolebindings", binding("dash", "monitoring", role))
    assert _relations(_inventory(source), "grants") == [
        ("RoleBinding/monitoring/dash", "Role/monitoring/dashboard-reader", {"missing": True})
    ]


def test_consumers_inherit_their_service_accounts_pull_secrets() -> None:
    source = _shop()
    source.objects["serviceaccounts"] = [
        service_account("web", "shop", imagePullSecrets=[{"name": "regcred"}])
    ]
    source.add("secrets", secret("regcred", "shop", "kubernetes.io/dockerconfigjson"))
    pulls = [
        (s, t, a.get("service_account"))
        for s, t, a in _relations(_inventory(source), "consumes-secret")
        if a["via"] == "imagePullSecrets"
    ]
    assert pulls == [
        ("Deployment/shop/web", "Secret/shop/regcred", "web"),
        ("ServiceAccount/shop/web", "Secret/shop/regcred", None),
    ]


def test_own_pull_secrets_replace_the_service_accounts() -> None:
    source = _shop()
    spec = {**WEB_SPEC, "imagePullSecrets": [{"name": "mirror"}]}
    source.objects["deployments"] = [deployment("web", "shop", spec)]
    source.objects["serviceaccounts"] = [
        service_account("web", "shop", imagePullSecrets=[{"name": "regcred"}])
    ]
    pulls = [
        (s, t)
        for s, t, a in _relations(_inventory(source), "consumes-secret")
        if a["via"] == "imagePullSecrets"
    ]
    assert pulls == [
        ("Deployment/shop/web", "Secret/shop/mirror"),
        ("ServiceAccount/shop/web", "Secret/shop/regcred"),
    ]


def test_token_secrets_of_service_accounts() -> None:
    source = FakeSource()
    annotated = {"kubernetes.io/service-account.name": "deployer"}
    source.add("secrets", secret("deployer-token", "ci", SA_TOKEN, annotations=annotated))
    source.add(
        "serviceaccounts",
        service_account("deployer", "ci"),
        service_account("old", "ci", secrets=[{"name": "old-token-x1"}]),
    )
    assert _relations(_inventory(source), "token-of") == [
        ("Secret/ci/deployer-token", "ServiceAccount/ci/deployer", {"evidence": ["annotation"]}),
        (
            "Secret/ci/old-token-x1",
            "ServiceAccount/ci/old",
            {"evidence": ["secrets"], "missing": True},
        ),
    ]


def test_secret_types_come_from_the_typed_lists() -> None:
    source = FakeSource()
    source.add(
        "secrets",
        secret("tls", "shop", "kubernetes.io/tls"),
        secret("plain", "shop"),
        secret("custom", "shop", "example.com/custom"),
    )
    types = {a.name: a.details["type"] for a in _inventory(source).assets}
    assert types == {
        "tls": "kubernetes.io/tls",
        "plain": "Opaque-or-other",
        "custom": "Opaque-or-other",
    }


def test_secret_types_are_unknown_when_a_typed_list_fails() -> None:
    source = FakeSource()
    source.add("secrets", secret("tls", "shop", "kubernetes.io/tls"), secret("plain", "shop"))
    source.errors["secrets type=kubernetes.io/basic-auth"] = 403
    inventory = _inventory(source)
    types = {a.name: a.details["type"] for a in inventory.assets}
    assert types == {"tls": "kubernetes.io/tls", "plain": None}
    assert inventory.unlisted == {}


def test_a_restarted_list_does_not_duplicate_objects() -> None:
    source = _shop()
    source.repeat = {"pods", "secrets"}
    inventory = _inventory(source)
    assert (inventory.counts["Pod"], inventory.counts["Secret"]) == (2, 1)
    assert len(inventory.assets) == len({a.key for a in inventory.assets})


def test_kinds_the_server_does_not_serve_are_recorded_as_not_found() -> None:
    source = FakeSource()
    source.errors["statefulsets"] = 404
    assert _inventory(source).unlisted == {"StatefulSet": "not-found"}


@pytest.mark.parametrize(("code", "error"), [(401, Unauthorized), (500, ServerError)])
def test_other_errors_stop_the_run(code: int, error: type[Exception]) -> None:
    source = _shop()
    source.errors["services"] = code
    with pytest.raises(error, match=f"status {code}"):
        _inventory(source)


def test_progress_reports_pages_and_the_end_of_every_kind() -> None:
    source = _shop()
    source.errors["nodes"] = 403
    events: list[ProgressEvent] = []
    _inventory(source, progress=events.append, page_size=1)
    pods = [e for e in events if e.kind == "Pod"]
    assert [(e.state, e.items, e.pages) for e in pods] == [
        ("listing", 1, 1),
        ("listing", 2, 2),
        ("done", 2, 2),
    ]
    secrets = [e for e in events if e.kind == "Secret"]
    assert secrets[-1] == ProgressEvent("Secret", "done", 1, 1 + len(SECRET_TYPES))
    assert [e.state for e in events if e.kind == "Node"] == ["forbidden"]
    assert events[-1] == ProgressEvent(None, "linking", 0, 0)


def test_trusted_models_equal_validated_ones_and_can_be_copied() -> None:
    fields = {
        "kind": "Secret",
        "namespace": "shop",
        "name": "db",
        "uid": "u",
        "api_version": "v1",
        "resource_version": "1",
        "labels": {"a": "b"},
        "annotations": {},
        "owners": [],
        "managers": [],
        "details": {"type": "Opaque-or-other"},
    }
    fields_set = set(DiscoveredAsset.model_fields)
    built = trusted(DiscoveredAsset, dict(fields), fields_set)
    assert built == DiscoveredAsset.model_validate(fields)
    assert built.key == AssetKey(kind="Secret", namespace="shop", name="db")
    assert built.model_copy(update={"name": "other"}).name == "other"
    assert built.model_dump() == fields
    for model in (DiscoveredAsset, DiscoveredRelation, AssetKey):
        assert not model.__private_attributes__
        assert not any(f.alias or f.validation_alias for f in model.model_fields.values())
        assert model.model_config.get("extra") != "allow"


def test_a_kind_ends_once_after_all_its_lists_even_when_one_fails() -> None:
    source = _shop()
    source.errors["secrets type=kubernetes.io/tls"] = 403
    events: list[ProgressEvent] = []
    _inventory(source, progress=events.append)
    ends = [e for e in events if e.kind == "Secret" and e.state != "listing"]
    assert ends == [ProgressEvent("Secret", "done", 1, 1 + len(SECRET_TYPES) - 1)]
    source.errors = {"secrets": 403}
    events.clear()
    _inventory(source, progress=events.append)
    ends = [e for e in events if e.kind == "Secret" and e.state != "listing"]
    assert [e.state for e in ends] == ["forbidden"]


def test_with_a_scope_only_objects_in_scope_can_be_known_missing() -> None:
    listed = frozenset({"Namespace", "Secret", "ClusterRole"})
    known = _Known({("Namespace", "", "shop")}, listed, "shop")
    assert not known.missing(("Namespace", "", "shop"))
    assert not known.missing(("Namespace", "", "elsewhere"))
    assert known.missing(("Secret", "shop", "absent"))
    assert not known.missing(("Secret", "other", "absent"))
    assert known.missing(("ClusterRole", "", "absent"))
    assert not known.missing(("Role", "shop", "not-listed"))
    everywhere = _Known(set(), listed, None)
    assert everywhere.missing(("Namespace", "", "elsewhere"))
