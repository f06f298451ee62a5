"""Việc cần xử lý as a read model: the open tasks a person may act on, most urgent first, a page
at a time, in a fixed number of SQL statements whatever the number of tasks or the length of the
items' histories.

The query starts from the person's own keys: the candidate rows naming them or one of their
groups (index kind, value) and the tasks they hold (index assignee, status); it never scans every
open task nor joins every running item. Urgent first means: a due date before none, the earliest
due date first, then the newest task, then the task id, so the order is total and a page ends
where the next one starts (keyset paging, an opaque cursor).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    CompoundSelect,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    or_,
    select,
    true,
    union,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from .audit import AuditEventModel
from .db import UTCDateTime, read_rows
from .directory_cache import keeping, kept
from .errors import NotFound
from .human_tasks import (
    HumanTaskModel,
    TaskCandidateModel,
    may_act,
    task_view,
)
from .instances import InstanceModel, data_text, instance_with_task, lock_instance_with_task
from .paging import PAGE_SIZE, decode_cursor, encode_cursor
from .users import GroupModel, Identity, UserModel
from .views import InstanceStatus, TaskStatus, TaskView

MAX_PAGE_SIZE = 200
# The inbox counts a person's tasks up to this many: past it, "more than" (a count of tens of
# thousands would cost more than the page).
COUNT_CAP = 1000
_PINNED = "pheduyet.pinned_rows"


@dataclass(frozen=True)
class InboxRow:
    """One open task as the inbox shows it. Names are display names, already looked up.

    `last_decision`/`last_completed_at`: the decision and time of the item's latest completed
    step, so the caller can tell an item that came back (its own rule of what a return is).
    `releasable`: the person holds it because it was claimed or forwarded, not because the
    diagram names them, so it can go back to its group."""

    id: str
    instance_id: int
    process_id: str
    element_id: str
    title: str
    item_title: str
    created_at: datetime
    due_at: datetime | None
    assignee: str | None
    assignee_name: str | None
    group_names: tuple[str, ...]
    people_names: tuple[str, ...]
    lane: str | None
    started_by_name: str
    last_decision: str | None
    last_completed_at: datetime | None
    releasable: bool
    # The first of the caller's `marks` keys the item's data holds, as text (a document's
    # urgency, "hoa_toc"), for the caller to show beside the row.
    mark: str | None = None

    @property
    def group_task(self) -> bool:
        return self.assignee is None


@dataclass(frozen=True)
class InboxPage:
    """A page of the inbox; `total` and `overdue` count the whole inbox, not the page, up to
    COUNT_CAP (`more` says the count stopped there). `next_cursor` is None on the last page."""

    rows: tuple[InboxRow, ...]
    next_cursor: str | None
    total: int
    overdue: int
    # Counting stopped at COUNT_CAP: `total` means "more than", `overdue` is not counted (0;
    # the page starts with the overdue tasks, most urgent first).
    more: bool = False


def inbox(
    session: Session,
    who: Identity,
    now: datetime,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    count_cap: int = COUNT_CAP,
    marks: tuple[str, ...] = (),
) -> InboxPage:
    """The page of `who`'s inbox that follows the cursor `after` (None: the first page);
    each row's `mark`, the first of the `marks` keys its item's data holds.

    Two statements: the counts with the page's rows (with the item, the holder's and starter's
    names and the item's latest completed step), then the names of the candidate groups and
    people on the page. A cursor this function did not hand out means the first page."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    cursor = _decode(after)
    params: dict[str, Any] = {**_keys(who), "limit": limit + 1, "now": now}
    if cursor is not None:
        params.update(due=cursor[0], created=cursor[1], task_id=cursor[2])
    shape = "first" if cursor is None else "undated" if cursor[0] is None else "dated"
    groups = params["groups"]
    params.update({f"group_{i}": g for i, g in enumerate(groups)})
    found_rows = read_rows(
        session,
        _counted_page_statement(shape, len(groups), marks),
        {**params, "cap": count_cap + 1},
    ).all()
    total, overdue = found_rows[0].total, found_rows[0].overdue
    # An empty page is the counts' row alone, its page columns NULL.
    rows = [r for r in found_rows if r.id is not None]
    more = len(rows) > limit
    rows = rows[:limit]
    groups, people = _names(session, rows)
    found = tuple(
        InboxRow(
            id=r.id,
            instance_id=r.instance_id,
            process_id=r.process_id,
            element_id=r.element_id,
            title=r.title,
            item_title=r.item_title,
            created_at=r.created_at,
            due_at=r.due_at,
            assignee=r.assignee,
            assignee_name=r.assignee_name if r.assignee else None,
            group_names=tuple(groups.get(g.lower(), g) for g in r.candidate_groups or []),
            people_names=tuple(people.get(u, u) for u in r.candidate_users or []),
            lane=r.lane,
            started_by_name=r.starter_name or r.created_by,
            last_decision=r.last_decision,
            last_completed_at=r.last_at,
            releasable=r.assignee == who.username and r.process_assignee != who.username,
            mark=r.mark,
        )
        for r in rows
    )
    following = _encode(found[-1]) if more and found else None
    more_than = int(total) > count_cap
    return InboxPage(
        found,
        following,
        min(int(total), count_cap),
        0 if more_than else int(overdue or 0),
        more=more_than,
    )


