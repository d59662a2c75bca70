"""Connectors, the audit ledger, discovery runs, assets and relations.

Revision ID: 0001
Revises:
Create Date: 2025-01-01 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
APPEND_ONLY = "audit_events is append-only"

TABLES_IN_DROP_ORDER = (
    "relations",
    "assets",
    "discovery_runs",
    "audit_events",
    "audit_chain_head",
    "connectors",
)
SQLITE_TRIGGERS = (
    f"""CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER audit_events_no_delete BEFORE DELETE ON audit_events
        BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
)
POSTGRES_TRIGGERS = (
    f"""CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$""",
    """CREATE TRIGGER audit_events_no_update_delete BEFORE UPDATE OR DELETE ON audit_events
        FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()""",
    """CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
        FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only()""",
)


def _utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the tables, seed the chain head and make the ledger append-only."""
    _create_connectors()
    _create_audit()
    _create_discovery_runs()
    _create_assets()
    _create_relations()
    triggers = POSTGRES_TRIGGERS if op.get_bind().dialect.name == "postgresql" else SQLITE_TRIGGERS
    for statement in triggers:
        op.execute(statement)


def downgrade() -> None:
    """Drop everything this revision created (dropping a table drops its triggers)."""
    for table in TABLES_IN_DROP_ORDER:
        op.drop_table(table)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION audit_events_append_only()")


def _create_connectors() -> None:
    op.create_table(
        "connectors",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("environment", sa.String(16), nullable=False),
        sa.Column("context", sa.String(253), nullable=True),
        sa.Column("namespace", sa.String(63), nullable=True),
        sa.Column("server", sa.String(2048), nullable=False),
        sa.Column("warnings", sa.JSON(), nullable=False),
        sa.Column("kubeconfig_sealed", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.CheckConstraint(
            "environment IN ('prod', 'staging', 'dev')", name="ck_connectors_environment"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_connectors"),
        sa.UniqueConstraint("name", name="uq_connectors_name"),
    )
    op.create_index("ix_connectors_key_id", "connectors", ["key_id"])


def _create_audit() -> None:
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.CheckConstraint("id = 1", name="ck_audit_chain_head_single_row"),
        sa.PrimaryKeyConstraint("id", name="pk_audit_chain_head"),
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    op.create_table(
        "audit_events",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("ts", _utc(), nullable=False),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("resource_type", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(255), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name="pk_audit_events"),
        sa.UniqueConstraint("id", name="uq_audit_events_id"),
    )
    op.create_index("ix_audit_events_ts", "audit_events", ["ts"])
    op.create_index("ix_audit_events_actor", "audit_events", ["actor"])
    op.create_index(
        "ix_audit_events_resource_type_resource_id",
        "audit_events",
        ["resource_type", "resource_id"],
    )


def _create_discovery_runs() -> None:
    op.create_table(
        "discovery_runs",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("connector_id", sa.String(36), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("finished_at", _utc(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("forbidden_kinds", sa.JSON(), nullable=False),
        sa.Column("drift", sa.JSON(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('running', 'succeeded', 'partial', 'failed')",
            name="ck_discovery_runs_status",
        ),
        sa.ForeignKeyConstraint(
            ["connector_id"],
            ["connectors.id"],
            name="fk_discovery_runs_connector_id_connectors",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_discovery_runs"),
    )
    op.create_index(
        "ix_discovery_runs_connector_id_started_at",
        "discovery_runs",
        ["connector_id", "started_at"],
    )


def _run_fk(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        ["discovery_runs.id"],
        name=f"fk_{table}_{column}_discovery_runs",
        ondelete="SET NULL",
    )


def _connector_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["connector_id"],
        ["connectors.id"],
        name=f"fk_{table}_connector_id_connectors",
        ondelete="CASCADE",
    )


def _create_assets() -> None:
    op.create_table(
        "assets",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("connector_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("namespace", sa.String(63), nullable=False),
        sa.Column("name", sa.String(253), nullable=False),
        sa.Column("uid", sa.String(64), nullable=False),
        sa.Column("api_version", sa.String(128), nullable=False),
        sa.Column("resource_version", sa.String(64), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("annotations", sa.JSON(), nullable=False),
        sa.Column("owners", sa.JSON(), nullable=False),
        sa.Column("managers", sa.JSON(), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("first_seen", _utc(), nullable=False),
        sa.Column("last_seen", _utc(), nullable=False),
        sa.Column("last_run_id", sa.String(36), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("removed_by_run_id", sa.String(36), nullable=True),
        _connector_fk("assets"),
        _run_fk("last_run_id", "assets"),
        _run_fk("removed_by_run_id", "assets"),
        sa.PrimaryKeyConstraint("id", name="pk_assets"),
        sa.UniqueConstraint(
            "connector_id",
            "kind",
            "namespace",
            "name",
            name="uq_assets_connector_id_kind_namespace_name",
        ),
    )


def _create_relations() -> None:
    op.create_table(
        "relations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("connector_id", sa.String(36), nullable=False),
        sa.Column("run_id", sa.String(36), nullable=True),
        sa.Column("relation_type", sa.String(64), nullable=False),
        sa.Column("from_kind", sa.String(64), nullable=False),
        sa.Column("from_namespace", sa.String(63), nullable=False),
        sa.Column("from_name", sa.String(253), nullable=False),
        sa.Column("to_kind", sa.String(64), nullable=False),
        sa.Column("to_namespace", sa.String(63), nullable=False),
        sa.Column("to_name", sa.String(253), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        _connector_fk("relations"),
        _run_fk("run_id", "relations"),
        sa.PrimaryKeyConstraint("id", name="pk_relations"),
    )
    op.create_index(
        "ix_relations_connector_id_to_kind_to_namespace_to_name",
        "relations",
        ["connector_id", "to_kind", "to_namespace", "to_name"],
    )
    op.create_index(
        "ix_relations_connector_id_from_kind_from_namespace_from_name",
        "relations",
        ["connector_id", "from_kind", "from_namespace", "from_name"],
    )
