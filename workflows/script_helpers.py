"""Functions offered to the department's BPMN scripts and expressions (by these names)."""

from __future__ import annotations

import calendar as months
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from engine import end_of_day

from .batch_identification import batch_helpers
from .calendar import WorkCalendar, as_date
from .legal_drafting import legal_drafting_helpers
from .org_chart import OrgChart, leaders_group, read_org_chart
from .plan_deadline import due_day, due_passed
from .urgency import DEFAULT_RULE, UrgencyRule, urgent_deadline

# The reminder's lead time when a task does not set its own (`so_ngay_nhac`): a task given more
# than LONG_TASK_DAYS calendar days from its assignment to its deadline is reminded
# REMINDER_WORKING_DAYS working days ahead, a shorter one SHORT_REMINDER_WORKING_DAYS.
REMINDER_WORKING_DAYS = 3
SHORT_REMINDER_WORKING_DAYS = 1
LONG_TASK_DAYS = 30
MAX_REMINDER_WORKING_DAYS = 30
# The verdicts on a finished task (QĐ 42/2014 reports): judged at the report's date.
ON_TIME, LATE = "hoan_thanh_dung_han", "hoan_thanh_qua_han"
# A cooperating unit's (phối hợp) deadline: COOPERATION_LEAD_WORKING_DAYS working days before
# the lead unit's, so the lead can use the contribution in its report, but never earlier than
# COOPERATION_MIN_WORKING_DAYS working days from the assignment, nor later than the lead's.
COOPERATION_LEAD_WORKING_DAYS = 5
COOPERATION_MIN_WORKING_DAYS = 3
# A periodic task's period, in months ("lap_lai": {"every", "day", "month"}, see plan_deadline).
PERIOD_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}
START_OF_DAY = time(8, 0)


def _vn(value: Any) -> str:
    return as_date(value).strftime("%d/%m/%Y")


def _period(every: str, day: date) -> tuple[date, date]:
    """The period of kind `every` that holds `day`: its first and last days."""
    step = PERIOD_MONTHS[every]
    first = (day.month - 1) // step * step + 1
    last = first + step - 1
    return date(day.year, first, 1), date(day.year, last, months.monthrange(day.year, last)[1])


def _every(lap_lai: Any) -> str | None:
    every = lap_lai.get("every") if isinstance(lap_lai, dict) else None
    return every if every in PERIOD_MONTHS else None


