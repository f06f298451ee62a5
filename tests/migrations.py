"""A test's database taken back to an earlier schema, as an operator's `alembic downgrade` would
take it (`engine.upgrade_database` brings it up again)."""

from __future__ import annotations

from alembic import command
from sqlalchemy.engine import Engine

from engine.migrate import alembic_config


def downgrade(db: Engine, revision: str) -> None:
    """Run the migrations' downgrades to `revision`, in one transaction."""
    config = alembic_config(db.url.render_as_string(hide_password=False))
    with db.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)
