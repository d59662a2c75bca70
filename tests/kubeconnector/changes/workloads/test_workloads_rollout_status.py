"""kubectl's rollout-status decisions, table-driven, and the wait loop around them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from kubeconnector.changes.base import ActionContext, ChangeOptions
from kubeconnector.changes.rollout import (
    RolloutStatus,
    is_paused,
    restart_patch,
    rollout_status,
    template_annotation,
    wait_for_rollout,
)
from kubeconnector.errors import ChangeError, NotFound, RolloutFailed, StatusInfo
from kubeconnector.models import Connector, Environment
from kubeconnector.models.changes import JsonObject


def deploy(
    generation: int = 2,
    observed: int = 2,
    spec_replicas: int | None = 3,
    paused: bool = False,
    reason: str = "NewReplicaSetAvailable",
    **status: int,
) -> dict[str, Any]:
    spec: dict[str, Any] = {"paused": paused} if paused else {}
    if spec_replicas is not None:
        spec["replicas"] = spec_replicas
    counts = {"replicas": 3, "updatedReplicas": 3, "availableReplicas": 3, **status}
    condition = {"type": "Progressing", "status": "True", "reason": reason}
    return {
        "metadata": {"name": "web", "generation": generation, "resourceVersion": "7"},
        "spec": spec,
        "status": {"observedGeneration": observed, "conditions": [condition], **counts},
    }


def daemon(strategy: str = "RollingUpdate", generation: int = 1, **status: int) -> dict[str, Any]:
    counts = {
        "observedGeneration": 1,
        "desiredNumberScheduled": 3,
        "updatedNumberScheduled": 3,
        "numberAvailable": 3,
        **status,
    }
    return {
        "metadata": {"name": "agent", "generation": generation},
        "spec": {"updateStrategy": {"type": strategy}},
        "status": counts,
    }


def stateful(
    partition: int | None = None,
    rolling: bool = True,
    strategy: str = "RollingUpdate",
    **status: Any,
) -> dict[str, Any]:
    update: dict[str, Any] = {"type": strategy}
    if rolling:
        update["rollingUpdate"] = {} if partition is None else {"partition": partition}
    counts = {"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 3, **status}
    return {
        "metadata": {"name": "db", "generation": 1},
        "spec": {"replicas": 3, "updateStrategy": update},
        "status": counts,
    }


DW = 'Waiting for deployment "web" rollout to finish: '
AW = 'Waiting for daemon set "agent" rollout to finish: '
DEPLOYMENTS = [
    (
        "generation not observed",
        deploy(generation=3),
        RolloutStatus("Waiting for deployment spec update to be observed...", False),
    ),
    (
        "progress deadline exceeded",
        deploy(reason="ProgressDeadlineExceeded", updatedReplicas=1),
        RolloutStatus("", False, 'deployment "web" exceeded its progress deadline'),
    ),
    (
        "deadline reason ignored until observed",
        deploy(generation=3, reason="ProgressDeadlineExceeded"),
        RolloutStatus("Waiting for deployment spec update to be observed...", False),
    ),
    (
        "new replicas not all updated",
        deploy(updatedReplicas=1),
        RolloutStatus(
            DW + "1 out of 3 new replicas have been updated...",
            False,
        ),
    ),
    (
        "old replicas terminating",
        deploy(replicas=4),
        RolloutStatus(
            DW + "1 old replicas are pending termination...",
            False,
        ),
    ),
    (
        "updated replicas not available",
        deploy(availableReplicas=2),
        RolloutStatus(
            DW + "2 of 3 updated replicas are available...",
            False,
        ),
    ),
    (
        "paused with a pending template",
        deploy(paused=True, updatedReplicas=0, reason="DeploymentPaused"),
        RolloutStatus(
            DW + "0 out of 3 new replicas have been updated...",
            False,
        ),
    ),
    (
        "no spec.replicas skips the updated count",
        deploy(spec_replicas=None, replicas=1, updatedReplicas=1, availableReplicas=1),
        RolloutStatus('deployment "web" successfully rolled out', True),
    ),
    ("complete", deploy(), RolloutStatus('deployment "web" successfully rolled out', True)),
]

DAEMONSETS = [
    (
        "OnDelete has no rollout status",
        daemon("OnDelete"),
        RolloutStatus("", True, "rollout status is only available for RollingUpdate strategy type"),
    ),
    (
        "generation not observed",
        daemon(generation=2),
        RolloutStatus("Waiting for daemon set spec update to be observed...", False),
    ),
    (
        "pods not all updated",
        daemon(updatedNumberScheduled=1),
        RolloutStatus(
            AW + "1 out of 3 new pods have been updated...",
            False,
        ),
    ),
    (
        "pods not available",
        daemon(numberAvailable=2),
        RolloutStatus(
            AW + "2 of 3 updated pods are available...",
            False,
        ),
    ),
    ("complete", daemon(), RolloutStatus('daemon set "agent" successfully rolled out', True)),
]

STATEFULSETS = [
    (
        "OnDelete has no rollout status",
        stateful(strategy="OnDelete", rolling=False),
        RolloutStatus("", True, "rollout status is only available for RollingUpdate strategy type"),
    ),
    (
        "never observed",
        stateful(observedGeneration=0),
        RolloutStatus("Waiting for statefulset spec update to be observed...", False),
    ),
    (
        "pods not ready",
        stateful(readyReplicas=1),
        RolloutStatus("Waiting for 2 pods to be ready...", False),
    ),
    (
        "partition not reached",
        stateful(partition=1, updatedReplicas=1),
        RolloutStatus(
            "Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated...",
            False,
        ),
    ),
    (
        "partition reached",
        stateful(partition=1, updatedReplicas=2),
        RolloutStatus("partitioned roll out complete: 2 new pods have been updated...", True),
    ),
    (
        "rolling update without partition",
        stateful(),
        RolloutStatus("partitioned roll out complete: 3 new pods have been updated...", True),
    ),
    (
        "revisions differ",
        stateful(rolling=False, currentRevision="db-1", updateRevision="db-2", updatedReplicas=1),
        RolloutStatus(
            "waiting for statefulset rolling update to complete 1 pods at revision db-2...", False
        ),
    ),
    (
        "revisions equal",
        stateful(rolling=False, currentRevision="db-2", updateRevision="db-2", currentReplicas=3),
        RolloutStatus("statefulset rolling update complete 3 pods at revision db-2...", True),
    ),
]


@pytest.mark.parametrize(("case", "obj", "expected"), DEPLOYMENTS, ids=[c[0] for c in DEPLOYMENTS])
def test_a_deployments_rollout_status_is_what_kubectl_says(
    case: str, obj: dict[str, Any], expected: RolloutStatus
) -> None:
    assert rollout_status("Deployment", obj) == expected


@pytest.mark.parametrize(("case", "obj", "expected"), DAEMONSETS, ids=[c[0] for c in DAEMONSETS])
def test_a_daemonsets_rollout_status_is_what_kubectl_says(
    case: str, obj: dict[str, Any], expected: RolloutStatus
) -> None:
    assert rollout_status("DaemonSet", obj) == expected


@pytest.mark.parametrize(
    ("case", "obj", "expected"), STATEFULSETS, ids=[c[0] for c in STATEFULSETS]
)
def test_a_statefulsets_rollout_status_is_what_kubectl_says(
    case: str, obj: dict[str, Any], expected: RolloutStatus
) -> None:
    assert rollout_status("StatefulSet", obj) == expected


def test_other_kinds_have_no_status_viewer() -> None:
    with pytest.raises(ChangeError, match=r"^no status viewer has been implemented for Pod$"):
        rollout_status("Pod", {})


def test_only_an_observed_paused_deployment_counts_as_paused() -> None:
    assert is_paused("Deployment", deploy(paused=True))
    assert not is_paused("Deployment", deploy(paused=True, generation=3))
    assert not is_paused("Deployment", deploy())
    assert not is_paused("StatefulSet", {"spec": {"paused": True}})


def test_a_restart_patch_stamps_the_template_and_carries_the_precondition() -> None:
    patch = restart_patch("2024-05-01T10:00:00Z", "41")
    assert patch == {
        "metadata": {"resourceVersion": "41"},
        "spec": {
            "template": {
                "metadata": {
                    "annotations": {"kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z"}
                }
            }
        },
    }
    assert template_annotation(patch, "kubectl.kubernetes.io/restartedAt") == "2024-05-01T10:00:00Z"
    assert template_annotation(None, "x") is None


class FakeClient:
    """Answers GETs from a script of objects (the last one repeats)."""

    def __init__(self, *answers: dict[str, Any] | Exception) -> None:
        self.answers = list(answers)
        self.gets = 0

    def request(self, method: str, path: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        assert method == "GET"
        self.gets += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    """A manual clock whose sleep advances it."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Progress:
    def __init__(self) -> None:
        self.messages: list[str] = []

    def progress(self, message: str) -> None:
        self.messages.append(message)


