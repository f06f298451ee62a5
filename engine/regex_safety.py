"""A static check of a regular expression from outside (a form's `pattern`): Python's `re` has no
time limit, so a pattern that can backtrack exponentially is refused before it is ever run.

Inside a repetition, a part of variable length must not be able to give characters to what may
come right after it in the same round or the next one (``(a+)+``, ``(a*)*``, ``([a-z]+ ?)*``),
and alternatives must not be able to match the same text (``(a|a)*``, ``(a|b|ab)*``): each is a
choice the matcher may try both ways, once per round. ``(\\.[a-z]+)*`` and ``(\\d{1,3}\\.){3}``
pass: a separator settles each round. The check errs on the side of refusing; a refused pattern
can always be written without the ambiguity (``a+``, ``[a-z ]*``)."""

from __future__ import annotations

import re
import string
from re import _constants as sre  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

MAX_PATTERN_LENGTH = 1000
# Characters the sets are judged on: enough to tell the usual classes apart.
_ALPHABET = frozenset(
    string.ascii_letters
    + string.digits
    + string.punctuation
    + " \t\n\r\u00a0"
    + "ăâđêôơưĂÂĐÊÔƠƯáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ"
    + "\u0301\u0300\u2028\uff10"
)
_REPEATS = {sre.MAX_REPEAT, sre.MIN_REPEAT, getattr(sre, "POSSESSIVE_REPEAT", sre.MAX_REPEAT)}
_GROUPS = {sre.SUBPATTERN, getattr(sre, "ATOMIC_GROUP", sre.SUBPATTERN)}
_NESTED = "a repetition inside a repetition (like (a+)+) can take exponential time"
_OVERLAP = (
    "alternatives that can match the same text, repeated (like (a|a)*), can take exponential time"
)


