"""Who manages an object, read from its metadata (pure functions, no I/O).

An asset's ``managers`` list holds one entry per manager, each with a ``type``:

- ``field-manager``: a ``managedFields`` entry: ``manager``, ``operation`` (``Update`` or
  ``Apply``) and ``subresource`` (only when set), one entry per distinct triple.
- ``helm``: label ``app.kubernetes.io/managed-by: Helm`` or annotation
  ``meta.helm.sh/release-name``: ``release``, ``namespace`` (the release's).
- ``argocd``: annotation ``argocd.argoproj.io/tracking-id`` (``evidence: annotation``) or,
  on an object Helm does not manage, label ``app.kubernetes.io/instance``
  (``evidence: label``, Argo CD's default tracking): ``application``.
- ``flux``: labels ``kustomize.toolkit.fluxcd.io/name`` (``controller: kustomize``) or
  ``helm.toolkit.fluxcd.io/name`` (``controller: helm``): ``name``, ``namespace``.
- ``external-secrets``: an owner of kind ``ExternalSecret`` (``name``) or label
  ``reconcile.external-secrets.io/managed`` (no name).
- ``sealed-secrets``: an owner of kind ``SealedSecret``: ``name``.

Tool managers whose name is known also give a ``manages`` relation from a key naming the
tool's object: ``Helm/<release namespace>/<release>``, ``Application/<app>`` (Argo CD; its
namespace is not on the managed object), ``Kustomization/<ns>/<name>`` and
``HelmRelease/<ns>/<name>`` (Flux), ``ExternalSecret/<ns>/<name>``,
``SealedSecret/<ns>/<name>``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kubeconnector.discovery.relations import MANAGES, Edge, Key

Raw = Mapping[str, Any]

HELM_MANAGED_BY = "app.kubernetes.io/managed-by"
HELM_RELEASE = "meta.helm.sh/release-name"
HELM_RELEASE_NAMESPACE = "meta.helm.sh/release-namespace"
ARGO_INSTANCE = "app.kubernetes.io/instance"
ARGO_TRACKING = "argocd.argoproj.io/tracking-id"
FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io"
FLUX_HELM = "helm.toolkit.fluxcd.io"
ESO_MANAGED = "reconcile.external-secrets.io/managed"

SharedEntries = dict[tuple[str, str, str], dict[str, Any]]


@dataclass(frozen=True)
class Marker:
    """One manager of an object.

    Attributes:
        entry: The asset's ``managers`` entry.
        source: The key of the managing object, when it can be named.
        evidence: What revealed it (``label``, ``annotation``, ``ownerReference``).
    """

    entry: dict[str, Any]
    source: Key | None = None
    evidence: str = "label"


def markers(
    namespace: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
    owners: Sequence[Raw],
    managed_fields: Sequence[Raw] = (),
    shared: SharedEntries | None = None,
) -> list[Marker]:
    """Every manager an object's metadata reveals, field managers first.

    Args:
        namespace: The object's namespace.
        labels: Its labels.
        annotations: Its annotations.
        owners: Its ``ownerReferences``.
        managed_fields: Its ``managedFields``.
        shared: Field-manager entries already made, reused across objects (see
            `field_managers`).
    """
    found: list[Marker] = []
    if managed_fields:
        entries = field_managers(managed_fields, shared)
        found += [Marker(e, evidence="managedFields") for e in entries]
    if not (labels or annotations or owners):
        return found
    found += _helm(namespace, labels, annotations)
    found += _argocd(labels, annotations)
    found += _flux(namespace, labels)
    if owners:
        found += _owned(namespace, owners)
    if ESO_MANAGED in labels and not any(m.entry["type"] == "external-secrets" for m in found):
        found.append(Marker({"type": "external-secrets"}))
    return found


def manages_edges(target: Key, found: Sequence[Marker]) -> list[Edge]:
    """``manages`` edges from each named tool manager to the object."""
    return [
        Edge(MANAGES, m.source, target, {"tool": m.entry["type"], "evidence": m.evidence})
        for m in found
        if m.source is not None
    ]


def field_managers(
    managed_fields: Sequence[Raw], shared: SharedEntries | None = None
) -> list[dict[str, Any]]:
    """One entry per distinct (manager, operation, subresource) of ``managedFields``.

    Args:
        managed_fields: The object's ``managedFields``.
        shared: Entries made for earlier objects; equal entries are reused from it (and
            new ones added), since tens of thousands of objects share a handful of managers.
            The entries must then be treated as read-only.
    """
    pool: SharedEntries = {} if shared is None else shared
    seen: dict[tuple[str, str, str], dict[str, Any]] = {}
    for item in managed_fields:
        triple = (
            str(item.get("manager") or ""),
            str(item.get("operation") or ""),
            str(item.get("subresource") or ""),
        )
        entry = pool.get(triple)
        if entry is None:
            entry = pool[triple] = _field_manager_entry(*triple)
        seen.setdefault(triple, entry)
    return list(seen.values())


def _field_manager_entry(manager: str, operation: str, subresource: str) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "field-manager", "manager": manager, "operation": operation}
    if subresource:
        entry["subresource"] = subresource
    return entry


def data_keys(managed_fields: Sequence[Raw]) -> list[str] | None:
    """The Secret key names ``managedFields`` records (``f:data``), never values.

    Returns:
        The sorted key names, or None when no entry records ``data`` or ``stringData``.
    """
    keys: set[str] | None = None
    for item in managed_fields:
        fields = item.get("fieldsV1") or {}
        for section in ("f:data", "f:stringData"):
            entries = fields.get(section)
            if isinstance(entries, Mapping):
                keys = (keys or set()) | set(_field_names(entries))
    return None if keys is None else sorted(keys)


def _field_names(entries: Mapping[str, Any]) -> Iterator[str]:
    for name in entries:
        if name.startswith("f:"):
            yield name[2:]


def _helm(
    namespace: str, labels: Mapping[str, str], annotations: Mapping[str, str]
) -> list[Marker]:
    release = annotations.get(HELM_RELEASE)
    if labels.get(HELM_MANAGED_BY) != "Helm" and release is None:
        return []
    release_ns = annotations.get(HELM_RELEASE_NAMESPACE) or namespace
    entry = {"type": "helm", "release": release, "namespace": release_ns}
    source = ("Helm", release_ns, release) if release else None
    return [Marker(entry, source, "annotation" if release else "label")]


def _argocd(labels: Mapping[str, str], annotations: Mapping[str, str]) -> list[Marker]:
    tracking = annotations.get(ARGO_TRACKING)
    if tracking:
        app = tracking.split(":", 1)[0]
        entry = {"type": "argocd", "application": app, "tracking_id": tracking}
        return [Marker(entry, ("Application", "", app) if app else None, "annotation")]
    instance = labels.get(ARGO_INSTANCE)
    if instance and labels.get(HELM_MANAGED_BY) is None:
        entry = {"type": "argocd", "application": instance}
        return [Marker(entry, ("Application", "", instance), "label")]
    return []


# (name label, namespace label, controller, kind of the Flux object)
_FLUX = (
    (f"{FLUX_KUSTOMIZE}/name", f"{FLUX_KUSTOMIZE}/namespace", "kustomize", "Kustomization"),
    (f"{FLUX_HELM}/name", f"{FLUX_HELM}/namespace", "helm", "HelmRelease"),
)
_OWNER_TOOLS = {"ExternalSecret": "external-secrets", "SealedSecret": "sealed-secrets"}


def _flux(namespace: str, labels: Mapping[str, str]) -> list[Marker]:
    found = []
    for name_label, namespace_label, controller, kind in _FLUX:
        name = labels.get(name_label)
        if name:
            flux_ns = labels.get(namespace_label) or namespace
            entry = {"type": "flux", "controller": controller, "name": name, "namespace": flux_ns}
            found.append(Marker(entry, (kind, flux_ns, name)))
    return found


def _owned(namespace: str, owners: Sequence[Raw]) -> list[Marker]:
    found = []
    for ref in owners:
        tool, name = _OWNER_TOOLS.get(str(ref.get("kind"))), ref.get("name")
        if tool and name:
            source = (str(ref["kind"]), namespace, str(name))
            found.append(Marker({"type": tool, "name": name}, source, "ownerReference"))
    return found
