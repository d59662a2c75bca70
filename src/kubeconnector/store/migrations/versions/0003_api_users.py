"""HTTP API users: name, role and the SHA-256 hash of their bearer token.

Revision ID: 0003
Revises: 0002
Create Date: 2025-01-03 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the ``api_users`` table."""
    op.create_table(
        "api_users",
        sa.Column("id", sa.String(36), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('admin', 'operator', 'approver', 'viewer')", name="ck_api_users_role"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_api_users"),
        sa.UniqueConstraint("name", name="uq_api_users_name"),
        sa.UniqueConstraint("token_hash", name="uq_api_users_token_hash"),
    )


def downgrade() -> None:
    """Drop the ``api_users`` table."""
    op.drop_table("api_users")
