"""The SQLAlchemy Core statements that store a discovery run, and the drift baseline query.

Rows are written with chunked executemany statements (no ORM unit of work); their JSON
columns arrive as JSON text (`kubeconnector.store.inventory_rows.JSONText`). The baseline of
the drift comparison is read as key columns, uid, resourceVersion and a digest of the stored
metadata, never as ORM rows or parsed JSON.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from typing import cast as type_cast

from sqlalchemy import (
    Connection,
    Delete,
    Insert,
    Select,
    Table,
    Text,
    Update,
    bindparam,
    cast,
    delete,
    insert,
    or_,
    select,
    update,
)

from kubeconnector.store import inventory_rows as rows
from kubeconnector.store.drift import Action, KeyTuple, KnownAsset, content_digest
from kubeconnector.store.schema import AssetRow, RelationRow

ASSETS = type_cast(Table, AssetRow.__table__)
RELATIONS = type_cast(Table, RelationRow.__table__)


def known_assets(conn: Connection, connector_id: str) -> dict[KeyTuple, KnownAsset]:
    """What the inventory holds for a connector, by key (deleted assets included)."""
    texts = [cast(ASSETS.c[name], Text) for name in rows.ASSET_JSON_COLUMNS]
    columns = ("id", "kind", "namespace", "name", "uid", "resource_version", "deleted")
    statement = select(*(ASSETS.c[name] for name in columns), ASSETS.c.api_version, *texts).where(
        ASSETS.c.connector_id == connector_id
    )
    known: dict[KeyTuple, KnownAsset] = {}
    for row in conn.execute(statement.execution_options(yield_per=1000)):
        digest = content_digest(row[7:])
        known[(row[1], row[2], row[3])] = KnownAsset(row[0], row[4], row[5], row[6], digest)
    return known


def relations_touching(connector_id: str, kinds: list[str]) -> Select[Any]:
    """Id, run id, type, attributes text and key columns of relations touching ``kinds``."""
    return select(
        RELATIONS.c.id,
        RELATIONS.c.run_id,
        RELATIONS.c.relation_type,
        cast(RELATIONS.c.attributes, Text),
        *(RELATIONS.c[name] for name in rows.RELATION_KEY_COLUMNS),
    ).where(
        RELATIONS.c.connector_id == connector_id,
        or_(RELATIONS.c.from_kind.in_(kinds), RELATIONS.c.to_kind.in_(kinds)),
    )


class RunStatements:
    """The statements of one run; its connector, run id and time are constants in them.

    Args:
        connector_id: The connector.
        run_id: The run.
        now: When the run saw its assets (``last_seen``, and ``first_seen`` of new ones).
    """

    def __init__(self, connector_id: str, run_id: str, now: datetime) -> None:
        self.connector_id, self.run_id = connector_id, run_id
        seen = _seen_values(run_id, now)
        by_id = ASSETS.c.id == bindparam("b_id")
        new_row: dict[str, Any] = {n: bindparam(n) for n in ("id", "kind", "namespace", "name")}
        self.writes: dict[Action, Insert | Update] = {
            Action.INSERT: insert(ASSETS).values(
                connector_id=connector_id, first_seen=now, **new_row, **seen
            ),
            Action.RENEW: update(ASSETS).where(by_id).values(first_seen=now, **seen),
            Action.REWRITE: update(ASSETS).where(by_id).values(**seen),
        }
        in_ids = ASSETS.c.id.in_(bindparam("ids", expanding=True))
        self.touch = update(ASSETS).where(in_ids).values(last_seen=now, last_run_id=run_id)
        self.remove = update(ASSETS).where(in_ids).values(deleted=True, removed_by_run_id=run_id)
        self.relation = insert(RELATIONS).values(
            connector_id=connector_id,
            run_id=run_id,
            attributes=bindparam("attributes", type_=rows.JSONText()),
            **{name: bindparam(name) for name in ("relation_type", *rows.RELATION_KEY_COLUMNS)},
        )
        self.relations_by_id = delete(RELATIONS).where(
            RELATIONS.c.id.in_(bindparam("ids", expanding=True))
        )

    def stale_relations(self, forbidden: list[str]) -> Delete:
        """Deletes the relations earlier runs stored, except those touching ``forbidden``."""
        older = or_(RELATIONS.c.run_id.is_(None), RELATIONS.c.run_id != self.run_id)
        statement = delete(RELATIONS).where(RELATIONS.c.connector_id == self.connector_id, older)
        if forbidden:
            statement = statement.where(
                RELATIONS.c.from_kind.not_in(forbidden), RELATIONS.c.to_kind.not_in(forbidden)
            )
        return statement


def _seen_values(run_id: str, now: datetime) -> dict[str, Any]:
    """The SET values of an asset the run saw (per-row ones are bound by name)."""
    json_columns = {
        name: bindparam(name, type_=rows.JSONText()) for name in rows.ASSET_JSON_COLUMNS
    }
    return {
        **{name: bindparam(name) for name in ("uid", "api_version", "resource_version")},
        **json_columns,
        "last_seen": now,
        "last_run_id": run_id,
        "deleted": False,
        "removed_by_run_id": None,
    }
