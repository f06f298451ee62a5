"""JUEL in Camunda 7 models: the helpers the translated expressions call (engine/juel_parser.py
writes the calls). They follow EL 2.2's coercions (section 1.18): `1 == '1'` is true, `7 / 2` is
3.5, `empty` is true for null, "" and empty lists and maps, reading a missing key gives null.
Where EL would give what no item can store (a division by zero's infinity) they raise instead.
"""

from __future__ import annotations

import calendar
import json
import math
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from .clock import Clock
from .errors import NotFound
from .juel_parser import HELPER_PREFIX
from .sandbox_errors import SandboxViolation
from .sandbox_guards import MAX_SIZE
from .spiff_arena import current_actor
from .users import get_identity

_LONG = 2**63


class JuelError(ValueError):
    """An expression met a value EL cannot coerce (`'abc' gt 1`), at run time."""


# --- coercions (EL 2.2, section 1.18) -------------------------------------------------------


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list | tuple):
        return "list"
    if isinstance(value, dict):
        return "map"
    return type(value).__name__


def _to_long(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        raise JuelError(f"cannot use the boolean {_shown(value)} as a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0
        try:
            return int(text)
        except ValueError:
            pass
    raise JuelError(f"cannot use {_kind(value)} {_shown(value)} as a whole number")


def _to_double(value: Any) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool):
        raise JuelError(f"cannot use the boolean {_shown(value)} as a number")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return 0.0
        try:
            number = float(text)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            return number
    raise JuelError(f"cannot use {_kind(value)} {_shown(value)} as a number")


def juel_bool(value: Any) -> bool:
    """EL's coercion to boolean: null and "" are false, a text is true only if it reads true."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, str):
        return value.strip().lower() == "true"
    raise JuelError(f"cannot use {_kind(value)} {_shown(value)} as true or false")


def juel_str(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    return str(value)


def _is_double(value: Any) -> bool:
    return isinstance(value, float)


def _is_long(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _looks_double(value: Any) -> bool:
    return _is_double(value) or (isinstance(value, str) and any(c in value for c in ".eE"))


def _bounded(number: int | float) -> int | float:
    if isinstance(number, int) and not -_LONG <= number < _LONG:
        raise JuelError("the result is too large for a whole number")
    if isinstance(number, float) and not math.isfinite(number):
        raise JuelError("the result is too large for a number")
    return number


# --- operators -------------------------------------------------------------------------------


def juel_eq(left: Any, right: Any) -> bool:
    """`==` as EL has it: numbers compare with numbers in texts (`1 == '1'`), texts with the
    text of booleans, null only with null."""
    if left is None or right is None:
        return left is None and right is None
    if _is_double(left) or _is_double(right):
        return _to_double(left) == _to_double(right)
    if _is_long(left) or _is_long(right):
        return _to_long(left) == _to_long(right)
    if isinstance(left, bool) or isinstance(right, bool):
        return juel_bool(left) == juel_bool(right)
    if isinstance(left, str) or isinstance(right, str):
        return juel_str(left) == juel_str(right)
    return bool(left == right)


def juel_compare(left: Any, op: str, right: Any) -> bool:
    """`<`, `>`, `<=`, `>=`: null is never less or more; numbers before texts, as EL coerces."""
    if op in ("<=", ">=") and left is not None and type(left) is type(right) and left == right:
        return True
    if left is None or right is None:
        return False
    a: Any
    b: Any
    if _is_double(left) or _is_double(right):
        a, b = _to_double(left), _to_double(right)
    elif _is_long(left) or _is_long(right):
        a, b = _to_long(left), _to_long(right)
    elif isinstance(left, str) or isinstance(right, str):
        a, b = juel_str(left), juel_str(right)
    else:
        a, b = left, right
    try:
        if op == "<":
            return bool(a < b)
        if op == ">":
            return bool(a > b)
        if op == "<=":
            return bool(a <= b)
        return bool(a >= b)
    except TypeError as exc:
        raise JuelError(f"cannot compare {_kind(left)} with {_kind(right)}") from exc


def juel_arith(left: Any, op: str, right: Any) -> int | float:
    """`+ - * / %` on numbers (and texts that read as numbers). `/` always divides as decimals
    (EL: 7 / 2 is 3.5); `%` keeps the sign of the left side, as Java does."""
    if left is None and right is None:
        return 0
    if op == "/":
        divisor = _to_double(right)
        if divisor == 0:
            raise JuelError("division by zero")
        return _bounded(_to_double(left) / divisor)
    if _looks_double(left) or _looks_double(right):
        a: int | float = _to_double(left)
        b: int | float = _to_double(right)
    else:
        a, b = _to_long(left), _to_long(right)
    if op == "%":
        if b == 0:
            raise JuelError("division by zero")
        if isinstance(a, float) or isinstance(b, float):
            return math.fmod(a, b)
        rest = abs(a) % abs(b)
        return rest if a >= 0 else -rest
    if op == "+":
        return _bounded(a + b)
    if op == "-":
        return _bounded(a - b)
    if op == "*":
        return _bounded(a * b)
    raise JuelError(f"unknown operator {op}")


def juel_int(value: Any) -> int:
    """A whole number as EL coerces to one (a loop's cardinality): `3.0` and `'3'` are 3."""
    return _to_long(value)


def juel_neg(value: Any) -> int | float:
    if value is None:
        return 0
    if _looks_double(value):
        return -_to_double(value)
    return _bounded(-_to_long(value))


def juel_empty(value: Any) -> bool:
    """`empty`: null, "", an empty list or map."""
    if value is None:
        return True
    if isinstance(value, str | list | tuple | dict | set | frozenset):
        return len(value) == 0
    return False


def juel_prop(base: Any, key: Any) -> Any:
    """`a.b` and `a['b']`/`a[0]`: a missing key or an index past the end gives null, as JUEL's
    map and list resolvers do; so does anything read from null."""
    if base is None or key is None:
        return None
    if isinstance(base, dict):
        try:
            return base.get(key)
        except TypeError:
            return None
    if isinstance(base, list | tuple):
        index = _to_long(key)
        return base[index] if 0 <= index < len(base) else None
    raise JuelError(f"cannot read {_shown(key)} of {_kind(base)} {_shown(base)}")


def juel_concat(*parts: Any) -> str:
    """Text with expressions in it (`Order ${id}`): each part as EL makes it a string, the
    whole no longer than the sandbox lets one operation make."""
    texts: list[str] = []
    size = 0
    for part in parts:
        texts.append(juel_str(part))
        size += len(texts[-1])
        if size > MAX_SIZE:
            raise SandboxViolation(
                f"the text would have more than {MAX_SIZE:,} characters; the limit is {MAX_SIZE:,}"
            )
    return "".join(texts)


def juel_var(name: str) -> Any:
    """`execution.getVariable("x")`: the item's x, or null when it has none (Camunda's answer).
    The translated expression runs with the item's data as its globals, so they are read from
    the calling frame."""
    value = sys._getframe(1).f_globals.get(name)
    return None if callable(value) else value


def juel_call(receiver: Any, method: str, *args: Any) -> Any:
    """A method of a Java value that models call (engine/juel_parser.py's VALUE_METHODS), on
    the value as this engine stores it: a String, a List, a Map, or a DMN result (a list of
    maps). Called on null it fails as Java does."""
    if method == "isNull":
        return receiver is None
    if receiver is None:
        raise JuelError(f"cannot call {method}() on null")
    if method in _SPIN_METHODS:
        return _spin_call(receiver, method, args)
    if method in ("collectEntries", "collectOutputValues"):
        return [juel_prop(row, args[0]) for row in _rows(receiver)]
    if method in ("getSingleResult", "getFirstResult"):
        rows = _rows(receiver)
        if method == "getSingleResult" and len(rows) > 1:
            raise JuelError(f"the decision gave {len(rows)} results, not a single one")
        return rows[0] if rows else None
    if method == "getSingleEntry":
        row = receiver if isinstance(receiver, dict) else juel_call(receiver, "getSingleResult")
        return next(iter(row.values()), None) if isinstance(row, dict) else row
    if method in ("size", "length", "isEmpty"):
        if not isinstance(receiver, str | list | tuple | dict):
            raise JuelError(f"{_kind(receiver)} {_shown(receiver)} has no {method}()")
        return len(receiver) == 0 if method == "isEmpty" else len(receiver)
    if method in ("get", "containsKey", "contains") and isinstance(receiver, dict | list | tuple):
        if method == "get":
            return juel_prop(receiver, args[0])
        return args[0] in receiver
    if not isinstance(receiver, str):
        raise JuelError(f"{_kind(receiver)} {_shown(receiver)} has no {method}()")
    text = [juel_str(a) for a in args]
    string_methods: dict[str, Callable[[], Any]] = {
        "equals": lambda: receiver == (args[0] if args else None),
        "equalsIgnoreCase": lambda: args[0] is not None and receiver.lower() == text[0].lower(),
        "contains": lambda: text[0] in receiver,
        "startsWith": lambda: receiver.startswith(text[0]),
        "endsWith": lambda: receiver.endswith(text[0]),
        "toLowerCase": receiver.lower,
        "toUpperCase": receiver.upper,
        "trim": receiver.strip,
    }
    if method not in string_methods:
        raise JuelError(f"{_kind(receiver)} {_shown(receiver)} has no {method}()")
    return string_methods[method]()


_SPIN_METHODS = frozenset(
    {"prop", "hasProp", "value", "stringValue", "numberValue", "boolValue", "elements", "toString"}
)
_SPIN_TYPES: dict[str, Any] = {"stringValue": str, "numberValue": int | float, "boolValue": bool}


def juel_spin(value: Any) -> Any:
    """Spin's `S(x)`: JSON text is read; a JSON value (what the engine stores) stays itself."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError as exc:
            raise JuelError(f"S() was given text that is not JSON: {_shown(value)}") from exc
    return value


def _spin_call(node: Any, method: str, args: tuple[Any, ...]) -> Any:
    if method in ("prop", "hasProp"):
        if not isinstance(node, dict):
            raise JuelError(f"{_kind(node)} {_shown(node)} is no JSON object")
        if method == "hasProp":
            return args[0] in node
        if args[0] not in node:
            raise JuelError(f"the JSON object has no property {_shown(args[0])}")
        return node[args[0]]
    if method == "elements":
        if not isinstance(node, list):
            raise JuelError(f"{_kind(node)} {_shown(node)} is no JSON array")
        return node
    if method == "toString":
        return node if isinstance(node, str) else json.dumps(node, ensure_ascii=False)
    wanted = _SPIN_TYPES.get(method)
    if wanted is not None and (
        not isinstance(node, wanted) or (wanted is not bool and isinstance(node, bool))
    ):
        raise JuelError(f"{_kind(node)} {_shown(node)} is no {method[: -len('Value')]}")
    return node


def juel_current_user() -> str | None:
    """`currentUser()`: who is acting (the one completing the task or starting the item);
    null when the worker fires a timer."""
    context = current_actor()
    return context.actor if context else None


def juel_current_user_groups() -> list[str]:
    """`currentUserGroups()`: the groups of the person acting (none for the worker)."""
    context = current_actor()
    if context is None or not context.actor:
        return []
    try:
        return list(get_identity(context.session, context.actor).groups)
    except NotFound:
        return []


def _rows(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list | tuple):
        return list(value)
    raise JuelError(f"{_kind(value)} {_shown(value)} is not a decision's result")


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "..."


# --- dateTime() --------------------------------------------------------------------------------


class JuelDateTime:
    """What Camunda's `dateTime()` gives (a Joda DateTime): a moment in the office's zone that
    `plus…`/`minus…` move and `toDate()` turns into a date the engine stores. Immutable."""

    __slots__ = ("_moment",)
    _moment: datetime

    def __init__(self, moment: datetime) -> None:
        object.__setattr__(self, "_moment", moment)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a dateTime() value cannot be changed")

    def __str__(self) -> str:
        return self._moment.isoformat()

    def __repr__(self) -> str:
        return f"dateTime({self._moment.isoformat()})"

    def toDate(self) -> datetime:
        return self._moment

    def _calendar(self, years: Any, months: Any) -> JuelDateTime:
        total = self._moment.year * 12 + self._moment.month - 1 + _amount(years) * 12
        total += _amount(months)
        year, month = divmod(total, 12)
        if not 1 <= year <= 9999:
            raise JuelError("the date is outside the calendar")
        day = min(self._moment.day, calendar.monthrange(year, month + 1)[1])
        return JuelDateTime(self._moment.replace(year=year, month=month + 1, day=day))

    def _wall(self, days: int) -> JuelDateTime:
        # Days keep the time of day in the office's zone, as Joda's plusDays does.
        try:
            return JuelDateTime(self._moment + timedelta(days=days))
        except OverflowError as exc:
            raise JuelError("the date is outside the calendar") from exc

    def _elapsed(self, seconds: int) -> JuelDateTime:
        zone = self._moment.tzinfo or UTC
        try:
            moment = (self._moment.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(zone)
        except OverflowError as exc:
            raise JuelError("the date is outside the calendar") from exc
        return JuelDateTime(moment)

    def plusYears(self, n: Any) -> JuelDateTime:
        return self._calendar(n, 0)

    def plusMonths(self, n: Any) -> JuelDateTime:
        return self._calendar(0, n)

    def plusWeeks(self, n: Any) -> JuelDateTime:
        return self._wall(7 * _amount(n))

    def plusDays(self, n: Any) -> JuelDateTime:
        return self._wall(_amount(n))

    def plusHours(self, n: Any) -> JuelDateTime:
        return self._elapsed(3600 * _amount(n))

    def plusMinutes(self, n: Any) -> JuelDateTime:
        return self._elapsed(60 * _amount(n))

    def plusSeconds(self, n: Any) -> JuelDateTime:
        return self._elapsed(_amount(n))

    def minusYears(self, n: Any) -> JuelDateTime:
        return self._calendar(-_amount(n), 0)

    def minusMonths(self, n: Any) -> JuelDateTime:
        return self._calendar(0, -_amount(n))

    def minusWeeks(self, n: Any) -> JuelDateTime:
        return self._wall(-7 * _amount(n))

    def minusDays(self, n: Any) -> JuelDateTime:
        return self._wall(-_amount(n))

    def minusHours(self, n: Any) -> JuelDateTime:
        return self._elapsed(-3600 * _amount(n))

    def minusMinutes(self, n: Any) -> JuelDateTime:
        return self._elapsed(-60 * _amount(n))

    def minusSeconds(self, n: Any) -> JuelDateTime:
        return self._elapsed(-_amount(n))


MAX_AMOUNT = 10**7  # far beyond any deadline, small enough that no step overflows


def _amount(value: Any) -> int:
    """A Joda method's int argument: numbers and numeric texts, as EL coerces them."""
    amount = _to_long(value)
    if abs(amount) > MAX_AMOUNT:
        raise JuelError(f"{amount:,} is too large an amount of time")
    return amount


def juel_helpers(clock: Clock, zone: tzinfo) -> dict[str, Callable[..., Any]]:
    """The functions translated expressions call, `dateTime()` and `now()` on `clock` in the
    office's `zone`. Offered to every script engine; all their names start with `juel_`."""

    def juel_datetime() -> JuelDateTime:
        return JuelDateTime(clock().astimezone(zone))

    def juel_now() -> datetime:
        return clock().astimezone(zone)

    helpers: dict[str, Callable[..., Any]] = {
        "juel_bool": juel_bool,
        "juel_eq": juel_eq,
        "juel_compare": juel_compare,
        "juel_arith": juel_arith,
        "juel_neg": juel_neg,
        "juel_int": juel_int,
        "juel_empty": juel_empty,
        "juel_prop": juel_prop,
        "juel_var": juel_var,
        "juel_call": juel_call,
        "juel_spin": juel_spin,
        "juel_current_user": juel_current_user,
        "juel_current_user_groups": juel_current_user_groups,
        "juel_concat": juel_concat,
        "juel_datetime": juel_datetime,
        "juel_now": juel_now,
    }
    assert all(name.startswith(HELPER_PREFIX) for name in helpers)
    return helpers
