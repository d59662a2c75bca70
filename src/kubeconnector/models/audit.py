"""Ledger records: audit events, queries over them, and the chain verification report."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue


class AuditEvent(BaseModel):
    """One ledger entry, chained to its predecessor by ``prev_hash``.

    Attributes:
        seq: Position in the ledger, from 1 without gaps.
        id: A UUID.
        ts: When it was appended (UTC).
        actor: A user, or ``system``.
        event_type: What happened, e.g. ``connector.created``.
        resource_type: What it happened to, e.g. ``connector`` or ``change``.
        resource_id: The id of that resource.
        payload: Details (never secrets).
        prev_hash: The previous event's hash (64 zeros for the first).
        hash: SHA-256 over the canonical encoding of all the fields above.
    """

    model_config = ConfigDict(frozen=True)

    seq: int
    id: str
    ts: datetime
    actor: str
    event_type: str
    resource_type: str
    resource_id: str
    payload: dict[str, JsonValue]
    prev_hash: str
    hash: str


class AuditQuery(BaseModel):
    """Filters for listing the ledger (all optional; results in ledger order).

    Attributes:
        resource_type: Only events about this kind of resource.
        resource_id: Only events about this resource (a change, a connector, ...).
        actor: Only events by this actor.
        event_type: Only events of this type.
        since: Events at or after this time.
        until: Events before this time.
        limit: At most this many events.
        offset: Skip this many matching events.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    resource_type: str | None = None
    resource_id: str | None = None
    actor: str | None = None
    event_type: str | None = None
    since: AwareDatetime | None = None
    until: AwareDatetime | None = None
    limit: int = Field(default=100, ge=1, le=10_000)
    offset: int = Field(default=0, ge=0)


class ProblemKind(StrEnum):
    """How the ledger departs from an intact chain."""

    MODIFIED = "modified"
    MISSING = "missing"
    REORDERED = "reordered"
    BROKEN_LINK = "broken-link"
    HEAD_MISMATCH = "head-mismatch"
    UNEXPECTED = "unexpected"


class ChainProblem(BaseModel):
    """One problem found by verification.

    Attributes:
        kind: The kind of tampering the evidence points at.
        seq: The sequence number concerned (the first one, for a run of missing events).
        end_seq: The last missing sequence number, for a run of missing events.
        event_id: The id of the event concerned, when there is one.
        message: A sentence saying what is wrong.
    """

    model_config = ConfigDict(frozen=True)

    kind: ProblemKind
    seq: int
    end_seq: int | None = None
    event_id: str | None = None
    message: str


class ChainReport(BaseModel):
    """The result of walking the whole ledger.

    Attributes:
        ok: No problem found.
        count: How many events the ledger holds.
        head_seq: The sequence number the chain head records.
        head_hash: The hash the chain head records (64 zeros for an empty ledger).
        problems: Every problem, in ledger order.
    """

    model_config = ConfigDict(frozen=True)

    ok: bool
    count: int
    head_seq: int
    head_hash: str
    problems: tuple[ChainProblem, ...] = ()
