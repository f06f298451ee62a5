"""candidate people read by index

The people a task's candidates stand for (engine/recipients.py's CANDIDATE_PEOPLE: by their
name, by a group's key or name, by their unit's key or name, each lower-cased) are read for
every task an action opens, to notify them, inside the write lock. Read as one query whose
ways were joined by OR, it went through every user: 0.4-0.6 ms with 600 people on SQLite, and
more as the org chart grows. Each way is now a part of its own, and each part has an index:
a person by the lower-cased name and by the lower-cased unit, by the unit as it is stored (a
unit named by its name), and a group's members by the group.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-05 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None

_INDEXES = (
    ("ix_users_lower_username", "users", [sa.text("lower(username)")]),
    ("ix_users_lower_unit", "users", [sa.text("lower(unit)")]),
    ("ix_users_unit", "users", ["unit"]),
    ("ix_group_members_group", "group_members", ["group_key", "username"]),
)


def upgrade() -> None:
    for name, table, columns in _INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_INDEXES):
        op.drop_index(name, table_name=table)
