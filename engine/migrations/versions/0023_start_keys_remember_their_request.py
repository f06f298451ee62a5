"""start keys remember their request

An API client's Idempotency-Key is chosen by the program, not made by our page: the same key
sent with another request (another process, title or data) answered the item of the first one,
silently. start_keys gets `fingerprint`, a SHA-256 of the request the key was first given with;
the same key with another fingerprint is refused (422 `idempotency_key_reused`). A form's key
and the keys stored before this migration have none and answer their item as before.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 18:00:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("start_keys", sa.Column("fingerprint", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("start_keys") as batch:
        batch.drop_column("fingerprint")
