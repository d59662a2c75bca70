"""Whether a pod fits a node: the scheduler's filter plugins clients can observe.

Implements, in the default profile's order, NodeUnschedulable, TaintToleration and
NodeAffinity (nodeSelector plus required node affinity, `matchFields` on `metadata.name`
included) with their upstream failure reasons, and the scheduler's `FitError` message. The
DaemonSet controller uses the same predicates to decide where daemon pods should run.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

Obj = dict[str, Any]

UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
REASON_UNSCHEDULABLE = "node(s) were unschedulable"
REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
HARD_EFFECTS = ("NoSchedule", "NoExecute")


def tolerates(tolerations: Iterable[Mapping[str, Any]], taint: Mapping[str, Any]) -> bool:
    """`v1helper.TolerationsTolerateTaint`."""
    return any(_tolerates_one(t, taint) for t in tolerations)


def _tolerates_one(toleration: Mapping[str, Any], taint: Mapping[str, Any]) -> bool:
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    if key and key != taint.get("key"):
        return False
    operator = toleration.get("operator") or "Equal"
    if operator == "Exists":
        return True
    return operator == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated_taint(spec: Obj, node: Obj, effects: tuple[str, ...] = HARD_EFFECTS) -> Obj | None:
    """The first taint with one of `effects` that the pod does not tolerate."""
    tolerations = spec.get("tolerations") or ()
    for taint in (node.get("spec") or {}).get("taints") or ():
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            result: Obj = taint
            return result
    return None


def affinity_matches(spec: Obj, node: Obj) -> bool:
    """nodeSelector and required node affinity (`NodeAffinity` filter)."""
    labels = node["metadata"].get("labels") or {}
    for key, value in (spec.get("nodeSelector") or {}).items():
        if labels.get(key) != value:
            return False
    required = ((spec.get("affinity") or {}).get("nodeAffinity") or {}).get(
        "requiredDuringSchedulingIgnoredDuringExecution"
    )
    if not required:
        return True
    fields = {"metadata.name": node["metadata"]["name"]}
    return any(
        _term_matches(term, labels, fields) for term in required.get("nodeSelectorTerms") or ()
    )


def _term_matches(
    term: Mapping[str, Any], labels: Mapping[str, str], fields: Mapping[str, str]
) -> bool:
    expressions = term.get("matchExpressions") or ()
    field_reqs = term.get("matchFields") or ()
    if not expressions and not field_reqs:
        return False
    return all(_requirement(r, labels) for r in expressions) and all(
        _requirement(r, fields) for r in field_reqs
    )


def _requirement(req: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    key, op = req.get("key", ""), req.get("operator", "")
    values = req.get("values") or ()
    present = key in labels
    if op == "In":
        return present and labels[key] in values
    if op == "NotIn":
        return not present or labels[key] not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt") and present and values:
        try:
            have, want = int(labels[key]), int(values[0])
        except ValueError:
            return False
        return have > want if op == "Gt" else have < want
    return False


def filter_reason(spec: Obj, node: Obj) -> str | None:
    """Why the scheduler rejects `node` for a pod with `spec` (None: it fits)."""
    unschedulable_taint = {"key": UNSCHEDULABLE_TAINT, "effect": "NoSchedule"}
    if (node.get("spec") or {}).get("unschedulable") and not tolerates(
        spec.get("tolerations") or (), unschedulable_taint
    ):
        return REASON_UNSCHEDULABLE
    taint = untolerated_taint(spec, node)
    if taint is not None:
        return f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value', '')}}}"
    if not affinity_matches(spec, node):
        return REASON_AFFINITY
    return None


def fit_error(total: int, reasons: Iterable[str]) -> str:
    """`FitError.Error()` with the preemption post-filter message of unresolvable failures."""
    histogram = Counter(reasons)
    parts = sorted(f"{count} {reason}" for reason, count in histogram.items())
    message = f"0/{total} nodes are available"
    if parts:
        message += ": " + ", ".join(parts)
    message += "."
    if total:
        message += (
            f" preemption: 0/{total} nodes are available: {total} Preemption is not "
            "helpful for scheduling."
        )
    return message
