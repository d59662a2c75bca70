"""Where a run's findings go, and how its models are built cheaply.

Discovery hands assets and relations to an `InventorySink` in batches as it goes: the store's
``InventoryWriter`` (see `kubeconnector.store.AssetRepository.write_inventory`) for
`kubeconnector.discovery.discover`, or `InventoryLists` in memory for
`kubeconnector.discovery.collect`. `ModelBuilder` makes the models from values discovery
built itself, without validating each of the hundred thousand a large run makes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from kubeconnector.discovery.relations import Edge, Key
from kubeconnector.models.inventory import AssetKey, DiscoveredAsset, DiscoveredRelation


class InventorySink(Protocol):
    """Takes a run's assets and relations, batch by batch."""

    def add_assets(self, assets: Iterable[DiscoveredAsset]) -> None:
        """Take some assets (each key at most once per run)."""
        ...  # pragma: no cover

    def add_relations(self, relations: Iterable[DiscoveredRelation]) -> None:
        """Take some relations (after every asset)."""
        ...  # pragma: no cover


@dataclass
class InventoryLists:
    """An `InventorySink` that keeps everything in memory."""

    assets: list[DiscoveredAsset] = field(default_factory=list)
    relations: list[DiscoveredRelation] = field(default_factory=list)

    def add_assets(self, assets: Iterable[DiscoveredAsset]) -> None:
        """Keep some assets."""
        self.assets.extend(assets)

    def add_relations(self, relations: Iterable[DiscoveredRelation]) -> None:
        """Keep some relations."""
        self.relations.extend(relations)


class ModelBuilder:
    """Builds a run's models from trusted values (the first asset of each kind is validated)."""

    _ASSET_FIELDS = set(DiscoveredAsset.model_fields)
    _RELATION_FIELDS = set(DiscoveredRelation.model_fields)
    _KEY_FIELDS = set(AssetKey.model_fields)

    def __init__(self) -> None:
        self._validated: set[str] = set()

    def asset(self, fields: dict[str, Any]) -> DiscoveredAsset:
        """The asset of `kubeconnector.discovery.assets.asset_fields` values."""
        if fields["kind"] not in self._validated:
            self._validated.add(fields["kind"])
            return DiscoveredAsset.model_validate(fields)
        return trusted(DiscoveredAsset, fields, self._ASSET_FIELDS)

    def relation(self, edge: Edge, missing: bool) -> DiscoveredRelation:
        """The relation of an edge, flagged ``missing`` when its target is known to be absent."""
        attributes = {**edge.attributes, "missing": True} if missing else edge.attributes
        values = {
            "relation_type": edge.relation_type,
            "source": self.key(edge.source),
            "target": self.key(edge.target),
            "attributes": attributes,
        }
        return trusted(DiscoveredRelation, values, self._RELATION_FIELDS)

    def key(self, key: Key) -> AssetKey:
        """The model of a key tuple."""
        values = {"kind": key[0], "namespace": key[1], "name": key[2]}
        return trusted(AssetKey, values, self._KEY_FIELDS)


_Model = TypeVar("_Model", bound=BaseModel)


def trusted(cls: type[_Model], values: dict[str, Any], fields_set: set[str]) -> _Model:
    """What ``cls.model_construct(**values)`` returns, for values that name every field.

    ``model_construct`` walks every field looking for aliases and defaults, and gives each
    instance its own field-name set; a run builds about a hundred thousand models, so this
    takes ``values`` as the instance dict and shares ``fields_set``. Only for models without
    aliases, extra fields, private attributes or ``model_post_init`` (checked in the tests).
    """
    model = cls.__new__(cls)
    object.__setattr__(model, "__dict__", values)
    object.__setattr__(model, "__pydantic_fields_set__", fields_set)
    object.__setattr__(model, "__pydantic_extra__", None)
    object.__setattr__(model, "__pydantic_private__", None)
    return model
