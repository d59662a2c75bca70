"""Guards against changing what another controller owns.

An object managed by a tool (read with `kubeconnector.discovery.managers.markers`) gets its
state back from that tool: External Secrets and Sealed Secrets controllers rewrite a Secret's
data from their source at once; Helm, Argo CD and Flux restore their version at the next
upgrade or sync. `manager_guard` turns each such manager into a `force`-able refusal (for the
tools the action says would revert it) or a warning (for the others). Field managers are not
tools and are ignored.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from kubeconnector.changes.helpers.checks import forceable_check
from kubeconnector.discovery.managers import Marker, markers
from kubeconnector.models.changes import Check

ALL_TOOLS = frozenset({"external-secrets", "sealed-secrets", "helm", "argocd", "flux"})
MANAGED_BY = "managed-by"

# Why each tool undoes a change, and where the change belongs instead.
_HOW = {
    "external-secrets": (
        "its controller rewrites the data from the external store",
        "change the value in the external store",
    ),
    "sealed-secrets": (
        "its controller rewrites the data from the SealedSecret",
        "reseal the new value",
    ),
    "helm": ("the next helm upgrade restores the chart's version", "change the release's values"),
    "argocd": ("the next sync restores the Git version", "change it in Git"),
    "flux": ("the next reconciliation restores the Git version", "change it in Git"),
}


@dataclass(frozen=True)
class ManagerGuard:
    """What the managers of an object mean for a change.

    Attributes:
        checks: One check per tool manager (refusing or warning).
        warnings: Plain-language warnings for the plan.
        tools: The tool names found (``helm``, ``argocd``, ...).
    """

    checks: tuple[Check, ...]
    warnings: tuple[str, ...]
    tools: tuple[str, ...]


def tool_markers(obj: Mapping[str, Any]) -> list[Marker]:
    """The tool managers an object's metadata reveals (field managers left out)."""
    meta = obj.get("metadata") or {}
    found = markers(
        str(meta.get("namespace") or ""),
        meta.get("labels") or {},
        meta.get("annotations") or {},
        meta.get("ownerReferences") or [],
    )
    return [m for m in found if m.entry.get("type") in ALL_TOOLS]


def manager_guard(
    obj: Mapping[str, Any],
    label: str,
    *,
    force: bool,
    reverts: Collection[str] = ALL_TOOLS,
) -> ManagerGuard:
    """Checks and warnings for changing `obj` (shown as `label`) behind its managers' backs.

    Args:
        obj: The live object.
        label: How to name it, e.g. ``Secret shop/db-credentials``.
        force: The action's ``force`` parameter (turns refusals into warnings).
        reverts: The tools that would undo this action's change (refused unless forced); the
            other tools only warn.
    """
    checks: list[Check] = []
    warnings: list[str] = []
    tools: list[str] = []
    for marker in tool_markers(obj):
        tool = str(marker.entry["type"])
        tools.append(tool)
        undone, instead = _HOW[tool]
        managed = f"{label} is managed by {describe(marker)}"
        if tool in reverts:
            message = f"{managed}: {undone}, reverting this change; {instead} instead"
            checks.append(forceable_check(MANAGED_BY, message, force))
            warnings.append(f"{managed}: {undone}")
        else:
            warnings.append(f"{managed}; {instead} to keep them in step")
    return ManagerGuard(tuple(checks), tuple(warnings), tuple(tools))


def describe(marker: Marker) -> str:
    """``Helm (release monitoring/grafana)``, ``Argo CD (application shop-search)``, ..."""
    entry = marker.entry
    tool = entry["type"]
    if tool == "helm":
        release = entry.get("release")
        return f"Helm (release {entry['namespace']}/{release})" if release else "Helm"
    if tool == "argocd":
        return f"Argo CD (application {entry['application']})"
    if tool == "flux":
        kind = "Kustomization" if entry["controller"] == "kustomize" else "HelmRelease"
        return f"Flux ({kind} {entry['namespace']}/{entry['name']})"
    name = entry.get("name")
    owner = "ExternalSecret" if tool == "external-secrets" else "SealedSecret"
    title = "External Secrets" if tool == "external-secrets" else "Sealed Secrets"
    return f"{title} ({owner} {name})" if name else title
