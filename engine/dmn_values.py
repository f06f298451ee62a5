"""The functions the Python written from FEEL calls (engine/dmn_feel.py), handed to the sandbox
with each evaluation. They follow FEEL's null semantics: comparing values of different kinds, or
with null, gives null (which no test passes) rather than an error; arithmetic on null is null.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from .regex_safety import catastrophic_reason
from .sandbox_guards import MAX_SIZE

_ORDERED = ("<", "<=", ">", ">=")
MAX_PATTERN = 500


def _number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _comparable(left: Any, right: Any) -> bool:
    if _number(left) and _number(right):
        return True
    if isinstance(left, datetime) or isinstance(right, datetime):
        return isinstance(left, datetime) and isinstance(right, datetime)
    kinds = (str, date, bool, timedelta)
    return any(isinstance(left, kind) and isinstance(right, kind) for kind in kinds)


def feel_eq(left: Any, right: Any) -> bool | None:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            feel_eq(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(feel_eq(left[k], right[k]) for k in left)
    if not _comparable(left, right):
        return None
    if isinstance(left, datetime) and (left.tzinfo is None) != (right.tzinfo is None):
        return None
    return bool(left == right)


def feel_cmp(left: Any, op: str, right: Any) -> bool | None:
    if op == "=":
        return feel_eq(left, right)
    if op == "!=":
        same = feel_eq(left, right)
        return None if same is None else not same
    if left is None or right is None or not _comparable(left, right) or isinstance(left, bool):
        return None
    try:
        if op == "<":
            return bool(left < right)
        if op == "<=":
            return bool(left <= right)
        if op == ">":
            return bool(left > right)
        return bool(left >= right)
    except TypeError:  # aware against naive datetimes
        return None


def feel_between(value: Any, low: Any, low_closed: bool, high: Any, high_closed: bool) -> Any:
    above = feel_cmp(value, ">=" if low_closed else ">", low)
    below = feel_cmp(value, "<=" if high_closed else "<", high)
    return feel_and(above, below)


def feel_matches(value: Any, expected: Any) -> bool | None:
    """A plain value as a test: equal to the input; a boolean the test computed on its own
    (`x > 5` without `?`) decides by itself when the input is not a boolean."""
    if isinstance(expected, bool) and not isinstance(value, bool):
        return expected
    if isinstance(expected, list) and not isinstance(value, list):
        return any(feel_eq(value, item) for item in expected)
    return feel_eq(value, expected)


def feel_any(results: Iterable[Any]) -> bool | None:
    seen = list(results)
    if any(r is True for r in seen):
        return True
    return None if any(r is None for r in seen) else False


def feel_not(value: Any) -> bool | None:
    return (not value) if isinstance(value, bool) else None


def feel_is_true(value: Any) -> bool:
    return value is True


def feel_and(left: Any, right: Any) -> bool | None:
    if left is False or right is False:
        return False
    if left is True and right is True:
        return True
    return None


def feel_or(left: Any, right: Any) -> bool | None:
    if left is True or right is True:
        return True
    if left is False and right is False:
        return False
    return None


_DURATION = re.compile(
    r"(-)?P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?"
)
_DAYS_AT_MOST = 3_000_000  # past year 9999 either way


@dataclass(frozen=True)
class YearsMonths:
    """FEEL's years-and-months duration: months have no fixed length, so it is no timedelta."""

    months: int

    def shift(self, moment: date, sign: int) -> date:
        """The same day `months` later (earlier with sign -1), the month's last if shorter."""
        index = moment.year * 12 + moment.month - 1 + sign * self.months
        year, month = divmod(index, 12)
        day = min(moment.day, calendar.monthrange(year, month + 1)[1])
        return moment.replace(year=year, month=month + 1, day=day)


def feel_duration(value: Any) -> timedelta | YearsMonths | None:
    """FEEL's duration("P6M"): a days-and-time duration is a timedelta, one of years and
    months a YearsMonths; FEEL has no duration of both kinds, and anything else is null."""
    if isinstance(value, timedelta | YearsMonths):
        return value
    text = value.strip() if isinstance(value, str) else ""
    found = _DURATION.fullmatch(text)
    if found is None or not any(found.groups()[1:]) or text.endswith("T"):
        return None
    sign = -1 if found.group(1) else 1
    years, months, days, hours, minutes = (int(g or 0) for g in found.groups()[1:6])
    seconds = float(found.group(7) or 0)
    if years or months:
        if days or hours or minutes or seconds or years > 10_000:
            return None
        return YearsMonths(sign * (years * 12 + months))
    if days > _DAYS_AT_MOST or hours > 24 * _DAYS_AT_MOST:
        return None
    return sign * timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def _moment(value: Any) -> Any:
    """A date or a date and time from the ISO text a JSON item holds in its data."""
    if not isinstance(value, str):
        return value
    try:
        return datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    except ValueError:
        return value


