"""The ledger: an append-only, hash-chained record of everything kubeconnector does.

Appends lock the chain-head row in the same transaction (``SELECT ... FOR UPDATE`` on
PostgreSQL, ``BEGIN IMMEDIATE`` on SQLite), so concurrent appenders, in any process, queue up
and the chain cannot fork. This module only ever INSERTs into ``audit_events``; the database
refuses UPDATE and DELETE on it as well.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from datetime import UTC, datetime

from pydantic import JsonValue
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from kubeconnector.errors import InvalidInput
from kubeconnector.models.audit import AuditEvent, AuditQuery, ChainReport
from kubeconnector.store.chain import ChainWalk, canonical_json, event_digest
from kubeconnector.store.database import Database
from kubeconnector.store.redaction import check_payload
from kubeconnector.store.schema import CHAIN_HEAD_ID, AuditEventRow, AuditHeadRow
from kubeconnector.store.types import utc_now

Clock = Callable[[], datetime]
_VERIFY_BATCH = 1000
_LIMITS = {"actor": 255, "event_type": 128, "resource_type": 64, "resource_id": 255}


class AuditLog:
    """Appends to, lists and verifies the ledger.

    Args:
        database: The database.
        clock: Returns the current UTC time (injectable for tests).
    """

    def __init__(self, database: Database, clock: Clock = utc_now) -> None:
        self._database = database
        self._clock = clock

    def append(
        self,
        actor: str,
        event_type: str,
        resource_type: str,
        resource_id: str,
        payload: Mapping[str, JsonValue] | None = None,
        *,
        session: Session | None = None,
    ) -> AuditEvent:
        """Append one event.

        Args:
            actor: Who acted (a user, or ``system``).
            event_type: What happened, e.g. ``change.approved``.
            resource_type: What it happened to, e.g. ``change``.
            resource_id: Which one.
            payload: Non-secret details.
            session: A write session (from `Database.write`) to append in, so the event
                commits or rolls back with the caller's other changes; None appends in a
                transaction of its own.

        Raises:
            InvalidInput: A field is empty or too long, or the payload carries a secret.
        """
        if session is None:
            with self._database.write() as own:
                return self.append(
                    actor, event_type, resource_type, resource_id, payload, session=own
                )
        fields = {
            "actor": actor,
            "event_type": event_type,
            "resource_type": resource_type,
            "resource_id": resource_id,
        }
        _check_fields(fields)
        body = _json_object(payload or {})
        check_payload(body)
        head = _lock_head(session)
        draft = AuditEvent(
            seq=head.seq + 1,
            id=str(uuid.uuid4()),
            ts=_utc(self._clock()),
            payload=body,
            prev_hash=head.hash,
            hash="",
            **fields,
        )
        event = draft.model_copy(update={"hash": event_digest(draft)})
        session.add(AuditEventRow(**event.model_dump()))
        head.seq, head.hash = event.seq, event.hash
        session.flush()
        return event

    def list(self, query: AuditQuery | None = None) -> list[AuditEvent]:
        """Events matching ``query``, in ledger order."""
        query = query or AuditQuery()
        statement = _filtered(select(AuditEventRow), query).order_by(AuditEventRow.seq)
        with self._database.read() as session:
            rows = session.scalars(statement.limit(query.limit).offset(query.offset))
            return [_event(row) for row in rows]

    def head(self) -> tuple[int, str]:
        """The chain head: the last sequence number and its hash."""
        with self._database.read() as session:
            head = session.get_one(AuditHeadRow, CHAIN_HEAD_ID)
            return head.seq, head.hash

    def verify(self) -> ChainReport:
        """Walk the whole ledger and report every problem (edited, missing, reordered events).

        Runs in one snapshot, so appends made meanwhile are not half-seen.
        """
        walk = ChainWalk()
        with self._database.read() as session:
            head = session.get_one(AuditHeadRow, CHAIN_HEAD_ID)
            statement = select(AuditEventRow).order_by(AuditEventRow.seq)
            for row in session.scalars(statement.execution_options(yield_per=_VERIFY_BATCH)):
                walk.feed(_event(row))
            return walk.finish(head.seq, head.hash)


def _check_fields(fields: Mapping[str, str]) -> None:
    for name, value in fields.items():
        if not value or len(value) > _LIMITS[name]:
            raise InvalidInput(f"{name} must be 1 to {_LIMITS[name]} characters", name)


def _json_object(payload: Mapping[str, JsonValue]) -> dict[str, JsonValue]:
    # A round trip through canonical JSON gives exactly what the database will hand back.
    try:
        value: dict[str, JsonValue] = json.loads(canonical_json(dict(payload)))
    except (TypeError, ValueError):
        raise InvalidInput(
            "payload must be JSON (finite numbers, string keys)", "payload"
        ) from None
    return value


def _lock_head(session: Session) -> AuditHeadRow:
    statement = select(AuditHeadRow).where(AuditHeadRow.id == CHAIN_HEAD_ID).with_for_update()
    return session.scalars(statement).one()


def _filtered(statement: Select[AuditEventRow], query: AuditQuery) -> Select[AuditEventRow]:
    equal = (
        (AuditEventRow.resource_type, query.resource_type),
        (AuditEventRow.resource_id, query.resource_id),
        (AuditEventRow.actor, query.actor),
        (AuditEventRow.event_type, query.event_type),
    )
    for column, value in equal:
        if value is not None:
            statement = statement.where(column == value)
    if query.since is not None:
        statement = statement.where(AuditEventRow.ts >= query.since)
    if query.until is not None:
        statement = statement.where(AuditEventRow.ts < query.until)
    return statement


def _utc(ts: datetime) -> datetime:
    if ts.tzinfo is None:
        raise InvalidInput("the audit clock must return timezone-aware datetimes", "ts")
    return ts.astimezone(UTC)


def _event(row: AuditEventRow) -> AuditEvent:
    return AuditEvent.model_validate(row, from_attributes=True)
