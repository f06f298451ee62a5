"""Functions offered to the department's BPMN scripts and expressions (by these names)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from typing import Any

from .calendar import WorkCalendar
from .org_chart import leaders_group
from .urgency import DEFAULT_RULE, UrgencyRule, urgent_deadline

REMINDER_WORKING_DAYS = 3
END_OF_DAY = time(23, 59, 59)
START_OF_DAY = time(8, 0)


def _as_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def script_helpers(
    calendar: WorkCalendar, urgency: UrgencyRule = DEFAULT_RULE
) -> dict[str, Callable[..., Any]]:
    zone = calendar.zone

    def lanh_dao(unit: str) -> str:
        """The group of a unit's leaders (trưởng phòng, phó phòng): '<unit>.lanh_dao'."""
        return leaders_group(unit)

    def het_han(han: Any) -> datetime:
        """The last moment of the deadline day, in the office's time zone."""
        return datetime.combine(_as_date(han), END_OF_DAY, tzinfo=zone)

    def nhac_truoc_han(han: Any) -> datetime:
        """When to remind: the morning a few working days before the deadline day."""
        deadline = datetime.combine(_as_date(han), START_OF_DAY, tzinfo=zone)
        return calendar.add_working_days(deadline, -REMINDER_WORKING_DAYS)

    def han_theo_ke_hoach(kind: Any, value: Any, now: datetime) -> str | None:
        """The deadline date (ISO) a plan's wording gives: a date, the end of a year, the end of
        the current year for open-ended and yearly tasks; None when the plan gives none."""
        this_year = now.astimezone(zone).year
        if kind == "date" and value:
            return _as_date(value).isoformat()
        if kind == "year" and value:
            return f"{int(value)}-12-31"
        if kind == "from_year" and value:
            return f"{max(int(value), this_year)}-12-31"
        if kind == "recurring":
            return f"{this_year}-12-31"
        return None

    def nam_cua(han: Any) -> int:
        return _as_date(han).year

    def dau_nam(nam: Any) -> datetime:
        """The first morning of a year, when a yearly task reopens."""
        return datetime.combine(date(int(nam), 1, 1), START_OF_DAY, tzinfo=zone)

    def han_theo_do_khan(so_ngay: Any, do_khan: Any, now: datetime) -> datetime:
        """A step's deadline: `so_ngay` working days from now for an ordinary document, fewer
        for an urgent one (workflows/urgency.py: Khẩn, Thượng khẩn, Hỏa tốc)."""
        level = do_khan if isinstance(do_khan, str) else None
        return urgent_deadline(urgency, calendar.add_working_days, zone, int(so_ngay), level, now)

    return {
        "lanh_dao": lanh_dao,
        "han_theo_do_khan": han_theo_do_khan,
        "het_han": het_han,
        "nhac_truoc_han": nhac_truoc_han,
        "han_theo_ke_hoach": han_theo_ke_hoach,
        "nam_cua": nam_cua,
        "dau_nam": dau_nam,
    }
