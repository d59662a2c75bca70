"""Change records in the ledger database, with every change to them audited in the same commit.

`ChangeRepository.create` stores a new record (state ``draft``) and seals its secret values;
everything after that happens through `ChangeRepository.locked`, which opens one write
transaction, locks the record's row and hands out a `ChangeTx`: transitions, approvals,
journal steps, snapshots, sealed values and events appended through it commit together, or
not at all. Reading a sealed value (snapshot or secret) is itself a ledger event, written in
the transaction that opens it.

Sealed values are bound to their record: the snapshot to ``change:<id>:snapshot``, a secret
value to ``change-secret:<id>/<name>:value`` (see `kubeconnector.store.sealed`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import JsonValue
from sqlalchemy import select
from sqlalchemy.orm import Session

from kubeconnector.errors import RecordNotFound
from kubeconnector.models.changes import ChangeRecord, ChangeState
from kubeconnector.store.audit import AuditLog
from kubeconnector.store.change_records import RESOURCE, load_record, query_ids
from kubeconnector.store.change_schema import (
    ChangeApprovalRow,
    ChangeRow,
    ChangeSecretRow,
    ChangeSnapshotRow,
    ChangeStepRow,
    ChangeTransitionRow,
)
from kubeconnector.store.database import Database
from kubeconnector.store.sealed import SEALED_COLUMNS, Cipher
from kubeconnector.store.types import utc_now

_SNAPSHOT = next(c for c in SEALED_COLUMNS if c.table.name == "change_snapshots")
_SECRET = next(c for c in SEALED_COLUMNS if c.table.name == "change_secrets")
_UPDATABLE = frozenset(
    {"plan", "risk", "required_approvals", "result", "error", "rollback_id", "params"}
)

TransitionRule = Callable[[ChangeState, ChangeState], None]


@dataclass(frozen=True)
class NewChange:
    """What a new change record starts with.

    Attributes:
        connector_id: The connector's id.
        connector_name: Its name at the time (kept if the connector is removed later).
        environment: Its environment (prod, staging, dev).
        action: The action id.
        params: The typed parameters, secret values replaced by digests.
        raw_params: The ``--param`` pairs; None stands for a value kept sealed (it carries a
            secret) under ``param:<key>`` in ``secrets``.
        requester: Who asked for the change.
        force: Whether forceable checks are overridden.
        rollback_of: For a rollback record, the change it reverses.
        secrets: Values to seal with the record, by name.
    """

    connector_id: str
    connector_name: str
    environment: str
    action: str
    params: dict[str, JsonValue]
    raw_params: dict[str, str | None]
    requester: str
    force: bool = False
    rollback_of: str | None = None
    secrets: Mapping[str, bytes] = field(default_factory=dict, repr=False)


@dataclass(frozen=True)
class ChangeQuery:
    """Filters for listing change records (all optional; newest first)."""

    connector: str | None = None
    state: ChangeState | None = None
    action: str | None = None
    requester: str | None = None
    states: tuple[ChangeState, ...] = ()
    limit: int = 100


class ChangeRepository:
    """Stores change records; every write also appends its ledger events.

    Args:
        database: The database.
        cipher: Seals snapshots and secret values (a `kubeconnector.crypto.KeyRing`).
        audit: The ledger.
        rule: Checks each transition (the lifecycle's table); None accepts any.
        clock: Returns the current UTC time.
    """

    def __init__(
        self,
        database: Database,
        cipher: Cipher,
        audit: AuditLog,
        rule: TransitionRule | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._database = database
        self._cipher = cipher
        self._audit = audit
        self._rule = rule
        self._clock = clock

    def create(self, new: NewChange) -> str:
        """Store a new record in state ``draft`` with its secret values sealed; returns its id."""
        change_id = str(uuid.uuid4())
        now = self._clock()
        with self._database.write() as session:
            session.add(_new_row(change_id, new, now))
            session.flush()
            payload: dict[str, JsonValue] = {
                "action": new.action,
                "connector": new.connector_name,
                # As text: parameter maps are keyed by user-chosen names (Secret keys such as
                # "password") that the ledger's secret guard would refuse as keys.
                "params": json.dumps(new.params, sort_keys=True),
                "rollback_of": new.rollback_of,
            }
            self._audit.append(
                new.requester, "change.created", RESOURCE, change_id, payload, session=session
            )
            tx = ChangeTx(self, session, change_id)
            for name, value in new.secrets.items():
                tx.seal(name, value, new.requester)
        return change_id

    def get(self, change_id: str) -> ChangeRecord:
        """The record.

        Raises:
            RecordNotFound: No record has that id.
        """
        with self._database.read() as session:
            return load_record(session, change_id)

    def list(self, query: ChangeQuery | None = None) -> list[ChangeRecord]:
        """Records matching ``query``, newest first."""
        query = query or ChangeQuery()
        with self._database.read() as session:
            return [load_record(session, cid) for cid in query_ids(session, query)]

    def raw_params(self, change_id: str) -> dict[str, str | None]:
        """The record's ``--param`` pairs, None for those kept sealed."""
        with self._database.read() as session:
            return dict(_row(session, change_id).raw_params)

    def force(self, change_id: str) -> bool:
        """Whether the record overrides forceable checks."""
        with self._database.read() as session:
            return bool(_row(session, change_id).force)

    def environment(self, change_id: str) -> str:
        """The environment of the record's connector when it was created."""
        with self._database.read() as session:
            return _row(session, change_id).environment

    @contextmanager
    def locked(self, change_id: str) -> Iterator[ChangeTx]:
        """One write transaction over a record, its row locked until the commit.

        Raises:
            RecordNotFound: No record has that id.
        """
        with self._database.write() as session:
            _row(session, change_id, lock=True)
            yield ChangeTx(self, session, change_id)


class ChangeTx:
    """Writes to one record inside one transaction (from `ChangeRepository.locked`)."""

    def __init__(self, repo: ChangeRepository, session: Session, change_id: str) -> None:
        self._repo = repo
        self._session = session
        self.change_id = change_id

    @property
    def record(self) -> ChangeRecord:
        """The record as it stands in this transaction."""
        self._session.flush()
        return load_record(self._session, self.change_id)

    def transition(
        self, to: ChangeState, actor: str, reason: str | None = None, **updates: Any
    ) -> None:
        """Move the record to ``to`` (checked by the repository's rule), updating fields.

        Raises:
            IllegalTransition: The rule refuses the move.
            InvalidInput: ``updates`` names a field that cannot change.
        """
        row = _row(self._session, self.change_id)
        current = ChangeState(row.state)
        if self._repo._rule is not None:
            self._repo._rule(current, to)
        self.update(**updates)
        row.state = to.value
        now = self._repo._clock()
        self._session.add(
            ChangeTransitionRow(
                change_id=self.change_id,
                from_state=current.value,
                to_state=to.value,
                actor=actor,
                at=now,
                reason=reason,
            )
        )
        payload: dict[str, JsonValue] = {"from": current.value, "to": to.value}
        if reason:
            payload["reason"] = reason
        self.event(actor, f"change.{to.value}", payload)

    def update(self, **updates: Any) -> None:
        """Set fields of the record without a transition (plan, result, links...)."""
        unknown = set(updates) - _UPDATABLE
        if unknown:
            raise ValueError(f"cannot update {sorted(unknown)}")
        row = _row(self._session, self.change_id)
        for name, value in updates.items():
            setattr(row, name, value)
        row.updated_at = self._repo._clock()

    def decision(self, approver: str, decision: str, comment: str = "") -> None:
        """Append an approval (``approved``) or a rejection (``rejected``) and its event."""
        self._session.add(
            ChangeApprovalRow(
                change_id=self.change_id,
                approver=approver,
                decision=decision,
                at=self._repo._clock(),
                comment=comment,
            )
        )
        kind = "approval" if decision == "approved" else "rejection"
        self.event(approver, f"change.{kind}", {"approver": approver, "comment": comment})

    def step(self, actor: str, name: str, phase: str, detail: Mapping[str, JsonValue]) -> None:
        """Append a journal entry and its event."""
        clean = json.loads(json.dumps(dict(detail), default=str))
        self._session.add(
            ChangeStepRow(
                change_id=self.change_id,
                name=name,
                phase=phase,
                at=self._repo._clock(),
                detail=clean,
            )
        )
        self.event(actor, "change.step", {"step": name, "phase": phase, "detail": clean})

    def event(self, actor: str, event_type: str, payload: Mapping[str, JsonValue]) -> None:
        """Append a ledger event about this record."""
        self._repo._audit.append(
            actor, event_type, RESOURCE, self.change_id, payload, session=self._session
        )

    def save_snapshot(self, actor: str, data: Mapping[str, Any], replace: bool = False) -> None:
        """Seal and store the pre-change snapshot.

        Raises:
            ValueError: A snapshot exists and ``replace`` is false.
        """
        existing = self._session.get(ChangeSnapshotRow, self.change_id)
        if existing is not None and not replace:
            raise ValueError("the snapshot of a change is saved once")
        plain = json.dumps(dict(data), sort_keys=True).encode()
        sealed = self._repo._cipher.encrypt(plain, _SNAPSHOT.aad(self.change_id))
        if existing is None:
            existing = ChangeSnapshotRow(change_id=self.change_id, created_at=self._repo._clock())
            self._session.add(existing)
        existing.snapshot_sealed = sealed
        existing.key_id = self._repo._cipher.active_kid
        fields: list[JsonValue] = [str(k) for k in sorted(data)]
        self.event(actor, "change.snapshot.saved", {"fields": fields})

    def snapshot(self, actor: str, operation: str, of: str | None = None) -> Any:
        """Open the snapshot of this record (or of record ``of``); None when there is none."""
        owner = of or self.change_id
        row = self._session.get(ChangeSnapshotRow, owner)
        if row is None:
            return None
        self.event(actor, "change.snapshot.decrypted", {"of": owner, "operation": operation})
        plain = self._repo._cipher.decrypt(row.snapshot_sealed, _SNAPSHOT.aad(owner))
        return json.loads(plain)

    def seal(self, name: str, value: bytes, actor: str) -> None:
        """Seal a secret value under ``name`` (replacing one sealed earlier)."""
        key = f"{self.change_id}/{name}"
        row = self._session.get(ChangeSecretRow, key)
        if row is None:
            row = ChangeSecretRow(
                id=key, change_id=self.change_id, name=name, created_at=self._repo._clock()
            )
            self._session.add(row)
        row.value_sealed = self._repo._cipher.encrypt(value, _SECRET.aad(key))
        row.key_id = self._repo._cipher.active_kid
        self.event(actor, "change.secret.sealed", {"name": name})

    def unseal(self, name: str, actor: str, operation: str, of: str | None = None) -> bytes | None:
        """Open the secret value ``name`` of this record (or of record ``of``)."""
        key = f"{of or self.change_id}/{name}"
        row = self._session.get(ChangeSecretRow, key)
        if row is None:
            return None
        payload: dict[str, JsonValue] = {"name": name, "of": of, "operation": operation}
        self.event(actor, "change.secret.decrypted", payload)
        return self._repo._cipher.decrypt(row.value_sealed, _SECRET.aad(key))

    def secret_names(self, of: str | None = None) -> list[str]:
        """The names of the sealed values of this record (or of record ``of``)."""
        owner = of or self.change_id
        statement = select(ChangeSecretRow.name).where(ChangeSecretRow.change_id == owner)
        return sorted(self._session.scalars(statement))


def _row(session: Session, change_id: str, *, lock: bool = False) -> ChangeRow:
    statement = select(ChangeRow).where(ChangeRow.id == change_id)
    if lock:
        statement = statement.with_for_update()
    row = session.scalars(statement).one_or_none()
    if row is None:
        raise RecordNotFound(f"change {change_id!r} not found")
    return row


def _new_row(change_id: str, new: NewChange, now: datetime) -> ChangeRow:
    return ChangeRow(
        id=change_id,
        connector_id=new.connector_id,
        connector_name=new.connector_name,
        environment=new.environment,
        action=new.action,
        params=new.params,
        raw_params=dict(new.raw_params),
        requester=new.requester,
        state=ChangeState.DRAFT.value,
        required_approvals=0,
        result={},
        force=new.force,
        rollback_of=new.rollback_of,
        created_at=now,
        updated_at=now,
    )
