"""Browsers a person has logged in from before: a signed cookie that names the accounts
logged in from this browser, each with a random id, so that the login limits count that
browser on its own (engine.login_limits). It proves nothing in place of the password; it only
keeps a person's own browser out of the locks that others' failures set: a guesser who locks
the account, or a crowd of failures behind the office's one address."""

from __future__ import annotations

import secrets
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "pheduyet_device"
_SALT = "pheduyet.login-device"
MAX_NAMES = 5  # people who share one office computer
MAX_AGE_S = 365 * 24 * 3600
_ID_CHARS = 32


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    keys = [*config.get("SECRET_KEY_FALLBACKS", ()), config["SECRET_KEY"]]  # signs with the last
    return URLSafeTimedSerializer(keys, salt=_SALT)


def _entries() -> list[tuple[str, str]]:
    """The (account, id) pairs of this browser's cookie; none for a missing, forged, expired
    or malformed one."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or len(cookie) > 2000:
        return []
    try:
        value: Any = _serializer().loads(cookie, max_age=MAX_AGE_S)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    return [
        (name, device)
        for name, device in (e for e in value if isinstance(e, list) and len(e) == 2)
        if isinstance(name, str) and isinstance(device, str) and _is_id(device)
    ][:MAX_NAMES]


def _is_id(device: str) -> bool:
    return len(device) == _ID_CHARS and all(c in "0123456789abcdef" for c in device)


def _name(username: str) -> str:
    return username.strip().casefold()


def trusted_device(username: str) -> str | None:
    """This browser's id for the account, if the person has logged in to it from here."""
    name = _name(username)
    return next((device for known, device in _entries() if known == name), None)


def remember_device(response: Response, username: str, device: str | None) -> None:
    """After a right password: this browser is known for the account from now on (its id
    kept, or a new one), the latest account first, at most MAX_NAMES of them."""
    name = _name(username)
    entry = [name, device or secrets.token_hex(_ID_CHARS // 2)]
    others = [[known, kept] for known, kept in _entries() if known != name]
    response.set_cookie(
        COOKIE,
        _serializer().dumps([entry, *others][:MAX_NAMES]),
        max_age=MAX_AGE_S,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
