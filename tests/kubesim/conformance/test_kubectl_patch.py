"""kubectl patch (strategic, merge, json), set image, scale, edit and immutable Secrets."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl

pytestmark = pytest.mark.kubectl

DEPLOYMENT = """\
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
        env:
        - {name: MODE, value: blue}
      - name: sidecar
        image: busybox:1.36
"""
FROZEN = """\
apiVersion: v1
kind: Secret
metadata:
  name: frozen
immutable: true
data:
  password: b2xk
"""
IMMUTABLE = "data: Forbidden: field is immutable when `immutable` is set"


@pytest.fixture
def web(kubectl: Kubectl, ns: str) -> str:
    """A two-container Deployment `web` in the test namespace; returns the namespace."""
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=DEPLOYMENT)
    return ns


def _containers(kubectl: Kubectl, ns: str) -> list[dict[str, object]]:
    spec = kubectl.get("deployment", "web", jsonpath="{.spec.template.spec}", namespace=ns)
    containers: list[dict[str, object]] = json.loads(spec)["containers"]
    return containers


def test_strategic_merge_patch_merges_containers_by_name(kubectl: Kubectl, web: str) -> None:
    env = '[{"name":"X","value":"1"}]'
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"app","env":' + env + "}]}}}}"
    out = kubectl.ok("patch", "deployment", "web", "-p", patch, namespace=web)
    assert out == "deployment.apps/web patched\n"
    app, sidecar = _containers(kubectl, web)
    assert app["image"] == "nginx:1.25"
    assert app["env"] == [{"name": "X", "value": "1"}, {"name": "MODE", "value": "blue"}]
    assert sidecar["name"] == "sidecar"


def test_strategic_merge_patch_delete_directive_removes_one_container(
    kubectl: Kubectl, web: str
) -> None:
    patch = '{"spec":{"template":{"spec":{"containers":[{"$patch":"delete","name":"sidecar"}]}}}}'
    kubectl.ok("patch", "deployment", "web", "-p", patch, namespace=web)
    assert [c["name"] for c in _containers(kubectl, web)] == ["app"]


def test_merge_patch_replaces_lists_wholesale(kubectl: Kubectl, web: str) -> None:
    patch = '{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.27"}]}}}}'
    out = kubectl.ok("patch", "deployment", "web", "--type=merge", "-p", patch, namespace=web)
    assert out == "deployment.apps/web patched\n"
    containers = _containers(kubectl, web)
    assert [(c["name"], c["image"], "env" in c) for c in containers] == [
        ("app", "nginx:1.27", False)
    ]


def test_merge_patch_with_null_deletes_the_last_label_and_the_empty_map(
    kubectl: Kubectl, web: str
) -> None:
    kubectl.ok("label", "deployment", "web", "tier=front", namespace=web)
    patch = '{"metadata":{"labels":{"tier":null}}}'
    kubectl.ok("patch", "deployment", "web", "--type=merge", "-p", patch, namespace=web)
    meta = json.loads(kubectl.get("deployment", "web", jsonpath="{.metadata}", namespace=web))
    assert "labels" not in meta


def test_json_patch_applies_operations_and_reports_no_change(kubectl: Kubectl, web: str) -> None:
    patch = '[{"op":"replace","path":"/spec/replicas","value":3}]'
    args = ("patch", "deployment", "web", "--type=json", "-p", patch)
    assert kubectl.ok(*args, namespace=web) == "deployment.apps/web patched\n"
    # kubectl compares with its own read: let the controllers finish writing status first.
    kubectl.ok("rollout", "status", "deployment/web", "--timeout=30s", namespace=web)
    assert kubectl.ok(*args, namespace=web) == "deployment.apps/web patched (no change)\n"
    assert kubectl.get("deployment", "web", jsonpath="{.spec.replicas}", namespace=web) == "3"


def test_json_patch_with_a_failing_test_operation_is_rejected(kubectl: Kubectl, web: str) -> None:
    patch = '[{"op":"test","path":"/spec/replicas","value":7}]'
    err = kubectl.fails("patch", "deployment", "web", "--type=json", "-p", patch, namespace=web)
    assert err == (
        "The request is invalid: the server rejected our request due to an error in our request\n"
    )


def test_patch_that_breaks_validation_reports_the_field(kubectl: Kubectl, web: str) -> None:
    patch = '{"spec":{"replicas":-1}}'
    err = kubectl.fails("patch", "deployment", "web", "--type=merge", "-p", patch, namespace=web)
    assert err == (
        'The Deployment "web" is invalid: spec.replicas: Invalid value: -1: '
        "must be greater than or equal to 0\n"
    )


def test_patch_of_a_missing_object_is_not_found(kubectl: Kubectl, ns: str) -> None:
    err = kubectl.fails("patch", "configmap", "ghost", "-p", '{"data":{"a":"b"}}', namespace=ns)
    assert err == 'Error from server (NotFound): configmaps "ghost" not found\n'


def test_set_image_updates_one_container_and_bumps_the_generation(
    kubectl: Kubectl, web: str
) -> None:
    out = kubectl.ok("set", "image", "deployment/web", "app=nginx:1.26", namespace=web)
    assert out == "deployment.apps/web image updated\n"
    images = [(c["name"], c["image"]) for c in _containers(kubectl, web)]
    assert images == [("app", "nginx:1.26"), ("sidecar", "busybox:1.36")]
    generation = kubectl.get("deployment", "web", jsonpath="{.metadata.generation}", namespace=web)
    assert generation == "2"
    again = kubectl.ok("set", "image", "deployment/web", "app=nginx:1.26", namespace=web)
    assert again == ""


def test_set_image_of_an_unknown_container_fails(kubectl: Kubectl, web: str) -> None:
    err = kubectl.fails("set", "image", "deployment/web", "nope=nginx:1.26", namespace=web)
    assert err == 'error: unable to find container named "nope"\n'


def test_scale_changes_the_replica_count_through_the_scale_subresource(
    kubectl: Kubectl, web: str
) -> None:
    out = kubectl.ok("scale", "deployment", "web", "--replicas=4", namespace=web)
    assert out == "deployment.apps/web scaled\n"
    assert kubectl.get("deployment", "web", jsonpath="{.spec.replicas}", namespace=web) == "4"


def test_scale_with_a_wrong_current_replica_count_is_refused(kubectl: Kubectl, web: str) -> None:
    err = kubectl.fails(
        "scale", "deployment", "web", "--replicas=1", "--current-replicas=5", namespace=web
    )
    assert err == "error: Expected replicas to be 5, was 2\n"
    assert kubectl.get("deployment", "web", jsonpath="{.spec.replicas}", namespace=web) == "2"


def test_patching_the_data_of_an_immutable_secret_is_forbidden(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=FROZEN)
    err = kubectl.fails(
        "patch", "secret", "frozen", "-p", '{"data":{"password":"bmV3"}}', namespace=ns
    )
    assert err == f'The Secret "frozen" is invalid: {IMMUTABLE}\n'
    err = kubectl.fails("patch", "secret", "frozen", "-p", '{"immutable":false}', namespace=ns)
    assert err == (
        'The Secret "frozen" is invalid: immutable: Forbidden: field is immutable when '
        "`immutable` is set\n"
    )


def test_labels_of_an_immutable_secret_stay_mutable(kubectl: Kubectl, ns: str) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=FROZEN)
    assert kubectl.ok("label", "secret", "frozen", "rotated=no", namespace=ns) == (
        "secret/frozen labeled\n"
    )


def _editor(tmp_path: Path) -> tuple[Path, Path]:
    """An editor script that logs what it was shown and rewrites the password line."""
    log = tmp_path / "shown.log"
    script = tmp_path / "editor.sh"
    script.write_text(
        f'#!/bin/sh\ncat "$1" >> "{log}"\nsed -i "s/^\\(  password:\\).*/\\1 bmV3/" "$1"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script, log


def test_editing_an_immutable_secret_fails_with_the_real_error(
    kubectl: Kubectl, ns: str, tmp_path: Path
) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=FROZEN)
    script, log = _editor(tmp_path)
    result = kubectl.run("edit", "secret", "frozen", namespace=ns, env={"KUBE_EDITOR": str(script)})
    assert (result.code, result.out) == (1, "")
    lines = result.err.splitlines()
    assert lines[0] == 'error: secrets "frozen" is invalid'
    assert re.fullmatch(r'A copy of your changes has been stored to ".*-edit-\d+\.yaml"', lines[1])
    assert lines[2:] == ["error: Edit cancelled, no valid changes were saved."]
    shown = log.read_text()
    assert f'# secrets "frozen" was not valid:\n# * {IMMUTABLE}\n' in shown
    assert kubectl.get("secret", "frozen", jsonpath="{.data.password}", namespace=ns) == "b2xk"


def test_editing_a_mutable_secret_saves_the_change(
    kubectl: Kubectl, ns: str, tmp_path: Path
) -> None:
    kubectl.ok("create", "-f", "-", namespace=ns, stdin=FROZEN.replace("immutable: true\n", ""))
    script, _ = _editor(tmp_path)
    out = kubectl.ok("edit", "secret", "frozen", namespace=ns, env={"KUBE_EDITOR": str(script)})
    assert out == "secret/frozen edited\n"
    assert kubectl.get("secret", "frozen", jsonpath="{.data.password}", namespace=ns) == "bmV3"
