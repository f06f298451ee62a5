"""waiting messages and signals

waiting_events: what a running item waits for from outside, one row per message or signal a
catch event, boundary event or event-based gateway of the item waits on (the element, its kind,
the message or signal name, the item's correlation key); replaced whenever the item is saved.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "waiting_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("element_id", sa.String(length=255), nullable=False),
        sa.Column("element_name", sa.String(length=500), nullable=True),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("correlation_key", sa.String(length=255), nullable=True),
        sa.Column("gateway", sa.Boolean(), nullable=False),
        sa.Column("since", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_waiting_events_instance_id", "waiting_events", ["instance_id"])
    op.create_index(
        "ix_waiting_events_kind_name", "waiting_events", ["kind", "name", "correlation_key"]
    )


def downgrade() -> None:
    op.drop_index("ix_waiting_events_kind_name", table_name="waiting_events")
    op.drop_index("ix_waiting_events_instance_id", table_name="waiting_events")
    op.drop_table("waiting_events")
