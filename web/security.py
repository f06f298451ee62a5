"""Security that applies to every request: headers (a content security policy without inline
scripts), sessions that the server can end, an idle timeout counted from the login, and the
bounds of logging in (the failed-login policy, how many passwords one process hashes at once)."""

from __future__ import annotations

import os
import threading
from datetime import timedelta

from flask import Flask, Response, current_app, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

from engine import LoginPolicy, system_clock

from .session_cookie import CookieSessions

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
IDLE_KEY = "last_seen"
# The idle clock moves on only after this much activity: a session that did not change is not
# signed and sent again, so most requests cost no cookie. The timeout is late by at most this.
IDLE_STEP_SECONDS = 60.0
# The person's session generation when this login was made (engine/users.py): the login holds
# only while the two agree.
GENERATION_KEY = "session_generation"


def init_app(app: Flask) -> None:
    env = os.environ.get
    app.config.setdefault(
        "LOGIN_ADDRESS_ATTEMPTS", int(env("PHEDUYET_LOGIN_ADDRESS_ATTEMPTS", "20"))
    )
    app.config.setdefault("LOGIN_WINDOW", app.config.get("LOGIN_LOCK", timedelta(minutes=15)))
    # Argon2 takes ~0.1 s of both cores and 64 MB per check: a crowd of logins queues here
    # instead of starving the pages of CPU and memory.
    checks = int(env("PHEDUYET_PASSWORD_CHECKS", str(max((os.cpu_count() or 2) - 1, 1))))
    app.config.setdefault("PASSWORD_CHECKS", checks)
    app.config.setdefault("PASSWORD_CHECK_WAIT", timedelta(seconds=60))
    app.extensions["pheduyet.password_checks"] = threading.BoundedSemaphore(
        app.config["PASSWORD_CHECKS"]
    )
    app.after_request(_headers)
    app.before_request(_idle_timeout)
    app.session_interface = CookieSessions()


def login_policy() -> LoginPolicy:
    config = current_app.config
    return LoginPolicy(
        account_attempts=config["LOGIN_ATTEMPTS"],
        address_attempts=config["LOGIN_ADDRESS_ATTEMPTS"],
        window=config["LOGIN_WINDOW"],
        lock=config["LOGIN_LOCK"],
    )


def password_checks() -> threading.BoundedSemaphore:
    gate: threading.BoundedSemaphore = current_app.extensions["pheduyet.password_checks"]
    return gate


def session_now() -> float:
    """The idle timeout's clock. Its own (`SESSION_NOW`, a test may pin it), not `NOW`: a test
    that moves the office's clock by days must not log its people out."""
    pinned = current_app.config.get("SESSION_NOW")
    return (pinned() if pinned else system_clock()).timestamp()


def start_session(generation: int) -> None:
    """A fresh session for a login (no fixation), keeping the language; the idle timeout
    starts now."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    session[GENERATION_KEY] = generation
    session[IDLE_KEY] = session_now()


def end_session() -> None:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang


_SECURITY_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
_NO_STORE = ("Cache-Control", "no-store")


def _headers(response: Response) -> Response:
    """Each header unless the view set its own: the response's headers looked through once
    (six `setdefault`s looked through them six times, on every request)."""
    headers = response.headers
    given = {name.lower() for name, _value in headers}
    wanted = (*_SECURITY_HEADERS, _NO_STORE) if request.endpoint != "static" else _SECURITY_HEADERS
    for name, value in wanted:
        if name.lower() not in given:
            headers.add(name, value)
    return response


def _idle_timeout() -> BaseResponse | None:
    if request.endpoint in ("static", None) or not current_user.is_authenticated:
        return None
    moment = session_now()
    limit: timedelta = current_app.config["IDLE_TIMEOUT"]
    last = session.get(IDLE_KEY)
    # No time at all is no login of ours: the login itself sets it.
    if last is None or moment - float(last) > limit.total_seconds():
        end_session()
        return redirect(url_for("auth.login", expired=1, next=request.full_path))
    if moment - float(last) >= IDLE_STEP_SECONDS:
        session[IDLE_KEY] = moment
    return None
