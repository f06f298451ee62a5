"""running totals per process and step

step_totals: per process and step, the open task rows (how many, and the sum of their opening
moments in seconds since 1970) and the completed ones (how many, and the sum of their durations
in seconds), so the step statistics read a few rows instead of every task row ever made. Filled
here from the task rows; kept by the engine's actions afterwards (engine.step_totals).

PostgreSQL: no parallel scans of task_candidates. The inbox reads it by index, a person's key at
a time, at most a page (or the count's cap) of rows; at 1M task rows the planner still started
two workers for the capped count, whose start-up cost more than the scan (the busiest inbox's
query 70 -> 35 ms on 2 busy cores, bench/scale.py).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 00:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.step_totals import recount

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "step_totals",
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("open_count", sa.Integer(), nullable=False),
        sa.Column("open_since_sum", sa.Double(), nullable=False),
        sa.Column("done_count", sa.Integer(), nullable=False),
        sa.Column("done_seconds_sum", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("process_id", "element_id"),
    )
    recount(op.get_bind())
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE task_candidates SET (parallel_workers = 0)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE task_candidates RESET (parallel_workers)")
    op.drop_table("step_totals")
