"""HTTP API users: a name, a role and the SHA-256 hash of a bearer token.

A token is 32 random bytes (``secrets.token_urlsafe``), shown once when the user is created;
only its hash is stored, and a presented token is checked by hashing it and comparing the
hashes in constant time. Creating and removing a user are ledger events (without the token).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict
from sqlalchemy import CheckConstraint, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from kubeconnector.errors import InvalidInput, RecordExists, RecordNotFound, StorageError
from kubeconnector.store.audit import AuditLog
from kubeconnector.store.database import Database
from kubeconnector.store.schema import Base
from kubeconnector.store.types import utc_now

TOKEN_BYTES = 32
MAX_NAME = 255
RESOURCE = "user"


class Role(StrEnum):
    """What a user may do: admin everything; operator plans and runs changes, discovers and
    tests; approver approves and rejects; viewer reads."""

    ADMIN = "admin"
    OPERATOR = "operator"
    APPROVER = "approver"
    VIEWER = "viewer"


class ApiUserRow(Base):
    """An HTTP API user; the token itself is never stored."""

    __tablename__ = "api_users"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'operator', 'approver', 'viewer')", name="role"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]


class UserRecord(BaseModel):
    """A stored user, without anything about its token."""

    model_config = ConfigDict(frozen=True)

    name: str
    role: Role
    created_at: datetime


def token_hash(token: str) -> str:
    """The hex SHA-256 of a token, as stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class UserRepository:
    """Adds, lists, removes and authenticates API users.

    Args:
        database: The database.
        audit: The ledger (user creation and removal are recorded).
        clock: Returns the current UTC time.
    """

    def __init__(
        self, database: Database, audit: AuditLog, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._database = database
        self._audit = audit
        self._clock = clock

    def add(self, name: str, role: Role | str, actor: str) -> tuple[UserRecord, str]:
        """Create a user; returns it and its token (the only time the token is available).

        Raises:
            InvalidInput: The name is blank, too long or has control characters; unknown role.
            RecordExists: The name is taken.
        """
        name, parsed = _check_name(name), _parse_role(role)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        row = ApiUserRow(
            id=str(uuid.uuid4()),
            name=name,
            role=parsed.value,
            token_hash=token_hash(token),
            created_at=self._clock(),
        )
        try:
            with self._database.write() as session:
                if session.scalar(select(ApiUserRow.id).where(ApiUserRow.name == name)):
                    raise RecordExists(f"a user named {name!r} already exists")
                session.add(row)
                session.flush()
                payload = {"name": name, "role": parsed.value}
                self._audit.append(
                    actor, "user.created", RESOURCE, row.id, payload, session=session
                )
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):
                raise RecordExists(f"a user named {name!r} already exists") from None
            raise
        return _model(row), token

    def list(self) -> list[UserRecord]:
        """Every user, by name."""
        with self._database.read() as session:
            return [
                _model(r) for r in session.scalars(select(ApiUserRow).order_by(ApiUserRow.name))
            ]

    def remove(self, name: str, actor: str) -> UserRecord:
        """Remove a user (its token stops working at once).

        Raises:
            RecordNotFound: No such user.
        """
        with self._database.write() as session:
            row = session.scalar(select(ApiUserRow).where(ApiUserRow.name == name))
            if row is None:
                raise RecordNotFound(f"no user named {name[:MAX_NAME]!r}")
            removed = _model(row)
            session.delete(row)
            payload = {"name": row.name, "role": row.role}
            self._audit.append(actor, "user.removed", RESOURCE, row.id, payload, session=session)
        return removed

    def authenticate(self, token: str) -> UserRecord | None:
        """The user holding ``token``, or None."""
        wanted = token_hash(token)
        with self._database.read() as session:
            row = session.scalar(select(ApiUserRow).where(ApiUserRow.token_hash == wanted))
            if row is None or not hmac.compare_digest(row.token_hash, wanted):
                return None
            return _model(row)


def _check_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > MAX_NAME or not name.isprintable():
        raise InvalidInput(f"a user name must be 1 to {MAX_NAME} printable characters", "name")
    return name


def _parse_role(role: Role | str) -> Role:
    try:
        return Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise InvalidInput(f"unknown role {str(role)[:40]!r}; roles: {roles}", "role") from None


def _model(row: ApiUserRow) -> UserRecord:
    return UserRecord(name=row.name, role=Role(row.role), created_at=row.created_at)
