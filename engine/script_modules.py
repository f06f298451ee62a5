"""The modules SpiffArena's script engine pre-loads, as the sandbox offers them.

SpiffArena puts `json`, `uuid`, `random`, `re`, `calendar`, `decimal` and the builtin `format`
into every script's globals, and its published models call them (`json.loads` on a
connector's answer, `str(uuid.uuid4())` for a reference, `re.sub` to tidy a text). Here each is
a small object that exposes only those functions, over plain values, within the sandbox's
limits: `re` refuses a pattern that could backtrack for ever and texts past a size, `json` and
`format` cannot make a text larger than the guards allow. Nothing a script reaches is the real
module (no `json.JSONDecoder` subclasses, no `random.Random` state, no `re` internals).

They are builtins, not helpers: an item's variable of the same name (a form field `format`)
simply shadows one in a script, as in SpiffArena, instead of being refused.
"""

from __future__ import annotations

import calendar as _calendar
import json as _json
import random as _random
import re as _re
import uuid as _uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import regex as _regex

from .regex_safety import catastrophic_reason
from .sandbox_errors import SandboxViolation
from .sandbox_guards import Guards
from .sandbox_lookups import checked_type

__all__ = ["script_modules"]

# Longer texts would let one linear-time regular expression call outlast the CPU budget,
# which is checked between the script's own steps only.
MAX_REGEX_TEXT = 1_000_000
MAX_PATTERN = 1_000
MAX_DECIMAL_DIGITS = 1_000
MAX_SAMPLE = 100_000
# Wall-clock time one regular expression call may take (the `regex` module's timeout).
REGEX_SECONDS = 2.0


def _check_size(guards: Guards, size: int, what: str) -> None:
    if size > guards.limits.max_size:
        raise SandboxViolation(
            f"{what} would make a text of {size:,} characters; "
            f"the limit is {guards.limits.max_size:,}"
        )


class _Module:
    """A namespace of plain functions: attribute access reaches nothing else."""

    __slots__ = ("_members", "_name")

    def __init__(self, name: str, members: dict[str, Any]) -> None:
        self._name = name
        self._members = members

    def __getattr__(self, name: str) -> Any:
        members = object.__getattribute__(self, "_members")
        if name in members:
            return members[name]
        module = object.__getattribute__(self, "_name")
        raise AttributeError(f"{module}.{name} is not available in BPMN scripts")

    def __repr__(self) -> str:
        return f"<module {object.__getattribute__(self, '_name')}>"


_Module.__name__ = _Module.__qualname__ = "module"  # as Python says: "module has no attribute"


def _json_module(guards: Guards) -> _Module:
    def loads(text: Any) -> Any:
        if isinstance(text, bytes | bytearray):
            text = bytes(text).decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(f"json.loads() takes a text, not {type(text).__name__}")
        return _json.loads(text)

    def dumps(value: Any, indent: Any = None, sort_keys: bool = False, **_: Any) -> str:
        if indent is not None and (not isinstance(indent, int) or not 0 <= indent <= 8):
            raise SandboxViolation("json.dumps() takes an indent of 0 to 8 spaces")
        guards.text(value, "json.dumps()", indent or 0)
        text = _json.dumps(value, indent=indent, sort_keys=bool(sort_keys), default=str)
        _check_size(guards, len(text), "json.dumps()")
        return text

    return _Module("json", {"loads": loads, "dumps": dumps, "JSONDecodeError": ValueError})


def _checked_pattern(pattern: Any) -> Any:
    if not isinstance(pattern, str):
        raise TypeError("a regular expression is a text")
    if len(pattern) > MAX_PATTERN:
        raise SandboxViolation(f"a regular expression longer than {MAX_PATTERN} characters")
    reason = catastrophic_reason(pattern)
    if reason:
        raise SandboxViolation(f"the regular expression {pattern[:80]!r} is refused: {reason}")
    return pattern