@dataclass(frozen=True)
class TaskAccess:
    """A task and what `who` may do with it now: act on it (it is open and theirs or their
    group's), and give it back to its group (they hold it because it was claimed or forwarded,
    not because the diagram names them)."""

    task: TaskView
    can_act: bool
    releasable: bool
    started_by: str  # the item's starter: who holds a step the diagram gives nobody


def task_access(
    session: Session, who: Identity, task_id: str, *, lock: bool = False, ahead: bool = False
) -> TaskAccess:
    """The task and `who`'s rights on it, in one statement; NotFound for no such task.

    Whether `who` is a candidate is read from the task's row with its item's starter (the rule
    its candidate rows were written by, the one the actions check), not from those rows.
    The task's row and its item's row stay in the session until it closes, so what the task
    page reads next of them (its form, the item, its revision, the forward check) costs no
    further statement (a POST's write ends that read and reads them again under its lock):
    SQLAlchemy's identity map only holds weak references, and a row nobody holds would be read
    again by each of those functions. The rows are read as columns and made the session's
    objects (`instance_with_task`): the ORM's own loading cost twice the statement.

    `lock`: in the write of an action on the task, read under the item's lock, which the
    action then takes without reading again (`lock_instance_with_task`'s `ahead`). `ahead`: in
    a read that rehearses the action next (SQLite's POST), the item's state is read along, and
    the rehearsal takes the rows without reading again (`instance_with_task`'s `ahead`)."""
    if lock:
        found = lock_instance_with_task(session, task_id, ahead=True)
    else:
        found = instance_with_task(session, task_id, state=ahead, ahead=ahead)
    if found is None:
        raise NotFound(f"task {task_id} does not exist")
    instance, row = found
    session.info.setdefault(_PINNED, []).extend((row, instance))
    acting = row.status == TaskStatus.OPEN and may_act(session, row, who, instance.created_by)
    held = row.assignee == who.username and row.process_assignee != who.username
    return TaskAccess(task_view(row), acting, acting and held, instance.created_by)


def open_tasks_of(session: Session, who: Identity) -> list[TaskView]:
    """Every open task `who` may act on, most urgent first, without paging (for the CLI)."""
    return [task_view(t) for t in session.scalars(_tasks_statement(), _keys(who))]


_COLUMNS = (
    HumanTaskModel.id,
    HumanTaskModel.instance_id,
    HumanTaskModel.process_id,
    HumanTaskModel.element_id,
    HumanTaskModel.title,
    HumanTaskModel.lane,
    HumanTaskModel.candidate_groups,
    HumanTaskModel.candidate_users,
    HumanTaskModel.assignee,
    HumanTaskModel.process_assignee,
    HumanTaskModel.created_at,
    HumanTaskModel.due_at,
    InstanceModel.title.label("item_title"),
    InstanceModel.created_by,
)


def _keys(who: Identity) -> dict[str, Any]:
    """The bind parameters that name the person in `_mine`."""
    return {"me": who.username, "me_key": who.username.lower(), "groups": sorted(who.match_names)}


