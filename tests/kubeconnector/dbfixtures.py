"""pytest fixtures for kubeconnector storage tests: every test on SQLite and on PostgreSQL.

``database_url`` is parametrized: ``sqlite`` (a file in the test's tmp_path) and ``postgresql``
(a fresh schema in a database created for the session from the ``test`` database of the local
server and dropped at the end). PostgreSQL is reached through ``KUBECONNECTOR_TEST_POSTGRES``
(default ``postgresql://postgres@127.0.0.1:5432/test``). When it cannot be reached the
PostgreSQL variants are skipped with the reason, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import psycopg
import pytest
from psycopg import sql
from sqlalchemy.engine import make_url

from kubeconnector.crypto import KeyRing
from kubeconnector.store import Database

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"

__all__ = [
    "DatabaseTarget",
    "PostgresDatabase",
    "StepClock",
    "clock",
    "database",
    "database_target",
    "database_url",
    "key_ring",
    "postgres_database",
    "postgres_schema",
]


@dataclass(frozen=True)
class PostgresDatabase:
    """The session's PostgreSQL database."""

    url: str
    name: str


@dataclass(frozen=True)
class DatabaseTarget:
    """Where one test's database lives.

    Attributes:
        url: The URL to open.
        dialect: ``sqlite`` or ``postgresql``.
        sqlite_path: The SQLite file, for SQLite.
        pg_database: The PostgreSQL database name, for PostgreSQL.
        pg_schema: The test's own PostgreSQL schema, for PostgreSQL.
    """

    url: str
    dialect: str
    sqlite_path: Path | None = None
    pg_database: str | None = None
    pg_schema: str | None = None


def _admin_url() -> str:
    return os.environ.get("KUBECONNECTOR_TEST_POSTGRES", DEFAULT_ADMIN_URL)


def _unreachable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI=true: {reason}")
    pytest.skip(f"PostgreSQL unreachable: {reason}")


def _admin_connect(dbname: str | None = None) -> psycopg.Connection:
    url = make_url(_admin_url())
    if dbname is not None:
        url = url.set(database=dbname)
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return psycopg.connect(conninfo, autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[PostgresDatabase]:
    """A fresh database ``kc_test_<random>`` for the session, dropped at the end."""
    try:
        admin = _admin_connect()
    except psycopg.Error as exc:
        _unreachable(f"{make_url(_admin_url()).render_as_string()}: {str(exc).splitlines()[0]}")
    name = f"kc_test_{secrets.token_hex(6)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            url = make_url(_admin_url()).set(database=name)
            yield PostgresDatabase(url.render_as_string(hide_password=False), name)
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def postgres_schema(postgres_database: PostgresDatabase) -> Iterator[DatabaseTarget]:
    """A fresh schema in the session database, first on the connection's search_path."""
    schema = f"t_{secrets.token_hex(6)}"
    with _admin_connect(postgres_database.name) as admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    url = make_url(postgres_database.url).update_query_dict({"options": f"-csearch_path={schema}"})
    yield DatabaseTarget(
        url=url.render_as_string(hide_password=False),
        dialect="postgresql",
        pg_database=postgres_database.name,
        pg_schema=schema,
    )
    with _admin_connect(postgres_database.name) as admin:
        admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(
    params=[
        pytest.param("sqlite"),
        pytest.param("postgresql", marks=pytest.mark.postgres),
    ]
)
def database_target(request: pytest.FixtureRequest, tmp_path: Path) -> DatabaseTarget:
    """Where this test's database lives (each test runs once per dialect)."""
    if request.param == "postgresql":
        target: DatabaseTarget = request.getfixturevalue("postgres_schema")
        return target
    path = tmp_path / "state" / "kubeconnector.db"
    return DatabaseTarget(url=f"sqlite:///{path}", dialect="sqlite", sqlite_path=path)


@pytest.fixture
def database_url(database_target: DatabaseTarget) -> str:
    """The URL of an empty database (SQLite or PostgreSQL)."""
    return database_target.url


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    """A migrated database, disposed at the end of the test."""
    db = Database.open(database_url)
    try:
        yield db
    finally:
        db.dispose()


class StepClock:
    """A clock for repositories: each reading is one minute after the previous one.

    The first reading is 2025-03-01 12:01 UTC.
    """

    def __init__(self, start: datetime = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(minutes=1)
        return self.now


@pytest.fixture
def clock() -> StepClock:
    """A fresh `StepClock`."""
    return StepClock()


@pytest.fixture
def key_ring() -> KeyRing:
    """A key ring with one fresh random key."""
    return KeyRing.generate()
