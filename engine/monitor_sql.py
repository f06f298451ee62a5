"""The SQL pieces Theo dõi's statements share (engine.monitoring, engine.monitor_export): its
filters and statuses, named bound values and statements built once, holders' names, and what an
open step and its item must be for the filters."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    String,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union,
    union_all,
)
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session, aliased

from .db import UTCDateTime
from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel
from .sql_text import lowered, plained, typed_plain, with_text_functions
from .sql_text import plain as plain_text
from .users import GroupModel, UserModel
from .views import MAX_ITEM_ID, InstanceStatus, TaskStatus

WITHIN, OVERDUE, DONE_ON_TIME, DONE_LATE = "within", "overdue", "done_on_time", "done_late"
ERROR = "error"  # a step of the item failed (a timer's script): it waits for an administrator
STATUSES = (WITHIN, OVERDUE, DONE_ON_TIME, DONE_LATE, ERROR)


@dataclass(frozen=True)
class MonitorFilter:
    process_id: str | None = None
    unit: str | None = None  # a group key: the unit holding the step
    element_id: str | None = None
    status: str | None = None  # one of STATUSES
    text: str | None = None


# --- dialect helpers ----------------------------------------------------------------------


def dialect_of(session: Session) -> str:
    return session.get_bind().dialect.name


def moment_value(moment: datetime) -> ColumnElement[datetime]:
    """A moment as a bound value stored the way the columns store it."""
    return literal(moment, UTCDateTime())


def named_value(name: str, type_: Any = String) -> Any:
    """A named value the statement takes at execution. It holds no value of its own: a
    statement built once (`built_once`) serves every call, so a value a call leaves out raises
    instead of running with the first caller's."""
    return bindparam(name, type_=type_)


def now_value() -> Any:
    return named_value("now", UTCDateTime)


# Statements built once per shape (database, statement, which filters, how many keys the unit
# has, a cursor or not, the limit) and executed with every value of this call: building Theo dõi's
# statements and computing their cache keys anew cost ~10 ms of Python a call for a unit.
_BUILT: dict[tuple[Any, ...], Any] = {}
_BUILT_MAX = 256


def built_once(shape: tuple[Any, ...], build: Any) -> Any:
    found = _BUILT.get(shape)
    if found is None:
        if len(_BUILT) >= _BUILT_MAX:
            _BUILT.clear()
        found = _BUILT[shape] = build()
    return found


def _escaped(text: str) -> str:
    """The text as a LIKE pattern's literal part, escaped with '/' (as autoescape does)."""
    return text.replace("/", "//").replace("%", "/%").replace("_", "/_")


def joined(
    dialect: str, value: ColumnElement[str], order: ColumnElement[str], sep: str = ", "
) -> Any:
    """SQL aggregate: the values joined by `sep` (ordered where the database can say so; on
    SQLite they come in the order the index gives them)."""
    if dialect == "postgresql":
        return func.string_agg(value, aggregate_order_by(literal(sep), order))
    return func.group_concat(value, sep)


def _title_contains(session: Session, plain: bool) -> ColumnElement[bool]:
    pattern = named_value("text_pattern")
    sqlite = with_text_functions(session)
    if plain:
        return plained(sqlite, InstanceModel.title).contains(pattern, escape="/")
    return lowered(sqlite, InstanceModel.title).contains(pattern, escape="/")


def _item_number(needle: str) -> int | None:
    return int(needle) if needle.isdigit() and int(needle) <= MAX_ITEM_ID else None


def text_clause(session: Session, text: str) -> ColumnElement[bool]:
    """An item whose title holds the text, or whose number it is (values: `text_values`)."""
    found = _title_contains(session, typed_plain(text.strip()))
    if _item_number(text.strip()) is not None:
        found = or_(found, InstanceModel.id == named_value("item_no", Integer))
    return found


