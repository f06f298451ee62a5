"""The Flask application: `create_app()` wires configuration, the database, security and the
blueprints, the way Flask's tutorial does."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import engine
from workflows.config import audit_key, event_listeners

from . import errors, formatting, security
from .extensions import csrf, init_babel, login_manager
from .localized_templates import LocalizedEnvironment

MAX_UPLOAD_BYTES = engine.DEFAULT_MAX_ATTACHMENT_BYTES  # as the command line takes them


def earlier_keys(setting: str | None) -> list[str]:
    """PHEDUYET_SECRET_KEY_FALLBACKS: the keys a site signed with before its current one,
    comma-separated, still taken for the cookies they signed (a rotated key logs no one out);
    what is signed from then on is signed with PHEDUYET_SECRET_KEY alone."""
    return [key.strip() for key in (setting or "").split(",") if key.strip()]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_path=str(Path.cwd() / "instance"))
    app.jinja_environment = LocalizedEnvironment  # type: ignore[assignment]
    app.config.from_mapping(
        SECRET_KEY=os.environ.get("PHEDUYET_SECRET_KEY") or os.urandom(32).hex(),
        SECRET_KEY_FALLBACKS=earlier_keys(os.environ.get("PHEDUYET_SECRET_KEY_FALLBACKS")),
        DATABASE_URL=engine.database_url(),
        UPLOAD_FOLDER=os.environ.get("PHEDUYET_UPLOAD_FOLDER")
        or str(Path(app.instance_path) / "attachments"),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES + 64 * 1024,
        MAX_ATTACHMENT_BYTES=MAX_UPLOAD_BYTES,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("PHEDUYET_SECURE_COOKIES", "0") == "1",
        REMEMBER_COOKIE_HTTPONLY=True,
        IDLE_TIMEOUT=timedelta(minutes=int(os.environ.get("PHEDUYET_IDLE_MINUTES", "30"))),
        LOGIN_ATTEMPTS=5,
        LOGIN_LOCK=timedelta(minutes=15),
        BABEL_DEFAULT_LOCALE="vi",
        BABEL_DEFAULT_TIMEZONE="Asia/Ho_Chi_Minh",
        WTF_CSRF_TIME_LIMIT=None,
        NOW=None,  # tests may pin the clock: a callable returning an aware datetime
        AUDIT_KEY=audit_key(),
        # Reverse proxies in front (nginx: 1); their X-Forwarded-* headers are believed for
        # that many hops, so the login limits count the client's address, not the proxy's.
        TRUSTED_PROXIES=int(os.environ.get("PHEDUYET_TRUSTED_PROXIES") or 0),
    )
    if test_config:
        app.config.update(test_config)
    elif not os.environ.get("PHEDUYET_SECRET_KEY"):
        app.logger.warning(
            "PHEDUYET_SECRET_KEY is not set: logins end at every restart and several workers "
            "would not share sessions; set it in production"
        )
    if app.config["AUDIT_KEY"] is None:
        app.logger.warning(
            "PHEDUYET_AUDIT_KEY (or PHEDUYET_AUDIT_KEY_FILE) is not set: the audit trail is "
            "sealed with the public SHA-256 recipe, so someone with SQL access could rewrite it "
            "undetected; set a key in production"
        )
    if hops := app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.extensions["pheduyet.sessions"] = engine.bind_listeners(
        engine.bind_audit_key(
            engine.session_factory(engine.create_db_engine(app.config["DATABASE_URL"])),
            app.config["AUDIT_KEY"],
        ),
        event_listeners(),
    )
    login_manager.init_app(app)
    csrf.init_app(app)
    init_babel(app)
    security.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)

    from . import admin, admin_bodies, auth, inbox, items, monitor, plan_import, search

    for blueprint in (auth.bp, inbox.bp, items.bp, monitor.bp, admin.bp, search.bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(plan_import.bp)
    app.register_blueprint(admin_bodies.bp)
    from . import registers

    app.register_blueprint(registers.bp)
    from . import admin_webhooks

    app.register_blueprint(admin_webhooks.bp)
    from . import api, api_tokens

    api.init_app(app)
    app.register_blueprint(api_tokens.bp)
    from . import admin_mail, bell, profile

    for blueprint in (profile.bp, bell.bp, admin_mail.bp):
        app.register_blueprint(blueprint)
    return app
