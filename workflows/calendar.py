"""The department's working-day calendar (lịch ngày làm việc).

A working day is a Monday to Friday that is not a Vietnamese public holiday, plus the Saturdays
the Government swaps in as make-up working days (làm bù), with the department's own extra days
off and make-up days on top. Days are counted on local dates in Asia/Ho_Chi_Minh: a deadline set
at 23:30 on a Friday in Hà Nội is a Friday deadline, even though it is 16:30 UTC.

Precedence, strongest first: the configured ``extra_days_off``, the configured
``makeup_workdays``, the public holidays of ``holidays.Vietnam`` (Tết, Giỗ Tổ Hùng Vương, 30/4,
1/5, 2/9 and its adjacent day, 24/11 from 2026, days off in lieu), the make-up Saturdays that
package knows of, and last Saturday/Sunday.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from holidays import country_holidays

from engine import InvalidInput, end_of_day

__all__ = [
    "DEFAULT_ZONE",
    "WorkCalendar",
    "add_working_days",
    "calendar_from_mapping",
    "due_end_of_day",
    "is_working_day",
    "load_work_calendar",
    "working_days_between",
]

DEFAULT_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
_SATURDAY = 5
_KEYS = frozenset({"extra_days_off", "makeup_workdays", "zone"})


@dataclass(frozen=True)
class _OfficialYear:
    days_off: frozenset[date]
    makeup_days: frozenset[date]


@lru_cache(maxsize=64)
def _official_year(year: int) -> _OfficialYear:
    """The public holidays and the official make-up Saturdays of one year, computed once."""
    # country_holidays is the typed entry point; holidays.Vietnam's constructor is untyped.
    # Building it computes the lunar calendar, hence the cache.
    found = country_holidays("VN", years=year)
    # weekend_workdays records the Saturdays swapped for a day off in lieu (22/8/2026 for
    # 31/8/2026); it also holds swaps of other years, hence the filter.
    return _OfficialYear(
        days_off=frozenset(d for d in found if d.year == year),
        makeup_days=frozenset(d for d in found.weekend_workdays if d.year == year),
    )


@dataclass(frozen=True)
class WorkCalendar:
    """Vietnamese public holidays and weekends, plus the department's own exceptions."""

    extra_days_off: frozenset[date] = frozenset()
    makeup_workdays: frozenset[date] = frozenset()
    zone: ZoneInfo = field(default=DEFAULT_ZONE)

    def __post_init__(self) -> None:
        both = self.extra_days_off & self.makeup_workdays
        if both:
            days = ", ".join(d.isoformat() for d in sorted(both))
            raise InvalidInput(f"a date cannot be both a day off and a make-up working day: {days}")

    def is_working_day(self, day: date) -> bool:
        """Whether ``day`` (a local date) is a working day. A datetime is read as its local date."""
        day = self._local_date(day) if isinstance(day, datetime) else day
        if day in self.extra_days_off:
            return False
        if day in self.makeup_workdays:
            return True
        official = _official_year(day.year)
        if day in official.days_off:
            return False
        if day in official.makeup_days:
            return True
        return day.weekday() < _SATURDAY

    def add_working_days(self, moment: datetime, n: int) -> datetime:
        """The moment ``n`` working days after ``moment`` (before it when ``n`` is negative).

        Counting starts from the next (or previous) local date, so a moment on a day off moves to
        the first working day after it for ``n == 1``; ``n == 0`` is ``moment`` itself. The result
        keeps the local time of day and ``moment``'s tzinfo; a naive moment is read as local wall
        time (as the engine reads naive due dates) and gives a naive result.
        """
        local = self._to_local(moment)
        target = self._shift(local.date(), n)
        result = datetime.combine(target, local.timetz())
        return self._from_local(result, moment)

    def working_days_between(self, start: date, end: date) -> int:
        """The working days stepped over going from ``start`` to ``end`` (local dates).

        Forward, the working days in (start, end]; backward, minus those in [end, start). So it
        is the exact inverse of ``add_working_days`` even from a day off: for a moment ``m``,
        ``working_days_between(m, add_working_days(m, n)) == n``.
        """
        first, last = self._local_date(start), self._local_date(end)
        if last < first:
            return -self._count(last, first - timedelta(days=1))
        return self._count(first + timedelta(days=1), last)

    def _count(self, first: date, last: date) -> int:
        days = (first + timedelta(days=i) for i in range((last - first).days + 1))
        return sum(1 for day in days if self.is_working_day(day))

    def due_end_of_day(self, moment: datetime, n: int) -> datetime:
        """The end (23:59:59 local) of the ``n``-th working day after ``moment``.

        Suits deadlines written as "trong N ngày làm việc", which run to the end of the last day
        rather than to the hour the task arrived.
        """
        local = self._to_local(moment)
        result = end_of_day(self._shift(local.date(), n), self.zone)
        return self._from_local(result, moment)

    def _shift(self, day: date, n: int) -> date:
        step = timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def _to_local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            return moment.replace(tzinfo=self.zone)
        return moment.astimezone(self.zone)

    def _from_local(self, local: datetime, original: datetime) -> datetime:
        if original.tzinfo is None:
            return local.replace(tzinfo=None)
        return local.astimezone(original.tzinfo)

    def _local_date(self, value: date) -> date:
        if isinstance(value, datetime):
            return self._to_local(value).date()
        return value


