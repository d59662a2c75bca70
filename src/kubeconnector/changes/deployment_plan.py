"""Planning a Deployment change: preflight, autoscalers, dry run, impact.

Shared by patch-deployment and scale-deployment. Reading the Deployment proves ``get``; one
SelfSubjectAccessReview asks for ``patch``. Tool managers (Helm, Argo CD, Flux) restore their
version of a Deployment at the next upgrade, sync or reconciliation, so they refuse the change
unless forced. A HorizontalPodAutoscaler overrides any replica count written by hand: when a
change sets replicas, the namespace's autoscalers are listed (one call) and a warning names the
one targeting the Deployment, or says that none could be checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from kubeconnector.changes.base import ActionContext
from kubeconnector.changes.deployments import Fields, fields_patch
from kubeconnector.changes.helpers.checks import Target, permission_check, resource_version
from kubeconnector.changes.helpers.guards import manager_guard
from kubeconnector.changes.helpers.writes import dry_run
from kubeconnector.changes.rollout import STRATEGIC_MERGE
from kubeconnector.errors import ApiError, Forbidden
from kubeconnector.kube import KindSpec, kind_spec
from kubeconnector.models.changes import BlastRadius, Check, ImpactItem

AUTOSCALERS = KindSpec(
    "autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", True
)
Obj = Mapping[str, Any]


def deployment_target(namespace: str, name: str) -> Target:
    """The Deployment `namespace`/`name`."""
    return Target(kind_spec("Deployment"), namespace, name)


def preflight(
    ctx: ActionContext, target: Target, live: Obj, *, force: bool
) -> tuple[list[Check], list[str]]:
    """The patch permission, the managers' refusals, and warnings (managers, paused)."""
    guard = manager_guard(live, target.label, force=force)
    checks = [permission_check(ctx, "patch", target), *guard.checks]
    warnings = list(guard.warnings)
    if (live.get("spec") or {}).get("paused"):
        warnings.append(
            f"{target.label} is paused: its pods are not replaced until it is resumed "
            "(kubectl rollout resume); verification ends once the change is observed"
        )
    return checks, warnings


def autoscaler_warnings(ctx: ActionContext, target: Target) -> list[str]:
    """Warnings about HorizontalPodAutoscalers that would override a replica count."""
    try:
        pages = list(ctx.client.list_pages(AUTOSCALERS, target.namespace))
    except Forbidden:
        return [
            f"could not check for a HorizontalPodAutoscaler targeting {target.label}: the "
            f"connector may not list horizontalpodautoscalers in namespace {target.namespace}; "
            "if one targets it, it will override the replica count set by this change"
        ]
    except ApiError as err:
        return [f"could not check for a HorizontalPodAutoscaler targeting {target.label}: {err}"]
    return [
        _autoscaler_warning(hpa, target)
        for page in pages
        for hpa in page
        if _targets(hpa, target.name)
    ]


def fields_dry_run(ctx: ActionContext, target: Target, values: Fields, live: Obj) -> Check:
    """The exact patch, sent with ``dryRun=All`` (env values scrubbed from any answer)."""
    secrets = [str(e.get("value")) for e in values.env.values() if e and e.get("value")]
    return dry_run(
        ctx,
        "PATCH",
        target.path,
        fields_patch(values, resource_version(dict(live)), live),
        what=f"patch of {target.label}",
        secrets=secrets,
        content_type=STRATEGIC_MERGE,
    )


def impact(target: Target, live: Obj, before: Fields, after: Fields) -> tuple[ImpactItem, ...]:
    """What the change does to the Deployment's pods."""
    spec, status = live.get("spec") or {}, live.get("status") or {}
    pods = int(status.get("replicas") or 0)
    items = []
    if after.replicas is not None and before.replicas != after.replicas:
        old, new = int(before.replicas or 0), after.replicas
        moved = f"{new - old} pods added" if new > old else f"{old - new} pods removed"
        details: dict[str, Any] = {"from": old, "to": new}
        items.append(
            ImpactItem(
                subject=target.label,
                effect=f"scales from {old} to {new} replicas: {moved}",
                details=details,
            )
        )
    if after.touches_template:
        wanted = after.replicas if after.replicas is not None else int(spec.get("replicas") or 0)
        items.append(
            ImpactItem(
                subject=target.label,
                effect=_rollout_effect(spec, pods, wanted),
                details={"pods": pods},
            )
        )
    return tuple(items)


def blast(live: Obj) -> BlastRadius:
    """One workload and the pods it runs."""
    pods = int((live.get("status") or {}).get("replicas") or 0)
    return BlastRadius(workloads=1, pods=pods)


def _rollout_effect(spec: Obj, pods: int, wanted: int) -> str:
    strategy = spec.get("strategy") or {}
    if strategy.get("type") == "Recreate":
        effect = (
            f"all {pods} pods are stopped, then {wanted} recreated (Recreate strategy: downtime)"
        )
    else:
        rolling = strategy.get("rollingUpdate") or {}
        surge, unavailable = rolling.get("maxSurge", "25%"), rolling.get("maxUnavailable", "25%")
        effect = (
            f"rolling update: its {pods} pods are replaced by {wanted} new ones "
            f"(maxSurge {surge}, maxUnavailable {unavailable})"
        )
    if spec.get("paused"):
        effect += ", once the Deployment is resumed"
    return effect


def _targets(hpa: Obj, name: str) -> bool:
    ref = (hpa.get("spec") or {}).get("scaleTargetRef") or {}
    return bool(ref.get("kind") == "Deployment" and ref.get("name") == name)


def _autoscaler_warning(hpa: Obj, target: Target) -> str:
    meta, spec = hpa.get("metadata") or {}, hpa.get("spec") or {}
    low, high = spec.get("minReplicas", 1), spec.get("maxReplicas")
    return (
        f"HorizontalPodAutoscaler {meta.get('namespace')}/{meta.get('name')} targets "
        f"{target.label} ({low} to {high} replicas): it will override the replica count set "
        "by this change"
    )
