"""Texts compared in SQL the way people type them: without regard to case (SQLite's lower()
and LIKE fold ASCII only: each connection is given Python's), and, for words typed without
diacritics, without regard to them either ("lua gao" finds "Lúa gạo"; "nấm" typed with them
finds "nấm", not "năm"). One home for Theo dõi's text filter and the search's words."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, func
from sqlalchemy.orm import Session


@lru_cache(maxsize=8192)
def fold_char(char: str) -> str:
    """A character lower-cased without diacritics (đ: d), one for one, so positions in a
    folded text are positions in the original; anything but a letter or digit: a space."""
    if char in "đĐ":
        return "d"
    plain = [c for c in unicodedata.normalize("NFKD", char.lower()) if not unicodedata.combining(c)]
    return plain[0] if plain and plain[0].isalnum() else " "


def _accented() -> tuple[str, str]:
    """Every lower-case Latin letter with diacritics (Vietnamese's among them), and the letter
    `fold_char` makes of it, as two texts for SQL's translate()."""
    pairs = [(chr(code), fold_char(chr(code))) for code in range(0x00C0, 0x1F00)]
    kept = [
        (char, base)
        for char, base in pairs
        if char.islower() and base != char and base.isascii() and base.isalpha()
    ]
    return "".join(c for c, _ in kept), "".join(b for _, b in kept)


_ACCENTED, _PLAIN = _accented()
_TO_PLAIN = str.maketrans(_ACCENTED, _PLAIN)


def plain(text: str) -> str:
    """Lower case, without diacritics (typed composed or not: Unikey's "Unicode tổ hợp"
    writes the marks apart)."""
    return unicodedata.normalize("NFC", text).lower().translate(_TO_PLAIN)


def typed_plain(text: str) -> bool:
    """Typed without diacritics: it finds what is written with or without them."""
    return plain(text) == unicodedata.normalize("NFC", text).lower()


def with_text_functions(session: Session) -> bool:
    """On SQLite, give this connection `pheduyet_lower` and `pheduyet_plain` (Python's), which
    a statement built once and kept may name: call it before each such statement runs.
    Returns whether the database is SQLite."""
    if session.get_bind().dialect.name != "sqlite":
        return False
    raw: Any = session.connection().connection.driver_connection
    raw.create_function("pheduyet_lower", 1, _lower, deterministic=True)
    raw.create_function("pheduyet_plain", 1, _plain_value, deterministic=True)
    return True


def lowered(sqlite: bool, column: Any) -> ColumnElement[str]:
    """The column in lower case, every letter's (SQLite: after `with_text_functions`)."""
    return func.pheduyet_lower(column) if sqlite else func.lower(column)


def plained(sqlite: bool, column: Any) -> ColumnElement[str]:
    """The column in lower case without diacritics (SQLite: after `with_text_functions`)."""
    if sqlite:
        return func.pheduyet_plain(column)
    return func.translate(func.lower(column), _ACCENTED, _PLAIN)


def _lower(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _plain_value(value: Any) -> Any:
    return plain(value) if isinstance(value, str) else value
