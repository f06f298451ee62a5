"""The working-day calendar: Vietnamese holidays (as holidays.Vietnam gives them), weekends, the
department's own days off and make-up days, and local dates in Asia/Ho_Chi_Minh."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine import EngineConfig, InvalidInput
from workflows.calendar import (
    DEFAULT_ZONE,
    WorkCalendar,
    add_working_days,
    calendar_from_mapping,
    due_end_of_day,
    is_working_day,
    load_work_calendar,
    working_days_between,
)

HN = DEFAULT_ZONE


def local(y: int, m: int, d: int, hh: int = 9, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=HN)


# Weekdays that are not working days, as holidays.Vietnam gave them when this was written
# (printed, not invented). If a new release of the package changes them, this test says so.
WEEKDAYS_OFF = {
    2026: [
        date(2026, 1, 1),  # Tết Dương lịch
        *(date(2026, 2, d) for d in range(16, 21)),  # Tết Nguyên đán: 29 Tết (eve) to mùng 4
        date(2026, 4, 27),  # Giỗ Tổ Hùng Vương (26/4 is a Sunday: nghỉ bù)
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # day off in lieu of the make-up Saturday 22/8/2026
        date(2026, 9, 1),
        date(2026, 9, 2),
        date(2026, 11, 24),  # Ngày Văn hóa Việt Nam, from 2026
    ],
    2027: [
        date(2027, 1, 1),
        date(2027, 2, 4),  # 29 Tết
        date(2027, 2, 5),  # Giao thừa
        date(2027, 2, 8),  # mùng 3 (mùng 1 and 2 are Saturday and Sunday)
        date(2027, 2, 9),
        date(2027, 2, 10),
        date(2027, 4, 16),  # Giỗ Tổ Hùng Vương
        date(2027, 4, 30),
        date(2027, 5, 3),  # 1/5 is a Saturday: nghỉ bù on Monday
        date(2027, 9, 2),
        date(2027, 9, 3),
        date(2027, 11, 24),
    ],
}


@pytest.mark.parametrize("year", sorted(WEEKDAYS_OFF))
def test_calendar__weekdays_off_are_the_public_holidays(year: int) -> None:
    days = (date(year, 1, 1) + timedelta(days=i) for i in range(366))
    off = [d for d in days if d.year == year and d.weekday() < 5 and not is_working_day(d)]
    assert off == WEEKDAYS_OFF[year]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 2, 17), False),  # mùng 1 Tết 2026
        (date(2026, 2, 21), False),  # Saturday after Tết
        (date(2026, 2, 23), True),  # first working day after Tết
        (date(2026, 8, 22), True),  # official make-up Saturday for 31/8/2026
        (date(2025, 4, 26), True),  # official make-up Saturday for 2/5/2025
        (date(2026, 8, 29), False),  # an ordinary Saturday
        (date(2026, 3, 8), False),  # Sunday
        (date(2026, 3, 9), True),
        (datetime(2026, 3, 6, 17, 30, tzinfo=UTC), False),  # Saturday 00:30 in Hà Nội
    ],
)
def test_calendar__is_working_day(day: date, working: bool) -> None:
    assert is_working_day(day) is working


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Tết 2026 (16–20/2, between two weekends)
        (local(2026, 2, 10), 15, local(2026, 3, 10)),  # "15 ngày làm việc" from before Tết
        (local(2026, 2, 13), 1, local(2026, 2, 23)),
        (local(2026, 2, 13), 5, local(2026, 2, 27)),
        (local(2026, 2, 17), 1, local(2026, 2, 23)),  # from a holiday: next working day
        (local(2026, 2, 23), -1, local(2026, 2, 13)),
        (local(2026, 3, 10), -15, local(2026, 2, 10)),
        # Tết 2027 (4–10/2)
        (local(2027, 2, 3), 1, local(2027, 2, 11)),
        (local(2027, 2, 1), 15, local(2027, 3, 1)),
        (local(2027, 2, 11), -1, local(2027, 2, 3)),
        # weekends
        (local(2026, 3, 6), 1, local(2026, 3, 9)),
        (local(2026, 3, 7), 1, local(2026, 3, 9)),
        (local(2026, 3, 8), -1, local(2026, 3, 6)),
        (local(2026, 3, 9), -1, local(2026, 3, 6)),
        (local(2026, 3, 2), 10, local(2026, 3, 16)),
        # Giỗ Tổ (observed 27/4), 30/4 and 1/5
        (local(2026, 4, 24), 1, local(2026, 4, 28)),
        (local(2026, 4, 24), 3, local(2026, 5, 4)),
        (local(2026, 4, 29), 1, local(2026, 5, 4)),
        (local(2026, 5, 4), -2, local(2026, 4, 28)),
        (local(2027, 4, 29), 1, local(2027, 5, 4)),  # 1/5/2027 Saturday, nghỉ bù 3/5
        # 2/9 with its adjacent day, and the 2026 swap (31/8 off, Saturday 22/8 worked)
        (local(2026, 8, 28), 1, local(2026, 9, 3)),
        (local(2026, 8, 21), 1, local(2026, 8, 22)),
        (local(2026, 9, 3), -1, local(2026, 8, 28)),
        (local(2027, 9, 1), 1, local(2027, 9, 6)),
        # 24/11, from 2026
        (local(2026, 11, 23), 1, local(2026, 11, 25)),
        # zero: the same moment, even on a day off
        (local(2026, 2, 17, 14, 5), 0, local(2026, 2, 17, 14, 5)),
        (local(2026, 3, 9, 8, 0), 0, local(2026, 3, 9, 8, 0)),
    ],
)
def test_calendar__add_working_days(start: datetime, n: int, expected: datetime) -> None:
    assert add_working_days(start, n) == expected
    assert working_days_between(start, expected) == n


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Friday 23:30 in Hà Nội is 16:30 UTC on Friday: the next working day is Monday.
        (datetime(2026, 3, 6, 16, 30, tzinfo=UTC), 1, datetime(2026, 3, 9, 16, 30, tzinfo=UTC)),
        # Saturday 00:30 in Hà Nội is still Friday in UTC: it counts from Saturday, a day off,
        # so one working day is Monday 00:30 local, which is Sunday 17:30 UTC.
        (datetime(2026, 3, 6, 17, 30, tzinfo=UTC), 1, datetime(2026, 3, 8, 17, 30, tzinfo=UTC)),
        # Friday 23:30 before Tết 2026, given in UTC.
        (datetime(2026, 2, 13, 16, 30, tzinfo=UTC), 1, datetime(2026, 2, 23, 16, 30, tzinfo=UTC)),
        (datetime(2026, 3, 9, 16, 30, tzinfo=UTC), -1, datetime(2026, 3, 6, 16, 30, tzinfo=UTC)),
    ],
)
def test_calendar__counts_local_dates_and_keeps_the_callers_zone(
    start: datetime, n: int, expected: datetime
) -> None:
    result = add_working_days(start, n)
    assert result == expected
    assert result.tzinfo is UTC
    assert result.astimezone(HN).time() == start.astimezone(HN).time()


def test_calendar__naive_moment_is_local_wall_time() -> None:
    assert add_working_days(datetime(2026, 3, 6, 23, 30), 1) == datetime(2026, 3, 9, 23, 30)


MONDAY_OFF = WorkCalendar(extra_days_off=frozenset({date(2026, 3, 9)}))
SATURDAY_WORKED = WorkCalendar(makeup_workdays=frozenset({date(2026, 3, 7)}))
# Friday 2/1/2026 off, worked back on Saturday 10/1/2026.
SWAPPED = WorkCalendar(
    extra_days_off=frozenset({date(2026, 1, 2)}), makeup_workdays=frozenset({date(2026, 1, 10)})
)
OFFICIAL_SATURDAY_OFF = WorkCalendar(extra_days_off=frozenset({date(2026, 8, 22)}))
HOLIDAY_WORKED = WorkCalendar(makeup_workdays=frozenset({date(2026, 2, 20)}))


@pytest.mark.parametrize(
    ("calendar", "start", "n", "expected"),
    [
        (MONDAY_OFF, local(2026, 3, 6), 1, local(2026, 3, 10)),
        (MONDAY_OFF, local(2026, 3, 10), -1, local(2026, 3, 6)),
        (SATURDAY_WORKED, local(2026, 3, 6), 1, local(2026, 3, 7)),
        (SATURDAY_WORKED, local(2026, 3, 9), -1, local(2026, 3, 7)),
        (SWAPPED, local(2025, 12, 31), 5, local(2026, 1, 9)),
        (SWAPPED, local(2026, 1, 9), 1, local(2026, 1, 10)),
        # a configured day off overrides an official make-up Saturday
        (OFFICIAL_SATURDAY_OFF, local(2026, 8, 21), 1, local(2026, 8, 24)),
        # a configured working day overrides a public holiday
        (HOLIDAY_WORKED, local(2026, 2, 13), 1, local(2026, 2, 20)),
    ],
)
def test_calendar__configured_days(
    calendar: WorkCalendar, start: datetime, n: int, expected: datetime
) -> None:
    assert calendar.add_working_days(start, n) == expected
    assert calendar.working_days_between(start, expected) == n


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2026, 2, 13), date(2026, 2, 23), 1),
        (date(2026, 2, 23), date(2026, 2, 13), -1),
        (date(2026, 3, 8), date(2026, 3, 6), -1),  # back from Sunday: Friday is one step
        (date(2026, 3, 6), date(2026, 3, 8), 0),  # forward from Friday: nothing by Sunday
        (date(2026, 2, 14), date(2026, 2, 22), 0),
        (date(2026, 3, 9), date(2026, 3, 9), 0),
        (date(2026, 1, 1), date(2026, 12, 31), 249),  # 261 weekdays - 13 off + Sat 22/8
        (datetime(2026, 3, 6, 16, 30, tzinfo=UTC), datetime(2026, 3, 6, 17, 30, tzinfo=UTC), 0),
    ],
)
def test_calendar__working_days_between(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected


def test_calendar__due_end_of_day() -> None:
    due = due_end_of_day(datetime(2026, 2, 13, 3, 0, tzinfo=UTC), 1)
    assert due == datetime(2026, 2, 23, 16, 59, 59, tzinfo=UTC)
    assert due.astimezone(HN) == datetime(2026, 2, 23, 23, 59, 59, tzinfo=HN)


def test_calendar__fits_the_engine_config() -> None:
    calendar = WorkCalendar(extra_days_off=frozenset({date(2026, 3, 9)}))
    config = EngineConfig(add_working_days=calendar.add_working_days)
    assert config.add_working_days(local(2026, 3, 6), 1) == local(2026, 3, 10)


def test_calendar__loads_json_toml_and_mappings(tmp_path: Path) -> None:
    expected = WorkCalendar(
        extra_days_off=frozenset({date(2026, 1, 2)}),
        makeup_workdays=frozenset({date(2026, 1, 10)}),
    )
    settings = {"extra_days_off": ["2026-01-02"], "makeup_workdays": ["2026-01-10"]}
    (tmp_path / "lich.json").write_text(json.dumps(settings), encoding="utf-8")
    (tmp_path / "lich.toml").write_text(
        'zone = "Asia/Ho_Chi_Minh"\nextra_days_off = [2026-01-02]\n'
        'makeup_workdays = ["2026-01-10"]\n',
        encoding="utf-8",
    )
    assert calendar_from_mapping(settings) == expected
    assert load_work_calendar(tmp_path / "lich.json") == expected
    assert load_work_calendar(tmp_path / "lich.toml") == expected
    assert calendar_from_mapping({}) == WorkCalendar()


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"extra_day_off": ["2026-01-02"]}, "unknown calendar setting"),
        ({"extra_days_off": ["2/1/2026"]}, "not a date"),
        ({"extra_days_off": "2026-01-02"}, "must be a list"),
        ({"makeup_workdays": [datetime(2026, 1, 10, 8, 0)]}, "time of day"),
        ({"zone": "Asia/Hanoi_City"}, "unknown time zone"),
        ({"extra_days_off": ["2026-01-10"], "makeup_workdays": ["2026-01-10"]}, "both"),
    ],
)
def test_calendar__bad_settings_are_refused(settings: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        calendar_from_mapping(settings)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("lich.yaml", "zone: x", "must be .json or .toml"),
        ("lich.json", "{not json", "cannot read"),
        ("lich.json", "[]", "table of settings"),
        ("missing.json", None, "cannot read"),
    ],
)
def test_calendar__bad_files_are_refused(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content, encoding="utf-8")
    with pytest.raises(InvalidInput, match=message):
        load_work_calendar(tmp_path / name)
