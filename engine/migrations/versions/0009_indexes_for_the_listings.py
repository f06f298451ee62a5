"""indexes for the listings

Theo dõi, its step statistics and "Hồ sơ của tôi" read exactly their page from an index, however
long the history:
- human_tasks (status, created_at, instance_id, id): the open steps oldest first, a keyset page
  after a (created_at, instance_id, id) cursor (and `pheduyet stuck`'s order);
- human_tasks (process_id, element_id, status): the counts and durations of one process's steps;
- instances (status, created_at, id): the finished items oldest first, a keyset page;
- instances (created_by, id) and audit_events (actor, instance_id): the items a person started or
  acted on, newest first.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10 14:00:00.000000
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

INDEXES = (
    ('ix_human_tasks_status_created_item', 'human_tasks', ['status', 'created_at', 'instance_id', 'id']),
    ('ix_human_tasks_process_element', 'human_tasks', ['process_id', 'element_id', 'status']),
    ('ix_instances_status_created', 'instances', ['status', 'created_at', 'id']),
    ('ix_instances_created_by', 'instances', ['created_by', 'id']),
    ('ix_audit_actor_instance', 'audit_events', ['actor', 'instance_id']),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
