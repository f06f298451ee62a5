"""timer start events start items

A process with a timer start event (Camunda 7's: a date, a duration or a cycle) started nothing:
no scheduler started processes. start_timers holds, for each timer start event of a process's
latest version, when it next starts an item, what is left of its cycle and who deployed it (the
items start in their name); the worker starts the items that are due (engine/start_timers.py).
A row stays when its times are over (next_at NULL). Versions deployed before have no rows:
deploying the same files again (with who deploys them) schedules them.

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-07 03:50:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "start_timers",
        sa.Column("process_id", sa.String(length=200), primary_key=True),
        sa.Column("element_id", sa.String(length=200), primary_key=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("started_by", sa.String(length=100), nullable=False),
        sa.Column("expression", sa.String(length=200), nullable=False),
        sa.Column("next_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("repeats", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=100), nullable=True),
        sa.Column("started_count", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
    )
    op.create_index("ix_start_timers_next_at", "start_timers", ["next_at"])


def downgrade() -> None:
    op.drop_index("ix_start_timers_next_at", table_name="start_timers")
    op.drop_table("start_timers")
