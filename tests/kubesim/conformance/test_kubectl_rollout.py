"""kubectl rollout status, history, restart and undo against the workload controllers."""

from __future__ import annotations

import json
import re

import pytest
from tests.kubesim.conformance.kubectl_helpers import Kubectl

pytestmark = [pytest.mark.kubectl, pytest.mark.usefixtures("workload_controllers")]

WAITING = re.compile(
    r'Waiting for deployment "[a-z0-9-]+" rollout to finish: ('
    r"\d+ out of \d+ new replicas have been updated"
    r"|\d+ old replicas are pending termination"
    r"|\d+ of \d+ updated replicas are available)\.\.\."
    r"|Waiting for deployment spec update to be observed\.\.\."
)


def _deploy(kubectl: Kubectl, ns: str, image: str = "nginx:1.25", name: str = "web") -> None:
    kubectl.ok("create", "deployment", name, f"--image={image}", "--replicas=2", namespace=ns)


def _status(kubectl: Kubectl, ns: str, name: str = "web") -> str:
    out = kubectl.ok("rollout", "status", f"deployment/{name}", "--timeout=60s", namespace=ns)
    *waiting, done = out.splitlines()
    assert all(WAITING.fullmatch(line) for line in waiting), out
    assert done == f'deployment "{name}" successfully rolled out'
    return out


def _revisions(kubectl: Kubectl, ns: str) -> list[str]:
    out = kubectl.ok("rollout", "history", "deployment/web", namespace=ns)
    lines = out.splitlines()
    assert lines[:2] == ["deployment.apps/web ", "REVISION  CHANGE-CAUSE"]
    assert lines[-1] == ""
    return [line.split()[0] for line in lines[2:-1]]


def _image(kubectl: Kubectl, ns: str) -> str:
    return kubectl.get(
        "deployment", "web", jsonpath="{.spec.template.spec.containers[0].image}", namespace=ns
    )


def test_rollout_status_waits_for_a_new_deployment_to_become_available(
    kubectl: Kubectl, ns: str
) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    status = json.loads(kubectl.get("deployment", "web", jsonpath="{.status}", namespace=ns))
    assert (status["readyReplicas"], status["availableReplicas"], status["updatedReplicas"]) == (
        2,
        2,
        2,
    )


def test_rollout_status_fails_when_the_progress_deadline_is_exceeded(
    kubectl: Kubectl, ns: str
) -> None:
    _deploy(kubectl, ns, image="nginx:broken", name="bad")
    result = kubectl.run("rollout", "status", "deployment/bad", "--timeout=60s", namespace=ns)
    assert result.code == 1, result.describe()
    assert result.err == 'error: deployment "bad" exceeded its progress deadline\n'
    assert all(WAITING.fullmatch(line) for line in result.out.splitlines()), result.out
    conditions = json.loads(
        kubectl.get("deployment", "bad", jsonpath="{.status.conditions}", namespace=ns)
    )
    progressing = next(c for c in conditions if c["type"] == "Progressing")
    assert (progressing["status"], progressing["reason"]) == ("False", "ProgressDeadlineExceeded")
    assert re.fullmatch(
        r'ReplicaSet "bad-[a-z0-9]+" has timed out progressing\.', progressing["message"]
    )


def test_set_image_starts_a_new_revision_that_rolls_out(kubectl: Kubectl, ns: str) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.26", namespace=ns)
    _status(kubectl, ns)
    assert _revisions(kubectl, ns) == ["1", "2"]
    replica_sets = json.loads(kubectl.ok("get", "rs", "-o", "json", namespace=ns))["items"]
    replicas = sorted(
        (rs["spec"]["template"]["spec"]["containers"][0]["image"], rs["spec"]["replicas"])
        for rs in replica_sets
    )
    assert replicas == [("nginx:1.25", 0), ("nginx:1.26", 2)]