def _checked_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"a regular expression searches a text, not {type(text).__name__}")
    if len(text) > MAX_REGEX_TEXT:
        raise SandboxViolation("a text searched by a regular expression is too long")
    return text


def _found(match: Any, groups: int) -> Any:
    """What findall gives for a match: the whole of it, its one group, or all its groups ('' for
    one that took no part)."""
    if groups == 0:
        return match.group()
    if groups == 1:
        return match.group(1) or ""
    return match.groups("")


def _match_view(found: Any) -> Any:
    """A match as plain values: what `group()`, `groups()` and `groupdict()` give."""
    if found is None:
        return None
    return _Module(
        "re.Match",
        {
            "group": found.group,
            "groups": found.groups,
            "groupdict": found.groupdict,
            "start": found.start,
            "end": found.end,
            "span": found.span,
        },
    )


def _re_module(guards: Guards) -> _Module:
    flags = {"IGNORECASE": _regex.IGNORECASE, "I": _regex.IGNORECASE}
    flags |= {"MULTILINE": _regex.MULTILINE, "M": _regex.MULTILINE}
    flags |= {"DOTALL": _regex.DOTALL, "S": _regex.DOTALL}

    def finder(name: str) -> Callable[..., Any]:
        def call(pattern: Any, text: Any, flags: int = 0) -> Any:
            compiled = _compiled(pattern, flags)
            with _time_limited() as seconds:
                found = getattr(compiled, name)(_searched(compiled, text), timeout=seconds)
            return _match_view(found)

        return call

    def findall(pattern: Any, text: Any, flags: int = 0) -> list[Any]:
        compiled = _compiled(pattern, flags)
        text = _searched(compiled, text)
        if not _LOOKAROUND.search(compiled.pattern):
            # Matches that do not overlap give back no more than the text: made at once.
            with _time_limited() as seconds:
                whole: list[Any] = compiled.findall(text, timeout=seconds)
            return whole
        # A capture in a lookahead (`(?=(.*))`) finds the rest of the text at each of its
        # characters: made match by match, its size counted as it grows.
        found: list[Any] = []
        size = 0
        with _time_limited() as seconds:
            for match in compiled.finditer(text, timeout=seconds):
                item = _found(match, compiled.groups)
                size += sum(map(len, item)) if isinstance(item, tuple) else len(item)
                _check_size(guards, size, "re.findall()")
                found.append(item)
        return found

    def split(pattern: Any, text: Any, maxsplit: int = 0, flags: int = 0) -> list[str]:
        compiled = _compiled(pattern, flags)
        with _time_limited() as seconds:
            found: list[str] = compiled.split(_searched(compiled, text), maxsplit, timeout=seconds)
        return found

    def sub(pattern: Any, replacement: Any, text: Any, count: int = 0, flags: int = 0) -> str:
        if not isinstance(replacement, str):
            raise SandboxViolation("re.sub() takes a text as its replacement")
        compiled = _compiled(pattern, flags)
        text = _searched(compiled, text)
        if "\\" not in replacement and len(replacement) * (len(text) + 1) <= guards.limits.max_size:
            # No group written back, and the text too short for the replacement at each place to
            # grow it past the limit: made at once.
            with _time_limited() as seconds:
                plain: str = compiled.sub(replacement, text, count=count, timeout=seconds)
            _check_size(guards, len(plain), "re.sub()")
            return plain
        size = len(text)

        def expand(match: Any) -> str:  # each replacement counted before the next is made
            nonlocal size
            piece: str = match.expand(replacement)
            size += len(piece) - (match.end() - match.start())
            _check_size(guards, size, "re.sub()")
            return piece

        with _time_limited() as seconds:
            result: str = compiled.sub(expand, text, count=count, timeout=seconds)
        return result

    return _Module(
        "re",
        {
            "match": finder("match"),
            "search": finder("search"),
            "fullmatch": finder("fullmatch"),
            "findall": findall,
            "split": split,
            "sub": sub,
            "escape": _regex.escape,
            **flags,
        },
    )