def _mine(*columns: Any) -> Select[Any]:
    """The open tasks of running items that the person (bind parameters `me`, `me_key`,
    `groups`: see `_keys`) holds or may take, `columns` of them (the inbox's by default):
    driven from the person's candidate keys and their held tasks, each through its own index.
    The candidate test is `human_tasks.candidate_is`, with parameters so the statement is built
    once per process."""
    offered = select(TaskCandidateModel.task_id.label("id")).where(
        or_(
            and_(
                TaskCandidateModel.kind == "user", TaskCandidateModel.value == bindparam("me_key")
            ),
            and_(
                TaskCandidateModel.kind == "group",
                TaskCandidateModel.value.in_(bindparam("groups", expanding=True)),
            ),
        )
    )
    held = select(HumanTaskModel.id.label("id")).where(
        HumanTaskModel.assignee == bindparam("me"), HumanTaskModel.status == TaskStatus.OPEN
    )
    ids = union(offered, held).subquery("mine")
    columns = columns or _COLUMNS
    return (
        select(*columns)
        .select_from(ids)
        .join(HumanTaskModel, HumanTaskModel.id == ids.c.id)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(
            HumanTaskModel.status == TaskStatus.OPEN,
            # An item in error waits for an administrator, not for its step's holder.
            InstanceModel.status == InstanceStatus.RUNNING,
            or_(HumanTaskModel.assignee.is_(None), HumanTaskModel.assignee == bindparam("me")),
        )
    )


@cache
def _counted_page_statement(shape: str, groups: int, marks: tuple[str, ...]) -> Select[Any]:
    """`_count_statement`'s counts (columns total, overdue) on each row of `_page_statement`,
    or on a row of their own when the page is empty: one round trip for both."""
    counts = _count_statement(groups).subquery("counts")
    page = _page_statement(shape, groups, marks).subquery("paged")
    return (
        select(counts, page)
        .select_from(counts)
        .outerjoin(page, true())
        .order_by(page.c.due_at.is_(None), page.c.due_at, page.c.created_at.desc(), page.c.id)
    )


def _page_statement(shape: str, groups: int, marks: tuple[str, ...] = ()) -> Select[Any]:
    """A page: the first (`shape` "first") or the one after a cursor on a task with a due date
    ("dated") or without ("undated"), for a person with `groups` group names (bind parameters
    `group_0`...); with the holder's and starter's names and the item's latest completed step,
    read for the page's rows only (see `_urgent_page`); unordered: its caller orders it."""
    page = _urgent_page(shape, groups, marks).subquery("page")
    assignee = aliased(UserModel)
    starter = aliased(UserModel)
    last = aliased(AuditEventModel)
    latest_seq = (
        select(func.max(AuditEventModel.seq))
        .where(
            AuditEventModel.instance_id == page.c.instance_id,
            AuditEventModel.kind == "completed",
        )
        .scalar_subquery()
    )
    return (
        select(
            page,
            assignee.display_name.label("assignee_name"),
            starter.display_name.label("starter_name"),
            last.decision.label("last_decision"),
            last.at.label("last_at"),
        )
        .outerjoin(assignee, assignee.username == page.c.assignee)
        .outerjoin(starter, starter.username == page.c.created_by)
        .outerjoin(last, and_(last.instance_id == page.c.instance_id, last.seq == latest_seq))
    )


def _count_statement(groups: int) -> Select[Any]:
    """How many tasks (up to the bind parameter `cap`) and how many of those are overdue:
    exact below the cap; past it, the overdue ones are not all among those counted. Each of
    the person's keys is read in index order up to the cap (see `_branches`), so the count
    costs at most the cap's rows per key, however many tasks the person has."""
    cap: BindParameter[int] = bindparam("cap")
    parts = [
        query.order_by(due, created.desc(), task_id).limit(cap).subquery().select()
        for query, due, created, task_id in _branches(groups)
    ]
    counted = union(*parts).subquery("mine")
    capped = select(counted.c.due_at).limit(cap).subquery("counted")
    late = case((capped.c.due_at < bindparam("now", type_=UTCDateTime()), 1), else_=0)
    return select(
        func.count().label("total"), func.coalesce(func.sum(late), 0).label("overdue")
    ).select_from(capped)


