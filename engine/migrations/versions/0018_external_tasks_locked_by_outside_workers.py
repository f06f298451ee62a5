"""external tasks locked by outside workers

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 21:40:00.000000
"""

from __future__ import annotations

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