def test_rollout_history_of_one_revision_shows_its_pod_template(kubectl: Kubectl, ns: str) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    out = kubectl.ok("rollout", "history", "deployment/web", "--revision=1", namespace=ns)
    lines = out.splitlines()
    assert lines[0] == "deployment.apps/web with revision #1"
    assert "Pod Template:" in lines
    assert "    Image:\tnginx:1.25" in lines


def test_rollout_restart_rolls_the_pods_with_a_restarted_at_annotation(
    kubectl: Kubectl, ns: str
) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    assert kubectl.ok("rollout", "restart", "deployment/web", namespace=ns) == (
        "deployment.apps/web restarted\n"
    )
    annotations = json.loads(
        kubectl.get(
            "deployment", "web", jsonpath="{.spec.template.metadata.annotations}", namespace=ns
        )
    )
    assert list(annotations) == ["kubectl.kubernetes.io/restartedAt"]
    _status(kubectl, ns)
    assert _revisions(kubectl, ns) == ["1", "2"]


def test_rollout_undo_returns_to_the_previous_template_as_a_new_revision(
    kubectl: Kubectl, ns: str
) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.26", namespace=ns)
    _status(kubectl, ns)
    assert kubectl.ok("rollout", "undo", "deployment/web", namespace=ns) == (
        "deployment.apps/web rolled back\n"
    )
    _status(kubectl, ns)
    assert _image(kubectl, ns) == "nginx:1.25"
    assert _revisions(kubectl, ns) == ["2", "3"]


def test_rollout_undo_to_a_named_revision(kubectl: Kubectl, ns: str) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    for image in ("nginx:1.26", "nginx:1.27"):
        kubectl.ok("set", "image", "deployment/web", f"nginx={image}", namespace=ns)
        _status(kubectl, ns)
    kubectl.ok("rollout", "undo", "deployment/web", "--to-revision=2", namespace=ns)
    _status(kubectl, ns)
    assert _image(kubectl, ns) == "nginx:1.26"
    assert _revisions(kubectl, ns) == ["1", "3", "4"]


def test_rollout_undo_without_history_or_to_a_missing_revision_fails(
    kubectl: Kubectl, ns: str
) -> None:
    _deploy(kubectl, ns)
    _status(kubectl, ns)
    err = kubectl.fails("rollout", "undo", "deployment/web", namespace=ns)
    assert err == 'error: no rollout history found for deployment "web"\n'
    err = kubectl.fails("rollout", "undo", "deployment/web", "--to-revision=9", namespace=ns)
    assert err == "error: unable to find specified revision 9 in history\n"


def test_rollout_status_of_the_demo_daemon_set_and_stateful_set(kubectl: Kubectl) -> None:
    out = kubectl.ok("rollout", "status", "daemonset/node-exporter", namespace="monitoring")
    assert out.splitlines()[-1] == 'daemon set "node-exporter" successfully rolled out'
    # apps/v1 defaults a RollingUpdate strategy's partition to 0, so kubectl reports a
    # partitioned roll out, as it does on any real cluster.
    out = kubectl.ok("rollout", "status", "statefulset/postgres", namespace="payments")
    assert out == "partitioned roll out complete: 1 new pods have been updated...\n"


APPLIED = """\
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
      - name: nginx
        image: nginx:1.25
"""


def test_rollout_undo_of_an_applied_deployment_reuses_the_old_replica_set(
    kubectl: Kubectl, ns: str
) -> None:
    kubectl.ok("apply", "-f", "-", namespace=ns, stdin=APPLIED)
    _status(kubectl, ns)
    kubectl.ok("set", "image", "deployment/web", "nginx=nginx:1.26", namespace=ns)
    _status(kubectl, ns)
    kubectl.ok("rollout", "undo", "deployment/web", namespace=ns)
    _status(kubectl, ns)
    replica_sets = json.loads(kubectl.ok("get", "rs", "-o", "json", namespace=ns))["items"]
    assert len(replica_sets) == 2
    assert _revisions(kubectl, ns) == ["2", "3"]
