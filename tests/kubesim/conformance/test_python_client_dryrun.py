"""`dry_run="All"` on every write of every served kind: full processing, nothing persisted.

The cluster is settled before each measured write so that the global resourceVersion can only
move if the dry run itself wrote something.
"""

from __future__ import annotations

import pytest
from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_kinds import KINDS, Kind
from tests.kubesim.conformance.test_python_client_support import (
    expect_error,
    failure,
    unique,
)

from kubesim.runner import Cluster

NAMESPACE_PREFIX = "py-dry"


@pytest.fixture(params=KINDS, ids=[k.name for k in KINDS])
def kind(request: pytest.FixtureRequest) -> Kind:
    found: Kind = request.param
    return found


def _current_rv(cluster: Cluster, admin: ApiClient) -> str:
    assert cluster.control.settle(30)
    rv: str = client.CoreV1Api(admin).list_namespace(limit=1).metadata.resource_version
    return rv


def _existing(admin: ApiClient, namespace: str, kind: Kind) -> tuple[str, str]:
    name = unique(kind.snake.replace("_", ""))
    created = kind.method(admin, "create")(*kind.args(namespace, kind.body(name, namespace)))
    return name, created.metadata.resource_version


def test_a_dry_run_create_answers_201_without_a_resource_version_and_stores_nothing(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name = unique(kind.snake.replace("_", ""))
    before = _current_rv(kubesim_cluster, admin)
    created, code, _ = kind.method(admin, "create", "_with_http_info")(
        *kind.args(namespace, kind.body(name, namespace)), dry_run="All"
    )
    assert code == 201
    assert created.metadata.uid and created.metadata.creation_timestamp is not None
    assert not created.metadata.resource_version
    assert _current_rv(kubesim_cluster, admin) == before
    body = expect_error(lambda: kind.method(admin, "read")(*kind.args(namespace, name)), 404)
    assert body == failure(f'{kind.gr()} "{name}" not found', "NotFound", 404, **kind.details(name))


def test_a_dry_run_replace_returns_the_change_with_the_old_resource_version(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name, _ = _existing(admin, namespace, kind)
    before = _current_rv(kubesim_cluster, admin)
    current = kind.method(admin, "read")(*kind.args(namespace, name))
    old_rv = current.metadata.resource_version
    current.metadata.labels = {"dry": "run"}
    replaced = kind.method(admin, "replace")(*kind.args(namespace, name, current), dry_run="All")
    assert replaced.metadata.labels["dry"] == "run"
    assert replaced.metadata.resource_version == old_rv
    assert _current_rv(kubesim_cluster, admin) == before
    stored = kind.method(admin, "read")(*kind.args(namespace, name))
    assert (stored.metadata.labels or {}).get("dry") is None


def test_a_dry_run_patch_returns_the_patched_object_and_changes_nothing(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name, _ = _existing(admin, namespace, kind)
    before = _current_rv(kubesim_cluster, admin)
    patch = {"metadata": {"labels": {"dry": "patch"}}}
    patched = kind.method(admin, "patch")(*kind.args(namespace, name, patch), dry_run="All")
    assert patched.metadata.labels["dry"] == "patch"
    assert _current_rv(kubesim_cluster, admin) == before
    stored = kind.method(admin, "read")(*kind.args(namespace, name))
    assert (stored.metadata.labels or {}).get("dry") is None
    assert stored.metadata.resource_version == patched.metadata.resource_version


def test_a_dry_run_delete_leaves_the_object_in_place(
    kubesim_cluster: Cluster, admin: ApiClient, namespace: str, kind: Kind
) -> None:
    name, _ = _existing(admin, namespace, kind)
    before = _current_rv(kubesim_cluster, admin)
    kind.method(admin, "delete")(*kind.args(namespace, name), dry_run="All")
    assert _current_rv(kubesim_cluster, admin) == before
    stored = kind.method(admin, "read")(*kind.args(namespace, name))
    assert stored.metadata.deletion_timestamp is None


def test_an_unknown_dry_run_value_is_rejected_with_the_options_error(
    admin: ApiClient, namespace: str
) -> None:
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name=unique("cm")))
    status = expect_error(
        lambda: client.CoreV1Api(admin).create_namespaced_config_map(
            namespace, body, dry_run="Everything"
        ),
        422,
    )
    message = 'Unsupported value: []string{"Everything"}: supported values: "All"'
    assert status == failure(
        f'CreateOptions.meta.k8s.io "" is invalid: dryRun: {message}',
        "Invalid",
        422,
        group="meta.k8s.io",
        kind="CreateOptions",
        causes=[{"reason": "FieldValueNotSupported", "message": message, "field": "dryRun"}],
    )
