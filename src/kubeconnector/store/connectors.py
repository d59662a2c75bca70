"""Connector records, with the kubeconfig sealed under the key ring.

The kubeconfig is sealed before it reaches the database and bound to the connector's id
(``connector:<id>:kubeconfig``); it is opened only by `ConnectorRepository.kubeconfig`.
Removing a connector removes its discovery runs, assets and relations; its ledger events stay.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from kubeconnector.errors import RecordExists, RecordNotFound, StorageError
from kubeconnector.models.connector import Connector, ConnectorUpdate, NewConnector
from kubeconnector.store.database import Database
from kubeconnector.store.schema import ConnectorRow
from kubeconnector.store.sealed import SEALED_COLUMNS, Cipher
from kubeconnector.store.types import utc_now

_KUBECONFIG = SEALED_COLUMNS[0]


class ConnectorRepository:
    """Adds, finds, changes and removes connectors.

    Args:
        database: The database.
        cipher: Seals and opens kubeconfigs (a `kubeconnector.crypto.KeyRing`).
        clock: Returns the current UTC time.
    """

    def __init__(
        self, database: Database, cipher: Cipher, clock: Callable[[], datetime] = utc_now
    ) -> None:
        self._database = database
        self._cipher = cipher
        self._clock = clock

    def add(self, connector: NewConnector, kubeconfig: str) -> Connector:
        """Store a new connector with its kubeconfig sealed.

        Raises:
            RecordExists: The name is taken.
        """
        now = self._clock()
        row = ConnectorRow(
            id=str(uuid.uuid4()),
            name=connector.name,
            environment=connector.environment.value,
            context=connector.context,
            namespace=connector.namespace,
            server=connector.server,
            warnings=list(connector.warnings),
            created_at=now,
            updated_at=now,
        )
        self._seal(row, kubeconfig)
        try:
            with self._database.write() as session:
                _refuse_taken_name(session, connector.name)
                session.add(row)
        except StorageError as exc:
            if isinstance(exc.__cause__, IntegrityError):  # a concurrent add took the name
                raise RecordExists(f"a connector named {connector.name!r} already exists") from None
            raise
        return _model(row)

    def get(self, ref: str) -> Connector:
        """The connector with id or name ``ref`` (an id match wins).

        Raises:
            RecordNotFound: No connector has that id or name.
        """
        with self._database.read() as session:
            return _model(_find(session, ref))

    def list(self) -> list[Connector]:
        """Every connector, by name."""
        with self._database.read() as session:
            rows = session.scalars(select(ConnectorRow).order_by(ConnectorRow.name))
            return [_model(row) for row in rows]

    def kubeconfig(self, ref: str) -> str:
        """Open the connector's kubeconfig (hold it only as long as the operation needs it).

        Raises:
            RecordNotFound: No such connector.
            CryptoError: The sealed kubeconfig does not open with the key ring.
        """
        with self._database.read() as session:
            row = _find(session, ref)
            return self._cipher.decrypt(row.kubeconfig_sealed, _KUBECONFIG.aad(row.id)).decode()

    def update(
        self, ref: str, changes: ConnectorUpdate, kubeconfig: str | None = None
    ) -> Connector:
        """Apply the fields set in ``changes`` and, when given, replace the kubeconfig.

        Raises:
            RecordNotFound: No such connector.
        """
        with self._database.write() as session:
            row = _find(session, ref)
            for name in changes.model_fields_set:
                value = getattr(changes, name)
                setattr(row, name, list(value) if isinstance(value, tuple) else value)
            if kubeconfig is not None:
                self._seal(row, kubeconfig)
            row.updated_at = self._clock()
            session.flush()
            return _model(row)

    def remove(self, ref: str) -> Connector:
        """Delete a connector and its inventory; returns what was removed.

        Raises:
            RecordNotFound: No such connector.
        """
        with self._database.write() as session:
            row = _find(session, ref)
            removed = _model(row)
            session.delete(row)
            return removed

    def _seal(self, row: ConnectorRow, kubeconfig: str) -> None:
        row.kubeconfig_sealed = self._cipher.encrypt(kubeconfig.encode(), _KUBECONFIG.aad(row.id))
        row.key_id = self._cipher.active_kid


def _find(session: Session, ref: str) -> ConnectorRow:
    statement = select(ConnectorRow).where(or_(ConnectorRow.id == ref, ConnectorRow.name == ref))
    rows = sorted(session.scalars(statement), key=lambda row: row.id != ref)
    if not rows:
        raise RecordNotFound(f"connector {ref!r} not found")
    return rows[0]


def _refuse_taken_name(session: Session, name: str) -> None:
    if session.scalar(select(ConnectorRow.id).where(ConnectorRow.name == name)) is not None:
        raise RecordExists(f"a connector named {name!r} already exists")


def _model(row: ConnectorRow) -> Connector:
    return Connector.model_validate(row, from_attributes=True)
