"""The change-record tables (migration ``0002``).

``changes`` holds one row per change record; its ``state`` moves forward and every move is also
an append-only ``change_transitions`` row (and a ledger event), so no history is ever lost.
Approvals, rejections and journal steps are append-only rows too (the database refuses UPDATE
and DELETE on them). The pre-change snapshot and secret values live sealed in
``change_snapshots`` and ``change_secrets`` (see `kubeconnector.store.sealed`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from kubeconnector.store.schema import Base

APPEND_ONLY_TABLES = ("change_transitions", "change_approvals", "change_steps")


class ChangeRow(Base):
    """A change record (its connector may be removed later; the record stays)."""

    __tablename__ = "changes"
    __table_args__ = (Index(None, "connector_id", "created_at"), Index(None, "state"))

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    connector_id: Mapped[str] = mapped_column(String(36))
    connector_name: Mapped[str] = mapped_column(String(253))
    environment: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(32))
    params: Mapped[dict[str, Any]]
    raw_params: Mapped[dict[str, Any]]
    requester: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    risk: Mapped[dict[str, Any] | None]
    plan: Mapped[dict[str, Any] | None]
    required_approvals: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]]
    error: Mapped[str | None] = mapped_column(Text)
    rollback_of: Mapped[str | None] = mapped_column(ForeignKey("changes.id"))
    rollback_id: Mapped[str | None] = mapped_column(String(36))
    force: Mapped[bool]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class ChangeTransitionRow(Base):
    """One state change of a record (append-only)."""

    __tablename__ = "change_transitions"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(ForeignKey("changes.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    at: Mapped[datetime]
    reason: Mapped[str | None] = mapped_column(Text)


class ChangeApprovalRow(Base):
    """An approval or a rejection (append-only)."""

    __tablename__ = "change_approvals"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(ForeignKey("changes.id"), index=True)
    approver: Mapped[str] = mapped_column(String(255))
    decision: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    comment: Mapped[str] = mapped_column(Text)


class ChangeStepRow(Base):
    """One journal entry of an execution (append-only)."""

    __tablename__ = "change_steps"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    change_id: Mapped[str] = mapped_column(ForeignKey("changes.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    phase: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime]
    detail: Mapped[dict[str, Any]]


class ChangeSnapshotRow(Base):
    """The sealed pre-change snapshot of a record (at most one)."""

    __tablename__ = "change_snapshots"

    change_id: Mapped[str] = mapped_column(ForeignKey("changes.id"), primary_key=True)
    snapshot_sealed: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]


class ChangeSecretRow(Base):
    """A sealed secret value of a record; ``id`` is ``<change id>/<name>``."""

    __tablename__ = "change_secrets"

    id: Mapped[str] = mapped_column(String(400), primary_key=True)
    change_id: Mapped[str] = mapped_column(ForeignKey("changes.id"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    value_sealed: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
