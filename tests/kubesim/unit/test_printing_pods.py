"""The pod row: READY, STATUS and RESTARTS as `printPod` computes them, plus wide cells."""

from __future__ import annotations

import datetime
from typing import Any

from kubesim.printing import cells
from kubesim.printing.pods import pod_conditions

NOW = datetime.datetime(2024, 5, 1, 12, 0, 0, tzinfo=datetime.UTC)
CREATED = "2024-05-01T11:00:00Z"


def running(name: str = "app", ready: bool = True, restarts: int = 0) -> dict[str, Any]:
    return {
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "state": {"running": {"startedAt": CREATED}},
    }


def waiting(reason: str, name: str = "app") -> dict[str, Any]:
    return {
        "name": name,
        "ready": False,
        "restartCount": 0,
        "state": {"waiting": {"reason": reason}},
    }


def terminated(name: str = "app", code: int = 0, reason: str = "", signal: int = 0) -> Any:
    state: dict[str, Any] = {"exitCode": code}
    if reason:
        state["reason"] = reason
    if signal:
        state["signal"] = signal
    return {"name": name, "ready": False, "restartCount": 0, "state": {"terminated": state}}


def pod(
    statuses: list[dict[str, Any]],
    phase: str = "Running",
    containers: int = 1,
    **extra: Any,
) -> dict[str, Any]:
    names = [s["name"] for s in statuses] or [f"c{i}" for i in range(containers)]
    obj: dict[str, Any] = {
        "metadata": {"name": "web", "namespace": "shop", "creationTimestamp": CREATED},
        "spec": {"containers": [{"name": n, "image": "nginx"} for n in names]},
        "status": {"phase": phase, "containerStatuses": statuses},
    }
    for key, value in extra.items():
        section, _, field = key.partition("__")
        obj[section][field] = value
    return obj


def row(obj: dict[str, Any]) -> list[Any]:
    return cells("", "pods", obj, NOW)


def test_a_running_ready_pod_prints_running_with_its_age_and_wide_cells() -> None:
    obj = pod([running()], spec__nodeName="node-1", status__podIP="10.1.0.7")
    assert row(obj) == [
        "web",
        "1/1",
        "Running",
        "0",
        "60m",
        "10.1.0.7",
        "node-1",
        "<none>",
        "<none>",
    ]


def test_a_pending_pod_without_statuses_prints_pending_and_none_placeholders() -> None:
    obj = pod([], phase="Pending", containers=2)
    assert row(obj)[1:4] == ["0/2", "Pending", "0"]
    assert row(obj)[5:8] == ["<none>", "<none>", "<none>"]


def test_container_creating_comes_from_the_waiting_reason() -> None:
    assert row(pod([waiting("ContainerCreating")], phase="Pending"))[2] == "ContainerCreating"


def test_image_pull_errors_come_from_the_waiting_reason() -> None:
    assert row(pod([waiting("ImagePullBackOff")], phase="Pending"))[2] == "ImagePullBackOff"
    assert row(pod([waiting("ErrImagePull")], phase="Pending"))[2] == "ErrImagePull"


def test_the_first_container_status_has_the_last_word() -> None:
    # Statuses are walked from last to first, so the first container's reason wins.
    obj = pod([waiting("CrashLoopBackOff", "a"), waiting("ContainerCreating", "b")])
    assert row(obj)[2] == "CrashLoopBackOff"


def test_a_finished_pod_prints_completed_and_a_row_condition() -> None:
    obj = pod([terminated(reason="Completed")], phase="Succeeded")
    assert row(obj)[1:3] == ["0/1", "Completed"]
    assert pod_conditions(obj) == [
        {
            "type": "Completed",
            "status": "True",
            "reason": "Succeeded",
            "message": "The pod has completed successfully.",
        }
    ]


def test_a_failed_pod_row_condition_says_the_pod_failed() -> None:
    conditions = pod_conditions(pod([terminated(code=1, reason="Error")], phase="Failed"))
    assert conditions is not None
    assert conditions[0]["message"] == "The pod failed."
    assert pod_conditions(pod([running()])) is None


