"""The session cookie: what Flask's holds (who is logged in, the form token, the language, the
messages a form leaves for the next page), signed so that it cannot be forged or altered.

Flask's own signs it through itsdangerous: each value tagged with its type, the JSON compressed
whatever its size, a signer and its key made again, HMAC-SHA1. Every request reads the cookie,
and most write it back (a form's message is put in for the next page and taken out by it):
about 3 % of an item's instructions in `bench/instructions.py`. This does the same job in about
a fifth of the instructions:

    FORM base64url(JSON [second signed, session]) "." base64url(MAC)

FORM is `j`, or `z` when the JSON, at least `_COMPRESS_FROM` bytes, is stored compressed (a
browser drops a cookie over 4 KB without a word: an upload of 25 files leaves 25 messages).
The MAC is keyed BLAKE2b (RFC 7693, a MAC by design; 32 bytes) of all before the dot, under a
key made from the secret key for this use alone (HMAC-SHA512 of a label no user name can
spell); it is compared as text, in constant time, before anything of the cookie is read, so one
cookie has one spelling. SECRET_KEY signs; SECRET_KEY_FALLBACKS are accepted too (a rotated key
keeps its people logged in). A cookie older than the session's lifetime is refused, as Flask's
is, and so is one signed more than `_SKEW_SECONDS` ahead of this server's clock.

A session holds JSON's kinds: text, numbers, true and false, lists (a tuple comes back a list)
and mappings with text keys; a value of another kind is kept as its text (`str`), never a
failure after the request's work is done. Flask's cookies, and these before a change of FORM,
read as no session: the person logs in again, and the login page says why (`REFUSED_KEY`).
"""

from __future__ import annotations

import hashlib
import hmac
import time
import zlib
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired

from engine import unpadded_b64decode, unpadded_b64encode

# With a NUL first: Flask-Login signs a user name with HMAC-SHA512 of the same secret key, and
# no user name holds a control character.
_LABEL = b"\x00pheduyet/session-cookie/1"
_MAC_BYTES = 32
_PLAIN, _COMPRESSED = "j", "z"
_COMPRESS_FROM = 512  # bytes of JSON; a login's session is about 330
_SKEW_SECONDS = 60  # servers' clocks may differ by this much
# Put in the new session that replaces a refused cookie: the login page tells the person their
# earlier session no longer holds (a key changed, an upgrade, a cookie too old or altered),
# where a login page without a word would look like a fault.
REFUSED_KEY = "_refused"


class CookieSessions(SecureCookieSessionInterface):
    """Flask's cookie sessions (its cookie's name, flags, lifetime and when it is sent), with
    `SessionSigner` in place of itsdangerous, made once for each set of keys."""

    _made: tuple[tuple[Any, ...], SessionSigner | None] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._made
        if made is None or made[0] != keys:
            # No secret key, no session (Flask's own says so with None, as here).
            made = self._made = (keys, SessionSigner(keys) if app.secret_key else None)
        return made[1]

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask's, but a cookie that came and was refused leaves `REFUSED_KEY` in the new
        session (sent back with the answer, a redirect to the login page mostly). A cookie
        that reads as no session was refused: Flask writes none for an empty session."""
        session = super().open_session(app, request)
        if session is not None and not session and request.cookies.get(self.get_cookie_name(app)):
            session[REFUSED_KEY] = True
        return session


class SessionSigner:
    """What Flask asks of a session's serializer: `dumps` a session to its cookie, `loads` it
    back, raising itsdangerous's `BadSignature` for a cookie this site did not sign as it
    stands (`SignatureExpired` for one older than `max_age` seconds)."""

    def __init__(self, secrets: tuple[str | bytes | None, ...]) -> None:
        self._keys = tuple(_cookie_key(s) for s in secrets if s)

    def dumps(self, session: Mapping[str, Any]) -> str:
        raw = orjson.dumps([int(time.time()), session], default=str)
        form = _PLAIN
        if len(raw) >= _COMPRESS_FROM:
            squeezed = zlib.compress(raw)
            if len(squeezed) < len(raw):
                form, raw = _COMPRESSED, squeezed
        body = form + unpadded_b64encode(raw)
        return f"{body}.{unpadded_b64encode(_mac(self._keys[0], body.encode()))}"

    def loads(self, cookie: str, max_age: int | None = None) -> dict[str, Any]:
        body, _dot, given = cookie.rpartition(".")
        try:
            signed, mac = body.encode("ascii"), given.encode("ascii")
        except UnicodeEncodeError:
            raise BadSignature("not a session cookie") from None
        if not any(
            hmac.compare_digest(unpadded_b64encode(_mac(key, signed)).encode(), mac)
            for key in self._keys
        ):
            raise BadSignature("the session cookie's signature does not match")
        try:
            signed_at, session = _read(body)
        except (ValueError, TypeError, zlib.error):
            # Signed with this site's key in another form (a later or earlier release).
            raise BadSignature("a session cookie of another form") from None
        now = time.time()
        if signed_at > now + _SKEW_SECONDS:
            raise BadSignature("a session cookie signed ahead of this server's clock")
        if max_age is not None and now - signed_at > max_age:
            raise SignatureExpired("the session cookie is too old")
        return session


def _read(body: str) -> tuple[int, dict[str, Any]]:
    raw = unpadded_b64decode(body[1:])
    if body[:1] == _COMPRESSED:
        raw = zlib.decompress(raw)
    elif body[:1] != _PLAIN:
        raise ValueError(body[:1])
    signed_at, session = orjson.loads(raw)
    if not isinstance(signed_at, int) or not isinstance(session, dict):
        raise TypeError("not a session")
    return signed_at, session


def _cookie_key(secret: str | bytes) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.digest(raw, _LABEL, "sha512")  # 64 bytes: BLAKE2b's longest key


def _mac(key: bytes, signed: bytes) -> bytes:
    return hashlib.blake2b(signed, key=key, digest_size=_MAC_BYTES).digest()
