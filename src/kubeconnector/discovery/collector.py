"""Page by page, raw list items become asset fields and compact link state.

One `ListCollector` per list request sequence. Each page's objects become `DiscoveredAsset`
fields, handed on at once (Secrets wait for the per-type lists that tell their type), and the
little that linking needs later: each object's key, the edges it carries, what its pod spec
consumes, a ServiceAccount's secret names. The raw objects are dropped with the page.

A list restarted after an expired continue token may yield objects again; the first copy of
each key is kept, as `kubeconnector.kube.pager` does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from kubeconnector.discovery.assets import asset_fields, object_key, pod_details
from kubeconnector.discovery.kinds import WORKLOAD_KINDS, ListJob
from kubeconnector.discovery.managers import SharedEntries, manages_edges, markers
from kubeconnector.discovery.relations import (
    Edge,
    Key,
    SecretUse,
    binding_edges,
    owner_edges,
    secret_uses,
    service_account_name,
    top_controller,
)

Raw = Mapping[str, Any]

# Labels that identify a pod template revision: pods sharing one share their spec.
_TEMPLATE_HASHES = ("pod-template-hash", "controller-revision-hash")


@dataclass(slots=True)
class Consumer:
    """What relation building needs of a workload or Pod once its raw object is gone.

    Attributes:
        key: The workload's or Pod's key.
        uses: Every Secret use of its pod spec (a workload's template).
        service_account: The ServiceAccount it runs as.
        automount: Its pod spec's ``automountServiceAccountToken``.
        pulls: Its pod spec lists ``imagePullSecrets`` (else its ServiceAccount's apply).
        controller: For a Pod, its top controller, if any.
        ephemeral: For a Pod, the uses of its ephemeral containers.
    """

    key: Key
    uses: Sequence[SecretUse]
    service_account: str
    automount: bool | None
    pulls: bool
    controller: Key | None = None
    ephemeral: Sequence[SecretUse] = ()


@dataclass
class ListCollector:
    """Collects the pages of one list (fed from one thread at a time).

    Attributes:
        job: The list.
        keys: The keys of the objects seen (full lists).
        edges: Relations that need nothing else to be known (owns, manages, binds, grants).
        consumers: What consumer relations need, for each workload and Pod.
        accounts: ServiceAccount key -> its details (their ``secrets`` and
            ``imagePullSecrets`` names).
        held: Secret asset fields, waiting for their type (see `kubeconnector.discovery`).
        names: ``(namespace, name)`` of the objects seen (per-type Secret lists).
        pages: Pages received.
        error: Why the list could not be made (``forbidden``, ``not-found``), or None.
    """

    job: ListJob
    keys: set[Key] = field(default_factory=set)
    edges: list[Edge] = field(default_factory=list)
    consumers: list[Consumer] = field(default_factory=list)
    accounts: dict[Key, dict[str, Any]] = field(default_factory=dict)
    held: list[dict[str, Any]] = field(default_factory=list)
    names: set[tuple[str, str]] = field(default_factory=set)
    pages: int = 0
    error: str | None = None
    _templates: dict[tuple[str, ...], list[SecretUse]] = field(default_factory=dict, repr=False)
    _managers: SharedEntries = field(default_factory=dict, repr=False)

    @property
    def items(self) -> int:
        """Objects seen so far."""
        return len(self.names) if self.job.secret_type else len(self.keys)

    def add_page(self, page: Sequence[Raw]) -> list[dict[str, Any]]:
        """Take in one page of raw items (which the caller may then drop).

        Returns:
            The `DiscoveredAsset` fields of its new objects, except Secrets (see ``held``).
        """
        self.pages += 1
        if self.job.secret_type:
            self.names.update(
                (item["metadata"].get("namespace") or "", item["metadata"]["name"]) for item in page
            )
            return []
        ready: list[dict[str, Any]] = []
        keep = self.held if self.job.kind.kind == "Secret" else ready
        kind, keys = self.job.kind, self.keys
        for item in page:
            key = object_key(kind, item["metadata"])
            if key not in keys:
                keys.add(key)
                keep.append(self._take(key, item))
        return ready

    def release(self) -> None:
        """Drop the link state (the list failed, or linking is done with it)."""
        self.edges, self.consumers, self.accounts, self.held = [], [], {}, []

    def _take(self, key: Key, obj: Raw) -> dict[str, Any]:
        kind, meta = self.job.kind, obj["metadata"]
        owners = meta.get("ownerReferences") or ()
        found = markers(
            key[1],
            meta.get("labels") or {},
            meta.get("annotations") or {},
            owners,
            meta.get("managedFields") or (),
            self._managers,
        )
        if owners:
            self.edges += owner_edges(key, owners)
        self.edges += manages_edges(key, found)
        if kind.kind in ("RoleBinding", "ClusterRoleBinding"):
            self.edges += binding_edges(key, obj.get("roleRef") or {}, obj.get("subjects") or ())
        consumer = self._consumer(key, obj)
        if consumer is not None:
            self.consumers.append(consumer)
        details = pod_details(obj, consumer.controller) if consumer and key[0] == "Pod" else None
        fields = asset_fields(key, kind, obj, found, details)
        if key[0] == "ServiceAccount":
            self.accounts[key] = fields["details"]
        return fields

    def _consumer(self, key: Key, obj: Raw) -> Consumer | None:
        if key[0] == "Pod":
            return self._pod(key, obj)
        if key[0] not in WORKLOAD_KINDS:
            return None
        spec = ((obj.get("spec") or {}).get("template") or {}).get("spec") or {}
        return Consumer(key, secret_uses(spec), *_identity(spec))

    def _pod(self, key: Key, obj: Raw) -> Consumer:
        spec, meta = obj.get("spec") or {}, obj["metadata"]
        labels = meta.get("labels") or {}
        controller = top_controller(key[1], labels, meta.get("ownerReferences") or ())
        uses = self._template_uses(controller, labels, spec)
        ephemeral = (
            secret_uses(spec, ephemeral_only=True) if spec.get("ephemeralContainers") else ()
        )
        return Consumer(key, uses, *_identity(spec), controller, ephemeral)

    def _template_uses(
        self, controller: Key | None, labels: Mapping[str, str], spec: Raw
    ) -> list[SecretUse]:
        revision = next((labels[h] for h in _TEMPLATE_HASHES if h in labels), None)
        if controller is None or revision is None:
            return [use for use in secret_uses(spec) if use.container_kind != "ephemeralContainer"]
        cache_key = (*controller, revision)
        uses = self._templates.get(cache_key)
        if uses is None:
            uses = [u for u in secret_uses(spec) if u.container_kind != "ephemeralContainer"]
            self._templates[cache_key] = uses
        return uses


def _identity(spec: Raw) -> tuple[str, bool | None, bool]:
    """ServiceAccount, ``automountServiceAccountToken`` and whether pull secrets are listed."""
    automount = spec.get("automountServiceAccountToken")
    return service_account_name(spec), automount, bool(spec.get("imagePullSecrets"))
