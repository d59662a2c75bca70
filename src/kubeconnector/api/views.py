"""JSON shapes the API answers that no library model has (the CLI's ``--json`` shapes)."""

from __future__ import annotations

from pydantic import BaseModel

from kubeconnector.models import Asset, Relation


class AssetRelations(BaseModel):
    """An asset and its relations: ``incoming`` holds a Secret's consumers."""

    asset: Asset
    outgoing: list[Relation]
    incoming: list[Relation]
