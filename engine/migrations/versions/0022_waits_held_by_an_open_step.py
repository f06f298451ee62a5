"""waits held by an open step

Theo dõi and `stuck` list the items waiting for a message or signal that nobody holds (no open
human task). They found them by looking for an open step of every wait's item: at 1M task rows
some 52k waits, all of items whose chaser step is open, checked each time (77 ms of the page on
PostgreSQL). waiting_events gets `held`, written with the rows after every action (when the
item's open steps are known), and an index (held, since, instance_id, id): the unheld waits in
the listings' order, one index range.

The upgrade marks the existing waits of items with an open step.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 13:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "waiting_events",
        sa.Column("held", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    waits = sa.table("waiting_events", sa.column("instance_id"), sa.column("held", sa.Boolean))
    tasks = sa.table("human_tasks", sa.column("instance_id"), sa.column("status"))
    op.execute(
        waits.update()
        .where(
            sa.exists().where(tasks.c.instance_id == waits.c.instance_id, tasks.c.status == "open")
        )
        .values(held=sa.true())
    )
    op.create_index(
        "ix_waiting_events_held_since", "waiting_events", ["held", "since", "instance_id", "id"]
    )


def downgrade() -> None:
    op.drop_index("ix_waiting_events_held_since", table_name="waiting_events")
    with op.batch_alter_table("waiting_events") as batch:
        batch.drop_column("held")