def _branches(groups: int) -> list[tuple[Select[Any], Any, Any, Any]]:
    """The person's open tasks of running items, one query per key with the columns (id,
    due_at, created_at) and those columns: the tasks offered to the user key (bind parameter
    `me_key`) and to each group name (`group_0`...) nobody holds, from the candidate rows
    (their index ix_task_candidates_urgency: kind, value, due_at, created_at DESC, task_id),
    then the tasks the person holds (`me`; ix_human_tasks_assignee_urgency). A key's rows are
    an index range; the test that nobody holds the task and its item runs is a look-up per row
    by primary key.

    The look-ups are correlated subqueries, not joins: the same work for the executor (a
    nested loop over the range), but PostgreSQL plans a join of three tables per key and
    branch, each estimate reading the ends of the primary keys' indexes: planning cost 2-3
    times the page's execution at 1M task rows (3.6 against 2.2 ms, and 1.6 ms for the
    counts), the subqueries a fifth of it."""
    keys: list[tuple[str, Any]] = [("user", bindparam("me_key"))] + [
        ("group", bindparam(f"group_{i}")) for i in range(groups)
    ]
    c = TaskCandidateModel
    found: list[tuple[Select[Any], Any, Any, Any]] = []
    for kind, value in keys:
        offered = select(*_keyed(c.task_id.label("id"), c.due_at, c.created_at)).where(
            c.kind == kind,
            c.value == value,
            # Candidate rows exist for open tasks only (they go when it closes): no test of
            # the task's status, which would also make the planner expect a third of them.
            _unheld_of_running_item(c.task_id),
        )
        found.append((offered, c.due_at, c.created_at, c.task_id))
    held = select(
        *_keyed(HumanTaskModel.id, HumanTaskModel.due_at, HumanTaskModel.created_at)
    ).where(
        HumanTaskModel.assignee == bindparam("me"),
        HumanTaskModel.status == TaskStatus.OPEN,
        _item_running(),
    )
    found.append((held, HumanTaskModel.due_at, HumanTaskModel.created_at, HumanTaskModel.id))
    return found


def _item_running() -> Any:
    """SQL: the item of the task row in hand (human_tasks of the enclosing query) runs."""
    return (
        select(InstanceModel.status == InstanceStatus.RUNNING)
        .where(InstanceModel.id == HumanTaskModel.instance_id)
        .correlate_except(InstanceModel)
        .scalar_subquery()
    )


def _unheld_of_running_item(task_id: Any) -> Any:
    """SQL: nobody holds the task `task_id` and its item runs (false for no such task)."""
    return (
        select(and_(HumanTaskModel.assignee.is_(None), _item_running()))
        .where(HumanTaskModel.id == task_id)
        .correlate_except(HumanTaskModel)
        .scalar_subquery()
    )


def _urgent_page(shape: str, groups: int, marks: tuple[str, ...] = ()) -> Select[Any]:
    """The page's tasks, each of the person's keys read in urgency order: for the user key and
    each group name, the offered tasks with a due date and those without are each an ordered
    range of ix_task_candidates_urgency (kind, value, due_at, created_at DESC, task_id), and the
    held tasks one of ix_human_tasks_assignee_urgency; each range stops after a page, the union
    keeps the first page of them. A range passes over the tasks someone holds or whose item is
    not running (a join per row), so a page costs about a page of rows per key, whatever the
    number of the person's or everyone's tasks."""
    limit: BindParameter[int] = bindparam("limit")
    parts = [
        part
        for query, due, created, task_id in _branches(groups)
        for part in _ranges(query, due, created, task_id, shape)
    ]
    # UNION, not UNION ALL: a task offered to two of the person's keys is one row.
    ids = union(*(part.limit(limit).subquery().select() for part in parts)).subquery("ids")
    return (
        select(*_keyed(*_COLUMNS), data_text(marks).label("mark"))
        .select_from(ids)
        .join(HumanTaskModel, HumanTaskModel.id == ids.c.id)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .order_by(ids.c.due_at.is_(None), ids.c.due_at, ids.c.created_at.desc(), ids.c.id)
        .limit(limit)
    )


def _keyed(*columns: Any) -> list[Any]:
    return list(columns)


def _ranges(
    query: Select[Any], due: Any, created: Any, task_id: Any, shape: str
) -> list[Select[Any]]:
    """`query`'s rows after the cursor (see `_page_statement`) in urgency order, as ordered
    parts that each match the index (due, created DESC, id) after the key's equal columns: the
    rows with a due date, then those without (only these follow an undated cursor). The cursor
    test repeats its first column as a plain bound, so the range starts at the cursor."""
    later = or_(
        created < bindparam("created"),
        and_(created == bindparam("created"), task_id > bindparam("task_id")),
    )
    dated = query.where(due.is_not(None))
    undated = query.where(due.is_(None))
    if shape == "dated":
        dated = dated.where(
            due >= bindparam("due"),
            or_(due > bindparam("due"), and_(due == bindparam("due"), later)),
        )
    elif shape == "undated":
        undated = undated.where(created <= bindparam("created"), later)
    order = (due, created.desc(), task_id)
    parts = [undated.order_by(*order)]
    if shape != "undated":
        parts.insert(0, dated.order_by(*order))
    return parts


