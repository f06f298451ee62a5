"""email addresses, notification choices and the outbox

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 21:00:00.000000
"""

from __future__ import annotations

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
