"""Read-only questions about items and tasks. They read the task table and the instance row,
never the workflow state."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .audit import HistoryEvent, events_of
from .audit_verify import audit_report
from .db import held_object, read_rows
from .definitions import load_version
from .errors import NotFound
from .external_rows import ExternalTaskModel
from .human_tasks import HumanTaskModel, may_act, opened_tasks, task_view
from .inbox import open_tasks_of
from .instances import InstanceModel
from .subscriptions import WaitingEventModel, standing_waits
from .users import Identity, get_identity
from .views import (
    AuditProblem,
    HistoryEntry,
    InstanceStatus,
    InstanceView,
    StuckRow,
    TaskStatus,
    TaskView,
)


def tasks_for(session: Session, who: str | Identity) -> list[TaskView]:
    """Open tasks this person may act on: held by them, or open to one of their groups; most
    urgent first (the inbox's query, without paging)."""
    return open_tasks_of(session, who if isinstance(who, Identity) else get_identity(session, who))


def open_tasks(session: Session, instance_id: int | None = None) -> list[TaskView]:
    """Open tasks (of one item, or of all), most urgent first: plain rows from a statement
    built once, since every item page, task page and action's result asks for its item's."""
    if instance_id is None:
        rows = read_rows(session, _OPEN_TASKS)
    else:
        rows = read_rows(session, _OPEN_TASKS_OF_ITEM, {"instance_id": instance_id})
    return [task_view(r) for r in rows]


def steps_now(session: Session, instance_id: int) -> list[TaskView]:
    """Where the item stands after this transaction's action: the steps the action opened, in
    the order they opened, without a statement; when it opened none (an urging leaves the step
    where it was; an earlier submit of a start opened nothing now), its open steps, read in one."""
    return opened_tasks(session, instance_id) or open_tasks(session, instance_id)


def reopened(session: Session, done: TaskView, who: Identity, started_by: str) -> TaskView | None:
    """The step just done, opened again by the same action for the same person: the process
    found what was sent wanting (a consultation missing a body the law requires) and sends it
    straight back. None for anything else, another member's turn at the same step included."""
    return next(
        (
            t
            for t in opened_tasks(session, done.instance_id)
            if t.element_id == done.element_id and may_act(session, t, who, started_by)
        ),
        None,
    )


def steps_for(session: Session, instance_id: int, who: Identity, started_by: str) -> list[TaskView]:
    """The item's steps now (`steps_now`) that `who` may act on (the item started by
    `started_by`), each judged from its row with the starter, no candidate rows read."""
    return [t for t in steps_now(session, instance_id) if may_act(session, t, who, started_by)]


_TASK_COLUMNS = (
    HumanTaskModel.id,
    HumanTaskModel.instance_id,
    HumanTaskModel.process_id,
    HumanTaskModel.element_id,
    HumanTaskModel.title,
    HumanTaskModel.lane,
    HumanTaskModel.candidate_groups,
    HumanTaskModel.candidate_users,
    HumanTaskModel.assignee,
    HumanTaskModel.status,
    HumanTaskModel.created_at,
    HumanTaskModel.due_at,
)
_OPEN_TASKS = (
    select(*_TASK_COLUMNS)
    .where(HumanTaskModel.status == TaskStatus.OPEN)
    .order_by(
        HumanTaskModel.due_at.is_(None), HumanTaskModel.due_at, HumanTaskModel.created_at.desc()
    )
)
_OPEN_TASKS_OF_ITEM = _OPEN_TASKS.where(HumanTaskModel.instance_id == bindparam("instance_id"))


def get_task(session: Session, task_id: str) -> TaskView:
    row = session.get(HumanTaskModel, task_id)
    if row is None:
        raise NotFound(f"task {task_id} does not exist")
    return task_view(row)


def show_instance(session: Session, instance_id: int) -> InstanceView:
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    return instance_view(session, instance, events_of(session, instance_id))


def _said(event: HistoryEvent, kind: str, key: str) -> str | None:
    """A text an event of `kind` keeps under `key` in its details."""
    if event.kind != kind or not isinstance(event.details, dict):
        return None
    value = event.details.get(key)
    return value if isinstance(value, str) else None


def instance_view(
    session: Session, instance: InstanceModel, events: Iterable[HistoryEvent]
) -> InstanceView:
    """The item as `show_instance` shows it, from its row and its audit events (read by the
    caller, who may read them once for this and the dossier)."""
    try:  # the version's number from the restored version (cached), not its stored files
        number = load_version(session, instance.process_version_id).version
    except NotFound:
        number = 0
    history = [
        HistoryEntry(
            at=e.at,
            actor=e.actor,
            kind=e.kind,
            element_id=e.element_id,
            decision=e.decision,
            comment=e.comment,
            task_id=e.task_id,
            handed_to=_said(e, "assigned", "to"),
            outcome=_said(e, "finished", "result"),
        )
        for e in events
    ]
    return InstanceView(
        id=instance.id,
        process_id=instance.process_id,
        version=number,
        title=instance.title,
        status=instance.status,
        created_by=instance.created_by,
        created_at=instance.created_at,
        data=instance.data,
        open_tasks=open_tasks(session, instance.id),
        history=history,
        error=instance.error,
    )


def stuck(session: Session, now: datetime) -> list[StuckRow]:
    """Every open task with who holds it, since when and whether it is overdue, oldest first;
    then the items waiting for a message or a signal, with what they wait for; then those
    waiting for an outside worker (an external task), with its topic."""
    return list(iter_stuck(session, now))


STUCK_BATCH = 1000  # rows fetched at a time


def iter_stuck(session: Session, now: datetime) -> Iterator[StuckRow]:
    """`stuck`, streamed: one query whose plain rows (no ORM objects) come a batch at a time;
    the holder is read from the columns fetched, never looked up per row."""
    query = (
        select(
            HumanTaskModel.instance_id,
            InstanceModel.title,
            HumanTaskModel.id,
            HumanTaskModel.element_id,
            HumanTaskModel.title,
            HumanTaskModel.lane,
            HumanTaskModel.assignee,
            HumanTaskModel.candidate_groups,
            HumanTaskModel.candidate_users,
            InstanceModel.created_by,
            HumanTaskModel.created_at,
            HumanTaskModel.due_at,
        )
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(HumanTaskModel.status == TaskStatus.OPEN)
        # Theo dõi's order, read from its index (status, created_at, instance_id, id).
        .order_by(HumanTaskModel.created_at, HumanTaskModel.instance_id, HumanTaskModel.id)
        .execution_options(yield_per=STUCK_BATCH)
    )
    for row in session.execute(query):
        (item, title, task_id, element_id, step, lane, assignee, groups, users, by, since, due) = (
            row
        )
        holder = assignee or ", ".join([*(groups or []), *(users or [])]) or lane or by
        yield StuckRow(
            instance_id=item,
            title=title,
            task_id=task_id,
            element_id=element_id,
            lane=lane,
            holder=holder,
            since=since,
            age_days=_age_days(since, now),
            due_at=due,
            overdue=due is not None and due < now,
            step=step,
        )
    yield from _waiting_for_events(session, now)
    yield from _waiting_for_workers(session, now)


def _waiting_for_workers(session: Session, now: datetime) -> Iterator[StuckRow]:
    """Items waiting for an outside worker to complete an external task: the holder names
    the topic, the worker holding its lock, and the last failure it reported."""
    query = (
        select(
            ExternalTaskModel.instance_id,
            InstanceModel.title,
            ExternalTaskModel.element_id,
            ExternalTaskModel.topic,
            ExternalTaskModel.worker_id,
            ExternalTaskModel.lock_expires_at,
            ExternalTaskModel.error_message,
            ExternalTaskModel.created_at,
        )
        .join(InstanceModel, InstanceModel.id == ExternalTaskModel.instance_id)
        .where(InstanceModel.status == InstanceStatus.RUNNING)
        .order_by(ExternalTaskModel.created_at, ExternalTaskModel.id)
        .execution_options(yield_per=STUCK_BATCH)
    )
    for item, title, element_id, topic, worker, until, failed, since in session.execute(query):
        holder = f"external task '{topic}'"
        if worker and until is not None and until > now:
            holder += f" (locked by {worker})"
        if failed:
            holder += f" (last failure: {failed[:200]})"
        yield _waiting_row(item, title, element_id, holder, since, now)


def _waiting_for_events(session: Session, now: datetime) -> Iterator[StuckRow]:
    """Items waiting for a message or a signal (a catch event, a boundary event, an
    event-based gateway): the holder says what they wait for; a gateway's timer is its due."""
    query = standing_waits(
        WaitingEventModel.instance_id,
        InstanceModel.title,
        WaitingEventModel.element_id,
        WaitingEventModel.kind,
        WaitingEventModel.name,
        WaitingEventModel.correlation_key,
        WaitingEventModel.gateway,
        WaitingEventModel.since,
        InstanceModel.next_timer_at,
    ).execution_options(yield_per=STUCK_BATCH)
    for item, title, element_id, kind, name, key, gateway, since, timer in session.execute(query):
        waits = f"{kind} '{name}'" + (f" (key {key})" if key else "")
        due = timer if gateway else None
        holder = waits + (" or a timer" if due is not None else "")
        yield _waiting_row(item, title, element_id, holder, since, now, due)


def _waiting_row(
    item: int,
    title: str,
    element_id: str,
    holder: str,
    since: datetime,
    now: datetime,
    due: datetime | None = None,
) -> StuckRow:
    """A stuck row for an item waiting outside a human task (no task id, no lane, never
    overdue: a gateway's timer fires by itself)."""
    return StuckRow(
        instance_id=item,
        title=title,
        task_id="",
        element_id=element_id,
        lane=None,
        holder=holder,
        since=since,
        age_days=_age_days(since, now),
        due_at=due,
        overdue=False,
    )


def _age_days(since: datetime, now: datetime) -> float:
    """Days waited, to one decimal (never negative)."""
    return round(max((now - since).total_seconds() / 86400, 0.0), 1)


def verify_audit(
    session: Session, instance_id: int | None = None
) -> tuple[int, list[AuditProblem]]:
    """Check the audit trail of one item or of all (see `audit_report`); returns (items
    checked, problems)."""
    report = audit_report(session, instance_id)
    return report.checked, report.problems


def instance_titles(session: Session, process_id: str) -> set[str]:
    """Titles of the items of a process that were not cancelled (for idempotent imports)."""
    return set(
        session.scalars(
            select(InstanceModel.title).where(
                InstanceModel.process_id == process_id,
                InstanceModel.status != InstanceStatus.CANCELLED,
            )
        )
    )


def titled_values(
    session: Session, process_id: str, titles: Collection[str], key: str
) -> dict[str, set[str | None]]:
    """For each of these titles held by items of a process that were not cancelled, the values
    of one field of their data (as text; None where missing): which of those items is which,
    for an import's identity. One statement, whatever the number of items."""
    found: dict[str, set[str | None]] = {}
    if not titles:
        return found
    query = select(InstanceModel.title, InstanceModel.data[key].as_string()).where(
        InstanceModel.process_id == process_id,
        InstanceModel.status != InstanceStatus.CANCELLED,
        InstanceModel.title.in_(sorted(set(titles))),
    )
    for title, value in session.execute(query):
        found.setdefault(title, set()).add(value)
    return found


def item_data(session: Session, instance_id: int) -> dict[str, Any]:
    """The item's data as it is now in this transaction (after an action: what it produced),
    from the row the session holds: no statement when the action just wrote it; else its data
    column alone (not the stored state, tens of kilobytes that a done-message does not need)."""
    held = held_object(session, InstanceModel, instance_id)
    if held is not None:
        return dict(held.data or {})
    found = session.execute(
        select(InstanceModel.data).where(InstanceModel.id == instance_id)
    ).one_or_none()
    if found is None:
        raise NotFound(f"item {instance_id} does not exist")
    return dict(found.data or {})


def instance_revision(session: Session, instance_id: int) -> int:
    """The item's version counter: send it back with an action to detect a stale page."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    return instance.version_counter
