"""Unmask grants, hold status (case, release) and export jobs.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the privacy and export tables."""
    op.create_table(
        "unmask_grants",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("role", sa.String(32), nullable=False),
        sa.Column("camera_id", sa.String(64), sa.ForeignKey("cameras.id"), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("granted_at", sa.Float(), nullable=False),
        sa.Column("expires_at", sa.Float(), nullable=False),
        sa.Column("revoked_at", sa.Float(), nullable=True),
    )
    op.create_index(
        "ix_unmask_user_camera", "unmask_grants", ["user_name", "camera_id", "expires_at"]
    )
    op.create_table(
        "hold_status",
        sa.Column("hold_id", sa.Integer(), sa.ForeignKey("holds.id"), primary_key=True),
        sa.Column("case_ref", sa.String(200), nullable=True),
        sa.Column("released_at", sa.Float(), nullable=True),
        sa.Column("released_by", sa.String(200), nullable=True),
        sa.Column("release_reason", sa.String(500), nullable=True),
    )
    op.create_table(
        "exports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("cameras", sa.Text(), nullable=False),
        sa.Column("start_ts", sa.Float(), nullable=False),
        sa.Column("end_ts", sa.Float(), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("recipient", sa.String(200), nullable=True),
        sa.Column("operator", sa.String(200), nullable=False),
        sa.Column("redacted", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("path", sa.String(1000), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("error", sa.String(500), nullable=True),
        sa.Column("created_at", sa.Float(), nullable=False),
        sa.Column("finished_at", sa.Float(), nullable=True),
    )


def downgrade() -> None:
    """Drop the privacy and export tables."""
    op.drop_index("ix_unmask_user_camera", table_name="unmask_grants")
    for table in ("exports", "hold_status", "unmask_grants"):
        op.drop_table(table)
