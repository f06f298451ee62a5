"""Flask extensions, created once and bound to each app in create_app."""

from __future__ import annotations

from flask import session
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect

LOCALES = ("vi", "en")

babel = Babel()
csrf = CSRFProtect()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = None
login_manager.session_protection = "strong"


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in LOCALES:
        return str(chosen)
    return "vi"
