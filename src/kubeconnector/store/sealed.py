"""Sealed columns: which stored values are encrypted, how they are bound, how they reseal.

Each encrypted value is bound to its record and purpose through associated data
``<record type>:<record id>:<purpose>``, so a value copied into another row does not open.
`SEALED_COLUMNS` lists every encrypted column; a feature that adds one (e.g. an encrypted
rollback snapshot) appends an entry, and key rotation then covers it too.

The store depends only on the `Cipher` protocol; `kubeconnector.crypto.KeyRing` satisfies it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Column, Table, select, text, update
from sqlalchemy.orm import Session

from kubeconnector.store.change_schema import ChangeSecretRow, ChangeSnapshotRow
from kubeconnector.store.database import Database
from kubeconnector.store.schema import ConnectorRow


class Cipher(Protocol):
    """Authenticated encryption with key ids (`kubeconnector.crypto.KeyRing`)."""

    @property
    def active_kid(self) -> str:
        """The id of the key that seals new values."""
        ...

    def encrypt(self, plaintext: bytes, aad: bytes) -> str:
        """Seal ``plaintext`` bound to ``aad``."""
        ...

    def decrypt(self, sealed: str, aad: bytes) -> bytes:
        """Open a sealed value bound to ``aad``."""
        ...

    def derive_key(self, info: bytes) -> bytes:
        """A subkey of the active key for the purpose ``info`` names."""
        ...


def record_aad(record_type: str, record_id: str, purpose: str) -> bytes:
    """The associated data for one record's value, e.g. ``b"connector:<uuid>:kubeconfig"``."""
    return f"{record_type}:{record_id}:{purpose}".encode()


@dataclass(frozen=True)
class SealedColumn:
    """An encrypted column, the key-id column beside it, and what binds its values.

    Attributes:
        table: The table.
        record_type: The first part of the associated data.
        purpose: The last part of the associated data.
        sealed: The column holding sealed text.
        key_id: The column naming the key that sealed it.
        record_id: The column whose value is the record id in the associated data.
    """

    table: Table
    record_type: str
    purpose: str
    sealed: str
    key_id: str
    record_id: str = "id"

    def aad(self, record_id: str) -> bytes:
        """The associated data for the value of record ``record_id``."""
        return record_aad(self.record_type, record_id, self.purpose)

    def column(self, name: str) -> Column[Any]:
        """A column of the table by name."""
        return self.table.c[name]


SEALED_COLUMNS: tuple[SealedColumn, ...] = (
    SealedColumn(
        table=ConnectorRow.__table__,  # type: ignore[arg-type]
        record_type="connector",
        purpose="kubeconfig",
        sealed="kubeconfig_sealed",
        key_id="key_id",
    ),
    SealedColumn(
        table=ChangeSnapshotRow.__table__,  # type: ignore[arg-type]
        record_type="change",
        purpose="snapshot",
        sealed="snapshot_sealed",
        key_id="key_id",
        record_id="change_id",
    ),
    SealedColumn(
        table=ChangeSecretRow.__table__,  # type: ignore[arg-type]
        record_type="change-secret",
        purpose="value",
        sealed="value_sealed",
        key_id="key_id",
    ),
)


class SealedValues:
    """Store-wide operations on sealed values, for key rotation (`CiphertextStore`).

    Args:
        database: The database.
        columns: The sealed columns to cover (all of them by default).
    """

    def __init__(
        self, database: Database, columns: tuple[SealedColumn, ...] = SEALED_COLUMNS
    ) -> None:
        self._database = database
        self._columns = columns

    def reseal_all(self, ring: Cipher) -> int:
        """Reseal every value under ``ring``'s active key, in one transaction.

        Every value is opened with the ring (which must still hold the old keys) and sealed
        again with a fresh nonce. Writers are locked out until the commit.

        Returns:
            How many values were resealed.

        Raises:
            CryptoError: A value does not open; nothing is changed.
        """
        with self._database.write() as session:
            _lock_tables(session, self._columns)
            return sum(_reseal_column(session, column, ring) for column in self._columns)

    def key_ids_in_use(self) -> set[str]:
        """Every key id some stored value names."""
        with self._database.read() as session:
            return {
                kid
                for column in self._columns
                for kid in session.scalars(select(column.column(column.key_id)).distinct())
            }


def _lock_tables(session: Session, columns: tuple[SealedColumn, ...]) -> None:
    # SQLite's BEGIN IMMEDIATE already excludes other writers; PostgreSQL needs table locks so
    # no row sealed with an old key slips in between the read and the commit.
    if session.get_bind().dialect.name != "postgresql":
        return
    for name in sorted({column.table.name for column in columns}):
        session.execute(text(f'LOCK TABLE "{name}" IN EXCLUSIVE MODE'))


def _reseal_column(session: Session, column: SealedColumn, ring: Cipher) -> int:
    record_id, sealed = column.column(column.record_id), column.column(column.sealed)
    rows = session.execute(select(record_id, sealed).where(sealed.is_not(None))).all()
    for rid, value in rows:
        aad = column.aad(str(rid))
        resealed = ring.encrypt(ring.decrypt(value, aad), aad)
        session.execute(
            update(column.table)
            .where(record_id == rid)
            .values({column.sealed: resealed, column.key_id: ring.active_kid})
        )
    return len(rows)
