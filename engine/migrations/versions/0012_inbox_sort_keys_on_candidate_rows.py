"""the inbox's sort keys on the candidate rows

task_candidates gets a copy of its task's due_at and created_at (written with the row; a task's
due date never changes while it is open, an extension opens a new task), with an index (kind,
value, due_at, created_at DESC, task_id): each of a person's keys is then an index range read in
the inbox's own order, so a page costs some fifty rows per key however many tasks the person or
everyone has. The upgrade copies the keys of the existing rows from human_tasks.

human_tasks: the tasks a person holds get the same order, (assignee, status, due_at, created_at
DESC, id) in place of (assignee, status); ix_human_tasks_urgency (0010), which walked everyone's
open tasks for a busy inbox, goes: nothing reads it now, and a planner could pick it to look for
one person's held tasks among all the open ones.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-13 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "task_candidates", sa.Column("due_at", engine.db.UTCDateTime(timezone=True), nullable=True)
    )
    op.add_column(
        "task_candidates",
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.execute(
        "UPDATE task_candidates SET "
        "due_at = (SELECT h.due_at FROM human_tasks h WHERE h.id = task_candidates.task_id), "
        "created_at = (SELECT h.created_at FROM human_tasks h WHERE h.id = task_candidates.task_id)"
    )
    op.create_index(
        "ix_task_candidates_urgency",
        "task_candidates",
        ["kind", "value", "due_at", sa.text("created_at DESC"), "task_id"],
    )
    op.create_index(
        "ix_human_tasks_assignee_urgency",
        "human_tasks",
        ["assignee", "status", "due_at", sa.text("created_at DESC"), "id"],
    )
    op.drop_index("ix_human_tasks_assignee_status", table_name="human_tasks")
    op.drop_index("ix_human_tasks_urgency", table_name="human_tasks")


def downgrade() -> None:
    op.create_index(
        "ix_human_tasks_urgency",
        "human_tasks",
        ["status", "due_at", sa.text("created_at DESC"), "id"],
    )
    op.create_index("ix_human_tasks_assignee_status", "human_tasks", ["assignee", "status"])
    op.drop_index("ix_human_tasks_assignee_urgency", table_name="human_tasks")
    op.drop_index("ix_task_candidates_urgency", table_name="task_candidates")
    with op.batch_alter_table("task_candidates") as batch:
        batch.drop_column("created_at")
        batch.drop_column("due_at")
