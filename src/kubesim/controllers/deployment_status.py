"""Deployment status: counters, the Available/Progressing conditions and the progress deadline.

Mirrors `calculateStatus` (sync.go), `syncRolloutStatus` (progress.go) and the condition
helpers of deployment_util.go, including their timestamp rules: a condition keeps its
lastTransitionTime while its status is unchanged, and a re-reported Progressing=True
`ReplicaSetUpdated` moves only lastUpdateTime.
"""

from __future__ import annotations

from typing import Any

from kubesim.controllers import deployment_util as du
from kubesim.controllers import pods_util as pu
from kubesim.registry.context import now_rfc3339

Obj = dict[str, Any]

AVAILABLE = "Available"
PROGRESSING = "Progressing"
REPLICA_FAILURE = "ReplicaFailure"
NEW_RS_CREATED = "NewReplicaSetCreated"
FOUND_NEW_RS = "FoundNewReplicaSet"
RS_UPDATED = "ReplicaSetUpdated"
NEW_RS_AVAILABLE = "NewReplicaSetAvailable"
TIMED_OUT = "ProgressDeadlineExceeded"
PAUSED = "DeploymentPaused"
RESUMED = "DeploymentResumed"
FAILED_RS_CREATE = "ReplicaSetCreateError"


def new_condition(ctype: str, status: str, reason: str, message: str) -> Obj:
    """`NewDeploymentCondition`: both times set to now."""
    stamp = now_rfc3339()
    return {
        "type": ctype,
        "status": status,
        "lastUpdateTime": stamp,
        "lastTransitionTime": stamp,
        "reason": reason,
        "message": message,
    }


def get_condition(status: Obj, ctype: str) -> Obj | None:
    """The condition of one type in a status dict."""
    for cond in status.get("conditions") or ():
        if cond.get("type") == ctype:
            result: Obj = cond
            return result
    return None


def set_condition(status: Obj, cond: Obj) -> None:
    """`SetDeploymentCondition`: same status and reason is a no-op; same status keeps the
    lastTransitionTime."""
    current = get_condition(status, cond["type"])
    if current is not None and current["status"] == cond["status"]:
        if current.get("reason") == cond["reason"]:
            return
        cond = {**cond, "lastTransitionTime": current["lastTransitionTime"]}
    remove_condition(status, cond["type"])
    status.setdefault("conditions", []).append(cond)


def remove_condition(status: Obj, ctype: str) -> None:
    """`RemoveDeploymentCondition` (drops the list when it becomes empty)."""
    kept = [c for c in status.get("conditions") or () if c.get("type") != ctype]
    if kept:
        status["conditions"] = kept
    else:
        status.pop("conditions", None)


def calculate_status(all_rss: list[Obj | None], new_rs: Obj | None, d: Obj) -> Obj:
    """`calculateStatus`: counters from the ReplicaSets plus the Available condition."""
    old = d.get("status") or {}
    available = du.status_count(all_rss, "availableReplicas")
    unavailable = max(du.replica_count(all_rss) - available, 0)
    status: Obj = {"observedGeneration": d["metadata"].get("generation", 1)}
    counters = (
        ("replicas", du.status_count(all_rss, "replicas")),
        ("updatedReplicas", du.status_count([new_rs], "replicas")),
        ("readyReplicas", du.status_count(all_rss, "readyReplicas")),
        ("availableReplicas", available),
        ("unavailableReplicas", unavailable),
    )
    status.update((field, value) for field, value in counters if value)
    if old.get("conditions"):
        status["conditions"] = [dict(c) for c in old["conditions"]]
    if old.get("collisionCount") is not None:
        status["collisionCount"] = old["collisionCount"]
    if available >= pu.replicas_of(d) - du.max_unavailable(d):
        cond = new_condition(
            AVAILABLE, "True", "MinimumReplicasAvailable", "Deployment has minimum availability."
        )
    else:
        cond = new_condition(
            AVAILABLE,
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        )
    set_condition(status, cond)
    return _ordered(status)


def _ordered(status: Obj) -> Obj:
    # DeploymentStatus field order on the wire: conditions precede collisionCount.
    out = {k: v for k, v in status.items() if k not in ("conditions", "collisionCount")}
    if "conditions" in status:
        out["conditions"] = status["conditions"]
    if "collisionCount" in status:
        out["collisionCount"] = status["collisionCount"]
    return out


def deployment_complete(d: Obj, status: Obj) -> bool:
    """`DeploymentComplete`: every replica updated and available, generation observed."""
    replicas = pu.replicas_of(d)
    return bool(
        status.get("updatedReplicas", 0) == replicas
        and status.get("replicas", 0) == replicas
        and status.get("availableReplicas", 0) == replicas
        and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 1)
    )


