"""The engine never reads the wall clock itself: a clock is handed in, so tests and operators
can move through time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo

Clock = Callable[[], datetime]
# A deadline written as a day runs to its end: a date, or "trong N ngày làm việc".
END_OF_DAY = time(23, 59, 59)


def system_clock() -> datetime:
    return datetime.now(UTC)


class ManualClock:
    """A clock that stands still until told to move: for tests and `--now`."""

    def __init__(self, start: datetime) -> None:
        self.now = as_utc(start)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def set(self, moment: datetime) -> None:
        self.now = as_utc(moment)


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def zoned_utc(moment: datetime, zone: tzinfo) -> datetime:
    """Aware UTC; a naive datetime is a time on the office's clock (`zone`), as Camunda reads a
    date without a zone on the server's."""
    return as_utc(moment if moment.tzinfo else moment.replace(tzinfo=zone))


def end_of_day(day: date, zone: tzinfo) -> datetime:
    """The last second of the day in `zone`: what a deadline given as a day means."""
    return datetime.combine(day, END_OF_DAY, tzinfo=zone)


def ends_its_day(moment: datetime, zone: tzinfo) -> bool:
    """Whether a deadline runs to the end of its day in `zone` (shown as a date, no hour)."""
    local = moment.astimezone(zone)
    return (local.hour, local.minute) == (END_OF_DAY.hour, END_OF_DAY.minute)
