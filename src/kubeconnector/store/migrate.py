"""Running the packaged Alembic migrations without an alembic.ini.

The migration scripts ship inside the package (`kubeconnector/store/migrations`), so the Alembic
configuration is built here in code and works the same from a checkout or an installed wheel.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"

# Any constant works; it only has to be the same for every kubeconnector process.
_PG_MIGRATION_LOCK = 0x6B75_6265_636F


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic configuration pointing at the packaged migrations.

    Args:
        connection: The connection `env.py` migrates through; None for commands that need
            none (e.g. creating an empty revision).
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.set_main_option("file_template", "%%(rev)s_%%(slug)s")
    config.attributes["connection"] = connection
    return config


def upgrade(connection: Connection, revision: str = "head") -> None:
    """Upgrade the schema inside the caller's transaction on ``connection``."""
    _lock(connection)
    command.upgrade(alembic_config(connection), revision)


def downgrade(connection: Connection, revision: str) -> None:
    """Downgrade the schema inside the caller's transaction on ``connection``."""
    _lock(connection)
    command.downgrade(alembic_config(connection), revision)


def current(connection: Connection) -> str | None:
    """The revision the schema is at, or None when unversioned."""
    return MigrationContext.configure(connection).get_current_revision()


def _lock(connection: Connection) -> None:
    # SQLite already holds its write lock (BEGIN IMMEDIATE); PostgreSQL needs one so that two
    # processes opening an empty database do not both create the tables.
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