def catastrophic_reason(pattern: str) -> str | None:
    """Why the pattern may take exponential time on some text, or None if it is safe."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        return f"the pattern is longer than {MAX_PATTERN_LENGTH} characters"
    try:
        parsed = sre_parse.parse(pattern)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a valid regular expression ({exc})"
    ignore_case = bool(parsed.state.flags & re.IGNORECASE)
    return _scan(list(parsed), ignore_case, None)


def _scan(items: list[Any], ignore_case: bool, after: set[str] | None) -> str | None:
    """Walk a sequence. `after` is None outside any repetition; inside one, the characters that
    may come right after the sequence (the rest of the round, or the next round)."""
    for index, (op, arg) in enumerate(items):
        follow: set[str] | None = None
        if after is not None:
            rest, rest_nullable = _first(items[index + 1 :], ignore_case)
            follow = rest | after if rest_nullable else rest
        found = _scan_one(op, arg, ignore_case, follow)
        if found:
            return found
    return None


def _scan_one(op: Any, arg: Any, ignore_case: bool, follow: set[str] | None) -> str | None:
    if op in _REPEATS:
        low, high, body = arg
        body = list(body)
        if follow is not None and low != high and _consumes(body, ignore_case) & follow:
            return _NESTED
        if high < 2:
            return _scan(body, ignore_case, follow)
        # Repeated: a round may be followed by another round as well as by what follows.
        again = _first(body, ignore_case)[0]
        return _scan(body, ignore_case, again | (follow or set()))
    if op == sre.BRANCH:
        alternatives = [list(a) for a in arg[1]]
        if follow is not None and _alternatives_overlap(alternatives, ignore_case):
            return _OVERLAP
        for alternative in alternatives:
            found = _scan(alternative, ignore_case, follow)
            if found:
                return found
        return None
    if op in _GROUPS:
        body, case = _group_body(op, arg, ignore_case)
        return _scan(body, case, follow)
    if op in (sre.ASSERT, sre.ASSERT_NOT):
        return _scan(list(arg[1]), ignore_case, None if follow is None else set(_ALPHABET))
    if op == sre.GROUPREF_EXISTS:
        for branch in arg[1:]:
            found = _scan(list(branch), ignore_case, follow) if branch is not None else None
            if found:
                return found
    return None


def _consumes(items: list[Any], ignore_case: bool) -> set[str]:
    """Every character some part of the sequence may match."""
    chars: set[str] = set()
    for op, arg in items:
        if op in (sre.LITERAL, sre.NOT_LITERAL, sre.ANY, sre.IN):
            chars |= _first_of(op, arg, ignore_case)[0]
        elif op in _REPEATS:
            chars |= _consumes(list(arg[2]), ignore_case)
        elif op == sre.BRANCH:
            for alternative in arg[1]:
                chars |= _consumes(list(alternative), ignore_case)
        elif op in _GROUPS:
            body, case = _group_body(op, arg, ignore_case)
            chars |= _consumes(body, case)
        elif op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        else:
            chars |= _ALPHABET
    return chars


def _group_body(op: Any, arg: Any, ignore_case: bool) -> tuple[list[Any], bool]:
    if op == sre.SUBPATTERN:
        _group, add_flags, del_flags, body = arg
        if add_flags & re.IGNORECASE:
            ignore_case = True
        if del_flags & re.IGNORECASE:
            ignore_case = False
        return list(body), ignore_case
    return list(arg), ignore_case


def _alternatives_overlap(alternatives: list[list[Any]], ignore_case: bool) -> bool:
    """Whether two alternatives may start the same way: both match nothing, or both can begin
    with one same character."""
    seen: set[str] = set()
    empty = 0
    for alternative in alternatives:
        first, nullable = _first(alternative, ignore_case)
        if nullable:
            empty += 1
            if empty > 1:
                return True
        if first & seen:
            return True
        seen |= first
    return False


def _first(items: list[Any], ignore_case: bool) -> tuple[set[str], bool]:
    """The characters (of the sample alphabet) a sequence may begin with, and whether it may
    match nothing at all."""
    first: set[str] = set()
    for op, arg in items:
        chars, nullable = _first_of(op, arg, ignore_case)
        first |= chars
        if not nullable:
            return first, False
    return first, True


def _first_of(op: Any, arg: Any, ignore_case: bool) -> tuple[set[str], bool]:
    if op == sre.LITERAL:
        return _cased({chr(arg)}, ignore_case), False
    if op == sre.NOT_LITERAL:
        return set(_ALPHABET) - _cased({chr(arg)}, ignore_case), False
    if op == sre.ANY:
        return set(_ALPHABET), False
    if op == sre.IN:
        return {c for c in _ALPHABET if _in_set(c, arg, ignore_case)}, False
    if op in _REPEATS:
        low, _high, body = arg
        chars, nullable = _first(list(body), ignore_case)
        return chars, nullable or low == 0
    if op == sre.BRANCH:
        chars, nullable = set(), False
        for alternative in arg[1]:
            more, empty = _first(list(alternative), ignore_case)
            chars |= more
            nullable = nullable or empty
        return chars, nullable
    if op in (sre.SUBPATTERN, getattr(sre, "ATOMIC_GROUP", None)):
        body, case = _group_body(op, arg, ignore_case)
        return _first(body, case)
    if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
        return set(), True
    # A back reference or a conditional group: anything, possibly nothing.
    return set(_ALPHABET), True


def _cased(chars: set[str], ignore_case: bool) -> set[str]:
    if not ignore_case:
        return chars
    return chars | {c.lower() for c in chars} | {c.upper() for c in chars}


def _in_set(char: str, items: list[Any], ignore_case: bool) -> bool:
    negate = False
    found = False
    candidates = _cased({char}, ignore_case)
    for op, arg in items:
        if op == sre.NEGATE:
            negate = True
        elif op == sre.LITERAL:
            found = found or chr(arg) in candidates
        elif op == sre.RANGE:
            found = found or any(arg[0] <= ord(c) <= arg[1] for c in candidates)
        elif op == sre.CATEGORY:
            found = found or _in_category(char, arg)
        else:
            found = True  # anything we do not model counts as matching: refuse rather than miss
    return found != negate


def _in_category(char: str, category: Any) -> bool:
    if category in (sre.CATEGORY_DIGIT, sre.CATEGORY_NOT_DIGIT):
        found = char.isdecimal()
    elif category in (sre.CATEGORY_SPACE, sre.CATEGORY_NOT_SPACE):
        found = char.isspace()
    elif category in (sre.CATEGORY_WORD, sre.CATEGORY_NOT_WORD):
        found = char.isalnum() or char == "_"
    else:
        return True  # a line break class and the like: count it as matching
    negated = category in (sre.CATEGORY_NOT_DIGIT, sre.CATEGORY_NOT_SPACE, sre.CATEGORY_NOT_WORD)
    return found != negated