def _temporal(left: Any, op: str, right: Any) -> Any:
    """Arithmetic where a duration, date or date and time takes part; None where FEEL's is null."""
    left, right = _moment(left), _moment(right)
    moments = (date, datetime)
    if op == "-" and isinstance(left, moments) and isinstance(right, moments):
        if isinstance(left, datetime) != isinstance(right, datetime):
            return None
        return left - right
    if op not in ("+", "-"):
        return None
    if isinstance(right, moments) and op == "+":
        left, right = right, left
    sign = 1 if op == "+" else -1
    try:
        if isinstance(left, moments) and isinstance(right, YearsMonths):
            return right.shift(left, sign)
        if isinstance(left, moments) and isinstance(right, timedelta):
            return left + sign * right
        if isinstance(left, timedelta) and isinstance(right, timedelta):
            return left + sign * right
        if isinstance(left, YearsMonths) and isinstance(right, YearsMonths):
            return YearsMonths(left.months + sign * right.months)
    except (OverflowError, ValueError):
        pass
    return None


def feel_arith(left: Any, op: str, right: Any) -> Any:
    if left is None or right is None:
        return None
    temporal = (date, timedelta, YearsMonths)
    if isinstance(left, temporal) or isinstance(right, temporal):
        return _temporal(left, op, right)
    if op == "+" and isinstance(left, str) and isinstance(right, str):
        if len(left) + len(right) > MAX_SIZE:
            raise ValueError(f"a text longer than {MAX_SIZE:,} characters")
        return left + right
    if not (_number(left) and _number(right)):
        return None
    try:
        if op == "+":
            result = left + right
        elif op == "-":
            result = left - right
        elif op == "*":
            result = left * right
        elif op == "/":
            result = None if right == 0 else left / right
        else:
            if abs(right) > 64 or abs(left) > 2**64:
                raise ValueError("a power too large to compute")
            result = left**right
    except (OverflowError, ArithmeticError):
        return None
    if isinstance(result, float) and not math.isfinite(result):
        return None
    return result


def feel_get(base: Any, key: str) -> Any:
    if isinstance(base, Mapping):
        return base.get(key)
    if isinstance(base, date | datetime) and key in ("year", "month", "day"):
        return getattr(base, key)
    return None


def feel_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def feel_datetime(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value)) if value is not None else None
    except ValueError:
        return None


def feel_string(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    return str(value)


def feel_number(value: Any) -> int | float | None:
    if _number(value):
        return value  # type: ignore[no-any-return]
    if not isinstance(value, str):
        return None
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def feel_abs(value: Any) -> Any:
    return abs(value) if _number(value) else None


def feel_upper(value: Any) -> str | None:
    return value.upper() if isinstance(value, str) else None


def feel_lower(value: Any) -> str | None:
    return value.lower() if isinstance(value, str) else None


def feel_floor(value: Any) -> int | None:
    return math.floor(value) if _number(value) else None


def feel_ceiling(value: Any) -> int | None:
    return math.ceil(value) if _number(value) else None


def feel_length(value: Any) -> int | None:
    return len(value) if isinstance(value, str) else None


def feel_contains(text: Any, part: Any) -> bool | None:
    return part in text if isinstance(text, str) and isinstance(part, str) else None


def feel_starts_with(text: Any, part: Any) -> bool | None:
    return text.startswith(part) if isinstance(text, str) and isinstance(part, str) else None


def feel_ends_with(text: Any, part: Any) -> bool | None:
    return text.endswith(part) if isinstance(text, str) and isinstance(part, str) else None


def feel_list_contains(values: Any, item: Any) -> bool | None:
    if not isinstance(values, list):
        return None
    return any(feel_eq(value, item) is True for value in values)


def feel_regex_matches(text: Any, pattern: Any) -> bool | None:
    """FEEL's matches(input, pattern); a pattern that could backtrack for ever is null."""
    if not isinstance(text, str) or not isinstance(pattern, str) or len(pattern) > MAX_PATTERN:
        return None
    if catastrophic_reason(pattern) is not None:
        return None
    try:
        return re.search(pattern, text[:MAX_SIZE]) is not None
    except re.error:
        return None


def feel_count(values: Any) -> int | None:
    return len(values) if isinstance(values, list) else None


def feel_sum(values: Any) -> Any:
    if not isinstance(values, list) or not all(_number(v) for v in values):
        return None
    return sum(values)


def feel_min(values: Any) -> Any:
    return _extreme(values, "<")


def feel_max(values: Any) -> Any:
    return _extreme(values, ">")


def _extreme(values: Any, op: str) -> Any:
    if not isinstance(values, list) or not values:
        return None
    best = values[0]
    for value in values[1:]:
        wins = feel_cmp(value, op, best)
        if wins is None:
            return None
        if wins:
            best = value
    return best


FEEL_HELPERS: dict[str, Callable[..., Any]] = {
    name: function
    for name, function in globals().copy().items()
    if name.startswith("feel_") and callable(function)
}
