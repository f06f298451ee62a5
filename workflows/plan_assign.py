"""Turning a plan's assignments into running `giao_nhiem_vu` items (one per assignment)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

import engine

from .org_chart import OrgChart
from .plan_deadline import due_passed, given_on, stated_day
from .plan_import import Assignment, Deadline, DeadlineKind, Every
from .plan_source import SourceDocument
from .plan_year import plan_year

PROCESS_ID = "giao_nhiem_vu"
TITLE_CHARS = 160


@dataclass(frozen=True)
class Started:
    assignment: Assignment
    instance_id: int | None  # None: an item for it existed already


NUMBER_CHARS = 40  # of the plan's number in a title


def item_title(assignment: Assignment, nth: int = 1) -> str:
    """The section and summary ("<section>: <summary>"), cut to TITLE_CHARS, then the plan's
    number when its header gives one ("II.1: Tuyên truyền … (45/KH-UBND)"), else its issuer
    ("… (UBND xã Tân Thanh)"): the same words in two plans (this year's and next year's, two
    communes' written from one template, their numbers left blank) are two tasks. The ``nth``
    task of the plan that would have the same title (its words alike for as long as a title
    runs) is told apart by its rank ("… (2)")."""
    mark = _mark(assignment.source)
    tail = f" ({mark[0][:NUMBER_CHARS]})" if mark else ""
    if nth > 1:
        tail = f"{tail} ({nth})"
    title = f"{assignment.section}: {assignment.summary}"
    room = TITLE_CHARS - len(tail)
    if len(title) > room:
        title = title[: room - 1].rstrip() + "…"
    return title + tail


_PLACES = frozenset({"tỉnh", "huyện", "xã", "phường", "thị", "trấn", "quận", "thành", "phố"})


def _mark(source: SourceDocument | None) -> tuple[str, str, str] | None:
    """What tells the plan apart in its items' titles, the item's field that holds it and its
    value there: the plan's number, else its issuer (named as a title reads it: "UBND xã Tân
    Thanh" for "ỦY BAN NHÂN DÂN XÃ TÂN THANH"); None when the header gives neither."""
    if source is None:
        return None
    if source.number:
        return source.number, "so_ky_hieu_van_ban", source.number
    if not source.issuer:
        return None
    named = " ".join(source.issuer.split())
    if named.isupper():
        named = named.replace("ỦY BAN NHÂN DÂN", "UBND").replace("UỶ BAN NHÂN DÂN", "UBND")
        named = " ".join(
            w if w == "UBND" else w.lower() if w.lower() in _PLACES else w.capitalize()
            for w in named.split()
        )
    return named, "co_quan_ban_hanh", source.issuer


def start_data(
    assignment: Assignment,
    chart: OrgChart,
    source_year: int | None = None,
    today: date | None = None,
    applied_year: int | None = None,
) -> dict[str, Any]:
    """What an item of the plan starts with: everything a person must read to act on the task
    (labelled for people by bpmn/forms/nhiem_vu_ke_hoach.json), then the two values the
    diagram computes its deadline from (``loai_han``, ``gia_tri_han``).

    Periodic work ("hằng tháng", "hằng quý", "định kỳ 6 tháng", "trước ngày 15/12 hằng năm")
    starts with the deadline of its first period from ``today`` on (from the first day of the
    plan's year when that is later: plan_deadline.given_on; ``applied_year`` when an import moved
    the plan to another year, else ``source_year``), as a date, and
    keeps its recurrence in ``lap_lai`` ({"every", "day"}); "thường xuyên" and a plain "hằng
    năm" stay ``recurring``, which the diagram reopens every year (from the plan's year too)."""
    lead = chart.unit_by_name(assignment.lead_unit) if assignment.lead_unit else None
    deadline, source = assignment.deadline, assignment.source_deadline
    every = deadline.value if isinstance(deadline.value, Every) else None
    year = applied_year if applied_year is not None else source_year
    kind, value = start_deadline(deadline, given_on(today or date.today(), year))
    due = _iso_day(stated_day(kind, value))
    return {
        "section": assignment.section,
        "ten_muc": assignment.section_title or None,
        "noi_dung": assignment.summary,
        "noi_dung_day_du": assignment.text or assignment.summary,
        "san_pham": assignment.product or None,
        "don_vi_chu_tri": lead.key if lead else None,
        "ten_don_vi_chu_tri": assignment.lead_unit,
        "don_vi_phoi_hop": list(assignment.cooperating_units),
        # The Sở's units among them, by key, as the database's units read them now: the
        # diagram gives each its own task (outside bodies stay listed only).
        "ma_don_vi_phoi_hop": [
            unit.key
            for name in assignment.cooperating_units
            if (unit := chart.unit_by_name(name)) is not None
        ],
        "thoi_han": deadline_words(deadline),
        "han_hoan_thanh": due,
        # The plan's own deadline, kept when the import moved the plan to another year.
        "thoi_han_goc": deadline_words(source) if source else None,
        "han_goc": deadline_date(source) if source else None,
        "nam_ke_hoach": source_year,
        "can_quyet_dinh": assignment.needs_decision,
        "lap_lai": every.to_json() if every else None,
        # Monthly, quarterly and half-yearly work of a plan runs through the plan's year (the
        # year of its first period's deadline); yearly work ("hằng năm") until a leader stops it.
        "ket_thuc_chuoi": (
            date(int(due[:4]), 12, 31).isoformat()
            if every is not None and every.every != "year" and due
            else None
        ),
        # Number, date, issuer and summary of the plan, as its header states them (or empty).
        **(assignment.source or SourceDocument()).to_data(),
        "loai_han": kind,
        "gia_tri_han": value,
    }


def deadline_words(deadline: Deadline) -> str:
    """The deadline as the dossier says it: "Trước ngày 10/06/2026", "Trong năm 2026"."""
    if deadline.kind is DeadlineKind.NONE:
        return "Kế hoạch không nêu thời hạn"
    if deadline.kind is DeadlineKind.RECURRING and deadline.value is None:
        return "Thường xuyên hằng năm"
    words = deadline.describe()
    return words[:1].upper() + words[1:]


def deadline_date(deadline: Deadline) -> str | None:
    """The day the task is due by the plan's words (ISO): the date, or the last day of the
    year for "trong năm"; None when the words give no day ("từ năm", "thường xuyên")."""
    return _iso_day(stated_day(str(deadline.kind), _iso(deadline.value)))


def start_deadline(deadline: Deadline, today: date) -> tuple[str, str | int | None]:
    """The deadline an item given on ``today`` starts with, as its ``loai_han`` and
    ``gia_tri_han``: the plan's kind and value (ISO date, year, or None); periodic work with a
    day or a period shorter than a year, the date of its first period from ``today`` on."""
    every = deadline.value if isinstance(deadline.value, Every) else None
    if every is not None and (every.every != "year" or every.day is not None):
        return str(DeadlineKind.DATE), first_due(every, today).isoformat()
    return str(deadline.kind), _iso(deadline.value)


def deadline_passed(deadline: Deadline, today: date) -> bool:
    """Whether the plan's deadline has passed when its task is given on ``today`` (the
    office's date): such a task is not given to its unit but waits at the leadership's Phân
    công for a new deadline. The rule is plan_deadline.due_passed, which giao_nhiem_vu's
    xac_dinh_han follows too, on the deadline the item would start with (periodic work starts
    at its first period still ahead, so it never has)."""
    return due_passed(*start_deadline(deadline, today), today)


def _iso_day(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _iso(value: date | int | Every | None) -> str | int | None:
    if isinstance(value, Every):
        return None
    return value.isoformat() if isinstance(value, date) else value


_LAST_MONTHS = {"month": 1, "quarter": 3, "half_year": 6, "year": 12}


def first_due(every: Every, today: date) -> date:
    """The deadline of the first period of ``every`` that has not passed on ``today``: the
    period's last day, or its ``day`` in the period's last month ("trước ngày 25 hằng tháng":
    the 25th of each month; a quarter's: of its third month); a yearly date is that date."""
    step = _LAST_MONTHS[every.every]
    month = today.month if step == 1 else ((today.month - 1) // step + 1) * step
    year = today.year
    if every.every == "year" and every.month is not None:
        month = every.month
    for _ in range(2):
        due = _day_of(year, month, every.day)
        if due >= today:
            return due
        month += step if every.every != "year" else 0
        year += 1 if every.every == "year" else 0
        if month > 12:
            year, month = year + 1, month - 12
    return _day_of(year, month, every.day)


def _day_of(year: int, month: int, day: int | None) -> date:
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day, last) if day else last)


def plan_years(assignments: list[Assignment]) -> tuple[int | None, int | None]:
    """The year the plan is for, as its header says (else the year its deadlines name most),
    and the year its tasks are carried out in: the same, or as many years later as an import
    moved its deadlines (``--year``, the demo)."""
    own = plan_year([replace(a, deadline=a.source_deadline or a.deadline) for a in assignments])
    header = next((a.source.year for a in assignments if a.source and a.source.year), None)
    moved_by = 0
    if own is not None and (applied := plan_year(assignments)) is not None:
        moved_by = applied - own
    year = header or own
    return year, (year + moved_by if year is not None else None)


def start_assignments(
    session: Session,
    config: engine.EngineConfig,
    assignments: list[Assignment],
    chart: OrgChart,
    username: str,
) -> list[Started]:
    """Start one item per assignment, skipping those an earlier import of the plan started
    (the same title: item_title tells apart plans by their number, and tasks of one plan by
    their rank; or, for a plan imported before titles carried its number, the title without it
    on an item of that number)."""
    existing = engine.instance_titles(session, PROCESS_ID)
    source_year, applied_year = plan_years(assignments)
    # Items of an import made before titles carried the plan's number (or issuer): their
    # title without it, on an item that holds the same number (or issuer).
    earlier: dict[str, dict[str, set[str | None]]] = {}
    for field in ("so_ky_hieu_van_ban", "co_quan_ban_hanh"):
        marked = [a for a in assignments if (m := _mark(a.source)) and m[1] == field]
        titles = {item_title(replace(a, source=None)) for a in marked} & existing
        earlier[field] = engine.titled_values(session, PROCESS_ID, titles, field)
    started = []
    today = config.today()
    produced: set[str] = set()
    for assignment in assignments:
        title, nth = item_title(assignment), 1
        while title in produced:  # alike tasks (and one whose own words end in "(2)")
            nth += 1
            title = item_title(assignment, nth)
        produced.add(title)
        mark = _mark(assignment.source)
        unmarked = item_title(replace(assignment, source=None), nth)
        if title in existing or (mark and mark[2] in earlier[mark[1]].get(unmarked, ())):
            started.append(Started(assignment, None))
            continue
        instance_id = engine.start_instance(
            session,
            config,
            PROCESS_ID,
            username,
            title=title,
            data=start_data(assignment, chart, source_year, today, applied_year),
        )
        started.append(Started(assignment, instance_id))
    return started
