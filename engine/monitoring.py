"""The managers' questions: where every item waits, who holds it, since when, overdue or not,
and counts per step and unit (how long each step takes: engine.process_steps).

Read models: each answer is one SQL query over the task, candidate, item, people and group
tables (due state, holder names, counts and durations computed by the database), and the list
comes one keyset page at a time, so the cost follows the page, never the history."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    true,
    tuple_,
    union,
)
from sqlalchemy.orm import Session, aliased

from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel
from .monitor_sql import (
    DONE_LATE,
    DONE_ON_TIME,
    ERROR,
    FIRST_CANDIDATE,
    HOLDER,
    HOLDER_UNIT,
    OVERDUE,
    STATUSES,
    WITHIN,
    MonitorFilter,
    after_key,
    built_once,
    candidate_names,
    dialect_of,
    first_candidate_of,
    group_name,
    moment_value,
    named_value,
    now_value,
    open_conditions,
    person_name,
    status_of_open,
    text_clause,
    text_values,
    unit_keys_of,
    waits_on_its_groups,
)
from .paging import PAGE_SIZE, decode_cursor, encode_cursor
from .users import GroupModel, UserModel
from .views import InstanceStatus, TaskStatus

DAY_SECONDS = 86400.0
STREAM_BATCH = 1000  # rows fetched at a time by a streamed listing
# Theo dõi counts at most this many open steps (the longest waiting): counting a province's
# hundreds of thousands on every page view costs a second; past it the page says "more than".
# Some 10-25 µs a counted step (its item, holder and first group looked up): 1,000 stay < 20 ms.
COUNT_CAP = 1000
# The columns of a unit's key range (`_cut`): the page key's, then what the counts' ranges
# bring on PostgreSQL (`_unit_rows`).
_ROW_NAMES = (
    "created_at",
    "instance_id",
    "id",
    "title",
    "element_id",
    "due_at",
    "assignee",
    "item_status",
)


@dataclass(frozen=True)
class MonitorRow:
    instance_id: int
    process_id: str
    title: str
    status: str
    step: str | None
    element_id: str | None
    task_id: str | None
    holder: str
    unit: str | None
    since: datetime
    due_at: datetime | None
    age_days: float
    content: str | None = None  # the item's whole wording, where asked (`monitor_all`)
    # An open step someone has taken; else `holder` names who may take it (its groups).
    taken: bool = True


@dataclass(frozen=True)
class MonitorResult:
    """One page of rows (oldest first) and the counts of every row the filters select, or for
    open steps, when more than COUNT_CAP are selected, of the COUNT_CAP that wait longest
    (`capped`)."""

    rows: list[MonitorRow]
    per_step: list[tuple[str, int]] = field(default_factory=list)
    per_unit: list[tuple[str, int]] = field(default_factory=list)
    total: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    step_ids: dict[str, str] = field(default_factory=dict)  # step title -> an element id
    next_cursor: str | None = None  # where the next page starts; None on the last page
    # The open steps' counts cover only the COUNT_CAP oldest of them: there are more.
    capped: bool = False


# --- open steps ---------------------------------------------------------------------------


def _unit_clause(session: Session, unit: str) -> ColumnElement[bool]:
    """The step waits on this unit: its group, a sub-group keyed '<unit>.<role>' (its leaders,
    say), or a person of the unit; a group is named by its key or its name. (Every such step:
    the export's; a page reads `_unit_first` instead.)"""
    values, people = unit_keys_of(session, unit)
    # One IN over the unit's step ids, found from its keys through their indexes: the steps
    # its people hold (assignee, status) and the steps offered to its groups that nobody, or
    # a person of no unit, holds (kind, value; candidate rows are those of open steps only).
    # An OR of two IN tests is checked step by step over every open step instead (33 s at 1M
    # rows on PostgreSQL). Its people are the usernames `unit_keys_of` read already.
    c = aliased(TaskCandidateModel)
    task = aliased(HumanTaskModel)
    offered = (
        select(c.task_id)
        .join(task, task.id == c.task_id)
        .where(c.kind == "group", c.value.in_(values), waits_on_its_groups(task.assignee))
    )
    held = select(task.id).where(task.assignee.in_(people), task.status == TaskStatus.OPEN)
    return HumanTaskModel.id.in_(union(offered, held))


def _unit_first(session: Session, filters: MonitorFilter, cursor: bool, limit: int) -> Select[Any]:
    """SQL: the ids of the first `limit` open steps (after the cursor if any, in the page's order
    created_at, instance_id, id) that the filters select and that wait on the unit.

    Each of the unit's keys is an index range in that order cut at `limit`: a group's unheld
    steps (ix_task_candidates_created), a person's held ones (ix_human_tasks_assignee_created);
    the ranges are merged (UNION: a step offered to two of the unit's groups is one step) and
    cut again. So the page reads some fifty rows a key and the capped counts some thousand,
    however many steps the unit has (all of them read and sorted before: 170-250 ms for 5-10k
    at 1M task rows)."""
    step, item = open_conditions(session, filters)
    # Each row of a range is checked by a correlated count of one looked-up row: PostgreSQL
    # never turns that into a join, which for the counts' thousand rows it would run as a hash
    # join over every open step. Plain tables in every part (each is its own SELECT): with an
    # alias a part, building the statement took 12 ms, without 2.
    c = TaskCandidateModel
    offered_ok = _one(
        select(func.count())
        .select_from(HumanTaskModel)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(
            HumanTaskModel.id == c.task_id,
            waits_on_its_groups(HumanTaskModel.assignee),
            *step,
            *item,
        )
        .correlate(c)
    )
    held_ok = _one(
        select(func.count())
        .select_from(InstanceModel)
        .where(InstanceModel.id == HumanTaskModel.instance_id, *item)
        .correlate(HumanTaskModel)
    )
    task = HumanTaskModel
    merged = _key_ranges(
        session,
        filters,
        # A candidate row's key columns are its task's, copied.
        lambda *key: select(c.created_at, c.instance_id, c.task_id).where(*key, offered_ok),
        lambda *key: select(task.created_at, task.instance_id, task.id).where(*key, *step, held_ok),
        cursor,
        limit,
    )
    return (
        select(merged.c.id)
        .order_by(merged.c.created_at, merged.c.instance_id, merged.c.id)
        .limit(limit)
    )


def _key_ranges(
    session: Session,
    filters: MonitorFilter,
    offered: Callable[..., Any],
    held: Callable[..., Any],
    cursor: bool,
    limit: int,
) -> Any:
    """The unit's key ranges merged (UNION: a step offered to two of the unit's groups is one
    step), as a subquery of `_cut`'s columns: a range a group key, `offered(*key)` (a SELECT
    over the candidate rows, `key` the conditions that pick the group's), and a range a person,
    `held(*key)` (over the steps, `key` the condition that picks the person's), each cut at
    `limit` in the page's order, after the cursor if any. The values are named `group_<n>` and
    `person_<n>` (`_open_values`)."""
    assert filters.unit
    groups, people = unit_keys_of(session, filters.unit)
    c, task = TaskCandidateModel, HumanTaskModel
    ranges = [
        _cut(offered(c.kind == "group", c.value == named_value(f"group_{n}")), cursor, limit)
        for n in range(len(groups))
    ]
    ranges.extend(
        _cut(held(task.assignee == named_value(f"person_{n}")), cursor, limit)
        for n in range(len(people))
    )
    return union(*ranges).subquery()


def _one(found: Select[Any]) -> ColumnElement[bool]:
    return found.scalar_subquery() > 0


def _cut(query: Any, cursor: bool, limit: int) -> Select[Any]:
    """The query's first `limit` rows in the order of its first three columns (a creation
    moment, an item, a step) after the cursor if any, its columns named `_ROW_NAMES`, as a
    SELECT that can be one part of a UNION on every database (SQLite refuses a part's own
    ORDER BY)."""
    order = tuple(query.selected_columns)[:3]
    if cursor:
        query = query.where(tuple_(*order) > after_key())
    cut = query.order_by(*order).limit(limit).subquery()
    names = _ROW_NAMES[: len(cut.c)]
    return select(*(c.label(n) for c, n in zip(cut.c, names, strict=True)))


def open_where(
    session: Session, query: Select[Any], now: datetime, filters: MonitorFilter
) -> Select[Any]:
    """The open steps the filters select (every step of the unit: see `_unit_first` for a
    page's), for a statement run once: the filters' values are bound in it."""
    _shape, values = _open_values(session, now, filters, None)
    return _open_where(session, query, filters).params(values)


def _open_where(session: Session, query: Select[Any], filters: MonitorFilter) -> Select[Any]:
    """`open_where` with its values taken at execution (`_open_values`)."""
    step, item = open_conditions(session, filters)
    query = query.join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id).where(
        *step, *item
    )
    if filters.unit:
        query = query.where(_unit_clause(session, filters.unit))
    return query


