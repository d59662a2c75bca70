"""The four patch types as the Python client sends them, and server-side apply conflicts.

The client picks the patch type from the body: a dict goes out as a strategic merge patch, a
list as a JSON patch; `_content_type` selects merge patch or apply.
"""

from __future__ import annotations

from typing import Any

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    expect_error,
    failure,
    meta,
    template,
    unique,
)

from kubesim.runner import Cluster

MERGE = "application/merge-patch+json"
APPLY = "application/apply-patch+yaml"
NAMESPACE_PREFIX = "py-patch"


@pytest.fixture
def apps(admin: ApiClient) -> client.AppsV1Api:
    return client.AppsV1Api(admin)


def _deployment(apps: client.AppsV1Api, namespace: str) -> str:
    name = unique("web")
    labels = {"app": name}
    spec = client.V1DeploymentSpec(
        replicas=0, selector=client.V1LabelSelector(match_labels=labels), template=template(labels)
    )
    body = client.V1Deployment(metadata=meta(name, labels={"team": "a"}), spec=spec)
    apps.create_namespaced_deployment(namespace, body)
    return name


def _images(deployment: client.V1Deployment) -> dict[str, str]:
    return {c.name: c.image for c in deployment.spec.template.spec.containers}


def _sidecar() -> dict[str, Any]:
    container = {"name": "sidecar", "image": "busybox:1.36"}
    return {"spec": {"template": {"spec": {"containers": [container]}}}}


def _apply_body(name: str, replicas: int) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {"replicas": replicas},
    }


