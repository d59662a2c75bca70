"""A Node's schedulability: reading, patching and verifying ``spec.unschedulable``.

Used by the cordon-node and uncordon-node actions. The patch is a strategic merge patch of
that one field carrying ``metadata.resourceVersion`` (409 Conflict when the node changed since
that version); uncordoning removes the field, as ``kubectl uncordon`` does (false is its zero
value). The ``node.kubernetes.io/unschedulable`` taint is the node lifecycle controller's
business: it is reported (present, pending, absent) and never waited for.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeconnector.changes.base import ActionContext
from kubeconnector.changes.helpers.checks import (
    TARGET_EXISTS,
    Target,
    missing,
    permission_check,
    require_target,
    resource_version,
    uid_of,
)
from kubeconnector.changes.helpers.writes import Write
from kubeconnector.changes.rollout import STRATEGIC_MERGE
from kubeconnector.errors import ApiError, ChangeError, Forbidden, NotFound
from kubeconnector.kube import kind_spec
from kubeconnector.models.changes import BlastRadius, Check, DiffItem, ImpactItem, JsonObject

NODE = kind_spec("Node")
POD = kind_spec("Pod")
UNSCHEDULABLE = "spec.unschedulable"
UNSCHEDULABLE_TAINT = "node.kubernetes.io/unschedulable"
GET_HINT = (
    'grant it with a ClusterRole rule {apiGroups: [""], resources: ["nodes"], verbs: ["get"]}: '
    "the seed's minimum permissions give only patch on nodes"
)
Obj = Mapping[str, Any]
KEEPS_RUNNING = "keeps running; a replacement, if any, is scheduled on another node"
Impact = tuple[tuple[ImpactItem, ...], BlastRadius, list[str]]


def read_node(ctx: ActionContext, target: Target) -> tuple[Obj | None, list[Check]]:
    """GET the node; a forbidden read becomes a check with the rule to add."""
    try:
        node = ctx.client.request("GET", target.path)
    except NotFound:
        return None, [Check(name=TARGET_EXISTS, ok=False, message=missing(target))]
    except Forbidden:
        message = (
            f"the connector may not get nodes, needed to read and verify {target.label}: {GET_HINT}"
        )
        return None, [
            Check(name="can-get-nodes", ok=False, message=message),
            permission_check(ctx, "patch", target),
        ]
    return node, [Check(name=TARGET_EXISTS, ok=True, message=f"{target.label} exists")]


def node_write(step: str, target: Target, uid: str, version: str, cordon: bool) -> Write:
    """The guarded write setting `spec.unschedulable` to `cordon` (applied: the node shows it)."""
    return Write(
        step=step,
        method="PATCH",
        path=target.path,
        read_path=target.path,
        applied=lambda obj: obj is not None and uid_of(obj) == uid and unschedulable(obj) == cordon,
        what=target.label,
        body=node_patch(version, cordon),
        detail={"node": target.label, "resourceVersion": version, "unschedulable": cordon},
        content_type=STRATEGIC_MERGE,
    )


def node_patch(version: str, cordon: bool) -> dict[str, Any]:
    """The strategic merge patch, with its resourceVersion precondition."""
    # kubectl uncordon removes the field (false is its zero value) rather than writing false.
    return {
        "metadata": {"resourceVersion": version},
        "spec": {"unschedulable": True if cordon else None},
    }


def verify_node(ctx: ActionContext, target: Target, wanted: bool) -> JsonObject:
    """Read the node back: `spec.unschedulable` must be `wanted`."""
    after = require_target(ctx, target)
    if unschedulable(after) != wanted:
        raise ChangeError(
            f"verification failed: {target.label} has {UNSCHEDULABLE} "
            f"{str(unschedulable(after)).lower()} after the write"
        )
    return node_state(target, after)


def node_state(target: Target, node: Obj) -> JsonObject:
    """The node's schedulability and whether its taint is in step, for a result."""
    wanted = unschedulable(node)
    tainted = any(
        t.get("key") == UNSCHEDULABLE_TAINT for t in (node.get("spec") or {}).get("taints") or ()
    )
    taint = "present" if tainted else "absent"
    if tainted != wanted:
        taint = "pending" if wanted else "pending removal"
    return {
        "node": target.label,
        "unschedulable": wanted,
        "taint": taint,
        "resourceVersion": resource_version(dict(node)),
    }


def node_impact(ctx: ActionContext, target: Target, cordon: bool) -> Impact:
    """The node's impact items, blast radius and warnings.

    A cordon lists the pods on the node (one metadata-only list): they keep running and new
    pods go elsewhere. An uncordon affects no running pod, so nothing is listed.
    """
    if not cordon:
        effect = "becomes schedulable: new pods may be placed on it again"
        return (ImpactItem(subject=target.label, effect=effect),), BlastRadius(), []
    try:
        pods = [
            p
            for page in ctx.client.list_pages(
                POD, None, metadata_only=True, field_selector=f"spec.nodeName={target.name}"
            )
            for p in page
        ]
    except ApiError as err:
        warning = f"the pods on {target.label} could not be listed: {err}"
        effect = "becomes unschedulable: its pods keep running, new pods go elsewhere"
        return (ImpactItem(subject=target.label, effect=effect),), BlastRadius(), [warning]
    node_item = ImpactItem(
        subject=target.label,
        effect=(
            f"becomes unschedulable: its {len(pods)} pods keep running (cordon evicts "
            "nothing), new pods go elsewhere"
        ),
        details={"pods": len(pods)},
    )
    items = [
        node_item,
        *(
            ImpactItem(
                subject=f"Pod {_where(p)}",
                effect=KEEPS_RUNNING,
            )
            for p in pods
        ),
    ]
    owners = {_owner(p) for p in pods} - {""}
    return tuple(items), BlastRadius(workloads=len(owners), pods=len(pods)), []


def _where(pod: Obj) -> str:
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace')}/{meta.get('name')}"


def _owner(pod: Obj) -> str:
    meta = pod.get("metadata") or {}
    for ref in meta.get("ownerReferences") or ():
        if ref.get("controller"):
            return f"{meta.get('namespace')}/{ref.get('kind')}/{ref.get('name')}"
    return ""


def unschedulable_diff(cordon: bool) -> DiffItem:
    """The one diff item of a cordon (`cordon`) or an uncordon."""
    return DiffItem(
        path=UNSCHEDULABLE, op="change", old=str(not cordon).lower(), new=str(cordon).lower()
    )


def unschedulable(node: Obj) -> bool:
    """Whether the node is cordoned (``spec.unschedulable``)."""
    return bool((node.get("spec") or {}).get("unschedulable"))


def state_word(cordoned: bool) -> str:
    """``cordoned (unschedulable)`` or ``schedulable``."""
    return "cordoned (unschedulable)" if cordoned else "schedulable"