def _page_where(
    session: Session, query: Select[Any], filters: MonitorFilter, cursor: bool, limit: int
) -> Select[Any]:
    """`_open_where` for a page or the capped counts: the rows among the first `limit` after the
    cursor if any (so a unit's are read a key at a time, never all of them)."""
    if not filters.unit:
        return _open_where(session, query, filters)
    query = _open_where(session, query, replace(filters, unit=None))
    return query.where(HumanTaskModel.id.in_(_unit_first(session, filters, cursor, limit)))


def _open_values(
    session: Session, now: datetime, filters: MonitorFilter, after: tuple[Any, ...] | None
) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The shape of the open-step statements these filters and cursor make (what `built_once`
    keeps them by), and their values by name."""
    text, values = text_values(session, filters.text)
    values["now"] = now
    if filters.process_id:
        values["process_id"] = filters.process_id
    if filters.element_id:
        values["element_id"] = filters.element_id
    unit: tuple[int, int] | None = None
    if filters.unit:
        groups, people = unit_keys_of(session, filters.unit)
        unit = (len(groups), len(people))
        values.update((f"group_{n}", v) for n, v in enumerate(groups))
        values.update((f"person_{n}", v) for n, v in enumerate(people))
    if after is not None:
        values.update(zip(("after_since", "after_item", "after_task"), after, strict=True))
    status = filters.status if filters.status in (ERROR, OVERDUE, WITHIN) else None
    shape = (
        dialect_of(session),
        bool(filters.process_id),
        bool(filters.element_id),
        status,
        text,
        unit,
        after is not None,
    )
    return shape, values


def open_step_columns() -> tuple[Any, ...]:
    """The first columns of an open step's row, as Theo dõi's page and its export read them
    (positions 0-8): task id, item id, process, step title, element, since, due, item title,
    due state at the moment named `now` (the value the filters' overdue test takes too: given
    at execution, or bound by `open_where`)."""
    return (
        HumanTaskModel.id,
        HumanTaskModel.instance_id,
        HumanTaskModel.process_id,
        HumanTaskModel.title,
        HumanTaskModel.element_id,
        HumanTaskModel.created_at,
        HumanTaskModel.due_at,
        InstanceModel.title,
        status_of_open(now_value()),
    )


def _open_query(session: Session, filters: MonitorFilter, cursor: bool, limit: int) -> Select[Any]:
    dialect = dialect_of(session)
    holder_person, holder_unit = HOLDER, HOLDER_UNIT
    query: Select[Any] = (
        select(
            *open_step_columns(),
            case(
                (
                    HumanTaskModel.assignee.is_not(None),
                    func.coalesce(holder_person.display_name, HumanTaskModel.assignee),
                ),
                else_=candidate_names(dialect),
            ),
            case(
                (holder_person.unit.is_not(None), holder_unit.name),
                else_=group_name(first_candidate_of("group")),
            ),
            HumanTaskModel.assignee,
        )
        .select_from(HumanTaskModel)
        .outerjoin(holder_person, holder_person.username == HumanTaskModel.assignee)
        .outerjoin(holder_unit, holder_unit.key == holder_person.unit)
    )
    query = _page_where(session, query, filters, cursor, limit)
    if cursor:
        query = query.where(
            tuple_(HumanTaskModel.created_at, HumanTaskModel.instance_id, HumanTaskModel.id)
            > after_key()
        )
    return query.order_by(
        HumanTaskModel.created_at, HumanTaskModel.instance_id, HumanTaskModel.id
    ).limit(limit)


def open_row(
    r: Any,
    now: datetime,
    holder: str,
    unit: str | None,
    content: str | None = None,
    *,
    taken: bool = True,
) -> MonitorRow:
    """An open step's row from `open_step_columns`' values, held by `holder` of `unit`
    (`taken`: by a person; else the groups who may take it)."""
    return MonitorRow(
        instance_id=r[1],
        process_id=r[2],
        title=r[7],
        status=r[8],
        step=r[3],
        element_id=r[4],
        task_id=r[0],
        holder=holder,
        unit=unit,
        since=r[5],
        due_at=r[6],
        age_days=age_in_days(now, r[5]),
        content=content,
        taken=taken,
    )


def _open_summary(
    session: Session, now: datetime, filters: MonitorFilter, cap: int
) -> tuple[list[tuple[str, int]], list[tuple[str, int]], dict[str, int], dict[str, str], bool]:
    """Per step and per unit (busiest first), per status, one element id per step title, and
    whether the counts stop at `cap`: one statement over at most the `cap` oldest rows
    (read in the page's index order), so its cost is bounded whatever the number of open steps.

    A step's unit is its holder's unit, else its first candidate group; a step with neither
    counts under its person's name."""
    shape, values = _open_values(session, now, filters, None)
    statement = built_once(
        ("counts", cap, *shape), lambda: _open_summary_statement(session, filters, cap)
    )
    per_step: dict[str, int] = {}
    per_unit: dict[str, int] = {}
    by_status: dict[str, int] = dict.fromkeys(STATUSES, 0)
    step_ids: dict[str, str] = {}
    capped = False
    for title, element_id, state, unit, beyond_cap, count in session.execute(statement, values):
        if beyond_cap:
            capped = True  # the one row past the cap: it only says there are more
            continue
        per_step[title or "-"] = per_step.get(title or "-", 0) + count
        per_unit[unit or "-"] = per_unit.get(unit or "-", 0) + count
        by_status[state] += count
        if title and element_id:
            step_ids.setdefault(title, element_id)
    return _busiest(per_step), _busiest(per_unit), by_status, step_ids, capped


def _open_summary_statement(session: Session, filters: MonitorFilter, cap: int) -> Select[Any]:
    """`_open_summary`'s statement: per step title, state and unit, how many of the first
    `cap` + 1 open steps (and whether a row is the one past the cap)."""
    if filters.unit and dialect_of(session) == "postgresql":
        rows = _unit_rows(session, filters, cap + 1)
    else:
        rows = _summary_rows(session, filters, cap + 1)
    return _grouped(rows, cap)


def _summary_rows(session: Session, filters: MonitorFilter, limit: int) -> Any:
    """The counts' rows: the first `limit` open steps the filters select, each with its title,
    element, state, holder and holder's unit, first candidate group and person, and rank."""
    person = HOLDER
    # The holder's unit, else (nobody holds it, or a person of no unit) its candidates.
    unheld = or_(HumanTaskModel.assignee.is_(None), person.unit.is_(None))
    order = (HumanTaskModel.created_at, HumanTaskModel.instance_id, HumanTaskModel.id)
    first: tuple[Any, Any] = (
        # Only such a step needs its candidates (CASE skips the lookups otherwise).
        case((unheld, first_candidate_of("group"))),
        case((unheld, first_candidate_of("user"))),
    )
    query = select().select_from(HumanTaskModel)
    if dialect_of(session) == "postgresql":
        candidate = _first_candidate_row(HumanTaskModel.id, HumanTaskModel.assignee)
        first = (
            case((candidate.c.kind == "group", candidate.c.value)),
            case((candidate.c.kind == "user", candidate.c.value)),
        )
        query = query.outerjoin(candidate, true())
    return (
        _page_where(
            session,
            query.add_columns(
                HumanTaskModel.title.label("title"),
                HumanTaskModel.element_id.label("element_id"),
                status_of_open(now_value()).label("state"),
                HumanTaskModel.assignee.label("assignee"),
                person.unit.label("unit"),
                first[0].label("first_group"),
                first[1].label("first_user"),
                func.row_number().over(order_by=order).label("n"),
            ).outerjoin(person, person.username == HumanTaskModel.assignee),
            filters,
            False,
            limit,
        )
        .order_by(*order)
        .limit(limit)
        .subquery()
    )


def _unit_rows(session: Session, filters: MonitorFilter, limit: int) -> Any:
    """`_summary_rows` for a unit on PostgreSQL, its steps read once: each of the unit's key
    ranges (as `_unit_first` reads them) looks up its rows' step and item with what the
    counts need (a LATERAL lookup of one row, which PostgreSQL runs as an index probe a range
    row, never a hash join over every open step). `_unit_first` checks a row by the same
    lookups and the page's query then looks the step and item up again: for the counts'
    thousand rows, half their time."""
    step, item = open_conditions(session, filters)
    c, task, instance = TaskCandidateModel, HumanTaskModel, InstanceModel
    offered = (
        select(
            task.title,
            task.element_id,
            task.due_at,
            task.assignee,
            instance.status.label("item_status"),
        )
        .join(instance, instance.id == task.instance_id)
        .where(task.id == c.task_id, waits_on_its_groups(task.assignee), *step, *item)
        .limit(1)
        .lateral()
    )
    of_item = (
        select(instance.status.label("item_status"))
        .where(instance.id == task.instance_id, *item)
        .limit(1)
        .lateral()
    )
    merged = _key_ranges(
        session,
        filters,
        lambda *key: (
            select(c.created_at, c.instance_id, c.task_id, *offered.c)
            .select_from(c)
            .join(offered, true())
            .where(*key)
        ),
        lambda *key: (
            select(
                task.created_at,
                task.instance_id,
                task.id,
                task.title,
                task.element_id,
                task.due_at,
                task.assignee,
                of_item.c.item_status,
            )
            .select_from(task)
            .join(of_item, true())
            .where(*key, *step)
        ),
        False,
        limit,
    )
    order = (merged.c.created_at, merged.c.instance_id, merged.c.id)
    first = select(merged).order_by(*order).limit(limit).subquery()
    person = HOLDER
    candidate = _first_candidate_row(first.c.id, first.c.assignee)
    state = status_of_open(now_value(), first.c.item_status, first.c.due_at)
    return (
        select(
            first.c.title,
            first.c.element_id,
            state.label("state"),
            first.c.assignee,
            person.unit.label("unit"),
            case((candidate.c.kind == "group", candidate.c.value)).label("first_group"),
            case((candidate.c.kind == "user", candidate.c.value)).label("first_user"),
            func.row_number()
            .over(order_by=(first.c.created_at, first.c.instance_id, first.c.id))
            .label("n"),
        )
        .select_from(first)
        .outerjoin(person, person.username == first.c.assignee)
        .outerjoin(candidate, true())
        .subquery()
    )


def _first_candidate_row(task_id: Any, assignee: Any) -> Any:
    """PostgreSQL, LATERAL: the first candidate (kind, value) of a step that is its groups'
    (`waits_on_its_groups`), in one probe of its candidate rows in key order: its first group,
    else its first person ('group' sorts before 'user'), as `first_candidate_of` gives them."""
    fc = FIRST_CANDIDATE
    return (
        select(fc.kind, fc.value)
        .where(fc.task_id == task_id, fc.kind.in_(("group", "user")), waits_on_its_groups(assignee))
        .order_by(fc.kind, fc.value)
        .limit(1)
        .lateral()
    )


def _grouped(rows: Any, cap: int) -> Select[Any]:
    """The counts' rows grouped by title, state and unit, each group's unit named, and
    whether the group is the one row past the cap."""
    in_unit = and_(rows.c.assignee.is_not(None), rows.c.unit.is_not(None))
    kind = case((in_unit, "group"), (rows.c.first_group.is_not(None), "group"), else_="user")
    value = case(
        (in_unit, rows.c.unit),
        (rows.c.first_group.is_not(None), rows.c.first_group),
        else_=func.coalesce(rows.c.assignee, rows.c.first_user),
    )
    beyond = case((rows.c.n > cap, 1), else_=0)
    grouped = (
        select(
            rows.c.title,
            func.min(rows.c.element_id).label("element_id"),
            rows.c.state,
            kind.label("kind"),
            value.label("value"),
            beyond.label("beyond"),
            func.count().label("n"),
        )
        .group_by(rows.c.title, rows.c.state, kind, value, beyond)
        .subquery()
    )
    label = case(
        (grouped.c.kind == "group", func.coalesce(group_name(grouped.c.value), grouped.c.value)),
        else_=func.coalesce(person_name(grouped.c.value), grouped.c.value),
    )
    return select(
        grouped.c.title, grouped.c.element_id, grouped.c.state, label, grouped.c.beyond, grouped.c.n
    )


def _busiest(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


# --- finished items -----------------------------------------------------------------------


# A process that judges its own timeliness (the department's task tracking judges at the
# report's date, not at the leader's acceptance) records its verdict in the item's data as
# `on_time`: true or false. Without it, an item is late when a step was completed after its due
# time.
VERDICT_KEY = "on_time"


def _late() -> ColumnElement[bool]:
    """SQL over an item: late by its recorded verdict when it has one, else because one of its
    steps was completed after its due time."""
    verdict = InstanceModel.data[VERDICT_KEY].as_boolean()
    steps_late = exists().where(
        HumanTaskModel.instance_id == InstanceModel.id,
        HumanTaskModel.status == TaskStatus.COMPLETED,
        HumanTaskModel.due_at.is_not(None),
        HumanTaskModel.completed_at > HumanTaskModel.due_at,
    )
    return cast(
        ColumnElement[bool],
        case((verdict.is_not(None), verdict.is_(False)), else_=steps_late),
    )


def _finished_where(session: Session, query: Select[Any], filters: MonitorFilter) -> Select[Any]:
    """The finished items the filters select, for a statement run once: the text's values are
    bound in it."""
    query = query.where(InstanceModel.status == InstanceStatus.COMPLETED)
    if filters.unit:  # a finished item is its starter's unit's
        _groups, people = unit_keys_of(session, filters.unit)
        query = query.where(InstanceModel.created_by.in_(people))
    if filters.process_id:
        query = query.where(InstanceModel.process_id == filters.process_id)
    if filters.status == DONE_LATE:
        query = query.where(_late())
    elif filters.status == DONE_ON_TIME:
        query = query.where(~_late())
    if filters.text and filters.text.strip():
        _shape, values = text_values(session, filters.text)
        query = query.where(text_clause(session, filters.text)).params(values)
    return query


def finished_query(
    session: Session, filters: MonitorFilter, after: tuple[Any, ...] | None
) -> Select[Any]:
    """The finished items, each with its starter and the starter's unit (whose item it is)."""
    starter, unit = aliased(UserModel), aliased(GroupModel)
    query = _finished_where(
        session,
        select(
            InstanceModel.id,
            InstanceModel.process_id,
            InstanceModel.title,
            InstanceModel.created_at,
            func.coalesce(InstanceModel.ended_at, InstanceModel.updated_at),
            func.coalesce(starter.display_name, InstanceModel.created_by),
            case((_late(), DONE_LATE), else_=DONE_ON_TIME),
            func.coalesce(unit.name, starter.unit),
        )
        .select_from(InstanceModel)
        .outerjoin(starter, starter.username == InstanceModel.created_by)
        .outerjoin(unit, and_(unit.key == starter.unit, unit.is_unit)),
        filters,
    )
    if after is not None:
        since, instance_id = after
        query = query.where(
            tuple_(InstanceModel.created_at, InstanceModel.id)
            > tuple_(moment_value(since), literal(instance_id))
        )
    return query.order_by(InstanceModel.created_at, InstanceModel.id)


def finished_row(r: Any, content: str | None = None) -> MonitorRow:
    return MonitorRow(
        instance_id=r[0],
        process_id=r[1],
        title=r[2],
        status=r[6],
        step=None,
        element_id=None,
        task_id=None,
        holder=r[5],
        unit=r[7],
        since=r[3],
        due_at=None,
        age_days=age_in_days(r[4], r[3]),
        content=content,
    )


def _finished_counts(
    session: Session, filters: MonitorFilter
) -> tuple[list[tuple[str, int]], dict[str, int]]:
    # Per unit: the starter's (a starter of no unit, the Director say, by name).
    starter, unit = aliased(UserModel), aliased(GroupModel)
    rows = _finished_where(
        session,
        select(
            func.coalesce(unit.name, starter.display_name, InstanceModel.created_by).label("who"),
            case((_late(), DONE_LATE), else_=DONE_ON_TIME).label("state"),
        )
        .select_from(InstanceModel)
        .outerjoin(starter, starter.username == InstanceModel.created_by)
        .outerjoin(unit, and_(unit.key == starter.unit, unit.is_unit)),
        filters,
    ).subquery()
    per_person: dict[str, int] = {}
    by_status: dict[str, int] = dict.fromkeys(STATUSES, 0)
    for who, state, count in session.execute(
        select(rows.c.who, rows.c.state, func.count()).group_by(rows.c.who, rows.c.state)
    ):
        per_person[who] = per_person.get(who, 0) + count
        by_status[state] += count
    return _busiest(per_person), by_status


# --- the answers --------------------------------------------------------------------------


def age_in_days(later: datetime, earlier: datetime) -> float:
    return round(max((later - earlier).total_seconds(), 0.0) / DAY_SECONDS, 1)


def finished_only(filters: MonitorFilter) -> bool:
    return filters.status in (DONE_ON_TIME, DONE_LATE)


def monitor_rows(
    session: Session,
    now: datetime,
    filters: MonitorFilter,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[MonitorRow], str | None]:
    """One page of rows, oldest first, starting after the cursor; and the next page's cursor
    (None on the last page). A cursor that does not decode starts at the first page."""
    if finished_only(filters):
        start = decode_cursor(after, (datetime, int))
        query = finished_query(session, filters, start).limit(limit + 1)
        rows = [finished_row(r) for r in session.execute(query)]
    else:
        start = decode_cursor(after, (datetime, int, str))
        shape, values = _open_values(session, now, filters, start)
        query = built_once(
            ("page", limit, *shape),
            lambda: _open_query(session, filters, start is not None, limit + 1),
        )
        found = session.execute(query, values)
        rows = [open_row(r, now, r[9] or "", r[10], taken=r[11] is not None) for r in found]
    if len(rows) <= limit:
        return rows, None
    rows = rows[:limit]
    last = rows[-1]
    key: tuple[Any, ...] = (last.since, last.instance_id)
    if last.task_id is not None:
        key = (*key, last.task_id)
    return rows, encode_cursor(key)


def monitor(
    session: Session,
    now: datetime,
    filters: MonitorFilter,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    count_cap: int = COUNT_CAP,
) -> MonitorResult:
    """Open steps (status within/overdue/error) or finished items (done on time/late): one
    page of rows, oldest first, and the counts of all the rows the filters select (of open
    steps, of the `count_cap` longest waiting at most: `capped` says there are more)."""
    rows, cursor = monitor_rows(session, now, filters, after, limit)
    if finished_only(filters):
        per_unit, by_status = _finished_counts(session, filters)
        total = sum(by_status.values())
        per_step = [("-", total)] if total else []
        step_ids: dict[str, str] = {}
        capped = False
    else:
        per_step, per_unit, by_status, step_ids, capped = _open_summary(
            session, now, filters, count_cap
        )
        total = sum(by_status.values())
    return MonitorResult(
        rows=rows,
        per_step=per_step,
        per_unit=per_unit,
        total=total,
        by_status=by_status,
        step_ids=step_ids,
        next_cursor=cursor,
        capped=capped,
    )