def _compiled(pattern: Any, flags: int) -> Any:
    return _regex.compile(_checked_pattern(pattern), flags)


def _searched(compiled: Any, text: Any) -> Any:
    """The text a pattern is matched against: the `regex` module keeps each capture of a
    repeated group, about 80 bytes a character for each group (850 MB for ten nested groups
    repeated over a million characters), so the text is shorter the more groups such a
    pattern has."""
    text = _checked_text(text)
    groups = compiled.groups
    if (
        groups
        and _REPEATED_GROUP.search(compiled.pattern)
        and len(text) * (groups + 1) > (MAX_REGEX_TEXT)
    ):
        raise SandboxViolation(
            f"a regular expression whose {groups} capturing group(s) repeat reads a text of at"
            f" most {MAX_REGEX_TEXT // (groups + 1):,} characters, not {len(text):,}: each"
            " repetition's capture is kept"
        )
    return text


# A group followed by a quantifier (its captures, or those inside it, kept at each repeat).
_REPEATED_GROUP = _re.compile(r"\)(?:[*+?]|\{\d)")
# A lookahead or lookbehind, whose captures may overlap.
_LOOKAROUND = _re.compile(r"\(\?<?[=!]")


@contextmanager
def _time_limited() -> Iterator[float]:
    """The `regex` module's timeout for a call (or an iteration) made inside: a C-level match
    the CPU budget cannot interrupt, which Python's `re` runs without end on some patterns (a
    search for `a*b` in a million a's is quadratic there), stopped after REGEX_SECONDS."""
    try:
        yield REGEX_SECONDS
    except TimeoutError as exc:
        raise SandboxViolation(
            f"a regular expression ran longer than its limit of {REGEX_SECONDS:g} s"
        ) from exc


def _decimal(*args: Any, **kwargs: Any) -> Decimal:
    """`decimal.Decimal(...)` in a script: its digits within MAX_DECIMAL_DIGITS (a float has
    at most 767): `Decimal('7' * 10000) ** Decimal('0.5')` took 10 s inside one C call, and
    comparing numbers of a million digits as long; its exponent is checked where it is
    written out (engine.sandbox_guards)."""
    made = Decimal(*args, **kwargs)
    if made.is_finite() and len(made.as_tuple().digits) > MAX_DECIMAL_DIGITS:
        raise SandboxViolation(f"a Decimal has at most {MAX_DECIMAL_DIGITS:,} digits")
    return made


def _random_module() -> _Module:
    generator = _random.SystemRandom()

    def sample(population: Any, k: int) -> list[Any]:
        if isinstance(k, int) and k > MAX_SAMPLE:  # a million draws in one C call: 1.4 s
            raise SandboxViolation(f"random.sample() draws at most {MAX_SAMPLE:,} items")
        return generator.sample(list(population), k)

    return _Module(
        "random",
        {
            "random": generator.random,
            "randint": generator.randint,
            "uniform": generator.uniform,
            "choice": generator.choice,
            "sample": sample,
        },
    )


def script_modules(guards: Guards) -> dict[str, Any]:
    """The builtins a script gets beside Python's own, by the names SpiffArena uses."""

    def format_value(value: Any, spec: Any = "") -> str:
        return str(guards.format(value, -1, spec if isinstance(spec, str) else str(spec)))

    return {
        "json": _json_module(guards),
        "uuid": _Module("uuid", {"uuid4": _uuid.uuid4, "UUID": _uuid.UUID}),
        "random": _random_module(),
        "re": _re_module(guards),
        "calendar": _Module(
            "calendar",
            {
                "monthrange": _calendar.monthrange,
                "isleap": _calendar.isleap,
                "weekday": _calendar.weekday,
                "month_name": tuple(_calendar.month_name),
                "day_name": tuple(_calendar.day_name),
            },
        ),
        "decimal": _Module("decimal", {"Decimal": checked_type(Decimal, _decimal)}),
        "format": format_value,
    }
