"""escalations name their units as a list

An escalation's late units travelled as one line of text (`reason`, the names joined by ", ")
and the mail re-split it on ", " to cut its subject on whole names: a unit whose name holds ", "
itself ("Phòng Kế hoạch, Tài chính") was cut in its middle. notifications gets `units`, a JSON
list of the names; the bell, the mail's body and the digest show them joined as a line
(engine/late_units.py), and an escalation written since keeps no `reason` of its own.

The upgrade gives the escalations stored before it the list their mail read from `reason`,
split on ", " once here, as the renderer did, so they render as they did; a row that still has
none (written by a process not yet restarted) names its `reason` as one unit.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-05 05:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("notifications", sa.Column("units", sa.JSON(), nullable=True))
    notifications = sa.table(
        "notifications",
        sa.column("id", sa.Integer),
        sa.column("event", sa.String),
        sa.column("reason", sa.Text),
        sa.column("units", sa.JSON),
    )
    connection = op.get_bind()
    old = connection.execute(
        sa.select(notifications.c.id, notifications.c.reason).where(
            notifications.c.event == "escalated", notifications.c.reason.is_not(None)
        )
    ).all()
    lists = [
        {"row": row_id, "names": names}
        for row_id, reason in old
        if (names := [name for name in " ".join(reason.split()).split(", ") if name])
    ]
    if lists:
        connection.execute(
            notifications.update()
            .where(notifications.c.id == sa.bindparam("row"))
            .values(units=sa.bindparam("names", type_=sa.JSON)),
            lists,
        )


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("units")