def fake_ctx(client: FakeClient, clock: Clock, timeout: float = 5.0) -> ActionContext:
    """A context whose client is `client` and whose time is `clock` (one-second polls)."""
    now = datetime.now(UTC)
    connector = Connector(
        id="00000000-0000-4000-8000-000000000003",
        key_id="k1",
        created_at=now,
        updated_at=now,
        name="fake",
        environment=Environment.DEV,
        server="https://127.0.0.1:6443",
    )
    options = ChangeOptions(rollout_timeout=timeout, poll_interval=1.0)
    return ActionContext(client, connector, options, clock, clock.sleep)  # type: ignore[arg-type]


@pytest.fixture
def clock() -> Iterator[Clock]:
    yield Clock()


def test_waiting_polls_until_the_rollout_is_done_and_reports_each_new_message(clock: Clock) -> None:
    client = FakeClient(
        deploy(generation=3), deploy(updatedReplicas=1), deploy(updatedReplicas=1), deploy()
    )
    journal = Progress()
    ctx = fake_ctx(client, clock)
    result = wait_for_rollout(ctx, "Deployment", "shop", "web", journal=journal)  # type: ignore[arg-type]
    assert (result.outcome, result.polls, client.gets) == ("complete", 4, 4)
    assert result.message == 'deployment "web" successfully rolled out'
    assert journal.messages == [
        "Deployment shop/web: Waiting for deployment spec update to be observed...",
        f"Deployment shop/web: {DW}1 out of 3 new replicas have been updated...",
    ]
    json: JsonObject = result.as_json()
    assert json["workload"] == "Deployment shop/web" and json["outcome"] == "complete"


