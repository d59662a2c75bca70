"""Change records: transitions, approvals, journal steps, sealed snapshots and secret values.

Revision ID: 0002
Revises: 0001
Create Date: 2025-01-02 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

APPEND_ONLY = ("change_transitions", "change_approvals", "change_steps")
TABLES_IN_DROP_ORDER = (
    "change_secrets",
    "change_snapshots",
    "change_steps",
    "change_approvals",
    "change_transitions",
    "changes",
)
PG_FUNCTION = """CREATE FUNCTION change_history_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"""


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def _change_fk(table: str, column: str = "change_id") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], ["changes.id"], name=f"fk_{table}_{column}_changes")


def upgrade() -> None:
    """Create the change tables and make the history tables append-only."""
    _create_changes()
    _create_transitions()
    _create_approvals()
    _create_steps()
    _create_sealed()
    if op.get_bind().dialect.name == "postgresql":
        _postgres_triggers()
    else:
        _sqlite_triggers()


def downgrade() -> None:
    """Drop everything this revision created (dropping a table drops its triggers)."""
    for table in TABLES_IN_DROP_ORDER:
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION change_history_append_only()")


def _sqlite_triggers() -> None:
    for table in APPEND_ONLY:
        for verb in ("UPDATE", "DELETE"):
            op.execute(
                f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
                BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"""
            )


def _postgres_triggers() -> None:
    op.execute(PG_FUNCTION)
    for table in APPEND_ONLY:
        op.execute(
            f"""CREATE TRIGGER {table}_no_update_delete BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION change_history_append_only()"""
        )
        op.execute(
            f"""CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table}
            FOR EACH STATEMENT EXECUTE FUNCTION change_history_append_only()"""
        )


def _create_changes() -> None:
    op.create_table(
        "changes",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("connector_id", sa.String(36), nullable=False),
        sa.Column("connector_name", sa.String(253), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("raw_params", sa.JSON(), nullable=False),
        sa.Column("requester", sa.String(255), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("risk", sa.JSON(), nullable=True),
        sa.Column("plan", sa.JSON(), nullable=True),
        sa.Column("required_approvals", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("rollback_of", sa.String(36), nullable=True),
        sa.Column("rollback_id", sa.String(36), nullable=True),
        sa.Column("force", sa.Boolean(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_changes"),
        _change_fk("changes", "rollback_of"),
    )
    op.create_index("ix_changes_connector_id_created_at", "changes", ["connector_id", "created_at"])
    op.create_index("ix_changes_state", "changes", ["state"])


def _history_table(name: str, *columns: sa.Column[object]) -> None:
    op.create_table(
        name,
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("change_id", sa.String(36), nullable=False),
        *columns,
        sa.PrimaryKeyConstraint("seq", name=f"pk_{name}"),
        _change_fk(name),
    )
    op.create_index(f"ix_{name}_change_id", name, ["change_id"])


def _create_transitions() -> None:
    _history_table(
        "change_transitions",
        sa.Column("from_state", sa.String(16), nullable=False),
        sa.Column("to_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
    )


def _create_approvals() -> None:
    _history_table(
        "change_approvals",
        sa.Column("approver", sa.String(255), nullable=False),
        sa.Column("decision", sa.String(16), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
    )


def _create_steps() -> None:
    _history_table(
        "change_steps",
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )


def _create_sealed() -> None:
    op.create_table(
        "change_snapshots",
        sa.Column("change_id", sa.String(36), nullable=False),
        sa.Column("snapshot_sealed", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("change_id", name="pk_change_snapshots"),
        _change_fk("change_snapshots"),
    )
    op.create_index("ix_change_snapshots_key_id", "change_snapshots", ["key_id"])
    op.create_table(
        "change_secrets",
        sa.Column("id", sa.String(400), nullable=False),
        sa.Column("change_id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("value_sealed", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_change_secrets"),
        _change_fk("change_secrets"),
    )
    op.create_index("ix_change_secrets_change_id", "change_secrets", ["change_id"])
    op.create_index("ix_change_secrets_key_id", "change_secrets", ["key_id"])