def script_helpers(
    calendar: WorkCalendar, urgency: UrgencyRule = DEFAULT_RULE, chart: OrgChart | None = None
) -> dict[str, Callable[..., Any]]:
    zone = calendar.zone
    units = chart or read_org_chart()

    def tinh_han_phoi_hop(han: Any, now: datetime) -> str | None:
        """A cooperating unit's deadline (ISO date): COOPERATION_LEAD_WORKING_DAYS working days
        before the lead's deadline `han`, not earlier than COOPERATION_MIN_WORKING_DAYS working
        days from `now`, never after `han`. None when the lead has no deadline."""
        if not han:
            return None
        lead = as_date(han)
        before = calendar.add_working_days(
            datetime.combine(lead, START_OF_DAY, tzinfo=zone), -COOPERATION_LEAD_WORKING_DAYS
        )
        earliest = calendar.add_working_days(now.astimezone(zone), COOPERATION_MIN_WORKING_DAYS)
        return min(lead, max(before.date(), earliest.date())).isoformat()

    def chon_don_vi_phoi_hop(ds: Any, keys: Any = ()) -> list[str]:
        """The cooperating units that get a task of their own, as group keys, each once (the
        caller excludes the lead): `keys` as given (unit keys checked against the database's
        units when they were entered: a form's `x-options` field, or the importer), then the
        Sở's units among the names `ds` as the shipped chart knows them (items imported before
        keys were recorded). Outside bodies and wordings such as "các phòng, đơn vị" get no
        task (they have no inbox here); they stay listed in the item."""
        found: list[str] = [str(k) for k in keys if k] if isinstance(keys, list | tuple) else []
        found = list(dict.fromkeys(found))
        for entry in ds if isinstance(ds, list | tuple) else []:
            unit = units.unit(str(entry)) or units.unit_by_name(str(entry))
            if unit is not None and unit.key not in found:
                found.append(unit.key)
        return found

    def lanh_dao(unit: str) -> str:
        """The group of a unit's leaders (trưởng phòng, phó phòng): '<unit>.lanh_dao'."""
        return leaders_group(unit)

    def het_han(han: Any) -> datetime:
        """The last moment of the deadline day, in the office's time zone."""
        return end_of_day(as_date(han), zone)

    def nhac_truoc_han(han: Any, so_ngay: Any = None) -> datetime:
        """When to remind: the morning `so_ngay` working days before the deadline day
        (REMINDER_WORKING_DAYS when not given)."""
        days = REMINDER_WORKING_DAYS if so_ngay is None else int(so_ngay)
        deadline = datetime.combine(as_date(han), START_OF_DAY, tzinfo=zone)
        return calendar.add_working_days(deadline, -days)

    def tinh_so_ngay_nhac(han: Any, now: datetime, chon: Any = None) -> int | None:
        """The reminder's lead time in working days: the task's own (`chon`, 1 to
        MAX_REMINDER_WORKING_DAYS) when given, else by the task's length: more than
        LONG_TASK_DAYS calendar days from now to the deadline, REMINDER_WORKING_DAYS; shorter,
        SHORT_REMINDER_WORKING_DAYS. None when there is no deadline yet."""
        if chon not in (None, ""):
            return max(1, min(int(chon), MAX_REMINDER_WORKING_DAYS))
        if not han:
            return None
        length = (as_date(han) - now.astimezone(zone).date()).days
        return REMINDER_WORKING_DAYS if length > LONG_TASK_DAYS else SHORT_REMINDER_WORKING_DAYS

    def loi_gia_han(han: Any, han_de_nghi: Any, now: datetime) -> str:
        """Why a request to extend the deadline `han` to `han_de_nghi`, sent at `now`, cannot go
        to the leader; "" when it can. A request comes before the deadline (the end of its
        day) and proposes a later date."""
        if now > het_han(han):
            return (
                f"Không gửi được đề nghị gia hạn: nhiệm vụ đã quá hạn {_vn(han)}; đề nghị gia "
                "hạn phải gửi trước thời hạn."
            )
        if not han_de_nghi or as_date(han_de_nghi) <= as_date(han):
            return f"Không gửi được đề nghị gia hạn: hạn đề nghị phải sau hạn hiện tại {_vn(han)}."
        return ""

    def phan_loai_ket_qua(ngay_bao_cao: Any, han: Any) -> str:
        """Done on time or late, judged at the moment the unit sent its result report against
        the deadline then in force (an approved extension included) — not at the leader's
        acceptance."""
        reported = ngay_bao_cao if isinstance(ngay_bao_cao, datetime) else None
        if reported is None:
            reported = datetime.fromisoformat(str(ngay_bao_cao))
        return ON_TIME if reported <= het_han(han) else LATE

    def thoi_diem(now: datetime) -> str:
        """A moment as stored in an item's data: ISO 8601 in the office's zone."""
        return now.astimezone(zone).isoformat(timespec="seconds")

    def ngay_cua(now: datetime) -> str:
        """The office's day of a moment, as a form's date is stored ("2026-03-02")."""
        return now.astimezone(zone).date().isoformat()

    def han_theo_ke_hoach(kind: Any, value: Any, now: datetime, nam: Any = None) -> str | None:
        """The deadline date (ISO) a plan's wording gives a task given at `now`, of a plan for
        the year `nam` (plan_deadline.due_day); None when the plan gives none."""
        day = due_day(kind, value, now.astimezone(zone).date(), nam)
        return day.isoformat() if day else None

    def han_ke_hoach_da_qua(kind: Any, value: Any, now: datetime, nam: Any = None) -> bool:
        """Whether that deadline has passed when the task is given at `now`
        (plan_deadline.due_passed, the rule the plan's review flags «Đã hết hạn» by)."""
        return due_passed(kind, value, now.astimezone(zone).date(), nam)

    def nam_cua(han: Any) -> int:
        return as_date(han).year

    def dau_nam(nam: Any) -> datetime:
        """The first morning of a year, when a yearly task reopens."""
        return datetime.combine(date(int(nam), 1, 1), START_OF_DAY, tzinfo=zone)

    def ngay_lam_viec(day: date) -> date:
        """`day`, or the next working day when it is a day off (the office's rule for a
        periodic deadline that falls on a weekend or a holiday)."""
        while not calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    def ky_cua(lap_lai: Any, han: Any) -> dict[str, str] | None:
        """The period of a periodic task (`lap_lai`) whose deadline is `han`: {"bat_dau",
        "ket_thuc"} (ISO dates); None for a task that does not recur or has no deadline."""
        every = _every(lap_lai)
        if every is None or not han:
            return None
        start, end = _period(every, as_date(han))
        return {"bat_dau": start.isoformat(), "ket_thuc": end.isoformat()}

    def ky_tiep_theo(lap_lai: Any, ky: Any, ket_thuc_chuoi: Any = None) -> dict[str, str] | None:
        """The period after `ky` and its deadline: {"bat_dau", "ket_thuc", "han"}. The deadline
        is day `day` of the period's last month (of month `month` for a yearly date), else the
        period's last day, moved to the next working day when it is a day off. None when the
        task does not recur or the next period starts after the series' end `ket_thuc_chuoi`."""
        every = _every(lap_lai)
        if every is None or not isinstance(ky, dict) or not ky.get("ket_thuc"):
            return None
        start, end = _period(every, as_date(ky["ket_thuc"]) + timedelta(days=1))
        if ket_thuc_chuoi and start > as_date(ket_thuc_chuoi):
            return None
        month = end.month
        if every == "year" and lap_lai.get("month"):
            month = int(lap_lai["month"])
        last = months.monthrange(end.year, month)[1]
        day = lap_lai.get("day")
        due = date(end.year, month, min(int(day), last) if day else last)
        return {
            "bat_dau": start.isoformat(),
            "ket_thuc": end.isoformat(),
            "han": ngay_lam_viec(due).isoformat(),
        }

    def bat_dau_ky(ky: Any) -> datetime:
        """The first morning of a period, when its occurrence of a periodic task opens."""
        return datetime.combine(as_date(ky["bat_dau"]), START_OF_DAY, tzinfo=zone)

    def ghi_ky(cac_ky: Any, ky: Any, han: Any, ngay_bao_cao: Any, dung_han: Any) -> list[Any]:
        """The item's record of its occurrences with one more: the period (None for a task
        that does not recur), the deadline in force, the report's date and the verdict."""
        period = ky if isinstance(ky, dict) else {}
        entry = {
            "bat_dau": period.get("bat_dau"),
            "ket_thuc": period.get("ket_thuc"),
            "han_xu_ly": str(han) if han else None,
            "ngay_bao_cao": ngay_bao_cao,
            "on_time": bool(dung_han),
        }
        return [*(cac_ky if isinstance(cac_ky, list) else []), entry]

    def han_theo_do_khan(so_ngay: Any, do_khan: Any, now: datetime) -> datetime:
        """A step's deadline: `so_ngay` working days from now for an ordinary document, fewer
        for an urgent one (workflows/urgency.py: Khẩn, Thượng khẩn, Hỏa tốc)."""
        level = do_khan if isinstance(do_khan, str) else None
        return urgent_deadline(urgency, calendar.add_working_days, zone, int(so_ngay), level, now)

    return {
        **legal_drafting_helpers(calendar),
        **batch_helpers(zone),
        "lanh_dao": lanh_dao,
        "tinh_han_phoi_hop": tinh_han_phoi_hop,
        "chon_don_vi_phoi_hop": chon_don_vi_phoi_hop,
        "han_theo_do_khan": han_theo_do_khan,
        "het_han": het_han,
        "nhac_truoc_han": nhac_truoc_han,
        "tinh_so_ngay_nhac": tinh_so_ngay_nhac,
        "loi_gia_han": loi_gia_han,
        "phan_loai_ket_qua": phan_loai_ket_qua,
        "thoi_diem": thoi_diem,
        "ngay_cua": ngay_cua,
        "han_theo_ke_hoach": han_theo_ke_hoach,
        "han_ke_hoach_da_qua": han_ke_hoach_da_qua,
        "nam_cua": nam_cua,
        "dau_nam": dau_nam,
        "ky_cua": ky_cua,
        "ky_tiep_theo": ky_tiep_theo,
        "bat_dau_ky": bat_dau_ky,
        "ghi_ky": ghi_ky,
    }
