"""Inventory rows: models from rows, and bulk statement parameters from models.

Bulk writes go through SQLAlchemy Core statements whose JSON columns are bound as JSON text
serialized here with orjson (`JSONText`), instead of one ``json.dumps`` per value by the
column type. The stored text is what the next run's digest compares against.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeEngine, UserDefinedType

from kubeconnector.models.inventory import (
    Asset,
    AssetKey,
    DiscoveredAsset,
    DiscoveredRelation,
    DiscoveryRun,
    Relation,
)
from kubeconnector.store.drift import content_digest
from kubeconnector.store.schema import AssetRow, DiscoveryRunRow, RelationRow

# The JSON columns of an asset, in digest order (after api_version).
ASSET_JSON_COLUMNS = ("labels", "annotations", "owners", "managers", "details")
RELATION_KEY_COLUMNS = (
    "from_kind",
    "from_namespace",
    "from_name",
    "to_kind",
    "to_namespace",
    "to_name",
)


class _PostgresJSON(UserDefinedType[str]):
    """PostgreSQL ``json``, bound as text the server parses (no client-side conversion)."""

    cache_ok = True

    def get_col_spec(self, **_kw: Any) -> str:
        return "JSON"


class JSONText(TypeDecorator[str]):
    """A JSON column bound from already serialized JSON text.

    SQLite stores it as the text given; PostgreSQL receives it as an untyped literal that it
    parses as ``json`` (which keeps the text as given).
    """

    impl = Text
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        """``json`` on PostgreSQL, plain text elsewhere."""
        if dialect.name == "postgresql":
            return dialect.type_descriptor(_PostgresJSON())
        return dialect.type_descriptor(Text())


def json_text(value: object) -> str:
    """``value`` as compact JSON text."""
    return orjson.dumps(value).decode()


# An asset as the writer carries it: these columns, JSON ones as text (see `asset_row`).
ASSET_ROW_COLUMNS = (
    "kind",
    "namespace",
    "name",
    "uid",
    "resource_version",
    "api_version",
    *ASSET_JSON_COLUMNS,
)
AssetRowValues = tuple[str, ...]


def asset_row(asset: DiscoveredAsset) -> AssetRowValues:
    """An asset's `ASSET_ROW_COLUMNS` values, its metadata serialized to JSON text."""
    return (
        asset.kind,
        asset.namespace,
        asset.name,
        asset.uid,
        asset.resource_version,
        asset.api_version,
        json_text(asset.labels),
        json_text(asset.annotations),
        json_text(asset.owners),
        json_text(asset.managers),
        json_text(asset.details),
    )


def row_digest(row: AssetRowValues) -> bytes:
    """`content_digest` of an asset row's stored metadata (api_version and JSON texts)."""
    return content_digest(row[5:])


def relation_params(relation: DiscoveredRelation) -> dict[str, Any]:
    """The per-row parameters of a relation insert."""
    source, target = relation.source, relation.target
    return {
        "relation_type": relation.relation_type,
        "from_kind": source.kind,
        "from_namespace": source.namespace,
        "from_name": source.name,
        "to_kind": target.kind,
        "to_namespace": target.namespace,
        "to_name": target.name,
        "attributes": json_text(relation.attributes),
    }


def relation_signature(relation_type: str, keys: Sequence[str], attributes: str) -> int:
    """A hash telling stored relations apart (attribute key order and spacing do not matter).

    Args:
        relation_type: The relation's type.
        keys: Its `RELATION_KEY_COLUMNS` values.
        attributes: Its stored attributes JSON text.
    """
    canonical = orjson.dumps(orjson.loads(attributes), option=orjson.OPT_SORT_KEYS)
    return hash((relation_type, tuple(keys), canonical))


def asset_key(row: AssetRow) -> AssetKey:
    """The stable key of a stored asset."""
    return AssetKey(kind=row.kind, namespace=row.namespace, name=row.name)


def asset_model(row: AssetRow) -> Asset:
    """The model of a stored asset."""
    return Asset.model_validate(row, from_attributes=True)


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
