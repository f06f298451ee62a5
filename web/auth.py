"""Logging in and out, and choosing the language.

A login counts itself against the account's and the address's limits (or, from a browser the
person has logged in from before, that browser's own: web.login_devices) first (one short write),
reads the stored hash (a read that takes no lock), and hashes outside any transaction, a few at
a time per process; only a right password writes again. A login holds while the person's session
generation stays what it was: logging out, a new password, a lock or an administrator ends every
copy of the cookie."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import UserMixin, current_user, login_required, login_user
from werkzeug.wrappers import Response

import engine

from .bell import note_unread
from .extensions import LOCALES, login_manager
from .extensions import gettext as _
from .formatting import local
from .login_devices import KnownDevice, known_device, remember_device
from .security import (
    GENERATION_KEY,
    end_session,
    login_policy,
    password_checks,
    start_session,
)
from .session_cookie import REFUSED_KEY
from .unit_of_work import end_request_read, note_directory_token, now, uow

bp = Blueprint("auth", __name__)


class WebUser(UserMixin):  # type: ignore[misc]
    def __init__(self, identity: engine.Identity) -> None:
        self.identity = identity
        self.id = identity.username

    @property
    def display_name(self) -> str:
        return self.identity.display_name


@login_manager.user_loader
def load_user(username: str) -> WebUser | None:
    """Who the cookie speaks for, read once per request, in the request's read transaction
    (never behind the write lock); the request's views take the Identity from here. The bell's
    count comes with it: every page shows it."""
    generation = session.get(GENERATION_KEY)
    if generation is None:
        return None
    with uow(write=False) as s:
        found = engine.signed_in(s, username, generation)
    if found is None:
        return None
    identity, unread, directory = found
    note_unread(unread)
    note_directory_token(s, directory)
    return WebUser(identity)


@bp.teardown_app_request
def _end_read(error: BaseException | None) -> None:
    end_request_read(error)


def _safe_next(target: str | None) -> str:
    """A path on this site, or the inbox: never '//host' or '/\\host', which browsers follow
    to another site, and no control characters (CR/LF would split the redirect's header)."""
    home = url_for("inbox.index")
    if not target or len(target) > 2000 or not target.isprintable():
        return home
    if not target.startswith("/") or target[1:2] in ("/", "\\"):
        return home
    try:
        parts = urlsplit(target)
    except ValueError:
        return home
    if parts.scheme or parts.netloc:
        return home
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    # Flask answers HEAD with every GET view; a HEAD carries no CSRF check, so it must never
    # reach the part that logs in.
    if request.method not in ("GET", "POST"):
        abort(405, valid_methods=["GET", "POST"])
    refused = session.pop(REFUSED_KEY, None)
    if request.args.get("expired"):
        flash(_("Phiên làm việc đã hết hạn do không hoạt động. Hãy đăng nhập lại."), "warning")
    elif refused and request.method == "GET":
        flash(_("Phiên đăng nhập trước đây không còn hiệu lực. Hãy đăng nhập lại."), "warning")
    if request.method == "GET":
        return render_template("auth/login.html", next=_form_next(request.args.get("next")))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = request.remote_addr or "-"
    policy, moment = login_policy(), now()
    check = check_password(
        username,
        password,
        lambda found: engine.upgraded_hash(found, password),
        known_device(username),
    )
    if check.locked is not None:
        return _locked(check, check.locked)
    if check.busy:
        flash(_("Hệ thống đang bận. Xin vui lòng đăng nhập lại sau ít phút."), "error")
        return _login_page(503, check.retry_after)
    found, identity = check.found, None
    if found is not None:
        with uow() as s:
            engine.attempt_succeeded(s, username, address, moment, policy, device=check.device)
            if check.made:
                engine.store_upgraded_hash(s, found, check.made)
            identity = engine.session_identity(s, found.username, found.session_generation)
    if found is None or identity is None:
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        return _login_page(401)
    start_session(found.session_generation)
    login_user(WebUser(identity))
    response = redirect(_safe_next(request.form.get("next")))
    remember_device(response, found.username, check.device, check.made or found.password_hash)
    return response


BUSY_RETRY_SECONDS = 60  # what a refusal for too many queued checks asks a client to wait


@dataclass(frozen=True)
class Lockout:
    """How long a locked account or address waits, as every page that checks a password says
    it: whole `minutes` (at least one), the local `time` it ends (HH:MM) and the `seconds` a
    Retry-After header carries."""

    minutes: int
    time: str
    seconds: int

    @classmethod
    def of(cls, until: datetime, moment: datetime) -> Lockout:
        left = (until - moment).total_seconds()
        at = local(until)
        return cls(
            minutes=max(math.ceil(left / 60), 1),
            time=at.strftime("%H:%M") if at else "",
            seconds=max(math.ceil(left), 1),
        )


@dataclass(frozen=True)
class PasswordCheck:
    """A password checked as a login checks it. `locked`: the account or the address is
    locked, and for how long (nothing was checked); `busy`: too many checks were queued
    (nothing was checked); else `found`, the person's credentials when the password is right
    (None when it is not), and `made`, what the caller's `then` made of the right password.
    `device`: the browser's id when it was counted as one the person logged in from before."""

    locked: Lockout | None = None
    busy: bool = False
    found: engine.Credentials | None = None
    made: str | None = None
    device: str | None = None

    @property
    def retry_after(self) -> dict[str, str]:
        """The Retry-After header of a refused check (429 locked, 503 busy), else none."""
        if self.locked is not None:
            return {"Retry-After": str(self.locked.seconds)}
        return {"Retry-After": str(BUSY_RETRY_SECONDS)} if self.busy else {}


def check_password(
    username: str,
    password: str,
    then: Callable[[engine.Credentials], str | None],
    known: KnownDevice | None = None,
) -> PasswordCheck:
    """Check a password as a login does, wherever one is typed: the attempt counts against the
    account's and the address's limits first (one short write; from the login form of a
    browser the person has logged in from before with the password the account has now,
    `known`, against that browser's own: web.login_devices), so no form can be used to guess;
    the stored hash is read without a lock; the hashing runs outside any transaction, a few at
    a time per process (`password_checks`), and so does `then` (a new hash), only for the
    right password."""
    address, policy, moment = request.remote_addr or "-", login_policy(), now()
    found = _credentials(username) if known is not None else None  # which password it knew
    device = known.id if known and found and known.holds(found.password_hash) else None
    with uow() as s:  # counted before the password is checked: a crowd cannot slip under it
        locked_until = engine.take_attempt(s, username, address, moment, policy, device=device)
    if locked_until is not None:  # refused at once: a flood costs one write a try, no read
        return PasswordCheck(locked=Lockout.of(locked_until, moment))
    if known is None:
        found = _credentials(username)
    end_request_read()  # a crowd queueing for Argon2 must not hold database connections
    checks = password_checks()
    if not checks.acquire(timeout=login_wait_seconds()):
        return PasswordCheck(busy=True)
    try:  # Argon2 outside any transaction
        if not engine.verify_password(found, password) or found is None:
            return PasswordCheck()
        return PasswordCheck(found=found, made=then(found), device=device)
    finally:
        checks.release()


def _credentials(username: str) -> engine.Credentials | None:
    with uow(write=False) as s:
        return engine.credentials(s, username)


def login_wait_seconds() -> float:
    return float(current_app.config["PASSWORD_CHECK_WAIT"].total_seconds())


def _form_next(target: str | None) -> str:
    """The `next` the login form carries along: only one that is safe to go to."""
    return target if target and _safe_next(target) == target else ""


def _login_page(status: int, headers: dict[str, str] | None = None) -> Any:
    """The login page again, the name typed kept (only the password is typed again)."""
    typed = (request.form.get("username") or "").strip()[:150]
    page = render_template(
        "auth/login.html", next=_form_next(request.form.get("next")), username=typed
    )
    return page, status, headers or {}


def _locked(check: PasswordCheck, lock: Lockout) -> Any:
    flash(
        _(
            "Đăng nhập sai quá nhiều lần. Hãy thử lại sau %(minutes)s phút (từ %(time)s).",
            minutes=lock.minutes,
            time=lock.time,
        ),
        "error",
    )
    return _login_page(429, check.retry_after)


@bp.post("/logout")
@login_required  # type: ignore[misc]
def logout() -> Response:
    """Ends this person's sessions everywhere: a copy of the cookie stops working too."""
    with uow() as s:
        engine.end_sessions(s, current_user.identity.username)
    end_session()
    return redirect(url_for("auth.login"))


@bp.post("/lang/<code>")
def set_language(code: str) -> Response:
    if code in LOCALES:
        session["lang"] = code
    return redirect(_back())


def _back() -> str:
    ref = request.referrer
    if ref and urlsplit(ref).netloc == request.host:
        parts = urlsplit(ref)
        return _safe_next(parts.path + (f"?{parts.query}" if parts.query else ""))
    return url_for("inbox.index")
