"""Logging in and out, and choosing the language."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import UserMixin, login_required, login_user, logout_user
from werkzeug.wrappers import Response

import engine

from .extensions import LOCALES, login_manager
from .unit_of_work import uow

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
    try:
        with uow() as session:
            return WebUser(engine.get_identity(session, username))
    except engine.NotFound:
        return None


def _safe_next(target: str | None) -> str:
    """A path on this site, or the inbox: never '//host' or '/\\host', which browsers follow
    to another site."""
    if not target:
        return url_for("inbox.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target[1:2] in ("/", "\\"):
        return url_for("inbox.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if request.args.get("expired"):
        flash(_("Phiên làm việc đã hết hạn do không hoạt động. Hãy đăng nhập lại."), "warning")
    if request.method == "GET":
        return render_template("auth/login.html", next=request.args.get("next", ""))
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    limiter = current_app.extensions["pheduyet.login_limiter"]
    # Per name and address: one person's typos never lock the rest of an office behind one NAT.
    keys = [f"user:{username.lower()}@{request.remote_addr}"]
    if limiter.locked(keys):
        flash(_("Đăng nhập sai quá nhiều lần. Hãy thử lại sau 15 phút."), "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 429
    with uow() as s:
        identity = engine.check_password(s, username, password) if username else None
    if identity is None:
        limiter.failed(keys)
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        return render_template("auth/login.html", next=request.form.get("next", "")), 401
    limiter.succeeded(keys)
    lang = session.get("lang")
    session.clear()  # a fresh session on login: no fixation
    if lang:
        session["lang"] = lang
    login_user(WebUser(identity))
    return redirect(_safe_next(request.form.get("next")))


@bp.post("/logout")
@login_required  # type: ignore[misc]
def logout() -> Response:
    lang = session.get("lang")
    logout_user()
    session.clear()
    if lang:
        session["lang"] = lang
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
