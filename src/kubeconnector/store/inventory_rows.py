"""Conversions between inventory rows and inventory models."""

from __future__ import annotations

import uuid
from datetime import datetime

from kubeconnector.models.inventory import (
    Asset,
    AssetKey,
    DiscoveredAsset,
    DiscoveredRelation,
    DiscoveryRun,
    Relation,
)
from kubeconnector.store.drift import KnownAsset
from kubeconnector.store.schema import AssetRow, DiscoveryRunRow, RelationRow

_ASSET_FIELDS = (
    "uid",
    "api_version",
    "resource_version",
    "labels",
    "annotations",
    "owners",
    "managers",
    "details",
)


def asset_key(row: AssetRow) -> AssetKey:
    """The stable key of a stored asset."""
    return AssetKey(kind=row.kind, namespace=row.namespace, name=row.name)


def known(row: AssetRow) -> KnownAsset:
    """What drift computation needs of a stored asset."""
    return KnownAsset(uid=row.uid, resource_version=row.resource_version, deleted=row.deleted)


def new_asset_row(
    connector_id: str, asset: DiscoveredAsset, run_id: str, now: datetime
) -> AssetRow:
    """A row for an asset seen for the first time."""
    row = AssetRow(
        id=str(uuid.uuid4()),
        connector_id=connector_id,
        kind=asset.kind,
        namespace=asset.namespace,
        name=asset.name,
        first_seen=now,
        deleted=False,
    )
    refresh_asset_row(row, asset, run_id, now)
    return row


def refresh_asset_row(row: AssetRow, asset: DiscoveredAsset, run_id: str, now: datetime) -> None:
    """Record that ``run_id`` saw ``asset`` (a new incarnation restarts ``first_seen``)."""
    if row.deleted or (row.uid and row.uid != asset.uid):
        row.first_seen = now
    for name in _ASSET_FIELDS:
        setattr(row, name, getattr(asset, name))
    row.last_seen, row.last_run_id = now, run_id
    row.deleted, row.removed_by_run_id = False, None


def asset_model(row: AssetRow) -> Asset:
    """The model of a stored asset."""
    return Asset.model_validate(row, from_attributes=True)


def relation_row(connector_id: str, run_id: str, relation: DiscoveredRelation) -> RelationRow:
    """A row for a relation a run found."""
    source, target = relation.source, relation.target
    return RelationRow(
        connector_id=connector_id,
        run_id=run_id,
        relation_type=relation.relation_type,
        from_kind=source.kind,
        from_namespace=source.namespace,
        from_name=source.name,
        to_kind=target.kind,
        to_namespace=target.namespace,
        to_name=target.name,
        attributes=relation.attributes,
    )


def relation_model(row: RelationRow) -> Relation:
    """The model of a stored relation."""
    return Relation(
        id=row.id,
        connector_id=row.connector_id,
        run_id=row.run_id,
        relation_type=row.relation_type,
        source=AssetKey(kind=row.from_kind, namespace=row.from_namespace, name=row.from_name),
        target=AssetKey(kind=row.to_kind, namespace=row.to_namespace, name=row.to_name),
        attributes=row.attributes,
    )


def run_model(row: DiscoveryRunRow) -> DiscoveryRun:
    """The model of a stored discovery run."""
    return DiscoveryRun.model_validate(row, from_attributes=True)
