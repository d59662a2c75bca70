"""kubectl apply: client-side (three-way merge) and server-side (field managers, conflicts)."""

from __future__ import annotations

import json

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl

pytestmark = pytest.mark.kubectl

MANIFEST = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: app-config
data:
  mode: blue
---
apiVersion: v1
kind: Secret
metadata:
  name: app-secret
data:
  password: aHVudGVyMg==
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: app
        image: nginx:1.25
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - port: 80
"""
CONFIG = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: owned\ndata:\n  key: {value}\n"
CONFLICT_HELP = """\
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the `--force-conflicts` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
"""


def _apply(kubectl: Kubectl, ns: str, manifest: str, *flags: str) -> str:
    return kubectl.ok("apply", *flags, "-f", "-", namespace=ns, stdin=manifest)


def test_apply_of_a_multi_document_manifest_creates_every_object(kubectl: Kubectl, ns: str) -> None:
    assert _apply(kubectl, ns, MANIFEST) == (
        "configmap/app-config created\nsecret/app-secret created\n"
        "deployment.apps/web created\nservice/web created\n"
    )
    annotation = kubectl.get(
        "configmap",
        "app-config",
        jsonpath="{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
        namespace=ns,
    )
    assert json.loads(annotation) == {
        "apiVersion": "v1",
        "data": {"mode": "blue"},
        "kind": "ConfigMap",
        "metadata": {"annotations": {}, "name": "app-config", "namespace": ns},
    }


def test_apply_again_reports_unchanged_objects_and_configures_changed_ones(
    kubectl: Kubectl, ns: str
) -> None:
    _apply(kubectl, ns, MANIFEST)
    assert _apply(kubectl, ns, MANIFEST) == (
        "configmap/app-config unchanged\nsecret/app-secret unchanged\n"
        "deployment.apps/web unchanged\nservice/web unchanged\n"
    )
    changed = MANIFEST.replace("mode: blue", "mode: green").replace("replicas: 2", "replicas: 3")
    assert _apply(kubectl, ns, changed) == (
        "configmap/app-config configured\nsecret/app-secret unchanged\n"
        "deployment.apps/web configured\nservice/web unchanged\n"
    )
    assert kubectl.get("configmap", "app-config", jsonpath="{.data.mode}", namespace=ns) == "green"
    assert kubectl.get("deployment", "web", jsonpath="{.spec.replicas}", namespace=ns) == "3"


def test_apply_removes_a_field_dropped_from_the_manifest(kubectl: Kubectl, ns: str) -> None:
    two_keys = CONFIG.format(value="v") + "  extra: x\n"
    _apply(kubectl, ns, two_keys)
    assert _apply(kubectl, ns, CONFIG.format(value="v")) == "configmap/owned configured\n"
    data = json.loads(kubectl.get("configmap", "owned", jsonpath="{.data}", namespace=ns))
    assert data == {"key": "v"}


def test_apply_to_an_object_created_without_apply_warns_and_patches(
    kubectl: Kubectl, ns: str
) -> None:
    kubectl.ok("create", "configmap", "owned", "--from-literal=key=v", namespace=ns)
    result = kubectl.run("apply", "-f", "-", namespace=ns, stdin=CONFIG.format(value="w"))
    assert (result.code, result.out) == (0, "configmap/owned configured\n")
    assert result.err == (
        "Warning: resource configmaps/owned is missing the "
        "kubectl.kubernetes.io/last-applied-configuration annotation which is required by "
        "kubectl apply. kubectl apply should only be used on resources created declaratively by "
        "either kubectl create --save-config or kubectl apply. The missing annotation will be "
        "patched automatically.\n"
    )


def test_server_side_apply_creates_then_reapplies(kubectl: Kubectl, ns: str) -> None:
    first = _apply(kubectl, ns, CONFIG.format(value="one"), "--server-side")
    assert first == "configmap/owned serverside-applied\n"
    again = _apply(kubectl, ns, CONFIG.format(value="one"), "--server-side")
    assert again == "configmap/owned serverside-applied\n"
    managed = json.loads(
        kubectl.get("configmap", "owned", jsonpath="{.metadata.managedFields}", namespace=ns)
    )
    assert [(m["manager"], m["operation"]) for m in managed] == [("kubectl", "Apply")]
    assert managed[0]["fieldsV1"] == {"f:data": {"f:key": {}}}


def test_server_side_apply_of_a_field_owned_by_another_applier_conflicts(
    kubectl: Kubectl, ns: str
) -> None:
    _apply(kubectl, ns, CONFIG.format(value="one"), "--server-side")
    err = kubectl.fails(
        "apply",
        "--server-side",
        "--field-manager=other",
        "-f",
        "-",
        namespace=ns,
        stdin=CONFIG.format(value="two"),
    )
    assert err == (
        'error: Apply failed with 1 conflict: conflict with "kubectl": .data.key\n' + CONFLICT_HELP
    )
    assert kubectl.get("configmap", "owned", jsonpath="{.data.key}", namespace=ns) == "one"


def test_server_side_apply_conflicts_name_update_managers_with_their_api_version(
    kubectl: Kubectl, ns: str
) -> None:
    kubectl.ok("create", "deployment", "web", "--image=nginx:1.25", "--replicas=2", namespace=ns)
    manifest = MANIFEST.split("---\n")[2].replace("replicas: 2", "replicas: 4")
    manifest = manifest.replace("name: app\n", "name: nginx\n").replace("1.25", "1.27")
    err = kubectl.fails("apply", "--server-side", "-f", "-", namespace=ns, stdin=manifest)
    assert err == (
        'error: Apply failed with 2 conflicts: conflicts with "kubectl-create" using apps/v1:\n'
        "- .spec.replicas\n"
        '- .spec.template.spec.containers[name="nginx"].image\n' + CONFLICT_HELP
    )


def test_server_side_apply_conflicts_with_client_side_apply_of_another_value(
    kubectl: Kubectl, ns: str
) -> None:
    _apply(kubectl, ns, CONFIG.format(value="one"))
    err = kubectl.fails(
        "apply",
        "--server-side",
        "--field-manager=other",
        "-f",
        "-",
        namespace=ns,
        stdin=CONFIG.format(value="two"),
    )
    assert err.splitlines()[0] == (
        'error: Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
        "using v1: .data.key"
    )


def test_server_side_apply_with_force_conflicts_takes_the_field_over(
    kubectl: Kubectl, ns: str
) -> None:
    _apply(kubectl, ns, CONFIG.format(value="one"), "--server-side")
    out = _apply(
        kubectl,
        ns,
        CONFIG.format(value="two"),
        "--server-side",
        "--field-manager=other",
        "--force-conflicts",
    )
    assert out == "configmap/owned serverside-applied\n"
    assert kubectl.get("configmap", "owned", jsonpath="{.data.key}", namespace=ns) == "two"
    managed = json.loads(
        kubectl.get("configmap", "owned", jsonpath="{.metadata.managedFields}", namespace=ns)
    )
    assert [(m["manager"], m["fieldsV1"]) for m in managed] == [
        ("other", {"f:data": {"f:key": {}}})
    ]


def test_server_side_apply_of_a_client_side_applied_object_migrates_ownership(
    kubectl: Kubectl, ns: str
) -> None:
    _apply(kubectl, ns, MANIFEST)
    changed = MANIFEST.replace("replicas: 2", "replicas: 5")
    assert _apply(kubectl, ns, changed, "--server-side") == (
        "configmap/app-config serverside-applied\nsecret/app-secret serverside-applied\n"
        "deployment.apps/web serverside-applied\nservice/web serverside-applied\n"
    )
    assert kubectl.get("deployment", "web", jsonpath="{.spec.replicas}", namespace=ns) == "5"
