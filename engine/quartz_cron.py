"""Quartz cron expressions, as Camunda 7 models write a `timeCycle` (`0 0 8 ? * MON-FRI`).

Six or seven fields: seconds, minutes, hours, day of month, month, day of week (1 = Sunday, or
SUN-SAT), and an optional year. Each field takes `*`, `?` (day fields), a number or name, a
range `a-b`, a step `a/n` or `a-b/n` or `*/n`, lists with `,`; the day of month also takes `L`
(its last day). `W`, `#` and `nL` are refused with a clear message. Times are read in the
office's time zone. Like every repeating timer, a cron that fires more than once a minute is
refused (several values in the seconds field).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from datetime import time as day_time

from .clock import as_utc
from .limits import Malformed, OutOfBounds

MAX_TEXT = 120
# How far ahead the next firing is looked for: a cron that never fires again ends its cycle.
SEARCH_DAYS = 5 * 366
_EXPECTED = ("a Quartz cron expression", "0 0 8 ? * MON-FRI")
_MONTH_NAMES = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_MONTHS = {m: i + 1 for i, m in enumerate(_MONTH_NAMES)}
_DAYS = {d: i + 1 for i, d in enumerate(("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"))}
_TOKEN = re.compile(r"^[0-9A-Za-z*?/,#-]+$")
_FIELDS: tuple[tuple[str, int, int, dict[str, int]], ...] = (
    ("seconds", 0, 59, {}),
    ("minutes", 0, 59, {}),
    ("hours", 0, 23, {}),
    ("day of month", 1, 31, {}),
    ("month", 1, 12, _MONTHS),
    ("day of week", 1, 7, _DAYS),
    ("year", 1970, 2199, {}),
)


@dataclass(frozen=True)
class QuartzCron:
    text: str
    seconds: frozenset[int]
    minutes: frozenset[int]
    hours: frozenset[int]
    days: frozenset[int] | None  # None: any (`?` or `*`)
    last_day: bool
    months: frozenset[int]
    weekdays: frozenset[int] | None  # Quartz numbering, 1 = Sunday; None: any
    years: frozenset[int] | None

    def day_matches(self, day: date) -> bool:
        if day.month not in self.months or (self.years is not None and day.year not in self.years):
            return False
        last = (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        by_month = self.days is None and not self.last_day
        if not by_month:
            by_month = day.day in (self.days or ()) or (self.last_day and day == last)
        quartz_weekday = (day.isoweekday() % 7) + 1  # Sunday 1 ... Saturday 7
        by_week = self.weekdays is None or quartz_weekday in self.weekdays
        return by_month and by_week


def looks_like_quartz(text: str) -> bool:
    """Six or seven cron fields that are not a Python expression."""
    tokens = text.split()
    if not 6 <= len(tokens) <= 7 or not all(_TOKEN.match(t) for t in tokens):
        return False
    try:
        compile(text.strip(), "<cron>", "eval")
    except SyntaxError:
        return True
    return False


def parse_quartz(text: str) -> QuartzCron:
    raw = text.strip()
    tokens = raw.split()
    if len(raw) > MAX_TEXT or not 6 <= len(tokens) <= 7:
        raise Malformed(raw, *_EXPECTED)
    values: list[frozenset[int] | None] = []
    last_day = False
    for index, token in enumerate(tokens):
        name, low, high, names = _FIELDS[index]
        if index == 3 and "L" in token.upper():
            if token.upper() != "L":
                raise OutOfBounds(f"the cron field {name} '{token}' is not supported; use L alone")
            last_day = True
            values.append(frozenset())
            continue
        if token in ("?", "*") and index in (3, 5, 6):
            values.append(None)
            continue
        if token == "?":
            raise Malformed(raw, *_EXPECTED)
        values.append(_field(raw, token, name, low, high, names))
    while len(values) < 7:
        values.append(None)
    seconds, minutes, hours, days, months, weekdays, years = values
    assert seconds is not None and minutes is not None and hours is not None
    if len(seconds) > 1:
        raise OutOfBounds(
            f"the cron {raw} fires several times a minute; a repeating timer must wait at "
            "least a minute"
        )
    return QuartzCron(
        text=raw,
        seconds=seconds,
        minutes=minutes,
        hours=hours,
        days=None if days is None and not last_day else (days or frozenset()),
        last_day=last_day,
        months=months if months is not None else frozenset(range(1, 13)),
        weekdays=weekdays,
        years=years,
    )


def _field(
    raw: str, token: str, name: str, low: int, high: int, names: dict[str, int]
) -> frozenset[int]:
    found: set[int] = set()
    for part in token.upper().split(","):
        if "#" in part or "W" in part or part.endswith("L"):
            raise OutOfBounds(f"the cron field {name} '{token}' is not supported (W, # and nL)")
        base, _, step_text = part.partition("/")
        step = _number(raw, step_text, {}) if step_text else 1
        if step < 1:
            raise Malformed(raw, *_EXPECTED)
        if base in ("*", "?"):
            start, end = low, high
        elif "-" in base:
            first, _, second = base.partition("-")
            start, end = _number(raw, first, names), _number(raw, second, names)
        else:
            start = _number(raw, base, names)
            end = high if step_text else start
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise OutOfBounds(f"the cron field {name} '{token}' is outside {low} to {high}")
        found.update(range(start, end + 1, step))
    return frozenset(found)


def _number(raw: str, text: str, names: dict[str, int]) -> int:
    if text in names:
        return names[text]
    if not text.isdigit() or len(text) > 4:
        raise Malformed(raw, *_EXPECTED)
    return int(text)


def next_fire(cron: QuartzCron, after: datetime, zone: tzinfo) -> datetime | None:
    """The first firing strictly after `after` (UTC), read in `zone`; None within SEARCH_DAYS."""
    local = after.astimezone(zone)
    day = local.date()
    for _ in range(SEARCH_DAYS):
        if cron.day_matches(day):
            for hour in sorted(cron.hours):
                for minute in sorted(cron.minutes):
                    for second in sorted(cron.seconds):
                        moment = datetime.combine(day, day_time(hour, minute, second), zone)
                        if moment > local:
                            return as_utc(moment)
        day += timedelta(days=1)
    return None
