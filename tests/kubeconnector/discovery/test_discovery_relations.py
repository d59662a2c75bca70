"""Relations read off raw objects: uses as edges, owners, controllers, tokens, bindings."""

from __future__ import annotations

from typing import Any

import pytest

from kubeconnector.discovery.relations import (
    BINDS,
    CONSUMES_SECRET,
    GRANTS,
    OWNS,
    RUNS_AS,
    TOKEN_OF,
    Edge,
    SecretUse,
    binding_edges,
    consumes,
    owner_edges,
    pull_secret_names,
    runs_as,
    service_account_name,
    subject_key,
    token_edges,
    top_controller,
)

SA_TOKEN = "kubernetes.io/service-account-token"


def test_use_attributes_keep_only_what_is_set() -> None:
    use = SecretUse("db", "env", "restart", "app", "container", key="pw", variable="PW")
    assert use.attributes() == {
        "via": "env",
        "refresh": "restart",
        "container": "app",
        "container_kind": "container",
        "key": "pw",
        "variable": "PW",
        "optional": False,
    }


def test_use_attributes_turn_items_into_a_list() -> None:
    use = SecretUse("s", "projected", "auto", volume="v", items=("a", "b"))
    assert use.attributes() == {
        "via": "projected",
        "refresh": "auto",
        "volume": "v",
        "items": ["a", "b"],
        "optional": False,
    }


def test_consumes_points_at_the_secret_in_the_consumers_namespace() -> None:
    source = ("Deployment", "shop", "cart")
    uses = [SecretUse("regcred", "imagePullSecrets", "pull")]
    assert consumes(source, "shop", uses) == [
        Edge(
            CONSUMES_SECRET,
            source,
            ("Secret", "shop", "regcred"),
            {"via": "imagePullSecrets", "refresh": "pull", "optional": False},
        )
    ]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, "default"),
        ({"serviceAccountName": "web"}, "web"),
        ({"serviceAccount": "legacy"}, "legacy"),
        ({"serviceAccountName": "web", "serviceAccount": "legacy"}, "web"),
    ],
)
def test_service_account_name_defaults_to_default(spec: dict[str, Any], expected: str) -> None:
    assert service_account_name(spec) == expected


def test_runs_as_points_at_the_service_account_in_the_same_namespace() -> None:
    edge = runs_as(("Deployment", "ci", "runner"), "deployer", False)
    assert edge == Edge(
        RUNS_AS,
        ("Deployment", "ci", "runner"),
        ("ServiceAccount", "ci", "deployer"),
        {"automountServiceAccountToken": False},
    )


def test_pull_secret_names_skips_entries_without_a_name() -> None:
    assert pull_secret_names([{"name": "a"}, {}, {"name": ""}, {"name": "b"}]) == ["a", "b"]
    assert pull_secret_names(None) == []


def _ctl(kind: str, name: str, controller: bool = True) -> dict[str, Any]:
    return {"kind": kind, "name": name, "controller": controller}


RS_OWNER = {
    "apiVersion": "apps/v1",
    "kind": "ReplicaSet",
    "name": "web-7d9f8c6b5",
    "uid": "u1",
    "controller": True,
}


@pytest.mark.parametrize(
    ("labels", "owners", "expected"),
    [
        ({"pod-template-hash": "7d9f8c6b5"}, [RS_OWNER], ("Deployment", "ns", "web")),
        ({}, [RS_OWNER], ("ReplicaSet", "ns", "web-7d9f8c6b5")),
        ({"pod-template-hash": "other"}, [RS_OWNER], ("ReplicaSet", "ns", "web-7d9f8c6b5")),
        ({}, [_ctl("DaemonSet", "agent")], ("DaemonSet", "ns", "agent")),
        ({}, [_ctl("StatefulSet", "db")], ("StatefulSet", "ns", "db")),
        ({}, [_ctl("Job", "backup-1")], ("Job", "ns", "backup-1")),
        ({}, [_ctl("Node", "n1")], ("Node", "", "n1")),
        ({}, [_ctl("ReplicaSet", "x", controller=False)], None),
        ({}, [], None),
    ],
)
def test_top_controller_follows_the_controller_reference(
    labels: dict[str, str], owners: list[dict[str, Any]], expected: tuple[str, str, str] | None
) -> None:
    assert top_controller("ns", labels, owners) == expected


