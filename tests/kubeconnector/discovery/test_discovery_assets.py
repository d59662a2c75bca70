"""Raw list items to asset fields: common metadata and the details of every kind."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from kubeconnector.discovery import kinds
from kubeconnector.discovery.assets import asset_fields, images, object_key
from kubeconnector.discovery.kinds import Kind
from kubeconnector.discovery.managers import markers
from kubeconnector.models import DiscoveredAsset

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def _fields(kind: Kind, obj: dict[str, Any]) -> dict[str, Any]:
    meta = obj["metadata"]
    key = object_key(kind, meta)
    found = markers(
        key[1],
        meta.get("labels") or {},
        meta.get("annotations") or {},
        [],
        meta.get("managedFields") or [],
    )
    return asset_fields(key, kind, obj, found)


def _details(kind: Kind, obj: dict[str, Any]) -> Any:
    return _fields(kind, obj)["details"]


def test_common_fields_come_from_the_metadata() -> None:
    owner = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-1", "uid": "r1"}
    pod = {
        "metadata": {
            "name": "web-1-abc",
            "namespace": "shop",
            "uid": "p1",
            "resourceVersion": "42",
            "labels": {"app": "web"},
            "annotations": {"note": "hi", LAST_APPLIED: '{"spec": {}}'},
            "ownerReferences": [owner],
        },
        "spec": {},
    }
    fields = _fields(kinds.POD, pod)
    assert {k: v for k, v in fields.items() if k != "details"} == {
        "kind": "Pod",
        "namespace": "shop",
        "name": "web-1-abc",
        "uid": "p1",
        "api_version": "v1",
        "resource_version": "42",
        "labels": {"app": "web"},
        "annotations": {"note": "hi"},
        "owners": [owner],
        "managers": [],
    }
    DiscoveredAsset.model_validate(fields)


def test_cluster_scoped_objects_have_no_namespace_and_group_api_versions() -> None:
    fields = _fields(kinds.CLUSTER_ROLE, {"metadata": {"name": "view", "namespace": "stray"}})
    assert (fields["namespace"], fields["api_version"]) == ("", "rbac.authorization.k8s.io/v1")


def test_missing_metadata_fields_become_empty_values() -> None:
    fields = _fields(kinds.NAMESPACE, {"metadata": {"name": "shop"}})
    assert (fields["uid"], fields["resource_version"], fields["labels"]) == ("", "", {})
    assert fields["details"] == {"phase": None}


def test_namespace_details() -> None:
    obj = {"metadata": {"name": "shop"}, "status": {"phase": "Active"}}
    assert _details(kinds.NAMESPACE, obj) == {"phase": "Active"}


def test_service_details() -> None:
    obj = {
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10", "selector": {"app": "web"}},
    }
    assert _details(kinds.SERVICE, obj) == {
        "type": "ClusterIP",
        "clusterIP": "10.96.0.10",
        "selector": {"app": "web"},
    }


def test_secret_details_have_key_names_from_managed_fields_and_no_values() -> None:
    managed = [{"manager": "kubectl", "operation": "Update", "fieldsV1": {"f:data": {"f:pw": {}}}}]
    secret = {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"name": "db", "namespace": "shop", "managedFields": managed},
    }
    fields = _fields(kinds.SECRET, secret)
    assert fields["details"] == {"type": None, "keys": ["pw"]}
    assert fields["api_version"] == "v1"
    assert fields["managers"] == [
        {"type": "field-manager", "manager": "kubectl", "operation": "Update"}
    ]


def test_a_full_secret_leaves_no_value_in_the_asset() -> None:
    applied = '{"data":{"pw":"c3VwZXJzZWNyZXQ="},"kind":"Secret"}'
    secret = {
        "metadata": {"name": "db", "namespace": "shop", "annotations": {LAST_APPLIED: applied}},
        "type": "Opaque",
        "data": {"pw": "c3VwZXJzZWNyZXQ="},
        "stringData": {"pw": "supersecret"},
    }
    stored = orjson.dumps(_fields(kinds.SECRET, secret))
    assert b"c3VwZXJzZWNyZXQ=" not in stored
    assert b"supersecret" not in stored


def test_service_account_details() -> None:
    obj = {
        "metadata": {"name": "web", "namespace": "shop"},
        "secrets": [{"name": "web-token-abc"}],
        "imagePullSecrets": [{"name": "regcred"}],
        "automountServiceAccountToken": False,
    }
    assert _details(kinds.SERVICE_ACCOUNT, obj) == {
        "secrets": ["web-token-abc"],
        "imagePullSecrets": ["regcred"],
        "automountServiceAccountToken": False,
    }


def test_pod_details() -> None:
    pod = {
        "metadata": {
            "name": "web-7d9f8c6b5-x2x4z",
            "namespace": "shop",
            "labels": {"pod-template-hash": "7d9f8c6b5"},
            "ownerReferences": [
                {"kind": "ReplicaSet", "name": "web-7d9f8c6b5", "controller": True}
            ],
        },
        "spec": {
            "serviceAccountName": "web",
            "nodeName": "worker-1",
            "initContainers": [{"name": "init", "image": "busybox:1.36"}],
            "containers": [
                {"name": "a", "image": "nginx:1.25"},
                {"name": "b", "image": "busybox:1.36"},
            ],
        },
        "status": {
            "phase": "Running",
            "conditions": [
                {"type": "Initialized", "status": "True"},
                {"type": "Ready", "status": "True"},
            ],
        },
    }
    assert _details(kinds.POD, pod) == {
        "serviceAccountName": "web",
        "nodeName": "worker-1",
        "phase": "Running",
        "ready": True,
        "images": ["busybox:1.36", "nginx:1.25"],
        "controller": "Deployment/web",
    }


def test_a_bare_pending_pod_has_no_controller_and_is_not_ready() -> None:
    pod = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {}, "status": {"phase": "Pending"}}
    assert _details(kinds.POD, pod) == {
        "serviceAccountName": "default",
        "nodeName": None,
        "phase": "Pending",
        "ready": False,
        "images": [],
        "controller": None,
    }


def _template(**spec: Any) -> dict[str, Any]:
    return {"metadata": {"labels": {"app": "x"}}, "spec": spec}


def test_deployment_details() -> None:
    obj = {
        "metadata": {"name": "web", "namespace": "shop"},
        "spec": {
            "replicas": 3,
            "paused": True,
            "selector": {"matchLabels": {"app": "web"}},
            "template": _template(
                serviceAccountName="web", containers=[{"name": "a", "image": "web:2"}]
            ),
        },
    }
    assert _details(kinds.DEPLOYMENT, obj) == {
        "replicas": 3,
        "serviceAccountName": "web",
        "images": ["web:2"],
        "selector": {"matchLabels": {"app": "web"}},
        "paused": True,
    }


def test_daemonset_replicas_are_its_desired_number_scheduled() -> None:
    obj = {
        "metadata": {"name": "agent", "namespace": "monitoring"},
        "spec": {"selector": {"matchLabels": {"app": "agent"}}, "template": _template()},
        "status": {"desiredNumberScheduled": 3},
    }
    assert _details(kinds.DAEMON_SET, obj) == {
        "replicas": 3,
        "serviceAccountName": "default",
        "images": [],
        "selector": {"matchLabels": {"app": "agent"}},
    }


def test_statefulset_details() -> None:
    obj = {
        "metadata": {"name": "db", "namespace": "payments"},
        "spec": {"replicas": 1, "selector": {}, "template": _template(serviceAccount="postgres")},
    }
    assert _details(kinds.STATEFUL_SET, obj)["serviceAccountName"] == "postgres"


def test_node_details() -> None:
    taint = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}
    obj = {
        "metadata": {"name": "cp-1"},
        "spec": {"unschedulable": True, "taints": [taint]},
        "status": {
            "conditions": [{"type": "Ready", "status": "True"}],
            "nodeInfo": {"kubeletVersion": "v1.30.2"},
        },
    }
    assert _details(kinds.NODE, obj) == {
        "unschedulable": True,
        "taints": [taint],
        "ready": True,
        "kubeletVersion": "v1.30.2",
    }


def test_a_bare_node_is_schedulable_and_not_ready() -> None:
    assert _details(kinds.NODE, {"metadata": {"name": "n"}}) == {
        "unschedulable": False,
        "taints": [],
        "ready": False,
        "kubeletVersion": None,
    }


@pytest.mark.parametrize("kind", [kinds.ROLE, kinds.CLUSTER_ROLE])
def test_role_details_keep_raw_rules_and_normalise_null_to_empty(kind: Kind) -> None:
    rule = {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"], "resourceNames": ["a"]}
    obj = {"metadata": {"name": "r", "namespace": "ns"}, "rules": [rule]}
    assert _details(kind, obj) == {"rules": [rule], "aggregationRule": None}
    assert _details(kind, {"metadata": {"name": "r"}, "rules": None}) == {
        "rules": [],
        "aggregationRule": None,
    }


def test_aggregated_clusterrole_details() -> None:
    aggregation = {"clusterRoleSelectors": [{"matchLabels": {"aggregate": "true"}}]}
    obj = {"metadata": {"name": "monitoring-view"}, "aggregationRule": aggregation}
    assert _details(kinds.CLUSTER_ROLE, obj) == {"rules": [], "aggregationRule": aggregation}


@pytest.mark.parametrize("kind", [kinds.ROLE_BINDING, kinds.CLUSTER_ROLE_BINDING])
def test_binding_details(kind: Kind) -> None:
    role_ref = {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"}
    subjects = [{"kind": "Group", "name": "dev", "apiGroup": "rbac.authorization.k8s.io"}]
    obj = {"metadata": {"name": "b", "namespace": "ns"}, "roleRef": role_ref, "subjects": subjects}
    assert _details(kind, obj) == {"roleRef": role_ref, "subjects": subjects}
    obj["subjects"] = None
    assert _details(kind, obj)["subjects"] == []


def test_images_keep_order_and_drop_repeats() -> None:
    spec = {
        "initContainers": [{"name": "i", "image": "b"}],
        "containers": [{"name": "x", "image": "a"}, {"name": "y", "image": "b"}, {"name": "z"}],
    }
    assert images(spec) == ["b", "a"]
