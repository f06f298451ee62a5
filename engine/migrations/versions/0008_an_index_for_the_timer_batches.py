"""an index for the timer batches

instances (status, next_timer_at, id): the timer worker's batch query (running items due by a
moment, after a (next_timer_at, id) cursor, in that order, LIMIT n) reads exactly its batch from
it, however many items are finished or waiting.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-10 12:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_instances_status_next_timer', 'instances', ['status', 'next_timer_at', 'id']
    )


def downgrade() -> None:
    op.drop_index('ix_instances_status_next_timer', table_name='instances')
