"""JSON shapes the API answers that no library model has (the CLI's ``--json`` shapes)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from kubeconnector.discovery import DiscoveryResult
from kubeconnector.models import Asset, Relation


class AssetRelations(BaseModel):
    """An asset and its relations: ``incoming`` holds a Secret's consumers."""

    asset: Asset
    outgoing: list[Relation]
    incoming: list[Relation]


def discovery_dict(result: DiscoveryResult) -> dict[str, Any]:
    """A discovery run's outcome, as ``kubeconnector discover --json`` prints it."""
    drift = result.drift
    return {
        "run": result.run.model_dump(mode="json"),
        "counts": result.counts,
        "forbiddenKinds": list(result.forbidden_kinds),
        "unlisted": result.unlisted,
        "drift": {
            "summary": drift.summary.model_dump(),
            "added": [str(k) for k in drift.added],
            "removed": [str(k) for k in drift.removed],
            "changed": [c.model_dump(mode="json") | {"key": str(c.key)} for c in drift.changed],
        },
        "relations": result.relations,
        "pages": result.pages,
        "durationS": round(result.duration_s, 3),
        "requests": result.requests,
        "bytesReceived": result.bytes_received,
    }