def deployment_progressing(d: Obj, status: Obj) -> bool:
    """`DeploymentProgressing`: any counter moved the right way since the stored status."""
    old = d.get("status") or {}
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = status.get("replicas", 0) - status.get("updatedReplicas", 0)
    return bool(
        status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0)
        or new_old < old_old
        or status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
        or status.get("availableReplicas", 0) > old.get("availableReplicas", 0)
    )


def deployment_timed_out(status: Obj, deadline: float | None, now: float) -> bool:
    """`DeploymentTimedOut`: no progress reported for longer than the deadline."""
    if deadline is None:
        return False
    cond = get_condition(status, PROGRESSING)
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE:
        return False
    if cond.get("reason") == TIMED_OUT:
        return True
    since = pu.parse_time(cond.get("lastUpdateTime"))
    return since is not None and since + deadline < now


def rollout_status(
    all_rss: list[Obj | None], new_rs: Obj | None, d: Obj, deadline: float | None, now: float
) -> Obj:
    """`syncRolloutStatus` minus the write: the status a rollout step leaves behind."""
    status = calculate_status(all_rss, new_rs, d)
    if deadline is None:
        remove_condition(status, PROGRESSING)
    else:
        current = get_condition(d.get("status") or {}, PROGRESSING)
        complete_before = (
            status.get("replicas", 0) == status.get("updatedReplicas", 0)
            and current is not None
            and current.get("reason") == NEW_RS_AVAILABLE
        )
        if not complete_before:
            _progress(status, new_rs, d, current, deadline, now)
    _replica_failure(status, all_rss, new_rs)
    return status


def _progress(
    status: Obj, new_rs: Obj | None, d: Obj, current: Obj | None, deadline: float, now: float
) -> None:
    subject = _subject(d, new_rs)
    if deployment_complete(d, status):
        set_condition(
            status,
            new_condition(
                PROGRESSING, "True", NEW_RS_AVAILABLE, f"{subject} has successfully progressed."
            ),
        )
    elif deployment_progressing(d, status):
        cond = new_condition(PROGRESSING, "True", RS_UPDATED, f"{subject} is progressing.")
        if current is not None:
            if current.get("status") == "True":
                cond["lastTransitionTime"] = current["lastTransitionTime"]
            remove_condition(status, PROGRESSING)
        status.setdefault("conditions", []).append(cond)
    elif deployment_timed_out(status, deadline, now):
        set_condition(
            status,
            new_condition(PROGRESSING, "False", TIMED_OUT, f"{subject} has timed out progressing."),
        )


def _subject(d: Obj, new_rs: Obj | None) -> str:
    if new_rs is not None:
        return f'ReplicaSet "{new_rs["metadata"]["name"]}"'
    return f'Deployment "{d["metadata"]["name"]}"'


def _replica_failure(status: Obj, all_rss: list[Obj | None], new_rs: Obj | None) -> None:
    """Copy a ReplicaSet's ReplicaFailure condition (the new one's first), else clear it."""
    ordered = [new_rs, *[rs for rs in all_rss if rs is not new_rs]]
    for rs in ordered:
        if rs is None:
            continue
        failure = get_condition(rs.get("status") or {}, REPLICA_FAILURE)
        if failure is not None:
            stamp = failure.get("lastTransitionTime")
            set_condition(
                status,
                {
                    "type": REPLICA_FAILURE,
                    "status": failure.get("status", "True"),
                    "lastUpdateTime": stamp,
                    "lastTransitionTime": stamp,
                    "reason": failure.get("reason", ""),
                    "message": failure.get("message", ""),
                },
            )
            return
    remove_condition(status, REPLICA_FAILURE)


def stuck_requeue_delay(
    d: Obj, new_status: Obj, deadline: float | None, now: float
) -> float | None:
    """`requeueStuckDeployment`: seconds until the deadline check is due (None: never)."""
    current = get_condition(d.get("status") or {}, PROGRESSING)
    if deadline is None or current is None:
        return None
    if deployment_complete(d, new_status) or current.get("reason") == TIMED_OUT:
        return None
    since = pu.parse_time(current.get("lastUpdateTime"))
    if since is None:
        return None
    # The stored times have whole seconds; one extra second makes "Before(now)" true.
    return max(since + deadline - now, 0.0) + 1.0


def paused_condition(d: Obj) -> Obj | None:
    """`checkPausedConditions`: the Progressing condition pausing or resuming sets, if any."""
    current = get_condition(d.get("status") or {}, PROGRESSING)
    if current is not None and current.get("reason") == TIMED_OUT:
        return None
    paused_set = current is not None and current.get("reason") == PAUSED
    if d["spec"].get("paused") and not paused_set:
        return new_condition(PROGRESSING, "Unknown", PAUSED, "Deployment is paused")
    if not d["spec"].get("paused") and paused_set:
        return new_condition(PROGRESSING, "Unknown", RESUMED, "Deployment is resumed")
    return None
