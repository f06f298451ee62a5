"""Base64url without its '=' padding: bytes as text that a URL or a cookie carries unchanged
(a listing's cursor, engine/paging.py; the session cookie, web/session_cookie.py)."""

from __future__ import annotations

from base64 import urlsafe_b64decode, urlsafe_b64encode


def unpadded_b64encode(raw: bytes) -> str:
    return urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def unpadded_b64decode(text: str) -> bytes:
    """The bytes of `unpadded_b64encode`'s text; binascii.Error (a ValueError) for text that
    is not base64url, and ValueError for text that is not ASCII."""
    return urlsafe_b64decode(text + "=" * (-len(text) % 4))
