"""The day a plan's task is due and whether it has passed when the task is given
(workflows.plan_deadline.due_day / due_passed): the one rule the plan's review («Đã hết hạn»)
and giao_nhiem_vu's script (han_theo_ke_hoach, han_ke_hoach_da_qua) share. Its edge days: the
day before, the day itself, the day after; the turn of the year; the office's time zone."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from workflows.calendar import WorkCalendar
from workflows.plan_assign import deadline_passed
from workflows.plan_deadline import (
    Deadline,
    DeadlineKind,
    Every,
    due_day,
    due_passed,
    given_on,
)
from workflows.script_helpers import script_helpers

TODAY = date(2026, 9, 15)


@pytest.mark.parametrize(
    ("kind", "value", "today", "due", "passed"),
    [
        # A date: yesterday's has passed; today's and tomorrow's have not.
        ("date", "2026-09-14", TODAY, date(2026, 9, 14), True),
        ("date", "2026-09-15", TODAY, date(2026, 9, 15), False),
        ("date", "2026-09-16", TODAY, date(2026, 9, 16), False),
        ("date", date(2026, 9, 14), TODAY, date(2026, 9, 14), True),
        ("date", datetime(2026, 9, 15, 23, 0), TODAY, date(2026, 9, 15), False),
        # "Trong năm": its last day, in time on 31/12, passed on 1/1.
        ("year", 2026, date(2026, 12, 31), date(2026, 12, 31), False),
        ("year", 2026, date(2027, 1, 1), date(2026, 12, 31), True),
        ("year", "2026", TODAY, date(2026, 12, 31), False),
        ("year", 2026.0, TODAY, date(2026, 12, 31), False),  # a JSON number through the API
        ("year", 2025, TODAY, date(2025, 12, 31), True),
        # "Từ năm": the end of that year or of today's, whichever is later: never passed.
        ("from_year", 2021, TODAY, date(2026, 12, 31), False),
        ("from_year", 2027, TODAY, date(2027, 12, 31), False),
        ("from_year", 2026, date(2027, 1, 1), date(2027, 12, 31), False),
        # "Thường xuyên": the end of today's year, on its last day and on the next one.
        ("recurring", None, date(2026, 12, 31), date(2026, 12, 31), False),
        ("recurring", None, date(2027, 1, 1), date(2027, 12, 31), False),
        # No deadline, or a kind without its value: no day, so nothing passed.
        ("none", None, TODAY, None, False),
        ("date", None, TODAY, None, False),
        ("year", None, TODAY, None, False),
        ("from_year", None, TODAY, None, False),
    ],
)
def test_plan_due__the_day_and_whether_it_has_passed(
    kind: str, value: object, today: date, due: date | None, passed: bool
) -> None:
    assert due_day(kind, value, today) == due
    assert due_passed(kind, value, today) is passed
    assert due_passed(DeadlineKind(kind), value, today) is passed


@pytest.mark.parametrize(
    ("deadline", "passed"),
    [
        (Deadline(DeadlineKind.DATE, date(2026, 9, 14)), True),
        (Deadline(DeadlineKind.DATE, TODAY), False),
        (Deadline(DeadlineKind.YEAR, 2025), True),
        (Deadline(DeadlineKind.FROM_YEAR, 2021), False),
        (Deadline(DeadlineKind.RECURRING), False),
        (Deadline(DeadlineKind.NONE), False),
        # Periodic work starts at its first period still ahead: never passed.
        (Deadline(DeadlineKind.RECURRING, Every("month", 10)), False),
        (Deadline(DeadlineKind.RECURRING, Every("year", 15, 3)), False),
        (Deadline(DeadlineKind.RECURRING, Every("year")), False),
    ],
)
def test_plan_due__the_review_reads_a_plan_row_by_the_same_rule(
    deadline: Deadline, passed: bool
) -> None:
    assert deadline_passed(deadline, TODAY) is passed


@pytest.mark.parametrize(
    ("moment", "passed"),
    [
        # 23:59 on 14/09 in Hà Nội (UTC+7): the deadline day is still today.
        (datetime(2026, 9, 14, 16, 59, tzinfo=UTC), False),
        # 00:00 on 15/09 in Hà Nội, still 14/09 in UTC: the deadline day was yesterday.
        (datetime(2026, 9, 14, 17, 0, tzinfo=UTC), True),
    ],
)
def test_plan_due__the_diagrams_helpers_read_the_day_in_the_offices_zone(
    moment: datetime, passed: bool
) -> None:
    helpers = script_helpers(WorkCalendar())
    assert helpers["han_ke_hoach_da_qua"]("date", "2026-09-14", moment) is passed
    assert helpers["han_theo_ke_hoach"]("date", "2026-09-14", moment) == "2026-09-14"
    # The end of a year turns in the office's zone too: 1/1/2027 there, 31/12/2026 in UTC.
    new_year = datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    assert helpers["han_theo_ke_hoach"]("recurring", None, new_year) == "2027-12-31"
    assert helpers["han_ke_hoach_da_qua"]("year", 2026, new_year) is True
    assert helpers["han_theo_ke_hoach"]("none", None, new_year) is None


@pytest.mark.parametrize(
    ("kind", "value", "plan_year", "due"),
    [
        # Next year's plan, given in December: its yearly work is due at the end of its year.
        ("recurring", None, 2027, date(2027, 12, 31)),
        ("recurring", None, "2027", date(2027, 12, 31)),
        ("from_year", 2021, 2027, date(2027, 12, 31)),
        # This year's plan, or one of an earlier year, or a year that is none: as before.
        ("recurring", None, 2026, date(2026, 12, 31)),
        ("recurring", None, 2020, date(2026, 12, 31)),
        ("recurring", None, None, date(2026, 12, 31)),
        ("recurring", None, "năm sau", date(2026, 12, 31)),
        ("recurring", None, 0, date(2026, 12, 31)),
        # A stated day stays the day the words name.
        ("date", "2027-06-30", 2027, date(2027, 6, 30)),
    ],
)
def test_plan_due__next_years_plan_counts_from_its_first_day(
    kind: str, value: object, plan_year: object, due: date
) -> None:
    december = date(2026, 12, 15)
    assert due_day(kind, value, december, plan_year) == due
    assert due_passed(kind, value, december, plan_year) is False
    assert given_on(december, plan_year) == (
        date(2027, 1, 1) if plan_year in (2027, "2027") else december
    )
    helpers = script_helpers(WorkCalendar())
    moment = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
    assert helpers["han_theo_ke_hoach"](kind, value, moment, plan_year) == due.isoformat()
