"""``GET /audit`` (the ledger, filtered) and ``GET /audit/verify`` (the hash chain checked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime

from kubeconnector.api.auth import Reader
from kubeconnector.models import AuditEvent, AuditQuery, ChainReport

router = APIRouter(tags=["audit"])


@router.get("/audit")
def list_audit(
    session: Reader,
    change: Annotated[str | None, Query(max_length=255)] = None,
    actor: Annotated[str | None, Query(max_length=255)] = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> list[AuditEvent]:
    """Ledger events in ledger order: about one change, by one actor, in a time window."""
    query = AuditQuery(
        resource_type="change" if change else None,
        resource_id=change,
        actor=actor,
        since=since,
        until=until,
        limit=limit,
        offset=offset,
    )
    return session.audit.list(query)


@router.get("/audit/verify")
def verify_audit(session: Reader) -> ChainReport:
    """Walk the whole ledger and report every break in its hash chain."""
    return session.audit.verify()