def test_a_dict_body_is_a_strategic_merge_that_merges_containers_by_name(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    patched = apps.patch_namespaced_deployment(name, namespace, _sidecar())
    assert _images(patched) == {"app": "nginx:1.25", "sidecar": "busybox:1.36"}
    removal = {
        "spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}
    }
    patched = apps.patch_namespaced_deployment(name, namespace, removal)
    assert _images(patched) == {"app": "nginx:1.25"}


def test_a_merge_patch_replaces_lists_and_deletes_keys_set_to_null(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    body = {**_sidecar(), "metadata": {"labels": {"team": None, "tier": "web"}}}
    patched = apps.patch_namespaced_deployment(name, namespace, body, _content_type=MERGE)
    assert _images(patched) == {"sidecar": "busybox:1.36"}
    assert patched.metadata.labels == {"tier": "web"}


def test_a_list_body_is_a_json_patch(apps: client.AppsV1Api, namespace: str) -> None:
    name = _deployment(apps, namespace)
    ops = [
        {"op": "test", "path": "/spec/replicas", "value": 0},
        {"op": "replace", "path": "/spec/replicas", "value": 2},
        {"op": "add", "path": "/metadata/labels/tier", "value": "web"},
    ]
    patched = apps.patch_namespaced_deployment(name, namespace, ops)
    assert patched.spec.replicas == 2
    assert patched.metadata.labels == {"team": "a", "tier": "web"}


def test_a_failing_json_patch_test_is_rejected_as_invalid(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    ops = [{"op": "test", "path": "/spec/replicas", "value": 5}]
    body = expect_error(lambda: apps.patch_namespaced_deployment(name, namespace, ops), 422)
    expected = failure(
        "the server rejected our request due to an error in our request", "Invalid", 422
    )
    assert body == {**expected, "details": {}, "code": 422}


def test_a_patch_carrying_a_stale_resource_version_is_a_409_conflict(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    stale = apps.read_namespaced_deployment(name, namespace).metadata.resource_version
    apps.patch_namespaced_deployment(name, namespace, {"spec": {"replicas": 1}})
    patch = {"metadata": {"resourceVersion": stale}, "spec": {"replicas": 2}}
    body = expect_error(lambda: apps.patch_namespaced_deployment(name, namespace, patch), 409)
    assert body == failure(
        f'Operation cannot be fulfilled on deployments.apps "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again",
        "Conflict",
        409,
        name=name,
        group="apps",
        kind="deployments",
    )


def test_apply_creates_with_201_and_records_its_manager(
    kubesim_cluster: Cluster, apps: client.AppsV1Api, namespace: str
) -> None:
    name = unique("applied")
    labels = {"app": name}
    body = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.25"}]},
            },
        },
    }
    created, code, _ = apps.patch_namespaced_deployment_with_http_info(
        name, namespace, body, field_manager="team-a", _content_type=APPLY
    )
    assert code == 201
    managers = {(m.manager, m.operation) for m in created.metadata.managed_fields}
    assert ("team-a", "Apply") in managers
    assert kubesim_cluster.control.settle(30)
    settled = apps.read_namespaced_deployment(name, namespace).metadata.resource_version
    again, code, _ = apps.patch_namespaced_deployment_with_http_info(
        name, namespace, body, field_manager="team-a", _content_type=APPLY
    )
    assert code == 200
    assert again.metadata.resource_version == settled


def test_apply_without_a_field_manager_is_invalid(apps: client.AppsV1Api, namespace: str) -> None:
    name = _deployment(apps, namespace)
    body = expect_error(
        lambda: apps.patch_namespaced_deployment(
            name, namespace, _apply_body(name, 1), _content_type=APPLY
        ),
        422,
    )
    assert body == failure(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for '
        "apply patch",
        "Invalid",
        422,
        group="meta.k8s.io",
        kind="PatchOptions",
        causes=[
            {
                "reason": "FieldValueRequired",
                "message": "Required value: is required for apply patch",
                "field": "fieldManager",
            }
        ],
    )


def test_apply_conflicts_with_the_manager_that_set_a_field_until_forced(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    body = expect_error(
        lambda: apps.patch_namespaced_deployment(
            name, namespace, _apply_body(name, 3), field_manager="team-b", _content_type=APPLY
        ),
        409,
    )
    message = 'conflict with "OpenAPI-Generator" using apps/v1'
    assert body == failure(
        f"Apply failed with 1 conflict: {message}: .spec.replicas",
        "Conflict",
        409,
        causes=[{"reason": "FieldManagerConflict", "message": message, "field": ".spec.replicas"}],
    )
    forced = apps.patch_namespaced_deployment(
        name,
        namespace,
        _apply_body(name, 3),
        field_manager="team-b",
        force=True,
        _content_type=APPLY,
    )
    assert forced.spec.replicas == 3
    owners = {m.manager: m.fields_v1 for m in forced.metadata.managed_fields}
    assert "f:replicas" in owners["team-b"]["f:spec"]
    assert "f:replicas" not in owners["OpenAPI-Generator"].get("f:spec", {})


def test_apply_conflicts_between_two_appliers_name_the_other_manager_only(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    apps.patch_namespaced_deployment(
        name,
        namespace,
        _apply_body(name, 2),
        field_manager="team-a",
        force=True,
        _content_type=APPLY,
    )
    body = expect_error(
        lambda: apps.patch_namespaced_deployment(
            name, namespace, _apply_body(name, 4), field_manager="team-b", _content_type=APPLY
        ),
        409,
    )
    assert body["message"] == 'Apply failed with 1 conflict: conflict with "team-a": .spec.replicas'


def test_force_on_a_non_apply_patch_is_forbidden(apps: client.AppsV1Api, namespace: str) -> None:
    name = _deployment(apps, namespace)
    body = expect_error(
        lambda: apps.patch_namespaced_deployment(name, namespace, {"spec": {}}, force=True), 422
    )
    assert body["message"] == (
        'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for '
        "non-apply patch"
    )


def test_a_status_patch_is_owned_under_the_status_subresource(
    apps: client.AppsV1Api, namespace: str
) -> None:
    name = _deployment(apps, namespace)
    status = {"status": {"conditions": [{"type": "Custom", "status": "True", "reason": "Test"}]}}
    patched = apps.patch_namespaced_deployment_status(
        name, namespace, status, field_manager="status-writer"
    )
    assert [c.type for c in patched.status.conditions or ()].count("Custom") == 1
    entry = next(m for m in patched.metadata.managed_fields if m.manager == "status-writer")
    assert (entry.operation, entry.subresource) == ("Update", "status")
    assert list(entry.fields_v1) == ["f:status"]
    conditions = entry.fields_v1["f:status"]["f:conditions"]
    element = {".": {}, "f:reason": {}, "f:status": {}, "f:type": {}}
    assert conditions['k:{"type":"Custom"}'] == element
    assert set(conditions) <= {".", 'k:{"type":"Custom"}'}
    spec_owner = next(
        m for m in patched.metadata.managed_fields if m.manager == "OpenAPI-Generator"
    )
    assert "f:status" not in spec_owner.fields_v1
