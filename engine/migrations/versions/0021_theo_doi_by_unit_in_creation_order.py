"""Theo dõi by unit read in creation order, a key at a time

Theo dõi filtered by one unit listed the unit's open steps oldest first, (created_at,
instance_id, id), by reading every one of them (5-10k at 1M task rows) and sorting them, for the
page and again for the capped counts. Each of the unit's keys is now an index range in that
order, cut after a page (or the count's cap) and merged:

- task_candidates gets its task's instance_id (written with the row, like due_at and created_at
  since 0012) and an index (kind, value, created_at, instance_id, task_id): a group's unheld
  steps in the page's order. It replaces ix_task_candidates_kind_value (kind, value), whose
  every use it serves.
- human_tasks gets (assignee, status, created_at, instance_id, id): a person's held steps in the
  same order.

The upgrade copies the item of the existing candidate rows from human_tasks.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 04:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("task_candidates", sa.Column("instance_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE task_candidates SET instance_id = "
        "(SELECT h.instance_id FROM human_tasks h WHERE h.id = task_candidates.task_id)"
    )
    op.create_index(
        "ix_task_candidates_created",
        "task_candidates",
        ["kind", "value", "created_at", "instance_id", "task_id"],
    )
    op.drop_index("ix_task_candidates_kind_value", table_name="task_candidates")
    op.create_index(
        "ix_human_tasks_assignee_created",
        "human_tasks",
        ["assignee", "status", "created_at", "instance_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_human_tasks_assignee_created", table_name="human_tasks")
    op.create_index("ix_task_candidates_kind_value", "task_candidates", ["kind", "value"])
    op.drop_index("ix_task_candidates_created", table_name="task_candidates")
    with op.batch_alter_table("task_candidates") as batch:
        batch.drop_column("instance_id")