@cache
def _tasks_statement() -> Select[Any]:
    return _urgent_first(_mine(HumanTaskModel))


def _urgent_first(query: Select[Any]) -> Select[Any]:
    return query.order_by(
        HumanTaskModel.due_at.is_(None),
        HumanTaskModel.due_at,
        HumanTaskModel.created_at.desc(),
        HumanTaskModel.id,
    )


# The parts of every look-up of names, in this order: a group by its lower-cased key, a group
# by its lower-cased name, a person by username (`_named` relies on the order).
_NAME_PARTS = (
    (literal("g"), func.lower(GroupModel.key), GroupModel.name),
    (literal("g"), func.lower(GroupModel.name), GroupModel.name),
    (literal("u"), UserModel.username, UserModel.display_name),
)


@cache
def _names_statement() -> CompoundSelect[Any]:
    keys: BindParameter[Any] = bindparam("keys", expanding=True)
    users: BindParameter[Any] = bindparam("users", expanding=True)
    return union_all(
        *(
            select(*part).where(part[1].in_(wanted))
            for part, wanted in zip(_NAME_PARTS, (keys, keys, users), strict=True)
        )
    )


def _names(session: Session, rows: Sequence[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Display names of the candidate groups and candidate people on the page."""
    return names_of(
        session,
        {g for r in rows for g in r.candidate_groups or []},
        {u for r in rows for u in r.candidate_users or []},
    )


def names_of(
    session: Session, groups: Iterable[str], usernames: Iterable[str]
) -> tuple[dict[str, str], dict[str, str]]:
    """The names of these groups (each found by its key or its name, case aside; keyed by the
    lower-cased key and name) and the display names of these people (those who exist):
    (groups, people). In a transaction given the directory's token, taken from the whole
    directory as the process keeps it (engine.directory_cache: read once after each change);
    otherwise in one statement."""
    group_keys = sorted({g.lower() for g in groups})
    wanted = sorted(set(usernames))
    if not group_keys and not wanted:
        return {}, {}
    if keeping(session):  # a request: the whole directory, as the process keeps it
        all_groups, everyone = kept(session, _DIRECTORY_KEY, lambda: _directory(session))
        return (
            {key: all_groups[key] for key in group_keys if key in all_groups},
            {name: everyone[name] for name in wanted if name in everyone},
        )
    found = read_rows(session, _names_statement(), {"keys": group_keys, "users": wanted}).all()
    return _named(found)


def _named(found: Iterable[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(groups, people) from rows of (kind, key, name): a group by its lower-cased key, then
    by its lower-cased name (a name that is also another group's key names that one)."""
    named = {key: name for kind, key, name in found if kind == "g"}
    people = {key: name for kind, key, name in found if kind == "u"}
    return named, people


_DIRECTORY_KEY = "inbox.directory"


@cache
def _directory_statement() -> CompoundSelect[Any]:
    return union_all(*(select(*part) for part in _NAME_PARTS))


def _directory(session: Session) -> tuple[dict[str, str], dict[str, str]]:
    """Every group's and every person's name, as `names_of` finds them."""
    return _named(read_rows(session, _directory_statement()).all())


# --- the cursor: where the next page starts -----------------------------------------------------

# (1 when the task has no due date, the due date or else the creation time, creation time, id):
# the shared cursor carries no None, so "no due date" is a flag, as in the ORDER BY.
_CURSOR_TYPES = (int, datetime, datetime, str)


def _encode(row: InboxRow) -> str:
    undated = row.due_at is None
    return encode_cursor((int(undated), row.due_at or row.created_at, row.created_at, row.id))


def _decode(cursor: str | None) -> tuple[datetime | None, datetime, str] | None:
    values = decode_cursor(cursor, _CURSOR_TYPES)
    if values is None:
        return None
    undated, due, created, task_id = values
    return (None if undated else due), created, task_id
