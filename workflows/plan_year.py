"""A plan read as a plan of another year: its deadlines moved, its own wording kept.

The demo imports the department's 2020 plan as a plan of the current year, so that its office
looks like today; an operator may do the same with ``pheduyet plan import FILE --year YYYY``.
Every year a deadline names moves by the same number of years (the plan's "trong năm 2020" and
"từ năm 2021" stay this year and next year), dates keep their day and month, and the plan's own
deadline stays in ``Assignment.source_deadline``: nothing the plan says is rewritten.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import date

from engine import InvalidInput

from .plan_deadline import FIRST_YEAR, LAST_YEAR
from .plan_import import Assignment, Deadline, DeadlineKind

__all__ = ["FIRST_YEAR", "LAST_YEAR", "in_year", "moved", "plan_year"]

# Years a plan may be moved to: wide enough for any real plan, narrow enough that every moved
# date is a date.


def plan_year(assignments: list[Assignment]) -> int | None:
    """The year the plan is for: the one its deadlines name most (the earliest of a tie).

    None when no deadline names a year ("thường xuyên", none given).
    """
    years = Counter(y for a in assignments if (y := _year_of(a.deadline)) is not None).most_common()
    if not years:
        return None
    most = years[0][1]
    return min(year for year, count in years if count == most)


def in_year(assignments: list[Assignment], year: int) -> list[Assignment]:
    """The assignments as a plan of ``year``, each changed deadline's original in
    ``source_deadline``. A plan whose deadlines name no year comes back unchanged."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidInput(f"a plan can be moved to a year from {FIRST_YEAR} to {LAST_YEAR}")
    own = plan_year(assignments)
    if own is None or own == year:
        return list(assignments)
    shifted = []
    for assignment in assignments:
        try:
            deadline = moved(assignment.deadline, year - own)
        except ValueError as exc:  # a date the plan names beyond year 9999 once moved
            raise InvalidInput(
                f"{assignment.section}: “{assignment.deadline.describe()}” cannot be moved to "
                f"a plan of {year}",
                reason="deadline_not_movable",
            ) from exc
        if deadline == assignment.deadline:
            shifted.append(assignment)
        else:
            shifted.append(
                replace(assignment, deadline=deadline, source_deadline=assignment.deadline)
            )
    return shifted


def moved(deadline: Deadline, years: int) -> Deadline:
    """The deadline ``years`` later (earlier when negative); 29 February becomes 28 February
    in a common year."""
    value = deadline.value
    if isinstance(value, date):
        return Deadline(deadline.kind, _same_day(value, value.year + years))
    if isinstance(value, int) and deadline.kind in (DeadlineKind.YEAR, DeadlineKind.FROM_YEAR):
        return Deadline(deadline.kind, value + years)
    return deadline


def _same_day(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return day.replace(year=year, day=28)


def _year_of(deadline: Deadline) -> int | None:
    value = deadline.value
    if isinstance(value, date):
        return value.year
    if isinstance(value, int) and deadline.kind in (DeadlineKind.YEAR, DeadlineKind.FROM_YEAR):
        return value
    return None
