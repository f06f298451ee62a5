"""What a name of a person or a group may hold: printable text a colleague can read as it is.

Refused, with a code the web and the CLI translate: control characters (NUL among them, which
PostgreSQL cannot store at all), the invisible controls that reverse the direction of the text
around them (a name that reads as someone else's), runs of combining marks that pile up over
the lines around them, and more characters than the column holds. Vietnamese needs at most two
combining marks on a letter, even when typed decomposed (e + U+0323 + U+0302 for "ệ")."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from typing import NoReturn

from .errors import InvalidInput

# Embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) and the direction marks.
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
    + ["\u200e", "\u200f", "\u061c"]
)
MAX_COMBINING_RUN = 3
KEY_LENGTH = 100  # usernames, group and unit keys
NAME_LENGTH = 300  # display names, group names

INVALID_NAME = "invalid_name"


def check_name(value: str, field: str, max_length: int = NAME_LENGTH) -> str:
    """`value` if it may be stored as a name, else InvalidInput with details ``reason``
    (``invalid_name``), ``field`` (as given) and ``problem``: ``control_character``,
    ``bidi_control``, ``combining_marks`` or ``too_long``."""
    run = 0
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs"):
            _refuse(field, "control_character", f"holds the control character U+{ord(char):04X}")
        if char in BIDI_CONTROLS:
            _refuse(field, "bidi_control", f"holds the text-direction control U+{ord(char):04X}")
        run = run + 1 if category.startswith("M") else 0
        if run > MAX_COMBINING_RUN:
            _refuse(
                field,
                "combining_marks",
                f"has more than {MAX_COMBINING_RUN} combining marks on one character",
            )
    if len(value) > max_length:
        _refuse(field, "too_long", f"is longer than {max_length} characters", limit=max_length)
    return value


def printable(text: str) -> str:
    """`text` without what `check_name` refuses as invisible or unstorable, for words taken as
    they come (an item's title) rather than refused: control characters (a tab or a line break
    becomes a space), the controls that reverse the text's direction, halves of surrogate
    pairs."""
    return text.translate(_NOT_PRINTED)


_NOT_PRINTED: dict[int, str | None] = {
    **dict.fromkeys(map(ord, BIDI_CONTROLS)),
    **dict.fromkeys([*range(0x20), 0x7F, *range(0x80, 0xA0), *range(0xD800, 0xE000)]),
    **{ord(char): " " for char in "\t\n\r"},
}


def _refuse(field: str, problem: str, what: str, **extra: int) -> NoReturn:
    raise InvalidInput(
        f"the {field.replace('_', ' ')} {what}",
        reason=INVALID_NAME,
        field=field,
        problem=problem,
        **extra,
    )


_KEYS = frozenset({"username", "group_key", "unit", "groups"})


def check_names(**fields: str | Sequence[str] | None) -> None:
    """`check_name` on each given value (None skipped; `groups` is a list of keys): keys
    (username, group_key, unit, groups) up to KEY_LENGTH characters, names up to NAME_LENGTH."""
    for field, value in fields.items():
        limit = KEY_LENGTH if field in _KEYS else NAME_LENGTH
        values = [value] if isinstance(value, str) else list(value or ())
        for one in values:
            check_name(one, "group" if field == "groups" else field, limit)