def calendar_from_mapping(data: Mapping[str, object]) -> WorkCalendar:
    """A calendar from ``{"extra_days_off": [...], "makeup_workdays": [...], "zone": "..."}``.

    Dates are ISO strings (``"2026-02-13"``) or ``date`` values (TOML gives those). Every key is
    optional; an unknown key is refused rather than ignored, so a typo never drops a day off.
    """
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InvalidInput(f"unknown calendar setting(s): {', '.join(unknown)}")
    return WorkCalendar(
        extra_days_off=_dates(data.get("extra_days_off", []), "extra_days_off"),
        makeup_workdays=_dates(data.get("makeup_workdays", []), "makeup_workdays"),
        zone=_zone(data.get("zone", DEFAULT_ZONE.key)),
    )


def load_work_calendar(path: str | Path) -> WorkCalendar:
    """A calendar from a ``.json`` or ``.toml`` file with the keys of ``calendar_from_mapping``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".json", ".toml"}:
        raise InvalidInput(f"{path}: a calendar file must be .json or .toml")
    try:
        text = path.read_text(encoding="utf-8")
        data: object = tomllib.loads(text) if suffix == ".toml" else json.loads(text)
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        # tomllib.TOMLDecodeError and json.JSONDecodeError are both ValueErrors.
        raise InvalidInput(f"{path}: cannot read the calendar: {exc}") from exc
    if not isinstance(data, Mapping):
        raise InvalidInput(f"{path}: a calendar file must hold a table of settings")
    return calendar_from_mapping(data)


def _dates(value: object, key: str) -> frozenset[date]:
    if not isinstance(value, list | tuple | set | frozenset):
        raise InvalidInput(f"{key} must be a list of dates")
    return frozenset(_date(item, key) for item in value)


def _date(item: object, key: str) -> date:
    if isinstance(item, datetime):
        raise InvalidInput(f"{key}: {item!r} has a time of day; give a date")
    if isinstance(item, date):
        return item
    if isinstance(item, str):
        try:
            return date.fromisoformat(item)
        except ValueError as exc:
            raise InvalidInput(f"{key}: {item!r} is not a date like 2026-02-13") from exc
    raise InvalidInput(f"{key}: {item!r} is not a date like 2026-02-13")


def _zone(value: object) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str):
        raise InvalidInput(f"zone must be a time-zone name, got {value!r}")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidInput(f"zone: unknown time zone {value!r}") from exc


# The calendar with no local exceptions, for callers that need nothing more.
_DEFAULT = WorkCalendar()


def as_date(value: object) -> date:
    """A date from what a diagram's data holds: a date, a datetime, or an ISO text."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def is_working_day(day: date) -> bool:
    """``WorkCalendar().is_working_day``: public holidays and weekends only."""
    return _DEFAULT.is_working_day(day)


def add_working_days(moment: datetime, n: int) -> datetime:
    """``WorkCalendar().add_working_days``; fits ``EngineConfig.add_working_days``."""
    return _DEFAULT.add_working_days(moment, n)


def working_days_between(start: date, end: date) -> int:
    """``WorkCalendar().working_days_between``."""
    return _DEFAULT.working_days_between(start, end)


def due_end_of_day(moment: datetime, n: int) -> datetime:
    """``WorkCalendar().due_end_of_day``."""
    return _DEFAULT.due_end_of_day(moment, n)
