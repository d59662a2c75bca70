"""Drift between the stored inventory and what a discovery run saw (pure computation)."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from kubeconnector.errors import InvalidInput
from kubeconnector.models.inventory import AssetChange, AssetKey, DiscoveredAsset, Drift


@dataclass(frozen=True)
class KnownAsset:
    """What the inventory remembers of an asset, for comparison."""

    uid: str
    resource_version: str
    deleted: bool


def index_assets(assets: Sequence[DiscoveredAsset]) -> dict[AssetKey, DiscoveredAsset]:
    """The run's assets by key.

    Raises:
        InvalidInput: Two assets share a key.
    """
    seen: dict[AssetKey, DiscoveredAsset] = {}
    for asset in assets:
        if asset.key in seen:
            raise InvalidInput(f"asset {asset.key} appears twice in one discovery run", "assets")
        seen[asset.key] = asset
    return seen


def compute_drift(
    known: Mapping[AssetKey, KnownAsset],
    seen: Mapping[AssetKey, DiscoveredAsset],
    forbidden_kinds: Collection[str],
) -> Drift:
    """Compare the inventory with a run's assets.

    Args:
        known: The stored assets (deleted ones included) by key.
        seen: The run's assets by key.
        forbidden_kinds: Kinds the run could not list; their assets are not counted as gone.

    Returns:
        Added (new or back after removal), removed, and changed (resourceVersion or uid) assets,
        each sorted by key.
    """
    live = {key: item for key, item in known.items() if not item.deleted}
    added = [key for key in seen if key not in live]
    removed = [key for key in live if key not in seen and key.kind not in forbidden_kinds]
    changed = [
        _change(key, live[key], asset)
        for key, asset in seen.items()
        if key in live and _differs(live[key], asset)
    ]
    return Drift(
        added=tuple(sorted(added, key=str)),
        removed=tuple(sorted(removed, key=str)),
        changed=tuple(sorted(changed, key=lambda change: str(change.key))),
    )


def _differs(known: KnownAsset, asset: DiscoveredAsset) -> bool:
    return known.resource_version != asset.resource_version or known.uid != asset.uid


def _change(key: AssetKey, known: KnownAsset, asset: DiscoveredAsset) -> AssetChange:
    return AssetChange(
        key=key,
        old_resource_version=known.resource_version,
        new_resource_version=asset.resource_version,
        recreated=known.uid != asset.uid,
    )
