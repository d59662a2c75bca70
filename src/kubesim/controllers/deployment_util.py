"""Pure Deployment arithmetic: surge/unavailability, revisions, annotations, RS ordering.

The functions mirror `pkg/controller/deployment/util/deployment_util.go` one for one, on plain
dicts. ReplicaSet dicts passed in are never mutated unless the function says so (the
annotation setters work on a caller's copy, as upstream works on `rs.DeepCopy()`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from kubesim.controllers import pods_util as pu

Obj = dict[str, Any]

HASH_LABEL = "pod-template-hash"
REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
ROLLBACK_TO = "deprecated.deployment.rollback.to"
ANNOTATIONS_TO_SKIP = frozenset(
    {LAST_APPLIED, REVISION, REVISION_HISTORY, DESIRED_REPLICAS, MAX_REPLICAS, ROLLBACK_TO}
)
MAX_REV_HISTORY_CHARS = 2000
DEFAULT_ROLLING = {"maxSurge": "25%", "maxUnavailable": "25%"}
MAX_INT32 = 2**31 - 1


def scaled_value(value: int | str | None, total: int, round_up: bool) -> int:
    """`intstr.GetScaledValueFromIntOrPercent` (None counts as 0)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    if not value.endswith("%"):
        raise ValueError(
            f"invalid value for IntOrString: invalid type: string is not a percentage: {value}"
        )
    percent = int(value[:-1])
    scaled = percent * total / 100
    return math.ceil(scaled) if round_up else math.floor(scaled)


def strategy_type(d: Obj) -> str:
    """`spec.strategy.type` (RollingUpdate when defaulting has not run)."""
    strategy: str = ((d["spec"].get("strategy") or {}).get("type")) or "RollingUpdate"
    return strategy


def is_rolling_update(d: Obj) -> bool:
    """Whether the Deployment uses the RollingUpdate strategy."""
    return strategy_type(d) == "RollingUpdate"


