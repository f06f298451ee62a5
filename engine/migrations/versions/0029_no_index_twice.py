"""two indexes that a wider one already holds, dropped

`ix_human_tasks_status_created` (status, created_at) is the start of
`ix_human_tasks_status_created_item` (status, created_at, instance_id, id), and
`ix_instances_status` (status) the start of `ix_instances_status_created` and
`ix_instances_status_next_timer`: every query that could use the narrow one reads the same rows,
in the same order, from the wide one. Each action wrote both: on SQLite about one page in 25 of
a step's commit was the narrow task index (an engine action 2.5 % less CPU without the two),
on PostgreSQL one index entry and its WAL.

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-06 08:20:00.000000
"""

from __future__ import annotations

from alembic import op

revision = "0029"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_human_tasks_status_created", table_name="human_tasks")
    op.drop_index("ix_instances_status", table_name="instances")


def downgrade() -> None:
    op.create_index("ix_instances_status", "instances", ["status"])
    op.create_index("ix_human_tasks_status_created", "human_tasks", ["status", "created_at"])
