"""Analysis events, their zones and the longest event span.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the event tables and their search indexes."""
    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("label", sa.String(64), nullable=False),
        sa.Column("start_ts", sa.Float(), nullable=False),
        sa.Column("end_ts", sa.Float(), nullable=False),
        sa.Column("peak_score", sa.Float(), nullable=False),
        sa.Column("zones", sa.Text(), nullable=False),
        sa.Column("track", sa.Text(), nullable=False),
        sa.Column("snapshot", sa.String(300), nullable=True),
    )
    op.create_index("ix_events_start", "events", ["start_ts", "id"])
    op.create_index("ix_events_camera_start", "events", ["camera_id", "start_ts", "id"])
    op.create_index(
        "ix_events_camera_label_start", "events", ["camera_id", "label", "start_ts", "id"]
    )
    op.create_index("ix_events_label_start", "events", ["label", "start_ts", "id"])
    op.create_table(
        "event_zones",
        sa.Column("event_id", sa.Integer(), primary_key=True),
        sa.Column("zone", sa.String(64), primary_key=True),
        sa.Column("camera_id", sa.String(64), nullable=False),
        sa.Column("start_ts", sa.Float(), nullable=False),
    )
    op.create_index("ix_event_zones_zone_start", "event_zones", ["zone", "start_ts", "event_id"])
    op.create_index(
        "ix_event_zones_camera_zone_start",
        "event_zones",
        ["camera_id", "zone", "start_ts", "event_id"],
    )
    op.create_table(
        "event_meta",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("max_span", sa.Float(), nullable=False),
    )


def downgrade() -> None:
    """Drop the event tables."""
    op.drop_table("event_meta")
    op.drop_table("event_zones")
    op.drop_table("events")
