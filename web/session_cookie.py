"""The session cookie: what Flask's holds (who is logged in, the form token, the language, the
message a form leaves for the next page), signed so that it cannot be forged or altered.

Flask's own signs it through itsdangerous: each value tagged with its type, the JSON compressed,
a signer and its key made again, HMAC-SHA1. Every request reads the cookie, and most write it
back (a form's message is put in for the next page and taken out by it): about 4 % of an item's
instructions in `bench/instructions.py`, for a few hundred bytes. This does the same job in
about a fifth of the instructions:

    base64url(JSON [second signed, session]) "." base64url(MAC)

The MAC is keyed BLAKE2b (RFC 7693, a MAC by design; 32 bytes), under a key made from the
secret key for this use alone (HMAC-SHA512 of a label); it is checked, in constant time, before
anything of the cookie is parsed. The first of SECRET_KEY and SECRET_KEY_FALLBACKS signs; any
of them is accepted (a rotated key keeps its people logged in). A cookie older than the
session's lifetime is refused, as Flask's is. A session holds JSON's kinds only: text, numbers,
true and false, lists (a tuple comes back a list) and mappings with text keys.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import time
from base64 import urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Mapping
from typing import Any

import orjson
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature, SignatureExpired

_LABEL = b"pheduyet session cookie"
_MAC_BYTES = 32


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


class SessionSigner:
    """What Flask asks of a session's serializer: `dumps` a session to its cookie, `loads` it
    back, raising itsdangerous's `BadSignature` for a cookie this site did not sign as it
    stands (`SignatureExpired` for one older than `max_age` seconds)."""

    def __init__(self, secrets: tuple[str | bytes | None, ...]) -> None:
        self._keys = tuple(_cookie_key(s) for s in secrets if s)

    def dumps(self, session: Mapping[str, Any]) -> str:
        body = _encode(orjson.dumps([int(time.time()), session]))
        return f"{body}.{_encode(_mac(self._keys[0], body.encode()))}"

    def loads(self, cookie: str, max_age: int | None = None) -> dict[str, Any]:
        body, _dot, given = cookie.rpartition(".")
        try:
            signed = body.encode("ascii")
            mac = _decode(given)
        except (UnicodeEncodeError, binascii.Error, ValueError):
            raise BadSignature("not a session cookie") from None
        if not any(hmac.compare_digest(_mac(key, signed), mac) for key in self._keys):
            raise BadSignature("the session cookie's signature does not match")
        # Signed here, so made by `dumps`: its shape is known.
        signed_at, session = orjson.loads(_decode(body))
        if max_age is not None and time.time() - signed_at > max_age:
            raise SignatureExpired("the session cookie is too old")
        data: dict[str, Any] = session
        return data


def _cookie_key(secret: str | bytes) -> bytes:
    raw = secret.encode() if isinstance(secret, str) else secret
    return hmac.digest(raw, _LABEL, "sha512")  # 64 bytes: BLAKE2b's longest key


def _mac(key: bytes, signed: bytes) -> bytes:
    return hashlib.blake2b(signed, key=key, digest_size=_MAC_BYTES).digest()


def _encode(raw: bytes) -> str:
    return urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _decode(text: str) -> bytes:
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))