def text_values(session: Session, text: str | None) -> tuple[int, dict[str, Any]]:
    """The shape `text_clause` gives the text (0 none, 1 title, 2 title or number; 3 and 4
    the same typed without diacritics) and its values by name."""
    needle = unicodedata.normalize("NFC", (text or "").strip())  # marks typed apart, joined
    if not needle:
        return 0, {}
    with_text_functions(session)  # a statement kept from another connection names them
    plain = typed_plain(needle)
    pattern = _escaped(plain_text(needle) if plain else needle.lower())
    number = _item_number(needle)
    shape = 3 if plain else 1
    if number is None:
        return shape, {"text_pattern": pattern}
    return shape + 1, {"text_pattern": pattern, "item_no": number}


# --- names --------------------------------------------------------------------------------


def group_name(value: Any) -> Any:
    """SQL: the name of the group a lower-cased key or name designates, else NULL. Keys are
    looked up by the primary key first: the scan by lower-cased name runs only for the rare
    value that is not a key as written (COALESCE stops at the first value found)."""
    by_key = select(GroupModel.name).where(GroupModel.key == value).scalar_subquery()
    by_name = (
        select(GroupModel.name)
        .where(or_(func.lower(GroupModel.key) == value, func.lower(GroupModel.name) == value))
        .order_by(GroupModel.key)
        .limit(1)
        .scalar_subquery()
    )
    return func.coalesce(by_key, by_name)


def person_name(value: Any) -> Any:
    return select(UserModel.display_name).where(UserModel.username == value).scalar_subquery()


# Aliases made once: a fresh alias each call made SQLAlchemy adapt every column anew and
# miss its cache of compiled statements (half of Theo dõi's Python time at 1M rows). Each is
# used in one place of a statement (a scalar subquery, a join), so one alias can serve all.
FIRST_CANDIDATE = aliased(TaskCandidateModel, name="first_candidate")
_NAMED = aliased(TaskCandidateModel, name="named_candidate")
HOLDER = aliased(UserModel, name="holder")
HOLDER_UNIT = aliased(GroupModel, name="holder_unit")
_UNIT_HOLDER = aliased(UserModel, name="unit_holder")


def waits_on_its_groups(assignee: Any) -> ColumnElement[bool]:
    """SQL: the step is its candidate groups' (for Theo dõi's unit, counts, filter and export)
    when nobody holds it, or when its holder belongs to no unit (an outside body's officer,
    the Director): else it is its holder's unit's."""
    in_a_unit = (
        exists()
        .where(_UNIT_HOLDER.username == assignee, _UNIT_HOLDER.unit.is_not(None))
        .correlate_except(_UNIT_HOLDER)  # the step's row, however deep (a LATERAL's)
    )
    return or_(assignee.is_(None), ~in_a_unit)


def first_candidate_of(kind: str) -> Any:
    """SQL over an open task: its first candidate of this kind (group or user)."""
    c = FIRST_CANDIDATE
    return (
        select(func.min(c.value))
        .where(c.task_id == HumanTaskModel.id, c.kind == kind)
        # The task of the query around, however deep this is nested (in a name lookup, say).
        .correlate(HumanTaskModel)
        .scalar_subquery()
    )


def candidate_names(dialect: str) -> Any:
    """SQL over an open task: the names of its candidate groups, then people."""
    c = _NAMED
    name = case(
        (c.kind == "group", func.coalesce(group_name(c.value), c.value)),
        else_=func.coalesce(person_name(c.value), c.value),
    )
    return (
        select(joined(dialect, name, c.kind + c.value))
        .where(c.task_id == HumanTaskModel.id)
        .scalar_subquery()
    )


# --- open steps ---------------------------------------------------------------------------


