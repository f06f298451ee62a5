"""an external task keeps its input parameters for the worker

A Camunda external task's `camunda:inputParameter`s are local variables the worker fetches with
the process's own; the row kept only the task's place, so the worker got the item's data alone.
Rows made before keep NULL: their workers get the item's data, as before.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-06 22:45:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("external_tasks") as batch:
        batch.add_column(sa.Column("inputs", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("external_tasks") as batch:
        batch.drop_column("inputs")
