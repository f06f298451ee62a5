"""email addresses, notification choices and the outbox

users gain an email address, a language for their mail (vi, en) and the hour of their daily
digest. notification_choices: per person and event, how a notification reaches them by mail
(immediately, in the daily digest, or not at all). notifications: the in-app notifications and,
in the same row, the mail outbox: written in the transaction of the event that causes it, sent
by the worker; (recipient, dedupe_key) is unique so an event notifies a person once.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 21:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(length=320), nullable=True))
    op.add_column(
        "users", sa.Column("locale", sa.String(length=10), server_default="vi", nullable=False)
    )
    op.add_column(
        "users", sa.Column("digest_hour", sa.Integer(), server_default="7", nullable=False)
    )
    op.create_table(
        "notification_choices",
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("delivery", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["username"], ["users.username"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("username", "event"),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(length=100), nullable=False),
        sa.Column("event", sa.String(length=30), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=False),
        sa.Column("instance_id", sa.Integer(), nullable=True),
        sa.Column("task_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=500), nullable=False),
        sa.Column("step", sa.String(length=500), nullable=True),
        sa.Column("due_at", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("read_at", UTCDateTime(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("message_id", sa.String(length=250), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["recipient"], ["users.username"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["instance_id"], ["instances.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("recipient", "dedupe_key", name="uq_notifications_recipient_dedupe"),
    )
    # The bell: a person's newest, and their unread count.
    op.create_index(
        "ix_notifications_recipient_created", "notifications", ["recipient", "created_at", "id"]
    )
    op.create_index("ix_notifications_recipient_read", "notifications", ["recipient", "read_at"])
    # The worker: what is due to be sent, and the rows of one message.
    op.create_index("ix_notifications_status_next", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_message_id", "notifications", ["message_id"])
    # The deadline scan: has this task's reminder, overdue or escalation been written?
    op.create_index("ix_notifications_task_event", "notifications", ["task_id", "event"])


def downgrade() -> None:
    op.drop_index("ix_notifications_task_event", table_name="notifications")
    op.drop_index("ix_notifications_message_id", table_name="notifications")
    op.drop_index("ix_notifications_status_next", table_name="notifications")
    op.drop_index("ix_notifications_recipient_read", table_name="notifications")
    op.drop_index("ix_notifications_recipient_created", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_choices")
    # A plain DROP COLUMN (SQLite 3.35+): batch mode would copy and drop `users`, which the
    # other tables' foreign keys forbid while SQLite enforces them.
    op.drop_column("users", "digest_hour")
    op.drop_column("users", "locale")
    op.drop_column("users", "email")
