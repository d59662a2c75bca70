"""Page by page, raw list items become compact records; the raw objects are then dropped.

One `ListCollector` per list request sequence, fed from the thread running that list, so no
locking is needed. Records are keyed by object key, so a list restarted after an expired
continue token simply overwrites what it yields again.
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


@dataclass(slots=True)
class ObjectRecord:
    """One object as kept until the end of the run.

    Attributes:
        fields: Its `DiscoveredAsset` fields.
        edges: Relations that need nothing else to be known (owns, manages, binds, grants).
        consumer: For workloads and Pods, what consumer relations need.
    """

    fields: dict[str, Any]
    edges: list[Edge]
    consumer: Consumer | None = None


@dataclass
class ListCollector:
    """Collects the pages of one list.

    Attributes:
        job: The list.
        records: The objects seen, by key (full lists).
        names: ``(namespace, name)`` of the objects seen (per-type Secret lists).
        pages: Pages received.
        error: Why the list could not be made (``forbidden``, ``not-found``), or None.
    """

    job: ListJob
    records: dict[Key, ObjectRecord] = field(default_factory=dict)
    names: set[tuple[str, str]] = field(default_factory=set)
    pages: int = 0
    error: str | None = None
    _templates: dict[tuple[str, ...], list[SecretUse]] = field(default_factory=dict, repr=False)
    _managers: SharedEntries = field(default_factory=dict, repr=False)

    @property
    def items(self) -> int:
        """Objects seen so far."""
        return len(self.names) if self.job.secret_type else len(self.records)

    def add_page(self, page: Sequence[Raw]) -> None:
        """Take in one page of raw items (which the caller may then drop)."""
        self.pages += 1
        if self.job.secret_type:
            self.names.update(
                (item["metadata"].get("namespace") or "", item["metadata"]["name"]) for item in page
            )
            return
        records = self.records
        for item in page:
            key, record = self._record(item)
            records[key] = record

    def _record(self, obj: Raw) -> tuple[Key, ObjectRecord]:
        kind, meta = self.job.kind, obj["metadata"]
        key = object_key(kind, meta)
        owners = meta.get("ownerReferences") or ()
        found = markers(
            key[1],
            meta.get("labels") or {},
            meta.get("annotations") or {},
            owners,
            meta.get("managedFields") or (),
            self._managers,
        )
        edges = owner_edges(key, owners) + manages_edges(key, found)
        if kind.kind in ("RoleBinding", "ClusterRoleBinding"):
            edges += binding_edges(key, obj.get("roleRef") or {}, obj.get("subjects") or ())
        consumer = self._consumer(key, obj)
        details = pod_details(obj, consumer.controller) if consumer and key[0] == "Pod" else None
        return key, ObjectRecord(asset_fields(key, kind, obj, found, details), edges, consumer)

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
