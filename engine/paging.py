"""Keyset paging: the sort values of a page's last row, carried in a URL as an opaque cursor.

A cursor only says where the next page starts; whatever it holds, the listing's own filters
and permissions still apply, so a forged one can show nothing it would not show anyway. A
cursor that does not decode is no cursor at all (the first page), never an error page."""

from __future__ import annotations

import binascii
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from .unpadded_base64 import unpadded_b64decode, unpadded_b64encode

PAGE_SIZE = 50
MAX_CURSOR = 1000  # characters: a longer one is not ours


def encode_cursor(values: tuple[Any, ...]) -> str:
    """Sort values (datetime, int, str, None) as a URL-safe text."""
    plain = [v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v for v in values]
    raw = json.dumps(plain, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return unpadded_b64encode(raw)


def decode_cursor(text: str | None, types: Sequence[type]) -> tuple[Any, ...] | None:
    """The values of `encode_cursor`, each checked against its type; None for anything else."""
    if not text or len(text) > MAX_CURSOR:
        return None
    try:
        raw = unpadded_b64decode(text)
        values = json.loads(raw.decode("utf-8"))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != len(types):
        return None
    found: list[Any] = []
    for value, kind in zip(values, types, strict=True):
        parsed = _parse(value, kind)
        if parsed is None:
            return None
        found.append(parsed)
    return tuple(found)


def _parse(value: Any, kind: type) -> Any:
    if kind is datetime:
        if not isinstance(value, str):
            return None
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo is not None else None
    if kind is int:
        # A database integer: bool is an int to Python, not to us.
        ok = isinstance(value, int) and not isinstance(value, bool)
        return value if ok and -(2**63) <= value < 2**63 else None
    if kind is str:
        return value if isinstance(value, str) and len(value) <= MAX_CURSOR else None
    return None