def test_a_replicaset_named_only_by_the_hash_is_not_taken_for_a_deployment() -> None:
    owner = {"kind": "ReplicaSet", "name": "-abc", "controller": True}
    assert top_controller("ns", {"pod-template-hash": "abc"}, [owner]) == (
        "ReplicaSet",
        "ns",
        "-abc",
    )


def test_owner_edges_point_from_each_owner_to_the_object() -> None:
    target = ("Pod", "shop", "web-1")
    owners = [RS_OWNER, {"kind": "Node", "name": "n1", "apiVersion": "v1", "uid": "u2"}, {}]
    assert owner_edges(target, owners) == [
        Edge(
            OWNS,
            ("ReplicaSet", "shop", "web-7d9f8c6b5"),
            target,
            {"apiVersion": "apps/v1", "uid": "u1", "controller": True},
        ),
        Edge(
            OWNS, ("Node", "", "n1"), target, {"apiVersion": "v1", "uid": "u2", "controller": False}
        ),
    ]


SECRET = ("Secret", "ci", "deployer-token")


@pytest.mark.parametrize(
    ("secret_type", "annotations", "listed_by", "expected"),
    [
        (
            SA_TOKEN,
            {"kubernetes.io/service-account.name": "deployer"},
            [],
            [("deployer", "annotation")],
        ),
        (SA_TOKEN, {}, ["deployer"], [("deployer", "secrets")]),
        (
            SA_TOKEN,
            {"kubernetes.io/service-account.name": "deployer"},
            ["deployer", "builder"],
            [("deployer", "annotation"), ("deployer", "secrets"), ("builder", "secrets")],
        ),
        ("Opaque-or-other", {"kubernetes.io/service-account.name": "deployer"}, [], []),
        ("Opaque-or-other", {}, ["deployer"], [("deployer", "secrets")]),
        ("Opaque-or-other", {}, [], []),
    ],
)
def test_token_edges_from_the_annotation_or_the_service_accounts_secrets_list(
    secret_type: str,
    annotations: dict[str, str],
    listed_by: list[str],
    expected: list[tuple[str, str]],
) -> None:
    edges = token_edges(SECRET, secret_type, annotations, listed_by)
    found = [(e.target[2], evidence) for e in edges for evidence in e.attributes["evidence"]]
    assert found == expected
    assert all(e.relation_type == TOKEN_OF and e.target[1] == "ci" for e in edges)


def test_binding_edges_of_a_rolebinding_to_a_role_and_mixed_subjects() -> None:
    binding = ("RoleBinding", "shop", "devs")
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dev"}
    subjects = [
        {"kind": "ServiceAccount", "name": "web"},
        {"kind": "ServiceAccount", "name": "deployer", "namespace": "ci"},
        {"kind": "User", "name": "alice@example.com", "apiGroup": "rbac.authorization.k8s.io"},
        {"kind": "Group", "name": "oncall"},
        {"kind": "Group"},
    ]
    assert binding_edges(binding, role_ref, subjects) == [
        Edge(GRANTS, binding, ("Role", "shop", "dev"), {}),
        Edge(BINDS, binding, ("ServiceAccount", "shop", "web"), {"role": "Role/dev"}),
        Edge(BINDS, binding, ("ServiceAccount", "ci", "deployer"), {"role": "Role/dev"}),
        Edge(BINDS, binding, ("User", "", "alice@example.com"), {"role": "Role/dev"}),
        Edge(BINDS, binding, ("Group", "", "oncall"), {"role": "Role/dev"}),
    ]


def test_binding_edges_to_a_clusterrole_point_at_the_cluster_scope() -> None:
    binding = ("RoleBinding", "payments", "default-edit")
    edges = binding_edges(binding, {"kind": "ClusterRole", "name": "edit"}, [])
    assert edges == [Edge(GRANTS, binding, ("ClusterRole", "", "edit"), {})]


def test_subject_key_needs_a_kind_and_a_name() -> None:
    assert subject_key({"kind": "User"}, "ns") is None
    assert subject_key({"name": "x"}, "ns") is None
    assert subject_key({"kind": "ServiceAccount", "name": "x"}, "") == ("ServiceAccount", "", "x")
