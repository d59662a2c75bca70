"""Cluster operations through the Python client: version, discovery, scale, set image, cordon,
immutable Secrets, deletion propagation and impersonation."""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    api_client,
    expect_error,
    failure,
    meta,
    template,
    unique,
    wait_for,
)

from kubesim.runner import Cluster

UNSCHEDULABLE = "node.kubernetes.io/unschedulable"
IMMUTABLE = "Forbidden: field is immutable when `immutable` is set"
NAMESPACE_PREFIX = "py-ops"


def _deployment(admin: ApiClient, namespace: str, replicas: int = 0) -> client.V1Deployment:
    name = unique("web")
    labels = {"app": name}
    spec = client.V1DeploymentSpec(
        replicas=replicas,
        selector=client.V1LabelSelector(match_labels=labels),
        template=template(labels),
    )
    body = client.V1Deployment(metadata=meta(name), spec=spec)
    created: client.V1Deployment = client.AppsV1Api(admin).create_namespaced_deployment(
        namespace, body
    )
    return created


def test_the_version_is_the_emulated_release(admin: ApiClient) -> None:
    version = client.VersionApi(admin).get_code()
    assert (version.major, version.minor, version.git_version) == ("1", "30", "v1.30.2")
    assert version.platform == "linux/amd64"


def test_discovery_documents_deserialize_into_their_typed_models(admin: ApiClient) -> None:
    assert client.CoreApi(admin).get_api_versions().versions == ["v1"]
    groups = {g.name: g for g in client.ApisApi(admin).get_api_versions().groups}
    assert groups["apps"].preferred_version.group_version == "apps/v1"
    core = {r.name: r for r in client.CoreV1Api(admin).get_api_resources().resources}
    assert core["secrets"].namespaced is True
    assert core["secrets"].kind == "Secret"
    assert "deployments/scale" in {
        r.name for r in client.AppsV1Api(admin).get_api_resources().resources
    }


def test_the_scale_subresource_reads_and_changes_replicas(admin: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(admin)
    name = _deployment(admin, namespace).metadata.name
    scale = apps.read_namespaced_deployment_scale(name, namespace)
    assert (scale.kind, scale.api_version, scale.spec.replicas) == ("Scale", "autoscaling/v1", 0)
    patched = apps.patch_namespaced_deployment_scale(name, namespace, {"spec": {"replicas": 2}})
    assert patched.spec.replicas == 2
    scale = apps.read_namespaced_deployment_scale(name, namespace)
    scale.spec.replicas = 3
    assert apps.replace_namespaced_deployment_scale(name, namespace, scale).spec.replicas == 3
    deployment = apps.read_namespaced_deployment(name, namespace)
    assert deployment.spec.replicas == 3
    assert deployment.metadata.generation == 3


def test_setting_an_image_bumps_the_generation(admin: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(admin)
    created = _deployment(admin, namespace)
    name = created.metadata.name
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}}
    patched = apps.patch_namespaced_deployment(name, namespace, patch)
    assert patched.spec.template.spec.containers[0].image == "nginx:2"
    assert patched.metadata.generation == created.metadata.generation + 1
    relabelled = apps.patch_namespaced_deployment(
        name, namespace, {"metadata": {"labels": {"a": "b"}}}
    )
    assert relabelled.metadata.generation == patched.metadata.generation


def test_cordoning_a_node_taints_it_and_uncordoning_removes_the_taint(admin: ApiClient) -> None:
    core = client.CoreV1Api(admin)
    name = unique("node")
    core.create_node(client.V1Node(metadata=meta(name)))

    def taints() -> list[client.V1Taint]:
        return list(core.read_node(name).spec.taints or [])

    core.patch_node(name, {"spec": {"unschedulable": True}})
    tainted = wait_for(taints, what="the unschedulable taint")
    assert [(t.key, t.effect) for t in tainted] == [(UNSCHEDULABLE, "NoSchedule")]
    assert tainted[0].time_added is not None
    core.patch_node(name, {"spec": {"unschedulable": None}})
    wait_for(lambda: not taints(), what="the taint to go")
    core.delete_node(name)


