"""DaemonSet RollingUpdate planning (`rollingUpdate` of pkg/controller/daemon/update.go).

Without surge, outdated pods are deleted while the number of unavailable nodes stays within
maxUnavailable (unavailable outdated pods are always replaced), and the manage loop recreates
them from the current revision. With surge, new pods are first started next to old ones on up
to maxSurge nodes, and an old pod goes once its replacement is available.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kubesim.controllers import daemonset_pods as dp
from kubesim.controllers import pods_util as pu

Obj = dict[str, Any]


@dataclass
class Rollout:
    """The pods to delete and the nodes to start a new pod on."""

    delete: list[Obj] = field(default_factory=list)
    create: list[str] = field(default_factory=list)


def split_pods(pods: list[Obj], rev_hash: str) -> tuple[Obj | None, Obj | None, bool]:
    """`findUpdatedPodsOnNode`: (new pod, old pod, ok) among a node's live pods."""
    new = old = None
    for pod in pods:
        if pu.is_terminating(pod):
            continue
        if dp.is_updated(pod, rev_hash):
            if new is not None:
                return None, None, False
            new = pod
        else:
            if old is not None:
                return None, None, False
            old = pod
    return new, old, True


def plan_rollout(
    by_node: dict[str, list[Obj]],
    rev_hash: str,
    surge: int,
    unavailable: int,
    min_ready: int,
    now: float,
) -> Rollout:
    """What one rolling-update step does."""
    if surge == 0:
        return _plan_replace(by_node, rev_hash, unavailable, min_ready, now)
    return _plan_surge(by_node, rev_hash, surge, min_ready, now)


def _plan_replace(
    by_node: dict[str, list[Obj]], rev_hash: str, max_unavailable: int, min_ready: int, now: float
) -> Rollout:
    unavailable = 0
    allowed: list[Obj] = []
    candidates: list[Obj] = []
    for node in sorted(by_node):
        new, old, ok = split_pods(by_node[node], rev_hash)
        if not ok or (new is None) == (old is None):
            unavailable += 1
        elif new is not None:
            unavailable += not pu.is_pod_available(new, min_ready, now)
        elif old is not None and not pu.is_pod_available(old, min_ready, now):
            allowed.append(old)
        elif old is not None and unavailable < max_unavailable:
            candidates.append(old)
    remaining = min(max(max_unavailable - unavailable, 0), len(candidates))
    return Rollout(delete=allowed + candidates[:remaining])


def _plan_surge(
    by_node: dict[str, list[Obj]], rev_hash: str, max_surge: int, min_ready: int, now: float
) -> Rollout:
    surging = 0
    plan = Rollout()
    candidates: list[str] = []
    for node in sorted(by_node):
        new, old, ok = split_pods(by_node[node], rev_hash)
        if not ok:
            surging += 1
        elif old is None:
            continue
        elif new is None:
            if not pu.is_pod_available(old, min_ready, now):
                plan.create.append(node)
            elif surging < max_surge:
                candidates.append(node)
        elif not pu.is_pod_available(new, min_ready, now):
            surging += 1
        else:
            plan.delete.append(old)
    remaining = min(max(max_surge - surging, 0), len(candidates))
    plan.create.extend(candidates[:remaining])
    return plan


def surplus_with_surge(running: list[Obj], rev_hash: str, min_ready: int, now: float) -> list[Obj]:
    """With surge, keep the oldest new and oldest old pod of a node; return the rest to delete."""
    newest: Obj | None = None
    oldest: Obj | None = None
    surplus = []
    for pod in dp.oldest_first(running):
        if dp.is_updated(pod, rev_hash) and newest is None:
            newest = pod
        elif not dp.is_updated(pod, rev_hash) and oldest is None:
            oldest = pod
        else:
            surplus.append(pod)
    if (
        newest is not None
        and oldest is not None
        and (not pu.is_pod_ready(oldest) or pu.is_pod_available(newest, min_ready, now))
    ):
        surplus.append(oldest)
    return surplus
