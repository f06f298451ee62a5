"""The Flask application: `create_app()` wires configuration, the database and the blueprints."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

import engine


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("PHEDUYET_SECRET_KEY", os.urandom(32).hex()),
        DATABASE_URL=engine.database_url(),
    )
    if test_config:
        app.config.update(test_config)
    app.extensions["pheduyet.sessions"] = engine.session_factory(
        engine.create_db_engine(app.config["DATABASE_URL"])
    )

    from . import home

    app.register_blueprint(home.bp)
    return app
