"""Reports of assigned tasks in four states, per lead unit and period: done on time, done late,
open within the deadline, open overdue.

Generic: a task is an item of one of the given processes whose data names its lead unit (a
group key) and its deadline (an ISO date: the end of that day in the office's time zone), and
into which the process writes its own verdict `on_time` (true or false) when the task is done,
and, optionally, the date it was done (an ISO date or moment, in the office's time zone).

Which tasks a period holds, judged at the report's date (the period's last day, or today while
the period runs):
- every task whose deadline falls in the period;
- and every task with a deadline before the period that was still open at its start and was
  done in the period or is still open at the report's date (carried over).
A task done after the report's date counts as open at that date. Done tasks are on time or
late by their verdict (a finished item without one: by its done date against its deadline);
open ones are overdue when the deadline day has passed at the report's date. Cancelled items
and tasks without a deadline are not counted.

Read models: the counts are one GROUP BY statement, a cell's list one statement; the data is
read by the database, never an item loaded per row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnElement,
    Select,
    and_,
    case,
    column,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session

from .errors import InvalidInput
from .instances import InstanceModel, data_text
from .monitoring import VERDICT_KEY
from .users import GroupModel
from .views import InstanceStatus

DONE_ON_TIME, DONE_LATE = "done_on_time", "done_late"
OPEN_WITHIN, OPEN_OVERDUE = "open_within", "open_overdue"
REPORT_STATES = (DONE_ON_TIME, DONE_LATE, OPEN_WITHIN, OPEN_OVERDUE)
MONTH, QUARTER, HALF, YEAR = "month", "quarter", "half", "year"
# A period's code: m1..m12, q1..q4, h1..h2, y.
_KINDS = {"m": (MONTH, 12, 1), "q": (QUARTER, 4, 3), "h": (HALF, 2, 6), "y": (YEAR, 1, 12)}
NO_UNIT = ""  # the unit filter for tasks with no lead unit yet
MAX_LISTED = 500  # rows of one cell's list


@dataclass(frozen=True)
class TaskSource:
    """Where the tasks are: their processes and which keys of an item's data say what."""

    process_ids: tuple[str, ...]
    unit_key: str  # the lead unit: a group key
    deadline_key: str  # the deadline: an ISO date, meaning the end of that day
    # When the task was done (an ISO date or moment in the office's zone); None: not recorded,
    # a done task then counts as done at any report date.
    done_key: str | None = None
    # A recurring task's finished occurrences, listed in the item's data under this key, each
    # an object with the same deadline and done keys and its verdict; the item's own keys then
    # describe its current occurrence. None: one occurrence per item.
    occurrences_key: str | None = None
    # The task's whole wording, where the title is cut short (a plan's task): the first of
    # these keys the item's data has (the export's column).
    content_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReportPeriod:
    kind: str  # MONTH, QUARTER, HALF or YEAR
    number: int  # the month 1-12, quarter 1-4, half 1-2; 1 for a year
    year: int
    start: date
    end: date  # its last day

    @property
    def code(self) -> str:
        return "y" if self.kind == YEAR else self.kind[0] + str(self.number)


@dataclass(frozen=True)
class UnitCounts:
    unit: str | None  # the group key; None: no lead unit recorded
    name: str | None  # the group's name, when the key is a group
    done_on_time: int = 0
    done_late: int = 0
    open_within: int = 0
    open_overdue: int = 0

    @property
    def total(self) -> int:
        return self.done_on_time + self.done_late + self.open_within + self.open_overdue

    def count(self, state: str) -> int:
        value: int = getattr(self, state)
        return value


@dataclass(frozen=True)
class TaskReport:
    period: ReportPeriod
    as_of: date  # the report's date: the period's last day, or today while it runs
    rows: list[UnitCounts]  # one per lead unit, by name (no unit last)
    totals: UnitCounts = field(default_factory=lambda: UnitCounts(None, None))


@dataclass(frozen=True)
class ReportItem:
    instance_id: int
    process_id: str
    title: str
    unit: str | None
    unit_name: str | None
    deadline: str  # ISO date
    done_on: str | None  # ISO date, when recorded and done by the report's date
    state: str  # one of REPORT_STATES
    content: str | None = None  # the task's whole wording (TaskSource.content_keys)