def test_changing_an_immutable_secret_is_forbidden(admin: ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(admin)
    name = unique("frozen")
    body = client.V1Secret(metadata=meta(name), string_data={"k": "v"}, immutable=True)
    core.create_namespaced_secret(namespace, body)
    error = expect_error(
        lambda: core.patch_namespaced_secret(name, namespace, {"stringData": {"k": "w"}}), 422
    )
    assert error == failure(
        f'Secret "{name}" is invalid: data: {IMMUTABLE}',
        "Invalid",
        422,
        name=name,
        kind="Secret",
        causes=[{"reason": "FieldValueForbidden", "message": IMMUTABLE, "field": "data"}],
    )
    labelled = core.patch_namespaced_secret(name, namespace, {"metadata": {"labels": {"a": "b"}}})
    assert labelled.metadata.labels == {"a": "b"}


def _owned_config_map(admin: ApiClient, namespace: str, owner: client.V1Deployment) -> str:
    ref = client.V1OwnerReference(
        api_version="apps/v1",
        kind="Deployment",
        name=owner.metadata.name,
        uid=owner.metadata.uid,
        block_owner_deletion=True,
    )
    name = unique("dependent")
    body = client.V1ConfigMap(metadata=meta(name, owner_references=[ref]))
    client.CoreV1Api(admin).create_namespaced_config_map(namespace, body)
    return name


def _exists(admin: ApiClient, namespace: str, name: str) -> bool:
    try:
        client.CoreV1Api(admin).read_namespaced_config_map(name, namespace)
    except client.ApiException as err:
        assert err.status == 404
        return False
    return True


@pytest.mark.parametrize("policy", ["Background", "Foreground"])
def test_deleting_an_owner_removes_its_dependents(
    admin: ApiClient, namespace: str, policy: str
) -> None:
    owner = _deployment(admin, namespace)
    dependent = _owned_config_map(admin, namespace, owner)
    client.AppsV1Api(admin).delete_namespaced_deployment(
        owner.metadata.name, namespace, propagation_policy=policy
    )
    wait_for(lambda: not _exists(admin, namespace, dependent), what="the dependent to go")


def test_an_orphaning_delete_keeps_the_dependent_without_its_owner_reference(
    admin: ApiClient, namespace: str
) -> None:
    owner = _deployment(admin, namespace)
    dependent = _owned_config_map(admin, namespace, owner)
    client.AppsV1Api(admin).delete_namespaced_deployment(
        owner.metadata.name, namespace, propagation_policy="Orphan"
    )
    core = client.CoreV1Api(admin)
    wait_for(
        lambda: not core.read_namespaced_config_map(dependent, namespace).metadata.owner_references,
        what="the owner reference to be removed",
    )


def test_impersonation_headers_act_as_the_named_user(kubesim_cluster: Cluster) -> None:
    api = api_client(kubesim_cluster)
    user = "system:serviceaccount:kubeconnector:nobody"
    api.set_default_header("Impersonate-User", user)
    body = expect_error(lambda: client.CoreV1Api(api).list_namespaced_secret("default"), 403)
    assert body["message"] == (
        f'secrets is forbidden: User "{user}" cannot list resource "secrets" in API group "" in '
        'the namespace "default"'
    )


def test_impersonation_without_the_right_is_forbidden(kubesim_cluster: Cluster) -> None:
    api = api_client(kubesim_cluster, "nobody")
    api.set_default_header("Impersonate-User", "kubesim-admin")
    body = expect_error(lambda: client.CoreV1Api(api).list_namespaced_secret("default"), 403)
    assert body == failure(
        'users "kubesim-admin" is forbidden: User "system:serviceaccount:kubeconnector:nobody" '
        'cannot impersonate resource "users" in API group "" at the cluster scope',
        "Forbidden",
        403,
        name="kubesim-admin",
        kind="users",
    )
