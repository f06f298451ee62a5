"""external tasks locked by outside workers

external_tasks: one row per Camunda external task (`camunda:type="external"`, a topic no
handler in PHEDUYET_SERVICES takes) waiting for an outside worker: its item, the SpiffWorkflow
task it completes, the topic, and the lock (worker, until when), the retries left and the last
failure the worker reported. Removed when completed; removed with its item.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 21:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "external_tasks",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=False),
        sa.Column("spiff_task_id", sa.String(length=36), nullable=False),
        sa.Column("element_id", sa.String(length=200), nullable=False),
        sa.Column("process_id", sa.String(length=200), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("created_at", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("worker_id", sa.String(length=200), nullable=True),
        sa.Column("lock_expires_at", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retries", sa.Integer(), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_external_tasks_instance_id", "external_tasks", ["instance_id"])
    op.create_index("ix_external_tasks_topic", "external_tasks", ["topic", "lock_expires_at"])


def downgrade() -> None:
    op.drop_index("ix_external_tasks_topic", table_name="external_tasks")
    op.drop_index("ix_external_tasks_instance_id", table_name="external_tasks")
    op.drop_table("external_tasks")
