"""kubectl delete, including the three cascade modes and the garbage collector behind them."""

from __future__ import annotations

import json

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl, eventually

pytestmark = pytest.mark.kubectl

DEPENDENT = """\
apiVersion: v1
kind: Secret
metadata:
  name: dependent
  ownerReferences:
  - apiVersion: v1
    kind: ConfigMap
    name: owner
    uid: {uid}
    blockOwnerDeletion: true
stringData: {{k: v}}
"""


def _owner_and_dependent(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "configmap", "owner", "--from-literal=a=b", namespace=ns)
    uid = kubectl.get("configmap", "owner", jsonpath="{.metadata.uid}", namespace=ns)
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=DEPENDENT.format(uid=uid))


def _exists(kubectl: Kubectl, ns: str, *what: str) -> bool:
    return kubectl.ok("get", *what, "--ignore-not-found", "-o", "name", namespace=ns) != ""


def test_delete_removes_the_object_and_a_second_delete_is_not_found(
    kubectl: Kubectl, ns: str
) -> None:
    kubectl.ok("create", "secret", "generic", "gone", "--from-literal=a=b", namespace=ns)
    assert kubectl.ok("delete", "secret", "gone", namespace=ns) == 'secret "gone" deleted\n'
    err = kubectl.fails("delete", "secret", "gone", namespace=ns)
    assert err == 'Error from server (NotFound): secrets "gone" not found\n'


def test_delete_ignore_not_found_is_quiet(kubectl: Kubectl, ns: str) -> None:
    assert kubectl.ok("delete", "secret", "never", "--ignore-not-found", namespace=ns) == ""


def test_delete_by_label_selector_deletes_each_match(kubectl: Kubectl, ns: str) -> None:
    for name in ("a", "b", "c"):
        kubectl.ok("create", "configmap", name, namespace=ns)
    kubectl.ok("label", "configmap", "a", "b", "sweep=yes", namespace=ns)
    out = kubectl.ok("delete", "configmap", "-l", "sweep=yes", namespace=ns)
    assert out == 'configmap "a" deleted\nconfigmap "b" deleted\n'
    assert _exists(kubectl, ns, "configmap", "c")


def test_background_cascade_lets_the_garbage_collector_remove_dependents(
    kubectl: Kubectl, ns: str
) -> None:
    _owner_and_dependent(kubectl, ns)
    assert kubectl.ok("delete", "configmap", "owner", namespace=ns) == (
        'configmap "owner" deleted\n'
    )
    eventually(lambda: True if not _exists(kubectl, ns, "secret", "dependent") else None)


def test_foreground_cascade_deletes_dependents_before_the_owner(kubectl: Kubectl, ns: str) -> None:
    _owner_and_dependent(kubectl, ns)
    out = kubectl.ok("delete", "configmap", "owner", "--cascade=foreground", namespace=ns)
    assert out == 'configmap "owner" deleted\n'
    # kubectl waited for the owner to disappear, which happens only after its dependents.
    assert not _exists(kubectl, ns, "secret", "dependent")
    assert not _exists(kubectl, ns, "configmap", "owner")


def test_orphan_cascade_keeps_dependents_without_the_owner_reference(
    kubectl: Kubectl, ns: str
) -> None:
    _owner_and_dependent(kubectl, ns)
    out = kubectl.ok("delete", "configmap", "owner", "--cascade=orphan", namespace=ns)
    assert out == 'configmap "owner" deleted\n'
    meta = json.loads(kubectl.get("secret", "dependent", jsonpath="{.metadata}", namespace=ns))
    assert "ownerReferences" not in meta


def test_delete_dry_run_keeps_the_object(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "configmap", "kept", namespace=ns)
    out = kubectl.ok("delete", "configmap", "kept", "--dry-run=server", namespace=ns)
    assert out == 'configmap "kept" deleted (server dry run)\n'
    assert _exists(kubectl, ns, "configmap", "kept")


def _replica_sets(kubectl: Kubectl, ns: str) -> list[dict[str, object]]:
    items: list[dict[str, object]] = json.loads(
        kubectl.ok("get", "replicasets", "-o", "json", namespace=ns)
    )["items"]
    return items


@pytest.mark.usefixtures("workload_controllers")
def test_orphan_cascade_of_a_deployment_leaves_its_replica_set(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "deployment", "web", "--image=nginx:1.25", namespace=ns)
    eventually(lambda: _replica_sets(kubectl, ns) or None)
    out = kubectl.ok("delete", "deployment", "web", "--cascade=orphan", namespace=ns)
    assert out == 'deployment.apps "web" deleted\n'
    (replica_set,) = _replica_sets(kubectl, ns)
    assert "ownerReferences" not in replica_set["metadata"]  # type: ignore[operator]


@pytest.mark.usefixtures("workload_controllers")
def test_foreground_cascade_of_a_deployment_removes_replica_sets_and_pods(
    kubectl: Kubectl, ns: str
) -> None:
    kubectl.ok("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", namespace=ns)
    kubectl.ok("rollout", "status", "deployment/web", "--timeout=30s", namespace=ns)
    out = kubectl.ok("delete", "deployment", "web", "--cascade=foreground", namespace=ns)
    assert out == 'deployment.apps "web" deleted\n'
    assert _replica_sets(kubectl, ns) == []
    pods = json.loads(kubectl.ok("get", "pods", "-o", "json", namespace=ns))["items"]
    assert all("deletionTimestamp" in p["metadata"] for p in pods)
