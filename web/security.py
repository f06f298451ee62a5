"""Security that applies to every request: headers (a content security policy without inline
scripts), an idle timeout, and a limit on failed logins."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from datetime import timedelta

from flask import Flask, Response, current_app, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.wrappers import Response as BaseResponse

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
IDLE_KEY = "last_seen"


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    app.before_request(_idle_timeout)
    app.extensions["pheduyet.login_limiter"] = LoginLimiter()


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def _idle_timeout() -> BaseResponse | None:
    if request.endpoint in ("static", None) or not current_user.is_authenticated:
        return None
    now = time.time()
    limit: timedelta = current_app.config["IDLE_TIMEOUT"]
    last = session.get(IDLE_KEY)
    if last is not None and now - float(last) > limit.total_seconds():
        logout_user()
        session.clear()
        return redirect(url_for("auth.login", expired=1, next=request.full_path))
    session[IDLE_KEY] = now
    return None


class LoginLimiter:
    """Counts failed logins per username and per address in this process; too many in a row
    lock that name or address out for a while. (Per process: behind several workers the
    effective limit is multiplied by their number.)"""

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, window: float, now: float) -> deque[float]:
        failures = self._failures[key]
        while failures and now - failures[0] > window:
            failures.popleft()
        return failures

    def locked(self, keys: list[str]) -> bool:
        window = current_app.config["LOGIN_LOCK"].total_seconds()
        limit = current_app.config["LOGIN_ATTEMPTS"]
        now = time.time()
        with self._lock:
            return any(len(self._recent(k, window, now)) >= limit for k in keys)

    def failed(self, keys: list[str]) -> None:
        now = time.time()
        with self._lock:
            for key in keys:
                self._failures[key].append(now)

    def succeeded(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._failures.pop(key, None)