def report_period(code: str, year: int) -> ReportPeriod:
    """The period a code names in a year: 'm1'..'m12', 'q1'..'q4', 'h1', 'h2', 'y'. Raises
    InvalidInput (code 'bad_period') for anything else."""
    text = (code or "").strip().lower()
    found = _KINDS.get(text[:1])
    number_text = text[1:] or ("1" if text == "y" else "")
    if (
        found is None
        or not number_text.isdigit()
        or not 1 <= int(number_text) <= found[1]
        or (text[:1] == "y" and text != "y")
        or not 1 <= year <= 9998
    ):
        raise InvalidInput(
            f"'{code}' in {year} is not a period (m1..m12, q1..q4, h1, h2, y)",
            reason="bad_period",
            period=code,
            year=year,
        )
    kind, _count, months = found
    number = int(number_text)
    first_month = (number - 1) * months + 1
    start = date(year, first_month, 1)
    following = date(
        year + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1
    )
    return ReportPeriod(kind, number, year, start, following - timedelta(days=1))


def current_period(today: date, kind: str = QUARTER) -> ReportPeriod:
    """The period of this kind that holds `today`."""
    months = {MONTH: 1, QUARTER: 3, HALF: 6, YEAR: 12}[kind]
    number = (today.month - 1) // months + 1
    return report_period("y" if kind == YEAR else kind[0] + str(number), today.year)


# --- the query ----------------------------------------------------------------------------


def _iso_day(value: Any) -> ColumnElement[str]:
    """SQL: the first ten characters of a stored date or moment (its local date)."""
    return func.substr(value, 1, 10)


def _absent(session: Session, key: str) -> ColumnElement[bool]:
    """SQL: the item's data has no such key."""
    if session.get_bind().dialect.name == "postgresql":
        return InstanceModel.data[key].is_(None)
    return func.json_type(InstanceModel.data, f'$."{key}"').is_(None)


def _last_listed(session: Session, source: TaskSource) -> ColumnElement[Any]:
    """SQL: the deadline of the item's last listed occurrence (NULL when none)."""
    assert source.occurrences_key is not None
    if session.get_bind().dialect.name == "postgresql":
        last: Any = InstanceModel.data[source.occurrences_key][-1][source.deadline_key]
        return _iso_day(last.as_string())
    path = f'$."{source.occurrences_key}"[#-1]."{source.deadline_key}"'
    return _iso_day(func.json_extract(InstanceModel.data, path))


def _current(session: Session, source: TaskSource) -> Select[Any]:
    """The occurrence the item's own data describe, unless the item's list of finished
    occurrences records it already (its last entry has the same deadline). A cancelled
    item's is not counted."""
    data = InstanceModel.data
    verdict = data[VERDICT_KEY].as_boolean()
    deadline = _iso_day(data[source.deadline_key].as_string())
    completed = InstanceModel.status == InstanceStatus.COMPLETED
    if source.occurrences_key:
        # While the item runs, its own verdict may be the previous occurrence's.
        finished = or_(
            completed, and_(_absent(session, source.occurrences_key), verdict.is_not(None))
        )
    else:
        finished = or_(completed, verdict.is_not(None))
    query = select(
        InstanceModel.id.label("instance_id"),
        InstanceModel.process_id.label("process_id"),
        InstanceModel.title.label("title"),
        data[source.unit_key].as_string().label("unit"),
        deadline.label("deadline"),
        (_iso_day(data[source.done_key].as_string()) if source.done_key else null()).label(
            "recorded"
        ),
        case((finished, 1), else_=0).label("finished"),
        case((verdict.is_(None), None), (verdict.is_(True), 1), else_=0).label("verdict"),
        data_text(source.content_keys).label("content"),
    ).where(
        InstanceModel.process_id.in_(source.process_ids),
        InstanceModel.status != InstanceStatus.CANCELLED,
    )
    if source.occurrences_key:
        last = _last_listed(session, source)
        query = query.where(or_(last.is_(None), last != deadline))
    return query


def _listed(session: Session, source: TaskSource) -> Select[Any]:
    """The finished occurrences an item lists (each with its deadline, date and verdict)."""
    assert source.occurrences_key is not None
    data = InstanceModel.data
    if session.get_bind().dialect.name == "postgresql":
        found = func.json_array_elements(data[source.occurrences_key]).table_valued(
            column("value", JSON)
        )
    else:
        found = func.json_each(data, f'$."{source.occurrences_key}"').table_valued(
            column("value", JSON)
        )
    entries = found.alias("occurrence")
    entry = entries.c.value
    verdict = entry[VERDICT_KEY].as_boolean()
    return (
        select(
            InstanceModel.id,
            InstanceModel.process_id,
            InstanceModel.title,
            data[source.unit_key].as_string(),
            _iso_day(entry[source.deadline_key].as_string()),
            _iso_day(entry[source.done_key].as_string()) if source.done_key else null(),
            literal(1),
            case((verdict.is_(None), None), (verdict.is_(True), 1), else_=0),
            data_text(source.content_keys),
        )
        .select_from(InstanceModel)
        .join(entries, true())
        .where(InstanceModel.process_id.in_(source.process_ids))
    )


