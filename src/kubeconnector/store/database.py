"""The database handle: engine set-up for SQLite and PostgreSQL, transactions, migrations.

SQLite runs in WAL mode with foreign keys on. Its driver's own transaction handling is switched
off so that every transaction starts with an explicit BEGIN, and write transactions with
``BEGIN IMMEDIATE``: a writer takes the write lock before it reads, so two processes cannot both
read the ledger head and then collide (and SQLite's busy timeout, not an error, settles who
goes first). PostgreSQL reads run in one REPEATABLE READ snapshot.

Every database failure surfaces as `StorageError`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from kubeconnector.errors import KubeConnectorError, StorageError
from kubeconnector.settings import normalise_database_url
from kubeconnector.store import migrate as migrations

SQLITE_BUSY_TIMEOUT_S = 30.0
_WRITE = "kubeconnector_write"


class Database:
    """A connection pool to the kubeconnector database.

    Args:
        url: A database URL (see `kubeconnector.settings.normalise_database_url`).

    Raises:
        ConfigError: The URL is not one kubeconnector supports.
        StorageError: The SQLite file's directory cannot be created.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_database_url(url)
        self._engine = _create_engine(self.url)

    @classmethod
    def open(cls, url: str) -> Database:
        """Connect and upgrade the schema to the newest migration."""
        database = cls(url)
        database.migrate()
        return database

    @property
    def engine(self) -> Engine:
        """The SQLAlchemy engine (for tests and tools; repositories use `read`/`write`)."""
        return self._engine

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self._engine.dialect.name

    def migrate(self) -> None:
        """Upgrade the schema to head (idempotent; concurrent callers are serialized)."""
        with _storage_errors(), self._connect(write=True) as conn, conn.begin():
            migrations.upgrade(conn, "head")

    def current_revision(self) -> str | None:
        """The migration the schema is at, or None for an empty database."""
        with _storage_errors(), self._connect(write=False) as conn, conn.begin():
            return migrations.current(conn)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session in a read transaction (one consistent snapshot), rolled back at the end."""
        with (
            _storage_errors(),
            self._connect(write=False) as conn,
            Session(bind=conn, autoflush=False) as session,
        ):
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session in a write transaction, committed at the end, rolled back on error."""
        with (
            _storage_errors(),
            self._connect(write=True) as conn,
            Session(bind=conn, expire_on_commit=False) as session,
            session.begin(),
        ):
            yield session

    def dispose(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.dispose()

    def __repr__(self) -> str:
        return f"Database({make_url(self.url).render_as_string(hide_password=True)!r})"

    @contextmanager
    def _connect(self, *, write: bool) -> Iterator[Connection]:
        with self._engine.connect() as conn:
            if self.dialect == "postgresql" and not write:
                conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
            yield conn.execution_options(**{_WRITE: write})


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except KubeConnectorError:
        raise
    except SQLAlchemyError as exc:
        raise StorageError(describe_error(exc)) from exc


def describe_error(exc: SQLAlchemyError) -> str:
    """A one-line description of a database error, without the SQL or its parameters."""
    origin = getattr(exc, "orig", None) or exc
    text = str(origin).strip().splitlines()
    return f"database error: {type(origin).__name__}: {text[0] if text else 'no details'}"


def _create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True)


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        _prepare_sqlite_file(Path(database))
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _prepare_sqlite_file(path: Path) -> None:
    # Pre-creating the file fixes its mode; SQLite gives the -wal and -shm files the same one.
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    except OSError as exc:
        raise StorageError(f"cannot create the database file {path}: {exc.strerror}") from None


def _on_sqlite_connect(dbapi_connection: Any, _record: object) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves (see _on_sqlite_begin)
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute(f"PRAGMA busy_timeout = {int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()


def _on_sqlite_begin(conn: Connection) -> None:
    write = conn.get_execution_options().get(_WRITE, True)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")
