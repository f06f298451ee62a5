"""outside actors among the groups

groups.is_outside: a group that stands for a body outside the organisation (another agency),
its members being that body's receivers; forms offer these by ``"x-options":
"outside_actors"``. Existing groups start unmarked: the department's layer marks its chart's
outside groups when it loads the chart, and an administrator marks others.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 17:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_outside", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("groups", schema=None) as batch_op:
        batch_op.drop_column("is_outside")
