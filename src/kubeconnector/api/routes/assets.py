"""The stored inventory: assets (filtered), one asset, an asset with its relations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from kubeconnector.api.auth import Reader
from kubeconnector.api.views import AssetRelations
from kubeconnector.connectors.inventory import parse_kind
from kubeconnector.models import Asset
from kubeconnector.store import AssetRepository

router = APIRouter(tags=["assets"])
Filter = Annotated[str | None, Query(max_length=253)]


@router.get("/assets")
def list_assets(
    session: Reader,
    connector: Filter = None,
    kind: Filter = None,
    namespace: Filter = None,
    name: Filter = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> list[Asset]:
    """Assets of one connector (or all), by kind, namespace and name (deleted ones left out)."""
    wanted_kind = parse_kind(kind) if kind else None
    connectors = [session.connectors.get(connector)] if connector else session.connectors.list()
    repository = AssetRepository(session.database)
    found: list[Asset] = []
    for each in connectors:
        found += repository.list_assets(
            each.id, kind=wanted_kind, namespace=namespace, name=name, limit=limit - len(found)
        )
        if len(found) >= limit:
            break
    return found


@router.get("/assets/{asset_id}")
def get_asset(asset_id: str, session: Reader) -> Asset:
    """One asset by id."""
    return AssetRepository(session.database).get_asset_by_id(asset_id)


@router.get("/assets/{asset_id}/relations")
def asset_relations(asset_id: str, session: Reader) -> AssetRelations:
    """An asset with the relations leaving it and those pointing at it."""
    asset = AssetRepository(session.database).get_asset_by_id(asset_id)
    view = session.assets.show(asset.connector_id, asset.key)
    return AssetRelations(asset=view.asset, outgoing=view.outgoing, incoming=view.incoming)
