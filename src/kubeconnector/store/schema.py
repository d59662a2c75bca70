"""The ORM tables. The migrations in `kubeconnector.store.migrations` create the same schema.

Later features (change records, approvals, users) add their own modules and migrations; the
naming convention below gives every constraint a stable name so SQLite batch migrations can
alter them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kubeconnector.store.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

CHAIN_HEAD_ID = 1
GENESIS_HASH = "0" * 64


class Base(DeclarativeBase):
    """Declarative base with the shared metadata and type map."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {
        datetime: UTCDateTime(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


class ConnectorRow(Base):
    """A registered cluster; its kubeconfig is stored sealed."""

    __tablename__ = "connectors"
    __table_args__ = (
        CheckConstraint("environment IN ('prod', 'staging', 'dev')", name="environment"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(253), unique=True)
    environment: Mapped[str] = mapped_column(String(16))
    context: Mapped[str | None] = mapped_column(String(253))
    namespace: Mapped[str | None] = mapped_column(String(63))
    server: Mapped[str] = mapped_column(String(2048))
    warnings: Mapped[list[Any]]
    kubeconfig_sealed: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class AuditHeadRow(Base):
    """The ledger's single chain-head row, locked by every append to serialize them."""

    __tablename__ = "audit_chain_head"
    __table_args__ = (CheckConstraint(f"id = {CHAIN_HEAD_ID}", name="single_row"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))


class AuditEventRow(Base):
    """An append-only ledger entry (the database refuses UPDATE and DELETE on it)."""

    __tablename__ = "audit_events"
    __table_args__ = (Index(None, "resource_type", "resource_id"),)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    ts: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(255), index=True)
    event_type: Mapped[str] = mapped_column(String(128))
    resource_type: Mapped[str] = mapped_column(String(64))
    resource_id: Mapped[str] = mapped_column(String(255))
    payload: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class DiscoveryRunRow(Base):
    """One discovery run of one connector."""

    __tablename__ = "discovery_runs"
    __table_args__ = (
        CheckConstraint("status IN ('running', 'succeeded', 'partial', 'failed')", name="status"),
        Index(None, "connector_id", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16))
    counts: Mapped[dict[str, Any]]
    forbidden_kinds: Mapped[list[Any]]
    drift: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)


class AssetRow(Base):
    """A discovered object's metadata, keyed by (connector, kind, namespace, name)."""

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("connector_id", "kind", "namespace", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    namespace: Mapped[str] = mapped_column(String(63))
    name: Mapped[str] = mapped_column(String(253))
    uid: Mapped[str] = mapped_column(String(64))
    api_version: Mapped[str] = mapped_column(String(128))
    resource_version: Mapped[str] = mapped_column(String(64))
    labels: Mapped[dict[str, Any]]
    annotations: Mapped[dict[str, Any]]
    owners: Mapped[list[Any]]
    managers: Mapped[list[Any]]
    details: Mapped[dict[str, Any]]
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    last_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("discovery_runs.id", ondelete="SET NULL")
    )
    deleted: Mapped[bool]
    removed_by_run_id: Mapped[str | None] = mapped_column(
        ForeignKey("discovery_runs.id", ondelete="SET NULL")
    )


class RelationRow(Base):
    """A typed edge between two asset keys (the target need not exist)."""

    __tablename__ = "relations"
    __table_args__ = (
        Index(None, "connector_id", "to_kind", "to_namespace", "to_name"),
        Index(None, "connector_id", "from_kind", "from_namespace", "from_name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connector_id: Mapped[str] = mapped_column(ForeignKey("connectors.id", ondelete="CASCADE"))
    run_id: Mapped[str | None] = mapped_column(ForeignKey("discovery_runs.id", ondelete="SET NULL"))
    relation_type: Mapped[str] = mapped_column(String(64))
    from_kind: Mapped[str] = mapped_column(String(64))
    from_namespace: Mapped[str] = mapped_column(String(63))
    from_name: Mapped[str] = mapped_column(String(253))
    to_kind: Mapped[str] = mapped_column(String(64))
    to_namespace: Mapped[str] = mapped_column(String(63))
    to_name: Mapped[str] = mapped_column(String(253))
    attributes: Mapped[dict[str, Any]]
