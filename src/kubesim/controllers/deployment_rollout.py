"""Deployment rollout strategies and scaling: rolling.go, recreate.go and `scale` of sync.go.

Each entry point runs one reconcile step over a `RolloutContext` and returns the status the
Deployment should carry afterwards; the controller writes it.
"""

from __future__ import annotations

from typing import Any

from kubesim.controllers import deployment_status as ds
from kubesim.controllers import deployment_util as du
from kubesim.controllers import pods_util as pu
from kubesim.controllers.deployment_sync import RolloutContext

Obj = dict[str, Any]


def rollout_rolling(ctx: RolloutContext) -> Obj:
    """`rolloutRolling`: scale the new ReplicaSet up, else the old ones down, then report."""
    ctx.sync_revision(create=True)
    scaled = _reconcile_new(ctx) or _reconcile_old(ctx)
    if not scaled and ds.deployment_complete(ctx.d, ctx.status):
        ctx.cleanup()
    return ds.rollout_status(ctx.all_rss, ctx.new_rs, ctx.d, ctx.deadline, ctx.now)


def _reconcile_new(ctx: RolloutContext) -> bool:
    new_rs = ctx.new_rs
    if new_rs is None:
        return False
    desired = pu.replicas_of(ctx.d)
    current = du.rs_replicas(new_rs)
    if current == desired:
        return False
    if current > desired:
        return ctx.scale_rs(new_rs, desired)
    return ctx.scale_rs(new_rs, du.new_rs_new_replicas(ctx.d, ctx.all_rss, new_rs))


def _reconcile_old(ctx: RolloutContext) -> bool:
    if du.replica_count(du.filter_active(ctx.old_rss)) == 0:
        return False
    new_rs = ctx.new_rs
    min_available = pu.replicas_of(ctx.d) - du.max_unavailable(ctx.d)
    new_unavailable = du.rs_replicas(new_rs) - du.status_count([new_rs], "availableReplicas")
    max_scaled_down = du.replica_count(ctx.all_rss) - min_available - new_unavailable
    if max_scaled_down <= 0:
        return False
    cleaned = _cleanup_unhealthy(ctx, max_scaled_down)
    scaled = _scale_down_old(ctx)
    return cleaned + scaled > 0


def _cleanup_unhealthy(ctx: RolloutContext, max_cleanup: int) -> int:
    """Scale old ReplicaSets down by their unavailable replicas first (oldest first)."""
    total = 0
    for rs in sorted(du.filter_active(ctx.old_rss), key=pu.creation_key):
        if total >= max_cleanup:
            break
        replicas = du.rs_replicas(rs)
        available = pu.status_int(rs, "availableReplicas")
        if replicas == available:
            continue
        count = min(max_cleanup - total, replicas - available)
        ctx.scale_rs(rs, replicas - count)
        total += count
    return total


def _scale_down_old(ctx: RolloutContext) -> int:
    """`scaleDownOldReplicaSetsForRollingUpdate`: keep minAvailable pods available."""
    min_available = pu.replicas_of(ctx.d) - du.max_unavailable(ctx.d)
    old_active = du.filter_active(ctx.old_rss)
    available = du.status_count([*old_active, ctx.new_rs], "availableReplicas")
    if available <= min_available:
        return 0
    wanted = available - min_available
    total = 0
    for rs in sorted(old_active, key=pu.creation_key):
        if total >= wanted:
            break
        count = min(du.rs_replicas(rs), wanted - total)
        ctx.scale_rs(rs, du.rs_replicas(rs) - count)
        total += count
    return total


def rollout_recreate(ctx: RolloutContext, pods_by_rs: dict[str, list[Obj]]) -> Obj:
    """`rolloutRecreate`: all old pods gone before the new ReplicaSet scales up."""
    ctx.sync_revision(create=False)
    scaled_down = False
    for rs in du.filter_active(ctx.old_rss):
        scaled_down = ctx.scale_rs(rs, 0) or scaled_down
    if not scaled_down and not _old_pods_running(ctx, pods_by_rs):
        if ctx.new_rs is None:
            ctx.sync_revision(create=True)
        new_rs = ctx.new_rs
        if new_rs is not None:
            ctx.scale_rs(new_rs, pu.replicas_of(ctx.d))
        if ds.deployment_complete(ctx.d, ctx.status):
            ctx.cleanup()
    return ds.rollout_status(ctx.all_rss, ctx.new_rs, ctx.d, ctx.deadline, ctx.now)


def _old_pods_running(ctx: RolloutContext, pods_by_rs: dict[str, list[Obj]]) -> bool:
    if du.status_count(ctx.old_rss, "replicas") > 0:
        return True
    new_uid = ctx.new_uid
    return any(
        (pod.get("status") or {}).get("phase") not in ("Failed", "Succeeded")
        for uid, pods in pods_by_rs.items()
        if uid != new_uid
        for pod in pods
    )


def sync_scaling(ctx: RolloutContext) -> Obj:
    """`sync`: scale without rolling out (paused Deployments and scaling events)."""
    ctx.sync_revision(create=False)
    scale(ctx)
    if ctx.d["spec"].get("paused"):
        ctx.cleanup()
    return ds.calculate_status(ctx.all_rss, ctx.new_rs, ctx.d)


def is_scaling_event(ctx: RolloutContext) -> bool:
    """`isScalingEvent`: an active ReplicaSet was sized for another replica count."""
    ctx.sync_revision(create=False)
    desired = pu.replicas_of(ctx.d)
    for rs in du.filter_active(ctx.all_rss):
        annotated = du.desired_replicas_annotation(rs)
        if annotated is not None and annotated != desired:
            return True
    return False


def scale(ctx: RolloutContext) -> None:
    """`scale`: resize the single active ReplicaSet, or all of them proportionally."""
    d = ctx.d
    desired = pu.replicas_of(d)
    target = du.find_active_or_latest(ctx.new_rs, ctx.old_rss)
    if target is not None:
        if du.rs_replicas(target) != desired:
            ctx.scale_rs(target, desired)
        return
    if du.is_saturated(d, ctx.new_rs):
        for rs in du.filter_active(ctx.old_rss):
            ctx.scale_rs(rs, 0)
        return
    if du.is_rolling_update(d):
        _scale_proportionally(ctx)


def _scale_proportionally(ctx: RolloutContext) -> None:
    d = ctx.d
    active = du.filter_active(ctx.all_rss)
    allowed = pu.replicas_of(d) + du.max_surge(d) if pu.replicas_of(d) > 0 else 0
    to_add = allowed - du.replica_count(active)
    if to_add > 0:
        active.sort(key=du.by_size_newer)
    elif to_add < 0:
        active.sort(key=du.by_size_older)
    sizes, added = [], 0
    for rs in active:
        share = du.proportion(rs, d, to_add, added) if to_add else 0
        sizes.append(du.rs_replicas(rs) + share)
        added += share
    if active and to_add:
        sizes[0] = max(sizes[0] + to_add - added, 0)
    for rs, size in zip(active, sizes, strict=True):
        ctx.scale_rs(rs, size)