def test_a_progress_deadline_fails_the_wait_at_once(clock: Clock) -> None:
    client = FakeClient(deploy(updatedReplicas=1, reason="ProgressDeadlineExceeded"))
    with pytest.raises(RolloutFailed) as caught:
        wait_for_rollout(fake_ctx(client, clock), "Deployment", "shop", "web")
    assert (
        str(caught.value)
        == 'rollout failed: Deployment shop/web: deployment "web" exceeded its progress deadline'
    )
    assert client.gets == 1


def test_a_rollout_that_does_not_finish_in_time_fails_with_the_last_status(clock: Clock) -> None:
    client = FakeClient(deploy(availableReplicas=1))
    with pytest.raises(RolloutFailed) as caught:
        wait_for_rollout(fake_ctx(client, clock, timeout=3.0), "Deployment", "shop", "web")
    assert str(caught.value) == (
        "rollout failed: Deployment shop/web did not complete within 3s: "
        + DW
        + "1 of 3 updated replicas are available..."
    )
    assert client.gets == 4  # at 0, 1, 2 and 3 seconds


def test_a_paused_deployment_ends_the_wait_once_observed(clock: Clock) -> None:
    client = FakeClient(deploy(paused=True, generation=3), deploy(paused=True, updatedReplicas=0))
    result = wait_for_rollout(fake_ctx(client, clock), "Deployment", "shop", "web")
    assert (result.outcome, result.polls) == ("paused", 2)


def test_a_workload_deleted_while_waiting_ends_the_wait(clock: Clock) -> None:
    client = FakeClient(NotFound(StatusInfo(code=404, reason="NotFound", message="gone")))
    with pytest.raises(ChangeError, match=r"^Deployment shop/web no longer exists"):
        wait_for_rollout(fake_ctx(client, clock), "Deployment", "shop", "web")
