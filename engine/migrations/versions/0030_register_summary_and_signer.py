"""each issued number keeps its document's trích yếu and signer

The sổ văn bản đi showed the item's title as a number's trích yếu (a proposal's name, not its
tờ trình's "Về việc phê duyệt …") and had no "Người ký". A register marker may now name the
item's fields that hold both; the number keeps them as they were when it was issued. Numbers
issued before keep NULL, and the register shows the item's title for them as before.

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-06 20:40:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("issued_numbers") as batch:
        batch.add_column(sa.Column("summary", sa.String(1000), nullable=True))
        batch.add_column(sa.Column("signer", sa.String(100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("issued_numbers") as batch:
        batch.drop_column("signer")
        batch.drop_column("summary")
