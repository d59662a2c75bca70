"""A connector's stored inventory: its assets, one asset with its relations, a Secret's consumers.

Everything here reads what discovery stored; nothing talks to the cluster. Assets are named on
the command line as ``kind/namespace/name`` (``kind/name`` when cluster-scoped), the kind given
as ``Secret``, ``secret`` or ``secrets``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from kubeconnector.errors import InvalidInput, RecordNotFound
from kubeconnector.kube import KINDS
from kubeconnector.models import Asset, AssetKey, Connector, DiscoveryRun, Relation, RunStatus
from kubeconnector.store import AssetRepository

Runs = list[DiscoveryRun]
FINISHED = frozenset({RunStatus.SUCCEEDED, RunStatus.PARTIAL})
REFRESH_TEXT = {
    "auto": "refreshes by itself (the kubelet rewrites mounted files within about 2 minutes)",
    "restart": "needs a restart (only a new container sees the new value)",
    "never": "never refreshes (a subPath file is copied once when the container starts)",
    "pull": "used when a node pulls images for new pods",
}


class ConnectorLookup(Protocol):
    """Finds a connector by name or id (`ConnectorService` or `ConnectorRepository`)."""

    def get(self, ref: str) -> Connector:
        """The connector; `RecordNotFound` when there is none."""
        ...  # pragma: no cover


@dataclass(frozen=True)
class AssetListing:
    """Assets of a connector, and the discovery run they come from.

    Attributes:
        connector: The connector.
        run: The last finished discovery run (None: never discovered).
        assets: The assets matching the filters, by kind, namespace and name.
    """

    connector: Connector
    run: DiscoveryRun | None
    assets: list[Asset]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready listing."""
        return {
            "connector": self.connector.name,
            "run": self.run.model_dump(mode="json") if self.run else None,
            "assets": [a.model_dump(mode="json") for a in self.assets],
        }


@dataclass(frozen=True)
class AssetView:
    """One asset and its relations.

    Attributes:
        connector: The connector.
        asset: The asset.
        outgoing: Relations starting from it (what it consumes, runs as, owns...).
        incoming: Relations pointing at it (who consumes, binds, owns it...).
    """

    connector: Connector
    asset: Asset
    outgoing: list[Relation]
    incoming: list[Relation]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready view."""
        return {
            "connector": self.connector.name,
            "asset": self.asset.model_dump(mode="json"),
            "outgoing": [r.model_dump(mode="json") for r in self.outgoing],
            "incoming": [r.model_dump(mode="json") for r in self.incoming],
        }


@dataclass(frozen=True)
class SecretConsumers:
    """Everything that consumes a Secret, how, and whether it sees a new value by itself.

    Attributes:
        connector: The connector.
        key: The Secret's key.
        secret: The Secret's asset (None when it does not exist but is referenced).
        consumers: The ``consumes-secret`` relations pointing at it.
    """

    connector: Connector
    key: AssetKey
    secret: Asset | None
    consumers: list[Relation]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready consumers, each with a sentence saying how it reacts to a new value."""
        return {
            "connector": self.connector.name,
            "secret": str(self.key),
            "exists": self.secret is not None and not self.secret.deleted,
            "consumers": [consumer_dict(r) for r in self.consumers],
        }


def consumer_dict(relation: Relation) -> dict[str, Any]:
    """One consumer: who, how (the relation's attributes) and ``refreshText``."""
    refresh = str(relation.attributes.get("refresh", ""))
    return {
        "consumer": relation.source.model_dump(),
        **relation.attributes,
        "refreshText": REFRESH_TEXT.get(refresh, refresh),
    }


def parse_kind(text: str) -> str:
    """The Kind for ``Secret``, ``secret`` or ``secrets`` (any discovered kind).

    Raises:
        InvalidInput: Not a kind discovery inventories.
    """
    wanted = text.strip().lower()
    for spec in KINDS.values():
        if wanted in (spec.kind.lower(), spec.plural):
            return spec.kind
    known = ", ".join(sorted(KINDS))
    raise InvalidInput(f"unknown kind {text[:40]!r}; kinds: {known}", "kind")


def parse_target(text: str) -> AssetKey:
    """An asset key from ``kind/namespace/name`` or, for cluster-scoped kinds, ``kind/name``.

    Raises:
        InvalidInput: Malformed, or a namespace missing or superfluous for the kind.
    """
    parts = text.split("/")
    kind = parse_kind(parts[0])
    namespaced = KINDS[kind].namespaced
    if len(parts) != (3 if namespaced else 2) or not all(parts):
        shape = "kind/namespace/name" if namespaced else "kind/name"
        raise InvalidInput(f"{text[:80]!r} must be {shape} for a {kind}", "target")
    namespace, name = (parts[1], parts[2]) if namespaced else ("", parts[1])
    return AssetKey(kind=kind, namespace=namespace, name=name)


class InventoryService:
    """Queries over a connector's stored inventory.

    Args:
        assets: The inventory repository.
        connectors: Finds connectors by name or id.
    """

    def __init__(self, assets: AssetRepository, connectors: ConnectorLookup) -> None:
        self._assets = assets
        self._connectors = connectors

    def list(
        self,
        ref: str,
        *,
        kind: str | None = None,
        namespace: str | None = None,
        include_deleted: bool = False,
    ) -> AssetListing:
        """A connector's assets, optionally of one kind and in one namespace.

        Raises:
            RecordNotFound: No such connector.
            InvalidInput: An unknown kind.
        """
        connector = self._connectors.get(ref)
        assets = self._assets.list_assets(
            connector.id,
            kind=parse_kind(kind) if kind else None,
            namespace=namespace,
            include_deleted=include_deleted,
        )
        return AssetListing(connector, self.last_run(connector.id), assets)

    def show(self, ref: str, target: str | AssetKey) -> AssetView:
        """One asset and its relations in both directions.

        Raises:
            RecordNotFound: No such connector or asset.
            InvalidInput: A malformed target.
        """
        connector = self._connectors.get(ref)
        key = target if isinstance(target, AssetKey) else parse_target(target)
        asset = self._assets.get_asset(connector.id, key)
        outgoing = self._assets.relations(connector.id, source=key)
        incoming = self._assets.relations(connector.id, target=key)
        return AssetView(connector, asset, outgoing, incoming)

    def consumers(self, ref: str, target: str | AssetKey) -> SecretConsumers:
        """Every consumer of a Secret (a Secret referenced but missing is answered too).

        Raises:
            RecordNotFound: No such connector, or a Secret neither discovered nor referenced.
            InvalidInput: The target is not a Secret.
        """
        connector = self._connectors.get(ref)
        key = target if isinstance(target, AssetKey) else parse_target(target)
        if key.kind != "Secret":
            raise InvalidInput(f"only Secrets have consumers, not a {key.kind}", "target")
        relations = self._assets.consumers_of_secret(connector.id, key.namespace, key.name)
        found = self._assets.list_assets(
            connector.id, kind=key.kind, namespace=key.namespace, name=key.name
        )
        if not found and not relations:
            raise RecordNotFound(f"asset {key} not found and not referenced by any consumer")
        return SecretConsumers(connector, key, found[0] if found else None, relations)

    def last_run(self, connector_id: str) -> DiscoveryRun | None:
        """The connector's last finished discovery run (succeeded or partial), if any."""
        runs = self._assets.list_runs(connector_id, limit=20)
        return next((run for run in runs if run.status in FINISHED), None)

    def runs(self, ref: str, limit: int = 20) -> Runs:
        """A connector's most recent discovery runs, newest first."""
        return self._assets.list_runs(self._connectors.get(ref).id, limit=limit)
