"""candidate people read by index

The people a task's candidates stand for (engine/recipients.py's CANDIDATE_PEOPLE: by their
name, by a group's key or name, by their unit's key or name, each lower-cased) are read for
every task an action opens, to notify them, inside the write lock. Read as one query whose
ways were joined by OR, it went through every user: 0.4-0.6 ms with 600 people on SQLite, and
more as the org chart grows. Each way is now a part of its own, and each part has an index:
a person by the name and by the unit, case aside; by the unit as it is stored (a unit named by
its name); a group's members by the group.

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

# A person by the name and by the unit, case aside (engine/recipients.py's _Folded): on SQLite
# under the NOCASE collation (an index on lower() would be an expression, which SQLAlchemy's
# reflection, and so a later batch migration's rebuild of users, cannot carry); on PostgreSQL
# on lower(). A rebuild of users in a later migration loses the collation: create these again.
_FOLDED = (("ix_users_folded_username", "username"), ("ix_users_folded_unit", "unit"))
_PLAIN = (
    ("ix_users_unit", "users", ["unit"]),
    ("ix_group_members_group", "group_members", ["group_key", "username"]),
)


def upgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for name, column in _FOLDED:
        folded = f"{column} COLLATE NOCASE" if sqlite else f"lower({column})"
        op.create_index(name, "users", [sa.text(folded)])
    for name, table, columns in _PLAIN:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _columns in reversed(_PLAIN):
        op.drop_index(name, table_name=table)
    for name, _column in reversed(_FOLDED):
        op.drop_index(name, table_name="users")
