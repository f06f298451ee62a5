"""candidate rows of open tasks only; every item keeps its candidates in item_candidates

task_candidates answers "whose inbox is this task in": a task that closes takes its rows with
it, so the inbox reads only open tasks' rows, however long the history. item_candidates answers
"who may see this item": everyone who is or was a candidate of one of its steps, one row per
item and name, kept for good. The upgrade fills item_candidates from the candidate rows of all
tasks, then deletes the rows of the tasks no longer open.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10 09:00:00.000000
"""

from __future__ import annotations

import json

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('item_candidates',
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('instance_id', 'kind', 'value')
    )
    op.create_index('ix_item_candidates_kind_value', 'item_candidates', ['kind', 'value'])
    op.execute(
        "INSERT INTO item_candidates (instance_id, kind, value) "
        "SELECT DISTINCT h.instance_id, c.kind, c.value "
        "FROM task_candidates c JOIN human_tasks h ON h.id = c.task_id"
    )
    op.execute(
        "DELETE FROM task_candidates WHERE task_id IN "
        "(SELECT id FROM human_tasks WHERE status <> 'open')"
    )


def downgrade() -> None:
    # The candidate rows of closed tasks, as the engine wrote them before (its rule: the
    # task's candidates, else its lane's group, else the item's starter).
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT h.id, h.candidate_groups, h.candidate_users, h.lane, i.created_by "
            "FROM human_tasks h JOIN instances i ON i.id = h.instance_id "
            "WHERE h.status <> 'open'"
        )
    )
    candidates = []
    for task_id, groups, users, lane, started_by in rows:
        groups = json.loads(groups) if isinstance(groups, str) else groups or []
        users = json.loads(users) if isinstance(users, str) else users or []
        if groups or users:
            pairs = [("group", g.lower()) for g in groups] + [("user", u.lower()) for u in users]
        elif lane:
            pairs = [("group", lane.strip().lower())]
        else:
            pairs = [("user", started_by.lower())]
        candidates.extend(
            {"task_id": task_id, "kind": kind, "value": value} for kind, value in dict.fromkeys(pairs)
        )
    if candidates:
        bind.execute(
            sa.text("INSERT INTO task_candidates (task_id, kind, value) VALUES (:task_id, :kind, :value)"),
            candidates,
        )
    op.drop_index('ix_item_candidates_kind_value', table_name='item_candidates')
    op.drop_table('item_candidates')
