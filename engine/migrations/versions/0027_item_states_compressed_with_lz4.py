"""item states compressed with lz4 on PostgreSQL

An item's stored state (30 kB of text for the department's eight-step item) is rewritten at
every action, and PostgreSQL compresses a value that long before it stores it out of line: with
its default, pglz, that compression was most of the item's UPDATE (about 290 us of 330 on this
machine, pg_stat_statements). lz4 compresses the same text in a fraction of it (the UPDATE 115
us) to about the same size. The item's data and its search text are rewritten as often and are
compressed the same way. Only values written from now on are compressed with lz4; what is
stored stays readable as it is. A PostgreSQL built without lz4 (or older than 14) keeps pglz.
SQLite stores text uncompressed: nothing to do there.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 19:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None

_COLUMNS = (
    ("instances", "state"),
    ("instances", "data"),
    ("search_documents", "content"),
    ("search_documents", "folded"),
)


def _lz4_available() -> bool:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return False
    choices = bind.execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    ).scalar()
    return choices is not None and "lz4" in choices


def _compress(method: str) -> None:
    for table, column in _COLUMNS:
        op.execute(f"ALTER TABLE {table} ALTER COLUMN {column} SET COMPRESSION {method}")


def upgrade() -> None:
    if _lz4_available():
        _compress("lz4")


def downgrade() -> None:
    if _lz4_available():
        _compress("default")
