"""The pod row: READY, STATUS and RESTARTS exactly as `printPod` derives them.

STATUS starts from the phase (or `status.reason`), is refined by init container progress, then
by the last container's waiting/terminated reason, and finally by deletion (`Terminating`).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kubesim.printing.timefmt import aware, human_duration, parse_time
from kubesim.printing.values import age, dig, items, name, number, section, text

TERMINAL_PHASES = ("Succeeded", "Failed")
_CONDITIONS = {
    "Succeeded": "The pod has completed successfully.",
    "Failed": "The pod failed.",
}


@dataclass
class _Tally:
    """Running totals while walking container statuses."""

    reason: str
    ready: int = 0
    restarts: int = 0
    last_restart: datetime.datetime | None = None
    sidecar_restarts: int = 0
    sidecar_last_restart: datetime.datetime | None = None


def _later(a: datetime.datetime | None, b: datetime.datetime | None) -> datetime.datetime | None:
    if a is None:
        return b
    return a if b is None or b <= a else b


def _finished(status: Mapping[str, Any]) -> datetime.datetime | None:
    return parse_time(dig(status, "lastState", "terminated", "finishedAt"))


def _restartable(container: Any) -> bool:
    return isinstance(container, Mapping) and container.get("restartPolicy") == "Always"


def _condition_true(pod_status: Mapping[str, Any], kind: str) -> bool:
    return any(
        c.get("type") == kind and c.get("status") == "True"
        for c in items(pod_status, "conditions")
        if isinstance(c, Mapping)
    )


def _initialized(pod_status: Mapping[str, Any]) -> bool:
    for condition in items(pod_status, "conditions"):
        if isinstance(condition, Mapping) and condition.get("type") == "Initialized":
            return bool(condition.get("status") == "True")
    return False


def _exit_reason(terminated: Mapping[str, Any], prefix: str) -> str:
    if terminated.get("reason"):
        return prefix + str(terminated["reason"])
    signal = number(terminated, "signal")
    if signal:
        return f"{prefix}Signal:{signal}"
    return f"{prefix}ExitCode:{number(terminated, 'exitCode')}"


def _walk_init(pod: Mapping[str, Any], tally: _Tally) -> bool:
    """Account init containers; True when the pod is still initializing."""
    specs = {text(c, "name"): c for c in items(pod, "spec", "initContainers")}
    statuses = items(pod, "status", "initContainerStatuses")
    for index, status in enumerate(statuses):
        sidecar = _restartable(specs.get(text(status, "name")))
        restarts = number(status, "restartCount")
        tally.restarts += restarts
        tally.last_restart = _later(tally.last_restart, _finished(status))
        if sidecar:
            tally.sidecar_restarts += restarts
            tally.sidecar_last_restart = _later(tally.sidecar_last_restart, _finished(status))
        terminated = dig(status, "state", "terminated")
        waiting = section(status, "state", "waiting")
        if isinstance(terminated, Mapping) and number(terminated, "exitCode") == 0:
            continue
        if sidecar and status.get("started") is True:
            tally.ready += 1 if status.get("ready") is True else 0
            continue
        if isinstance(terminated, Mapping):
            tally.reason = _exit_reason(terminated, "Init:")
        elif waiting.get("reason") and waiting.get("reason") != "PodInitializing":
            tally.reason = f"Init:{waiting['reason']}"
        else:
            tally.reason = f"Init:{index}/{len(specs_list(pod))}"
        return True
    return False


def specs_list(pod: Mapping[str, Any]) -> list[Any]:
    """The pod's init container specs."""
    return items(pod, "spec", "initContainers")


def _walk_containers(pod: Mapping[str, Any], tally: _Tally) -> None:
    tally.restarts = tally.sidecar_restarts
    tally.last_restart = tally.sidecar_last_restart
    has_running = False
    for status in reversed(items(pod, "status", "containerStatuses")):
        tally.restarts += number(status, "restartCount")
        tally.last_restart = _later(tally.last_restart, _finished(status))
        state = section(status, "state")
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if isinstance(waiting, Mapping) and waiting.get("reason"):
            tally.reason = str(waiting["reason"])
        elif isinstance(terminated, Mapping):
            tally.reason = _exit_reason(terminated, "")
        elif status.get("ready") is True and isinstance(state.get("running"), Mapping):
            has_running = True
            tally.ready += 1
    if tally.reason == "Completed" and has_running:
        ready = _condition_true(section(pod, "status"), "Ready")
        tally.reason = "Running" if ready else "NotReady"


def _initial_reason(pod_status: Mapping[str, Any]) -> str:
    reason = text(pod_status, "reason") or text(pod_status, "phase")
    for condition in items(pod_status, "conditions"):
        gated = dig(condition, "type") == "PodScheduled"
        if gated and dig(condition, "reason") == "SchedulingGated":
            reason = "SchedulingGated"
    return reason


def pod_status_summary(pod: Mapping[str, Any]) -> _Tally:
    """READY count, STATUS reason and restart totals of a pod."""
    pod_status = section(pod, "status")
    tally = _Tally(_initial_reason(pod_status))
    initializing = _walk_init(pod, tally)
    if not initializing or _initialized(pod_status):
        _walk_containers(pod, tally)
    if dig(pod, "metadata", "deletionTimestamp"):
        if text(pod_status, "reason") == "NodeLost":
            tally.reason = "Unknown"
        elif text(pod_status, "phase") not in TERMINAL_PHASES:
            tally.reason = "Terminating"
    return tally


def _restarts_cell(tally: _Tally, now: datetime.datetime) -> str:
    if tally.restarts and tally.last_restart is not None:
        ago = human_duration(aware(now) - tally.last_restart)
        return f"{tally.restarts} ({ago} ago)"
    return str(tally.restarts)


def pod_ip(pod: Mapping[str, Any]) -> str:
    """The first pod IP after v1->internal conversion (`status.podIP` wins over `podIPs`)."""
    ips = items(pod, "status", "podIPs")
    first = text(ips[0], "ip") if ips else ""
    return text(pod, "status", "podIP") or first


def _readiness_gates(pod: Mapping[str, Any]) -> str:
    gates = items(pod, "spec", "readinessGates")
    if not gates:
        return "<none>"
    conditions = [c for c in items(pod, "status", "conditions") if isinstance(c, Mapping)]
    satisfied = 0
    for gate in gates:
        wanted = dig(gate, "conditionType")
        match = next((c for c in conditions if c.get("type") == wanted), None)
        satisfied += 1 if match is not None and match.get("status") == "True" else 0
    return f"{satisfied}/{len(gates)}"


def pod_cells(pod: Mapping[str, Any], now: datetime.datetime) -> list[Any]:
    """The cells of one pod row (wide)."""
    tally = pod_status_summary(pod)
    total = len(items(pod, "spec", "containers"))
    total += sum(1 for c in specs_list(pod) if _restartable(c))
    return [
        name(pod),
        f"{tally.ready}/{total}",
        tally.reason,
        _restarts_cell(tally, now),
        age(pod, now),
        pod_ip(pod) or "<none>",
        text(pod, "spec", "nodeName") or "<none>",
        text(pod, "status", "nominatedNodeName") or "<none>",
        _readiness_gates(pod),
    ]


def pod_conditions(pod: Mapping[str, Any]) -> list[dict[str, str]] | None:
    """The row conditions of finished pods (`Completed`), else None."""
    phase = text(pod, "status", "phase")
    if phase not in _CONDITIONS:
        return None
    return [{"type": "Completed", "status": "True", "reason": phase, "message": _CONDITIONS[phase]}]