def resolve_fenceposts(d: Obj) -> tuple[int, int]:
    """`ResolveFenceposts`: (maxSurge, maxUnavailable); both zero becomes unavailable=1."""
    rolling = (d["spec"].get("strategy") or {}).get("rollingUpdate") or DEFAULT_ROLLING
    desired = pu.replicas_of(d)
    surge = scaled_value(rolling.get("maxSurge"), desired, True)
    unavailable = scaled_value(rolling.get("maxUnavailable"), desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def max_surge(d: Obj) -> int:
    """`MaxSurge`: 0 for Recreate."""
    return resolve_fenceposts(d)[0] if is_rolling_update(d) else 0


def max_unavailable(d: Obj) -> int:
    """`MaxUnavailable`: 0 for Recreate or zero replicas, capped at spec.replicas."""
    replicas = pu.replicas_of(d)
    if not is_rolling_update(d) or replicas == 0:
        return 0
    return min(resolve_fenceposts(d)[1], replicas)


def revision(rs: Obj) -> int:
    """The `deployment.kubernetes.io/revision` of a ReplicaSet (0 if absent or invalid)."""
    value = (rs["metadata"].get("annotations") or {}).get(REVISION, "")
    return int(value) if value.isdigit() else 0


def max_revision(rss: Iterable[Obj]) -> int:
    """The highest revision among ReplicaSets."""
    return max((revision(rs) for rs in rss), default=0)


def template_without_hash(template: Obj) -> Obj:
    """A template with the `pod-template-hash` label removed (and an empty label map dropped)."""
    meta = dict(template.get("metadata") or {})
    labels = {k: v for k, v in (meta.get("labels") or {}).items() if k != HASH_LABEL}
    if labels:
        meta["labels"] = labels
    else:
        meta.pop("labels", None)
    out = dict(template)
    if meta:
        out["metadata"] = meta
    else:
        out.pop("metadata", None)
    return out


def equal_ignore_hash(a: Obj, b: Obj) -> bool:
    """`EqualIgnoreHash`: templates equal apart from the pod-template-hash label.

    Compared as `apiequality.Semantic.DeepEqual` compares the decoded structs: a null, an
    absent field and an empty map or list are all the zero value.
    """
    return bool(_semantic(template_without_hash(a)) == _semantic(template_without_hash(b)))


def _semantic(value: Any) -> Any:
    if isinstance(value, dict):
        kept = {k: _semantic(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_semantic(v) for v in value]
    return value


def find_new_rs(d: Obj, rss: Sequence[Obj]) -> Obj | None:
    """`FindNewReplicaSet`: the oldest ReplicaSet whose template is the Deployment's."""
    template = d["spec"].get("template") or {}
    for rs in sorted(rss, key=pu.creation_key):
        if equal_ignore_hash(rs["spec"].get("template") or {}, template):
            return rs
    return None


def rs_replicas(rs: Obj | None) -> int:
    """`spec.replicas` of a ReplicaSet (None counts as 0)."""
    return 0 if rs is None else pu.replicas_of(rs, 0)


def replica_count(rss: Iterable[Obj | None]) -> int:
    """`GetReplicaCountForReplicaSets`: sum of spec.replicas."""
    return sum(rs_replicas(rs) for rs in rss)


def status_count(rss: Iterable[Obj | None], field: str) -> int:
    """Sum of one status counter (replicas, readyReplicas, availableReplicas)."""
    return sum(pu.status_int(rs, field) for rs in rss if rs is not None)


def filter_active(rss: Iterable[Obj | None]) -> list[Obj]:
    """`FilterActiveReplicaSets`: ReplicaSets with spec.replicas > 0."""
    return [rs for rs in rss if rs is not None and rs_replicas(rs) > 0]


def by_revision(rs: Obj) -> tuple[int, str, str]:
    """`ReplicaSetsByRevision` order."""
    return (revision(rs), *pu.creation_key(rs))


def copy_annotations_to_rs(d: Obj, rs: Obj) -> bool:
    """Copy the Deployment's annotations (bar the skipped ones) onto `rs`; True if changed."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in (d["metadata"].get("annotations") or {}).items():
        if key in ANNOTATIONS_TO_SKIP or annotations.get(key) == value:
            continue
        annotations[key] = value
        changed = True
    return changed


def set_new_rs_annotations(d: Obj, rs: Obj, new_revision: int, exists: bool) -> bool:
    """`SetNewReplicaSetAnnotations` on `rs` (mutated); True if anything changed."""
    changed = copy_annotations_to_rs(d, rs)
    annotations = rs["metadata"].setdefault("annotations", {})
    old = annotations.get(REVISION)
    if old is not None and not old.isdigit():
        return False
    old_int = int(old) if old else 0
    if old_int < new_revision:
        annotations[REVISION] = str(new_revision)
        changed = True
        if old is not None:
            _append_revision_history(annotations, old)
    if not exists and set_replicas_annotations(
        rs, pu.replicas_of(d), pu.replicas_of(d) + max_surge(d)
    ):
        changed = True
    return changed


def _append_revision_history(annotations: dict[str, str], old_revision: str) -> None:
    history = annotations.get(REVISION_HISTORY, "")
    if not history:
        annotations[REVISION_HISTORY] = old_revision
        return
    revisions = history.split(",")
    total = len(history) + len(old_revision) + 1
    start = 0
    while total > MAX_REV_HISTORY_CHARS and start < len(revisions):
        total -= len(revisions[start]) + 1
        start += 1
    if total <= MAX_REV_HISTORY_CHARS:
        annotations[REVISION_HISTORY] = ",".join([*revisions[start:], old_revision])


def set_replicas_annotations(rs: Obj, desired: int, maximum: int) -> bool:
    """`SetReplicasAnnotations` on `rs` (mutated); True if changed."""
    annotations = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in ((DESIRED_REPLICAS, str(desired)), (MAX_REPLICAS, str(maximum))):
        if annotations.get(key) != value:
            annotations[key] = value
            changed = True
    return changed


def replicas_annotations_need_update(rs: Obj, desired: int, maximum: int) -> bool:
    """`ReplicasAnnotationsNeedUpdate`."""
    annotations = rs["metadata"].get("annotations") or {}
    return annotations.get(DESIRED_REPLICAS) != str(desired) or annotations.get(
        MAX_REPLICAS
    ) != str(maximum)


def desired_replicas_annotation(rs: Obj) -> int | None:
    """`GetDesiredReplicasAnnotation` (None when absent or invalid)."""
    value = (rs["metadata"].get("annotations") or {}).get(DESIRED_REPLICAS, "")
    return int(value) if value.lstrip("-").isdigit() else None


def new_rs_new_replicas(d: Obj, all_rss: Sequence[Obj | None], new_rs: Obj) -> int:
    """`NewRSNewReplicas`: how far the new ReplicaSet may scale up now."""
    desired = pu.replicas_of(d)
    if not is_rolling_update(d):
        return desired
    max_total = desired + max_surge(d)
    current = replica_count(all_rss)
    if current >= max_total:
        return rs_replicas(new_rs)
    scale_up = min(max_total - current, desired - rs_replicas(new_rs))
    return rs_replicas(new_rs) + scale_up


def find_active_or_latest(new_rs: Obj | None, old_rss: Sequence[Obj]) -> Obj | None:
    """`FindActiveOrLatest`: the single active ReplicaSet, or the newest if none is active."""
    if new_rs is None and not old_rss:
        return None
    newest_first = sorted(old_rss, key=pu.creation_key, reverse=True)
    active = filter_active([*newest_first, new_rs])
    if not active:
        return new_rs if new_rs is not None else newest_first[0]
    return active[0] if len(active) == 1 else None


def is_saturated(d: Obj, rs: Obj | None) -> bool:
    """`IsSaturated`: the new ReplicaSet runs every desired replica, all available."""
    if rs is None:
        return False
    desired = pu.replicas_of(d)
    return (
        rs_replicas(rs) == desired
        and desired_replicas_annotation(rs) == desired
        and pu.status_int(rs, "availableReplicas") == desired
    )


def proportion(rs: Obj, d: Obj, to_add: int, added: int) -> int:
    """`GetProportion`: this ReplicaSet's share of a proportional scale."""
    if rs_replicas(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _rs_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _rs_fraction(rs: Obj, d: Obj) -> int:
    size = rs_replicas(rs)
    if pu.replicas_of(d) == 0:
        return -size
    max_now = pu.replicas_of(d) + max_surge(d)
    value = (rs["metadata"].get("annotations") or {}).get(MAX_REPLICAS, "")
    before = int(value) if value.isdigit() else 0
    if before == 0:
        before = pu.status_int(d, "replicas")
    if before == 0:
        return 0
    # integer.RoundToInt32 rounds half away from zero.
    scaled = size * max_now / before
    return int(math.floor(scaled + 0.5) if scaled >= 0 else math.ceil(scaled - 0.5)) - size


def by_size_newer(rs: Obj) -> tuple[int, float, str]:
    """`ReplicaSetsBySizeNewer` order (largest first, newer first on ties)."""
    created = pu.parse_time(rs["metadata"].get("creationTimestamp")) or 0.0
    return (-rs_replicas(rs), -created, _reverse_name(rs))


def by_size_older(rs: Obj) -> tuple[int, str, str]:
    """`ReplicaSetsBySizeOlder` order (largest first, older first on ties)."""
    return (-rs_replicas(rs), *pu.creation_key(rs))


def _reverse_name(rs: Obj) -> str:
    # Newer-first ties fall back to the reverse of the name order.
    return "".join(chr(0x10FFFF - ord(ch)) for ch in rs["metadata"]["name"])


def progress_deadline(d: Obj, cap: float | None) -> float | None:
    """progressDeadlineSeconds (default 600; none when MaxInt32), capped for fast tests."""
    value = d["spec"].get("progressDeadlineSeconds", 600)
    if value is None or value == MAX_INT32:
        return None
    return float(value) if cap is None else min(float(value), cap)
