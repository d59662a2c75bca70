"""The packaged migrations build the schema the ORM describes, on SQLite and PostgreSQL."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from kubeconnector.errors import ConfigError, StorageError
from kubeconnector.store import Database
from kubeconnector.store import migrate as migrations
from kubeconnector.store.migrations.__main__ import next_revision_id
from kubeconnector.store.schema import Base

HEAD = "0003"
TABLES = {
    "alembic_version",
    "api_users",
    "assets",
    "audit_chain_head",
    "audit_events",
    "change_approvals",
    "change_secrets",
    "change_snapshots",
    "change_steps",
    "change_transitions",
    "changes",
    "connectors",
    "discovery_runs",
    "relations",
}


def test_opening_an_empty_database_migrates_it_to_head(database_url: str) -> None:
    with Database.open(database_url) as db:
        assert db.current_revision() == HEAD
        assert set(inspect(db.engine).get_table_names()) == TABLES


def test_the_migrated_schema_matches_the_orm_models(database: Database) -> None:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_twice_changes_nothing(database: Database) -> None:
    database.migrate()
    assert database.current_revision() == HEAD


def test_the_migrations_go_down_to_an_empty_schema_and_up_again(database: Database) -> None:
    with database.engine.begin() as conn:
        migrations.downgrade(conn, "base")
    assert set(inspect(database.engine).get_table_names()) <= {"alembic_version"}
    assert database.current_revision() is None
    database.migrate()
    assert database.current_revision() == HEAD


def test_the_chain_head_starts_at_the_genesis_hash(database: Database) -> None:
    with database.engine.connect() as conn:
        head = conn.execute(text("SELECT id, seq, hash FROM audit_chain_head")).all()
    assert [tuple(row) for row in head] == [(1, 0, "0" * 64)]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    with Database.open(f"sqlite:///{tmp_path}/kc.db") as db, db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar_one() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1


def test_the_sqlite_file_is_created_private_with_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "new-home" / "kubeconnector.db"
    with Database.open(f"sqlite:///{path}"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_the_alembic_configuration_needs_no_ini_file() -> None:
    config = migrations.alembic_config()
    assert config.config_file_name is None
    assert Path(config.get_main_option("script_location") or "").joinpath("env.py").is_file()


def test_new_revisions_are_numbered_after_the_head() -> None:
    assert next_revision_id() == "0004"


def test_an_unsupported_database_url_is_refused() -> None:
    with pytest.raises(ConfigError, match="uses 'mysql'"):
        Database("mysql://root@localhost/kc")


def test_an_unreachable_database_is_a_storage_error_without_the_password() -> None:
    db = Database("postgresql://kc:hunter2@127.0.0.1:1/kc?connect_timeout=1")
    try:
        with pytest.raises(StorageError) as caught:
            db.migrate()
    finally:
        db.dispose()
    assert str(caught.value).startswith("database error: OperationalError: ")
    assert "hunter2" not in str(caught.value)
    assert "hunter2" not in repr(db)
