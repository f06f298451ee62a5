"""a token the database replaces whenever the directory or the webhooks change

Every page and action asked the database for the same few rows again: the units (a task page's
form and forward list), the names of the groups and people it shows, the holder's colleagues,
the people a new task tells (with their address and choice), the active webhooks (at every
action). Each web process now keeps them between requests (engine.directory_cache) and asks
only whether they changed: `directory_state` holds one random token, replaced by triggers
whenever a row of users (its name, unit, standing or address), groups, group_members,
notification_choices or webhooks is written, by anyone; a request reads the token with the
person's identity, in the statement it sends first anyway.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-06 03:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from engine.directory_cache import create_directory_triggers, drop_directory_triggers, first_token

revision = "0028"
down_revision = "0027"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "directory_state",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("token", sa.String(32), nullable=False),
    )
    bind = op.get_bind()
    bind.execute(
        sa.text("INSERT INTO directory_state (id, token) VALUES (1, :token)"),
        {"token": first_token(bind)},
    )
    create_directory_triggers(bind)


def downgrade() -> None:
    drop_directory_triggers(op.get_bind())
    op.drop_table("directory_state")
