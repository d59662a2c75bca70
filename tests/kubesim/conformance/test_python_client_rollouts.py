"""Rollouts through the Python client: status, a failed progress deadline, restart, history, undo.

The Python client has no rollout helpers, so these follow what kubectl does with plain calls:
`rollout status` reads the Deployment's status and conditions, `restart` patches a template
annotation, `history` lists the ReplicaSets' revisions, `undo` copies an old ReplicaSet's
template back into the Deployment.
"""

from __future__ import annotations

import copy
import datetime
from typing import Any

from kubernetes import client
from kubernetes.client import ApiClient
from tests.kubesim.conformance.test_python_client_support import (
    meta,
    template,
    unique,
    wait_for,
)

REVISION = "deployment.kubernetes.io/revision"
RESTARTED = "kubectl.kubernetes.io/restartedAt"
NAMESPACE_PREFIX = "py-roll"


def _create(admin: ApiClient, namespace: str, image: str, deadline: int | None = None) -> str:
    name = unique("web")
    labels = {"app": name}
    spec = client.V1DeploymentSpec(
        replicas=2,
        selector=client.V1LabelSelector(match_labels=labels),
        template=template(labels, image),
        progress_deadline_seconds=deadline,
    )
    client.AppsV1Api(admin).create_namespaced_deployment(
        namespace, client.V1Deployment(metadata=meta(name), spec=spec)
    )
    return name


def _complete(apps: client.AppsV1Api, namespace: str, name: str) -> client.V1Deployment | None:
    """kubectl's `rollout status` success test on the latest observed Deployment."""
    found = apps.read_namespaced_deployment(name, namespace)
    status = found.status
    done = (
        status.observed_generation is not None
        and status.observed_generation >= found.metadata.generation
        and status.updated_replicas == found.spec.replicas
        and status.replicas == found.spec.replicas
        and status.available_replicas == found.spec.replicas
    )
    return found if done else None


def _condition(deployment: client.V1Deployment, kind: str) -> client.V1DeploymentCondition:
    return next(c for c in deployment.status.conditions or () if c.type == kind)


def _revisions(apps: client.AppsV1Api, namespace: str, name: str) -> dict[str, str]:
    sets = apps.list_namespaced_replica_set(namespace, label_selector=f"app={name}").items
    return {rs.metadata.annotations[REVISION]: rs.metadata.name for rs in sets}


def test_a_rollout_completes_with_the_real_conditions(admin: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(admin)
    name = _create(admin, namespace, "nginx:1.25")
    done = wait_for(lambda: _complete(apps, namespace, name), what="the rollout")
    progressing = _condition(done, "Progressing")
    assert (progressing.status, progressing.reason) == ("True", "NewReplicaSetAvailable")
    rs_name = _revisions(apps, namespace, name)["1"]
    assert progressing.message == f'ReplicaSet "{rs_name}" has successfully progressed.'
    available = _condition(done, "Available")
    assert (available.status, available.reason) == ("True", "MinimumReplicasAvailable")


def test_an_image_that_never_runs_exceeds_the_progress_deadline(
    admin: ApiClient, namespace: str
) -> None:
    apps = client.AppsV1Api(admin)
    name = _create(admin, namespace, "nginx:broken", deadline=2)

    def failed() -> client.V1DeploymentCondition | None:
        found = apps.read_namespaced_deployment(name, namespace)
        progressing = next(
            (c for c in found.status.conditions or () if c.type == "Progressing"), None
        )
        return progressing if progressing and progressing.status == "False" else None

    condition = wait_for(failed, timeout=20, what="the progress deadline")
    rs_name = _revisions(apps, namespace, name)["1"]
    assert condition.reason == "ProgressDeadlineExceeded"
    assert condition.message == f'ReplicaSet "{rs_name}" has timed out progressing.'


def _restart(apps: client.AppsV1Api, namespace: str, name: str) -> None:
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    patch = {"spec": {"template": {"metadata": {"annotations": {RESTARTED: stamp}}}}}
    apps.patch_namespaced_deployment(name, namespace, patch)


def test_a_restart_rolls_out_a_second_revision(admin: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(admin)
    name = _create(admin, namespace, "nginx:1.25")
    wait_for(lambda: _complete(apps, namespace, name), what="the first rollout")
    _restart(apps, namespace, name)
    done = wait_for(lambda: _complete(apps, namespace, name), what="the restart")
    assert done.metadata.annotations[REVISION] == "2"
    revisions = _revisions(apps, namespace, name)
    assert sorted(revisions) == ["1", "2"]
    old = apps.read_namespaced_replica_set(revisions["1"], namespace)
    assert old.spec.replicas == 0


def _template_of(rs: client.V1ReplicaSet, api: ApiClient) -> dict[str, Any]:
    """kubectl undo: the ReplicaSet's template without its pod-template-hash label."""
    body: dict[str, Any] = copy.deepcopy(api.sanitize_for_serialization(rs.spec.template))
    body["metadata"]["labels"].pop("pod-template-hash", None)
    return body


def test_undo_rolls_back_to_the_previous_revision(admin: ApiClient, namespace: str) -> None:
    apps = client.AppsV1Api(admin)
    name = _create(admin, namespace, "nginx:1.25")
    wait_for(lambda: _complete(apps, namespace, name), what="the first rollout")
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "nginx:2"}]}}}}
    apps.patch_namespaced_deployment(name, namespace, patch)
    wait_for(lambda: _complete(apps, namespace, name), what="the update")
    first = apps.read_namespaced_replica_set(_revisions(apps, namespace, name)["1"], namespace)
    ops = [{"op": "replace", "path": "/spec/template", "value": _template_of(first, admin)}]
    apps.patch_namespaced_deployment(name, namespace, ops)
    done = wait_for(lambda: _complete(apps, namespace, name), what="the undo")
    assert done.spec.template.spec.containers[0].image == "nginx:1.25"
    assert done.metadata.annotations[REVISION] == "3"
    assert sorted(_revisions(apps, namespace, name)) == ["2", "3"]
    reused = apps.read_namespaced_replica_set(first.metadata.name, namespace)
    assert reused.metadata.annotations["deployment.kubernetes.io/revision-history"] == "1"


def test_pods_stamped_from_one_template_record_the_same_fields(
    admin: ApiClient, namespace: str
) -> None:
    apps = client.AppsV1Api(admin)
    name = _create(admin, namespace, "nginx:1.25")
    wait_for(lambda: _complete(apps, namespace, name), what="the rollout")
    pods = client.CoreV1Api(admin).list_namespaced_pod(namespace, label_selector=f"app={name}")
    creators = [
        next(m for m in pod.metadata.managed_fields if m.manager == "kube-controller-manager")
        for pod in pods.items
    ]
    assert len(creators) == 2
    assert creators[0].fields_v1 == creators[1].fields_v1
    assert creators[0].fields_v1["f:metadata"]["f:ownerReferences"] == {
        ".": {},
        f'k:{{"uid":"{pods.items[0].metadata.owner_references[0].uid}"}}': {},
    }
    assert "f:containers" in creators[0].fields_v1["f:spec"]