def unit_keys_of(session: Session, unit: str) -> tuple[list[str], list[str]]:
    """The lower-cased keys and names that designate this unit (its group, by key or name, the
    groups of that name, and its sub-groups keyed '<unit>.<role>'), and the usernames of its
    people. Read once per session, in one statement (a few group and people rows): as lists of
    values, the planner sees how few rows they select."""
    key = unit.strip().lower()
    memo: dict[str, tuple[list[str], list[str]]] = session.info.setdefault("pheduyet.unit_keys", {})
    if key in memo:
        return memo[key]
    values: set[str] = set()
    usernames: set[str] = set()
    found = session.execute(
        built_once(("unit_keys",), _unit_keys_statement),
        {"unit_key": key, "unit_prefix": _escaped(key + ".") + "%"},
    )
    for kind, value in found:
        if value is not None:
            (values if kind == "group" else usernames).add(str(value))
    memo[key] = (sorted(values), sorted(usernames))
    return memo[key]


def _unit_keys_statement() -> Any:
    """`unit_keys_of`' statement, its unit's key and the pattern of its sub-groups' keys bound."""
    key = bindparam("unit_key", type_=String())
    wanted = union(
        select(key),
        select(func.lower(GroupModel.name)).where(func.lower(GroupModel.key) == key),
    ).subquery()
    matching = select(func.lower(GroupModel.key)).where(
        or_(
            func.lower(GroupModel.name).in_(select(wanted.c[0])),
            func.lower(GroupModel.key) == key,
        )
    )
    sub = aliased(GroupModel)
    sub_key = func.lower(sub.key)
    prefix = bindparam("unit_prefix", type_=String())
    names = union(
        select(wanted.c[0]),
        matching,
        select(func.lower(GroupModel.name)).where(
            func.lower(GroupModel.key).in_(matching.subquery().select())
        ),
        select(sub_key).where(sub_key.like(prefix, escape="/")),
        select(func.lower(sub.name)).where(sub_key.like(prefix, escape="/")),
    ).subquery()
    people = select(literal("person", String), UserModel.username).where(
        func.lower(UserModel.unit).in_(select(names.c[0]))
    )
    return union_all(select(literal("group", String), names.c[0]), people)


def _overdue(due_at: Any, moment: Any) -> ColumnElement[bool]:
    return and_(due_at.is_not(None), due_at < moment)


def status_of_open(
    moment: Any, item_status: Any = InstanceModel.status, due_at: Any = HumanTaskModel.due_at
) -> Any:
    """SQL: an open step's state at the moment (a SQL value), from its item's status and its
    due time (the step's and item's columns, or a subquery's copies of them)."""
    return case(
        (item_status == InstanceStatus.ERROR, ERROR),
        (_overdue(due_at, moment), OVERDUE),
        else_=WITHIN,
    )


def after_key() -> Any:
    """SQL: the cursor's open-step page key (created_at, instance_id, id), taken by name."""
    return tuple_(
        named_value("after_since", UTCDateTime),
        named_value("after_item", Integer),
        named_value("after_task"),
    )


def open_conditions(
    session: Session, filters: MonitorFilter
) -> tuple[list[ColumnElement[bool]], list[ColumnElement[bool]]]:
    """What `open_where` asks of the step row and of its item's row, the unit aside."""
    step: list[ColumnElement[bool]] = [HumanTaskModel.status == TaskStatus.OPEN]
    item: list[ColumnElement[bool]] = [
        InstanceModel.status.in_([InstanceStatus.RUNNING, InstanceStatus.ERROR])
    ]
    if filters.process_id:  # a step's row carries its item's process
        step.append(HumanTaskModel.process_id == named_value("process_id"))
    if filters.element_id:
        step.append(HumanTaskModel.element_id == named_value("element_id"))
    overdue = _overdue(HumanTaskModel.due_at, now_value())
    if filters.status == ERROR:
        item.append(InstanceModel.status == InstanceStatus.ERROR)
    elif filters.status == OVERDUE:
        item.append(InstanceModel.status == InstanceStatus.RUNNING)
        step.append(overdue)
    elif filters.status == WITHIN:
        item.append(InstanceModel.status == InstanceStatus.RUNNING)
        step.append(~overdue)
    if filters.text and filters.text.strip():
        item.append(text_clause(session, filters.text))
    return step, item
