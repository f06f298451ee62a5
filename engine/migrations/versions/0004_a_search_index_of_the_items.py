"""a search index of the items

One row per item in search_documents (its text and the same text folded); on SQLite an FTS5
table over the folded text, kept in step by triggers; on PostgreSQL a pg_trgm GIN index on it.
Existing items are indexed here.

On SQLite, a later migration that rebuilds search_documents (batch mode) must create the
triggers again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 10:00:00.000000
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

from engine.search import document

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(folded, content='search_documents', "
    "content_rowid='instance_id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_documents_ai AFTER INSERT ON search_documents BEGIN "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.instance_id, new.folded); END",
    "CREATE TRIGGER search_documents_ad AFTER DELETE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) "
    "VALUES ('delete', old.instance_id, old.folded); END",
    "CREATE TRIGGER search_documents_au AFTER UPDATE ON search_documents BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, folded) "
    "VALUES ('delete', old.instance_id, old.folded); "
    "INSERT INTO search_fts(rowid, folded) VALUES (new.instance_id, new.folded); END",
]


def upgrade() -> None:
    op.create_table('search_documents',
    sa.Column('instance_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('folded', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['instance_id'], ['instances.id'], ),
    sa.PrimaryKeyConstraint('instance_id')
    )
    bind = op.get_bind()
    if bind.dialect.name == 'sqlite':
        for statement in SQLITE_FTS:
            op.execute(statement)
    elif bind.dialect.name == 'postgresql':
        _trigram_index(bind)
    _index_existing_items(bind)


def _trigram_index(bind: sa.engine.Connection) -> None:
    """A GIN trigram index serves LIKE '% word%' on the folded text. pg_trgm ships with
    PostgreSQL and is a trusted extension (13+): the database's owner may create it. Without
    it search still works, by reading the table, and the log says so."""
    try:
        with bind.begin_nested():
            bind.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except sa.exc.DBAPIError as exc:
        log.warning("pg_trgm is not available (%s): search will read the whole table", exc.orig)
        return
    schema = bind.execute(
        sa.text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            "WHERE e.extname = 'pg_trgm'"
        )
    ).scalar_one()
    # Named by its schema: the extension may live outside this database's search_path.
    opclass = f'"{schema}".gin_trgm_ops'
    op.execute(
        f"CREATE INDEX ix_search_documents_folded_trgm ON search_documents "
        f"USING gin (folded {opclass})"
    )


def _index_existing_items(bind: sa.engine.Connection) -> None:
    comments: dict[int, list[str]] = defaultdict(list)
    for instance_id, comment in bind.execute(
        sa.text(
            "SELECT instance_id, comment FROM audit_events WHERE comment IS NOT NULL "
            "AND kind <> 'error' ORDER BY instance_id, seq"
        )
    ):
        comments[instance_id].append(comment)
    files: dict[int, list[str]] = defaultdict(list)
    for instance_id, filename in bind.execute(
        sa.text("SELECT instance_id, filename FROM attachments ORDER BY instance_id, uploaded_at")
    ):
        files[instance_id].append(filename)
    documents = sa.table(
        'search_documents',
        sa.column('instance_id', sa.Integer),
        sa.column('content', sa.Text),
        sa.column('folded', sa.Text),
    )
    rows = []
    for instance_id, title, data in bind.execute(
        sa.text("SELECT id, title, data FROM instances ORDER BY id")
    ):
        if isinstance(data, str):  # SQLite's JSON comes back as text through text()
            data = json.loads(data)
        content, folded = document(title, data, comments[instance_id], files[instance_id])
        rows.append({'instance_id': instance_id, 'content': content, 'folded': folded})
        if len(rows) >= 500:
            bind.execute(documents.insert(), rows)
            rows = []
    if rows:
        bind.execute(documents.insert(), rows)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        for trigger in ('search_documents_ai', 'search_documents_ad', 'search_documents_au'):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    op.drop_table('search_documents')