def test_a_terminated_container_without_reason_prints_its_exit_code_or_signal() -> None:
    assert row(pod([terminated(code=3)]))[2] == "ExitCode:3"
    assert row(pod([terminated(code=137, signal=9)]))[2] == "Signal:9"


def test_completed_with_a_running_sibling_prints_running_or_not_ready() -> None:
    statuses = [running("a"), terminated("b", reason="Completed")]
    ready = pod(statuses, status__conditions=[{"type": "Ready", "status": "True"}])
    assert row(ready)[1:3] == ["1/2", "Running"]
    assert row(pod(statuses))[2] == "NotReady"


def test_a_deleted_pod_prints_terminating_unless_finished_or_node_lost() -> None:
    deleting = pod([running()], metadata__deletionTimestamp="2024-05-01T11:59:00Z")
    assert row(deleting)[2] == "Terminating"
    finished = pod(
        [terminated(reason="Completed")],
        phase="Succeeded",
        metadata__deletionTimestamp="2024-05-01T11:59:00Z",
    )
    assert row(finished)[2] == "Completed"
    lost = pod([running()], metadata__deletionTimestamp=CREATED, status__reason="NodeLost")
    assert row(lost)[2] == "Unknown"


def test_status_reason_overrides_the_phase() -> None:
    assert row(pod([], phase="Failed", status__reason="Evicted"))[2] == "Evicted"


def test_a_scheduling_gated_pod_says_so() -> None:
    gated = [{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}]
    assert row(pod([], phase="Pending", status__conditions=gated))[2] == "SchedulingGated"


def test_restarts_show_when_the_last_container_restarted() -> None:
    status = running(restarts=3)
    status["lastState"] = {"terminated": {"exitCode": 1, "finishedAt": "2024-05-01T11:55:00Z"}}
    assert row(pod([status]))[3] == "3 (5m ago)"
    assert row(pod([running(restarts=2)]))[3] == "2"


def test_init_containers_report_progress_while_initializing() -> None:
    obj = pod([waiting("PodInitializing")], phase="Pending")
    obj["spec"]["initContainers"] = [{"name": "i1"}, {"name": "i2"}]
    obj["status"]["initContainerStatuses"] = [
        terminated("i1", code=0),
        {"name": "i2", "ready": False, "restartCount": 1, "state": {"running": {}}},
    ]
    assert row(obj)[1:4] == ["0/1", "Init:1/2", "1"]


def test_a_failing_init_container_reports_its_reason() -> None:
    obj = pod([], phase="Pending")
    obj["spec"]["initContainers"] = [{"name": "i1"}]
    obj["status"]["initContainerStatuses"] = [waiting("CrashLoopBackOff", "i1")]
    assert row(obj)[2] == "Init:CrashLoopBackOff"
    obj["status"]["initContainerStatuses"] = [terminated("i1", code=2)]
    assert row(obj)[2] == "Init:ExitCode:2"


def test_started_sidecar_init_containers_count_toward_ready() -> None:
    obj = pod([running()])
    obj["spec"]["initContainers"] = [{"name": "proxy", "restartPolicy": "Always"}]
    sidecar = running("proxy", restarts=1)
    sidecar["started"] = True
    obj["status"]["initContainerStatuses"] = [sidecar]
    assert row(obj)[1:4] == ["2/2", "Running", "1"]


def test_readiness_gates_count_true_conditions() -> None:
    obj = pod([running()], spec__readinessGates=[{"conditionType": "a"}, {"conditionType": "b"}])
    obj["status"]["conditions"] = [
        {"type": "a", "status": "True"},
        {"type": "b", "status": "False"},
    ]
    assert row(obj)[8] == "1/2"


def test_pod_ip_prefers_status_pod_ip_over_pod_ips() -> None:
    obj = pod([running()], status__podIPs=[{"ip": "fd00::9"}])
    assert row(obj)[5] == "fd00::9"
    obj["status"]["podIP"] = "10.0.0.1"
    assert row(obj)[5] == "10.0.0.1"
