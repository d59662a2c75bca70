"""Rollout status as ``kubectl rollout status`` decides it, waiting for it, rolling restarts.

`rollout_status` is kubectl's status viewers (``polymorphichelpers/rollout_status.go``) for
Deployments, DaemonSets and StatefulSets, message for message: it says whether a rollout is
done, still going (and why) or failed (a Deployment past its progress deadline, a workload
whose update strategy has no rollout status). kubectl's optional pod-level warnings (a second
list of Pods per poll) are left out: they cost an API call per poll and change no decision.

`wait_for_rollout` polls the workload with GET (the seed grants get/list, not watch) every
`ChangeOptions.poll_interval` until that status is done, and raises `RolloutFailed` when it
fails or does not finish in time. A paused Deployment never rolls out; waiting for it ends
as soon as the controller has observed the write, with outcome ``paused``.

`restart_workload` is ``kubectl rollout restart``: a strategic merge patch of the pod
template's ``kubectl.kubernetes.io/restartedAt`` annotation, carrying the resourceVersion it
was computed from as a precondition, journaled (never applied twice), then waited for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from kubeconnector.changes.base import ActionContext, Journal
from kubeconnector.changes.helpers.checks import Target, require_target, resource_version
from kubeconnector.changes.helpers.writes import Write, ensure_write
from kubeconnector.errors import ChangeError, NotFound, RolloutFailed
from kubeconnector.kube import kind_spec
from kubeconnector.models.changes import JsonObject, StepPhase

RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
STRATEGIC_MERGE = "application/strategic-merge-patch+json"
ROLLING_UPDATE = "RollingUpdate"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class RolloutStatus:
    """kubectl's verdict on one observation of a workload.

    Attributes:
        message: What kubectl prints (without its trailing newline); ``""`` on error.
        done: The rollout is complete (kubectl also says done with some errors).
        error: Why the rollout cannot complete, as kubectl words it (``""`` if none).
    """

    message: str
    done: bool
    error: str = ""


@dataclass(frozen=True)
class RolloutResult:
    """How waiting for a rollout ended.

    Attributes:
        subject: ``Deployment shop/cart``.
        outcome: ``complete``, or ``paused`` (a paused Deployment does not roll out).
        message: kubectl's last status message.
        polls: GETs made while waiting.
        seconds: Time spent waiting.
        resource_version: The workload's resourceVersion at the last poll.
    """

    subject: str
    outcome: Literal["complete", "paused"]
    message: str
    polls: int
    seconds: float
    resource_version: str

    def as_json(self) -> JsonObject:
        """The result as stored in a change record."""
        return {
            "workload": self.subject,
            "outcome": self.outcome,
            "message": self.message,
            "seconds": round(self.seconds, 3),
        }


def rollout_status(kind: str, obj: Obj) -> RolloutStatus:
    """kubectl's rollout status of a Deployment, DaemonSet or StatefulSet.

    Raises:
        ChangeError: Another kind (kubectl has no status viewer for it).
    """
    viewers = {
        "Deployment": deployment_status,
        "DaemonSet": daemonset_status,
        "StatefulSet": statefulset_status,
    }
    if kind not in viewers:
        raise ChangeError(f"no status viewer has been implemented for {kind}")
    return viewers[kind](obj)


def deployment_status(d: Obj) -> RolloutStatus:
    """``DeploymentStatusViewer.Status`` (without its pod warnings)."""
    name, spec, status = _name(d), d.get("spec") or {}, d.get("status") or {}
    if _generation(d) > _int(status, "observedGeneration"):
        return RolloutStatus("Waiting for deployment spec update to be observed...", False)
    if _progressing_reason(status) == TIMED_OUT_REASON:
        return RolloutStatus("", False, f'deployment "{name}" exceeded its progress deadline')
    wait = f'Waiting for deployment "{name}" rollout to finish: '
    updated, replicas = _int(status, "updatedReplicas"), _int(status, "replicas")
    available = _int(status, "availableReplicas")
    wanted = spec.get("replicas")
    if wanted is not None and updated < int(wanted):
        message = f"{wait}{updated} out of {wanted} new replicas have been updated..."
        return RolloutStatus(message, False)
    if replicas > updated:
        return RolloutStatus(
            f"{wait}{replicas - updated} old replicas are pending termination...", False
        )
    if available < updated:
        message = f"{wait}{available} of {updated} updated replicas are available..."
        return RolloutStatus(message, False)
    return RolloutStatus(f'deployment "{name}" successfully rolled out', True)


def daemonset_status(ds: Obj) -> RolloutStatus:
    """``DaemonSetStatusViewer.Status``."""
    name, status = _name(ds), ds.get("status") or {}
    if _strategy(ds) != ROLLING_UPDATE:
        error = f"rollout status is only available for {ROLLING_UPDATE} strategy type"
        return RolloutStatus("", True, error)
    if _generation(ds) > _int(status, "observedGeneration"):
        return RolloutStatus("Waiting for daemon set spec update to be observed...", False)
    wait = f'Waiting for daemon set "{name}" rollout to finish: '
    updated, desired = (
        _int(status, "updatedNumberScheduled"),
        _int(status, "desiredNumberScheduled"),
    )
    available = _int(status, "numberAvailable")
    if updated < desired:
        return RolloutStatus(
            f"{wait}{updated} out of {desired} new pods have been updated...", False
        )
    if available < desired:
        return RolloutStatus(f"{wait}{available} of {desired} updated pods are available...", False)
    return RolloutStatus(f'daemon set "{name}" successfully rolled out', True)


def statefulset_status(sts: Obj) -> RolloutStatus:
    """``StatefulSetStatusViewer.Status``."""
    spec, status = sts.get("spec") or {}, sts.get("status") or {}
    if _strategy(sts) != ROLLING_UPDATE:
        error = f"rollout status is only available for {ROLLING_UPDATE} strategy type"
        return RolloutStatus("", True, error)
    observed = _int(status, "observedGeneration")
    if observed == 0 or _generation(sts) > observed:
        return RolloutStatus("Waiting for statefulset spec update to be observed...", False)
    wanted, ready = spec.get("replicas"), _int(status, "readyReplicas")
    if wanted is not None and ready < int(wanted):
        return RolloutStatus(f"Waiting for {int(wanted) - ready} pods to be ready...", False)
    updated = _int(status, "updatedReplicas")
    rolling = (spec.get("updateStrategy") or {}).get("rollingUpdate")
    if rolling is not None:
        partition = rolling.get("partition")
        if wanted is not None and partition is not None and updated < int(wanted) - int(partition):
            message = (
                "Waiting for partitioned roll out to finish: "
                f"{updated} out of {int(wanted) - int(partition)} new pods have been updated..."
            )
            return RolloutStatus(message, False)
        return RolloutStatus(
            f"partitioned roll out complete: {updated} new pods have been updated...", True
        )
    current, update = status.get("currentRevision", ""), status.get("updateRevision", "")
    if update != current:
        message = (
            "waiting for statefulset rolling update to complete "
            f"{updated} pods at revision {update}..."
        )
        return RolloutStatus(message, False)
    count = _int(status, "currentReplicas")
    return RolloutStatus(
        f"statefulset rolling update complete {count} pods at revision {current}...", True
    )


def is_paused(kind: str, obj: Obj) -> bool:
    """A Deployment whose controller observed ``spec.paused`` (it will not roll out)."""
    if kind != "Deployment" or not (obj.get("spec") or {}).get("paused"):
        return False
    return _generation(obj) <= _int(obj.get("status") or {}, "observedGeneration")


def wait_for_rollout(
    ctx: ActionContext,
    kind: str,
    namespace: str,
    name: str,
    *,
    timeout: float | None = None,
    journal: Journal | None = None,
) -> RolloutResult:
    """Poll the workload until kubectl would say its rollout is done.

    Args:
        ctx: The action context (client, clock, sleep, poll interval).
        kind: ``Deployment``, ``DaemonSet`` or ``StatefulSet``.
        namespace: The workload's namespace.
        name: The workload's name.
        timeout: Seconds to wait (default: ``ctx.options.rollout_timeout``).
        journal: Told about progress when the status message changes.

    Raises:
        RolloutFailed: The rollout failed or did not complete within `timeout`.
        ChangeError: The workload was deleted while waiting.
        ClusterError: Reading it failed (after the client's retries).
    """
    target = Target(kind_spec(kind), namespace, name)
    limit = ctx.options.rollout_timeout if timeout is None else timeout
    started, polls, last = ctx.clock(), 0, ""
    while True:
        obj = _poll(ctx, target)
        polls += 1
        status = rollout_status(target.kind.kind, obj)
        if status.error:
            raise RolloutFailed(f"rollout failed: {target.label}: {status.error}")
        elapsed = ctx.clock() - started
        if status.done or is_paused(target.kind.kind, obj):
            outcome: Literal["complete", "paused"] = "complete" if status.done else "paused"
            version = resource_version(dict(obj))
            return RolloutResult(target.label, outcome, status.message, polls, elapsed, version)
        if journal is not None and status.message != last:
            journal.progress(f"{target.label}: {status.message}")
        last = status.message
        if elapsed >= limit:
            raise RolloutFailed(
                f"rollout failed: {target.label} did not complete within {limit:g}s: {last}"
            )
        ctx.sleep(max(0.0, min(ctx.options.poll_interval, limit - elapsed)))


def restart_workload(
    ctx: ActionContext, kind: str, namespace: str, name: str, journal: Journal, step: str
) -> JsonObject:
    """``kubectl rollout restart`` one workload, journaled as `step`, and wait for it.

    Resumable: a restart whose intent the journal holds is checked against the live pod
    template (its ``restartedAt`` stamp) and not sent again when it took effect.

    Returns:
        The workload, its ``restartedAt`` stamp and how the rollout ended.

    Raises:
        ChangeError: The workload is gone, changed since it was read, is a paused Deployment
            or uses the OnDelete update strategy (nothing was written).
        RolloutFailed: The rollout failed or did not complete within ``restart_timeout``.
    """
    target = Target(kind_spec(kind), namespace, name)
    live = require_target(ctx, target)
    stamp, version = _restart_point(journal, step)
    if stamp == "":
        _check_restartable(target, live)
        stamp, version = _new_stamp(live), resource_version(live)
    write = Write(
        step=step,
        method="PATCH",
        path=target.path,
        read_path=target.path,
        applied=lambda obj: template_annotation(obj, RESTARTED_AT) == stamp,
        what=target.label,
        body=restart_patch(stamp, version),
        detail={"workload": target.label, "resourceVersion": version, "restartedAt": stamp},
        content_type=STRATEGIC_MERGE,
    )
    ensure_write(ctx, journal, write)
    timeout = ctx.options.restart_timeout
    result = wait_for_rollout(
        ctx, target.kind.kind, namespace, name, timeout=timeout, journal=journal
    )
    return {**result.as_json(), "restartedAt": stamp}


def restart_patch(stamp: str, version: str) -> dict[str, Any]:
    """The strategic merge patch of a rolling restart, with its resourceVersion precondition."""
    return {
        "metadata": {"resourceVersion": version},
        "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}},
    }


def template_annotation(obj: Obj | None, key: str) -> str | None:
    """An annotation of a workload's pod template (None when absent or no object)."""
    if obj is None:
        return None
    template = (obj.get("spec") or {}).get("template") or {}
    value = ((template.get("metadata") or {}).get("annotations") or {}).get(key)
    return None if value is None else str(value)


def _restart_point(journal: Journal, step: str) -> tuple[str, str]:
    """The stamp and precondition of a restart already journaled (``("", "")`` if none)."""
    intents = [s for s in journal.steps() if s.name == step and s.phase is StepPhase.INTENT]
    if not intents:
        return "", ""
    detail = intents[-1].detail
    return str(detail.get("restartedAt") or ""), str(detail.get("resourceVersion") or "")


def _new_stamp(live: Obj) -> str:
    """kubectl's RFC 3339 stamp; finer when the template already holds this second's."""
    now = datetime.now(UTC)
    stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
    if template_annotation(live, RESTARTED_AT) == stamp:
        stamp = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return stamp


def _check_restartable(target: Target, live: Obj) -> None:
    spec = live.get("spec") or {}
    if target.kind.kind == "Deployment" and spec.get("paused"):
        raise ChangeError(
            f"{target.label}: can't restart paused deployment (run rollout resume first); "
            "nothing was written"
        )
    if target.kind.kind in ("DaemonSet", "StatefulSet") and _strategy(live) != ROLLING_UPDATE:
        raise ChangeError(
            f"{target.label} uses the {_strategy(live) or 'OnDelete'} update strategy: a rolling "
            "restart would replace no pod; nothing was written"
        )


def _poll(ctx: ActionContext, target: Target) -> dict[str, Any]:
    try:
        return ctx.client.request("GET", target.path)
    except NotFound:
        raise ChangeError(
            f"{target.label} no longer exists (deleted while waiting for its rollout)"
        ) from None


def _strategy(obj: Obj) -> str:
    return str(((obj.get("spec") or {}).get("updateStrategy") or {}).get("type") or "")


def _progressing_reason(status: Obj) -> str:
    for condition in status.get("conditions") or ():
        if condition.get("type") == "Progressing":
            return str(condition.get("reason") or "")
    return ""


def _name(obj: Obj) -> str:
    return str((obj.get("metadata") or {}).get("name") or "")


def _generation(obj: Obj) -> int:
    return int((obj.get("metadata") or {}).get("generation") or 0)


def _int(status: Obj, key: str) -> int:
    return int(status.get(key) or 0)