@dataclass(frozen=True)
class _Judged:
    """The occurrences with their state and whether the period holds them."""

    rows: Any  # the subquery of occurrences
    state: ColumnElement[str]
    done_on: ColumnElement[Any]  # the date it was done, NULL when open at the report's date
    member: ColumnElement[bool]


def _judged(session: Session, source: TaskSource, period: ReportPeriod, as_of: date) -> _Judged:
    branches = [_current(session, source)]
    if source.occurrences_key:
        branches.append(_listed(session, source))
    rows = (branches[0] if len(branches) == 1 else union_all(*branches)).subquery("task")
    deadline, recorded = rows.c.deadline, rows.c.recorded
    start, end, at = (literal(d.isoformat()) for d in (period.start, period.end, as_of))
    # Done by the report's date: a task done later was open then.
    done = and_(rows.c.finished == 1, or_(recorded.is_(None), recorded <= at))
    on_time = or_(
        rows.c.verdict == 1,
        and_(rows.c.verdict.is_(None), or_(recorded.is_(None), recorded <= deadline)),
    )
    state = case(
        (and_(done, on_time), DONE_ON_TIME),
        (done, DONE_LATE),
        (deadline < at, OPEN_OVERDUE),
        else_=OPEN_WITHIN,
    )
    member = and_(
        deadline.is_not(None),
        or_(
            and_(deadline >= start, deadline <= end),
            and_(deadline < start, or_(~done, and_(recorded.is_not(None), recorded >= start))),
        ),
    )
    return _Judged(rows, state, case((done, recorded)), member)


def _as_of(period: ReportPeriod, today: date) -> date:
    return min(today, period.end)


def task_report(
    session: Session, source: TaskSource, period: ReportPeriod, today: date
) -> TaskReport:
    """The counts of the period's tasks per lead unit and state, judged at the report's date
    (the period's last day, or `today`, the office's local date, while the period runs): one
    statement."""
    as_of = _as_of(period, today)
    judged = _judged(session, source, period, as_of)
    tasks = (
        select(judged.rows.c.unit.label("unit"), judged.state.label("state"))
        .where(judged.member)
        .subquery()
    )
    query = (
        select(tasks.c.unit, GroupModel.name, tasks.c.state, func.count())
        .select_from(tasks)
        .outerjoin(GroupModel, GroupModel.key == tasks.c.unit)
        .group_by(tasks.c.unit, GroupModel.name, tasks.c.state)
    )
    counts: dict[str | None, dict[str, int]] = {}
    names: dict[str | None, str | None] = {}
    for unit_key, name, found_state, n in session.execute(query):
        key = unit_key or None
        counts.setdefault(key, dict.fromkeys(REPORT_STATES, 0))[found_state] += n
        names[key] = name or names.get(key)
    rows = [UnitCounts(key, names[key], **counts[key]) for key in counts]
    rows.sort(key=lambda r: (r.unit is None, (r.name or r.unit or "").lower()))
    totals = UnitCounts(None, None, **{s: sum(r.count(s) for r in rows) for s in REPORT_STATES})
    return TaskReport(period, as_of, rows, totals)


def task_report_items(
    session: Session,
    source: TaskSource,
    period: ReportPeriod,
    today: date,
    *,
    unit: str | None = None,
    state: str | None = None,
    limit: int | None = MAX_LISTED,
) -> list[ReportItem]:
    """The tasks behind one number of `task_report`: of a unit (its group key; NO_UNIT for
    tasks without one; None for every unit) and a state (None for all), by deadline, at most
    `limit` (None: all of them): one statement. A recurring task appears once per occurrence
    the period holds."""
    as_of = _as_of(period, today)
    judged = _judged(session, source, period, as_of)
    rows = judged.rows.c
    query = (
        select(
            rows.instance_id,
            rows.process_id,
            rows.title,
            rows.unit,
            GroupModel.name,
            rows.deadline,
            judged.done_on,
            judged.state,
            rows.content,
        )
        .select_from(judged.rows)
        .outerjoin(GroupModel, GroupModel.key == rows.unit)
        .where(judged.member)
    )
    if unit == NO_UNIT:
        query = query.where(or_(rows.unit.is_(None), rows.unit == ""))
    elif unit is not None:
        query = query.where(rows.unit == unit)
    if state is not None:
        query = query.where(judged.state == state)
    query = query.order_by(rows.deadline, rows.instance_id)
    if limit is not None:
        query = query.limit(max(limit, 0))
    return [
        ReportItem(r[0], r[1], r[2], r[3] or None, r[4], r[5], r[6], r[7], r[8])
        for r in session.execute(query)
    ]
