"""Browsers a person has logged in from before: a signed cookie that names the accounts
logged in from this browser, each with a random id and a fingerprint of the password it was
logged in with, so that the login limits count that browser on its own (engine.login_limits).
It proves nothing in place of the password; it only keeps a person's own browser out of the
locks that others' failures set: a guesser who locks the account, or a crowd of failures
behind the office's one address. A new password (changed, or reset by an administrator) makes
every such browser a stranger again until it logs in with the new one."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from werkzeug.wrappers import Response

COOKIE = "pheduyet_device"
_SALT = "pheduyet.login-device"
MAX_NAMES = 5  # people who share one office computer
MAX_AGE_S = 365 * 24 * 3600
_ID_CHARS = 32
_PRINT_CHARS = 16


@dataclass(frozen=True)
class KnownDevice:
    """This browser as a cookie remembers it for one account."""

    id: str
    fingerprint: str

    def holds(self, password_hash: str | None) -> bool:
        """Whether it was remembered with the password the account has now."""
        return password_hash is not None and secrets.compare_digest(
            self.fingerprint, fingerprint(password_hash)
        )


def fingerprint(password_hash: str) -> str:
    """A short digest of the stored hash: it changes with the password."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:_PRINT_CHARS]


def _serializer() -> URLSafeTimedSerializer:
    config = current_app.config
    keys = [*config.get("SECRET_KEY_FALLBACKS", ()), config["SECRET_KEY"]]  # signs with the last
    return URLSafeTimedSerializer(keys, salt=_SALT)


def _entries() -> list[tuple[str, KnownDevice]]:
    """The (account, device) pairs of this browser's cookie; none for a missing, forged,
    expired or malformed one."""
    cookie = request.cookies.get(COOKIE)
    if not cookie or len(cookie) > 4000:
        return []
    try:
        value: Any = _serializer().loads(cookie, max_age=MAX_AGE_S)
    except BadSignature:
        return []
    if not isinstance(value, list):
        return []
    found = []
    for entry in value[:MAX_NAMES]:
        if not isinstance(entry, list) or len(entry) != 3:
            continue
        name, device, printed = entry
        if isinstance(name, str) and _is_hex(device, _ID_CHARS) and _is_hex(printed, _PRINT_CHARS):
            found.append((name, KnownDevice(device, printed)))
    return found


def _is_hex(value: Any, length: int) -> bool:
    return (
        isinstance(value, str)
        and len(value) == length
        and all(c in "0123456789abcdef" for c in value)
    )


def known_device(username: str) -> KnownDevice | None:
    """This browser as remembered for the account (its name exactly as the account has it:
    names are told apart by case), if the person has logged in to it from here."""
    name = username.strip()
    return next((device for known, device in _entries() if known == name), None)


def remember_device(
    response: Response, username: str, device: str | None, password_hash: str | None
) -> None:
    """After a right password: this browser is known for the account from now on (its id
    kept, or a new one), with the password's fingerprint, the latest account first, at most
    MAX_NAMES of them."""
    if password_hash is None:
        return
    entry = [username, device or secrets.token_hex(_ID_CHARS // 2), fingerprint(password_hash)]
    others = [[known, d.id, d.fingerprint] for known, d in _entries() if known != username]
    response.set_cookie(
        COOKIE,
        _serializer().dumps([entry, *others][:MAX_NAMES]),
        max_age=MAX_AGE_S,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
