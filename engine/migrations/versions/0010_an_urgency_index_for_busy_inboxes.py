"""an urgency index for busy inboxes

human_tasks (status, due_at, created_at DESC, id): the inbox of a person with more than a
thousand open tasks is read in its own order (earliest due date first, then the newest task),
the tasks with a due date and those without each an ordered range of this index, so its first
page costs some fifty rows per share of the open tasks instead of a sort of all of them.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-11 14:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_human_tasks_urgency",
        "human_tasks",
        ["status", "due_at", sa.text("created_at DESC"), "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_human_tasks_urgency", table_name="human_tasks")
