"""a registry of outside bodies

outside_bodies: the bodies outside the organisation that its documents name (other agencies,
committees, funds, groups of them), each with its other spellings and whether it is a group of
bodies. Administrators edit it; it starts empty, and the department's layer reads its shipped
list until the first edit copies that list in (workflows/plan_units.py).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-14 09:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outside_bodies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("collective", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
    )


def downgrade() -> None:
    op.drop_table("outside_bodies")
