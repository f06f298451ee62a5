"""On PostgreSQL an item's state, data and search text are compressed with lz4 where the server
has it (migration 0027): those values are rewritten at every action, and pglz's compression of
a state was most of the item's UPDATE. A downgrade gives the columns back the server's default."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

import engine
from engine import transaction
from tests.conftest import add_people, fixture_files
from tests.migrations import downgrade

_COLUMNS = "('state', 'data', 'content', 'folded')"


def _methods(db: Any) -> dict[str, str]:
    """Each column's compression as set on the table ('' for the server's default)."""
    with db.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT attname, attcompression FROM pg_attribute "
                "WHERE attrelid IN ('instances'::regclass, 'search_documents'::regclass) "
                f"AND attname IN {_COLUMNS}"
            )
        ).all()
    return {name: (method or "").strip("\x00") for name, method in rows}


def test_stored_compression__item_states_are_written_with_lz4(pg_url: str, clock: Any) -> None:
    db = engine.create_db_engine(pg_url)
    try:
        engine.upgrade_database(db)
        with db.connect() as conn:
            choices = conn.execute(
                text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
            ).scalar()
        expected = "lz4" if "lz4" in choices else "pglz"
        factory = engine.session_factory(db)
        add_people(factory)
        config = engine.EngineConfig(clock=clock)
        with transaction(factory) as s:
            engine.deploy(s, fixture_files("spiff"), clock)
        with transaction(factory) as s:
            item = engine.start_instance(s, config, "approval", "an")
        with db.connect() as conn:
            stored, size = conn.execute(
                text(
                    "SELECT pg_column_compression(state), length(state) FROM instances "
                    "WHERE id = :id"
                ),
                {"id": item},
            ).one()
        assert size > 2000  # long enough to be compressed at all
        assert stored == expected
        assert set(_methods(db).values()) == ({"l"} if expected == "lz4" else {""})
        downgrade(db, "0026")
        assert set(_methods(db).values()) == {""}
        engine.upgrade_database(db)
    finally:
        db.dispose()
