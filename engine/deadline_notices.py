"""Notifications that time causes: a deadline draws near, passes, and is long past.

The worker calls ``scan_deadlines`` every round. For each open task with a deadline it writes,
once per task and person (the dedupe key), a ``reminder`` to its holders when the deadline is
within `remind_working_days`, an ``overdue`` notice to them once it has passed, and, once it is
`escalate_after_working_days` past, an ``escalated`` notice to the leaders of the holders' units
(``recipients.leaders_of``) that names those units, so a leader told for several units, or the
head of the department told for all, knows whom to chase. Working days are the configuration's
calendar; now is its clock.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from .clock import as_utc, end_of_day
from .forwarding import Hierarchy
from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel
from .notifications import CHOOSABLE_EVENTS, NotificationModel, NotifyEvent, notify
from .recipients import leaders_of, may_be_a_leader_told, people_of, units_of
from .runtime import EngineConfig
from .users import GroupModel
from .views import TaskStatus

REMIND_ENV = "PHEDUYET_REMIND_WORKING_DAYS"
ESCALATE_ENV = "PHEDUYET_ESCALATE_WORKING_DAYS"
# Pages of `limit` tasks one scan reads at most for each event.
MAX_PAGES = 20


@dataclass(frozen=True)
class DeadlinePolicy:
    """How many working days before its deadline a task's holders are reminded, and how many
    after it its unit's leaders are told."""

    remind_working_days: int = 1
    escalate_after_working_days: int = 2

    @classmethod
    def from_environment(cls) -> DeadlinePolicy:
        """PHEDUYET_REMIND_WORKING_DAYS and PHEDUYET_ESCALATE_WORKING_DAYS, else 1 and 2."""
        return cls(
            remind_working_days=_days(REMIND_ENV, cls.remind_working_days),
            escalate_after_working_days=_days(ESCALATE_ENV, cls.escalate_after_working_days),
        )


def _days(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        days = int(value)
    except ValueError:
        raise ValueError(f"{name} must be a whole number of working days, got {value!r}") from None
    if not 0 <= days <= 60:
        raise ValueError(f"{name} must be from 0 to 60 working days, got {days}")
    return days


@dataclass(frozen=True)
class _Due:
    task_id: str
    instance_id: int
    item_title: str
    step: str
    due_at: datetime
    assignee: str | None


def scan_deadlines(
    session: Session, config: EngineConfig, policy: DeadlinePolicy, *, limit: int = 500
) -> dict[str, int]:
    """Write the reminders, overdue notices and escalations that have come due; returns how
    many notifications of each event were written. Tasks are read `limit` at a time, oldest
    deadline first, so a task nobody can be told of (a group without members) is passed over
    instead of holding back the others."""
    now = config.clock()
    written = dict.fromkeys(
        (NotifyEvent.REMINDER.value, NotifyEvent.OVERDUE.value, NotifyEvent.ESCALATED.value), 0
    )
    # By days, as deadlines run: a step due at the end of Thursday is reminded of from the
    # start of Wednesday (one working day before), and escalated two working days late from
    # the start of Monday, not from the hour it happened to open.
    if policy.remind_working_days > 0:
        horizon = _day_end(config, config.add_working_days(now, policy.remind_working_days))
        for task in _due(session, NotifyEvent.REMINDER, limit, after=now, until=horizon):
            holders = _holders(session, task)
            written["reminder"] += _tell(session, NotifyEvent.REMINDER, task, holders, now)
    for task in _due(session, NotifyEvent.OVERDUE, limit, until=now):
        holders = _holders(session, task)
        written["overdue"] += _tell(session, NotifyEvent.OVERDUE, task, holders, now)
    late = _day_end(config, config.add_working_days(now, -policy.escalate_after_working_days))
    for task in _due(session, NotifyEvent.ESCALATED, limit, until=late):
        pairs = _candidates(session, task)
        holders = people_of(session, pairs, task.assignee)
        leaders = leaders_of(session, config.hierarchy, holders)
        late_units = _unit_names(session, holders, pairs)
        written["escalated"] += _tell(
            session, NotifyEvent.ESCALATED, task, leaders, now, units=late_units
        )
    return written


def _day_end(config: EngineConfig, moment: datetime) -> datetime:
    """The last moment of the office's day that holds `moment`."""
    day = moment.astimezone(config.timezone).date()
    return as_utc(end_of_day(day, config.timezone))


def choosable_events_of(
    session: Session, hierarchy: Hierarchy, username: str
) -> tuple[NotifyEvent, ...]:
    """The events this person may choose a delivery for, in CHOOSABLE_EVENTS' order: the
    escalation only for one `leaders_of` can name, as `scan_deadlines` tells it to no one else."""
    if may_be_a_leader_told(session, hierarchy, username):
        return CHOOSABLE_EVENTS
    return tuple(e for e in CHOOSABLE_EVENTS if e != NotifyEvent.ESCALATED)


def _due(
    session: Session,
    event: NotifyEvent,
    limit: int,
    *,
    until: datetime,
    after: datetime | None = None,
) -> Iterator[_Due]:
    """Open tasks due by `until` (and after `after`) whose `event` nobody was told yet, page by
    page (keyset on the deadline and the id), at most MAX_PAGES pages a round."""
    told = exists().where(
        and_(NotificationModel.task_id == HumanTaskModel.id, NotificationModel.event == event)
    )
    query: Any = (
        select(
            HumanTaskModel.id,
            HumanTaskModel.instance_id,
            InstanceModel.title,
            HumanTaskModel.title,
            HumanTaskModel.due_at,
            HumanTaskModel.assignee,
        )
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(
            HumanTaskModel.status == TaskStatus.OPEN,
            HumanTaskModel.due_at.is_not(None),
            HumanTaskModel.due_at <= until,
            ~told,
        )
        .order_by(HumanTaskModel.due_at, HumanTaskModel.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(HumanTaskModel.due_at > after)
    page = query
    for _ in range(MAX_PAGES):
        rows = [_Due(*row) for row in session.execute(page)]
        yield from rows
        if len(rows) < limit:
            return
        last = rows[-1]
        page = query.where(
            or_(
                HumanTaskModel.due_at > last.due_at,
                and_(HumanTaskModel.due_at == last.due_at, HumanTaskModel.id > last.task_id),
            )
        )


def _candidates(session: Session, task: _Due) -> list[tuple[str, str]]:
    pairs = session.execute(
        select(TaskCandidateModel.kind, TaskCandidateModel.value).where(
            TaskCandidateModel.task_id == task.task_id
        )
    )
    return [(kind, value) for kind, value in pairs]


def _holders(session: Session, task: _Due) -> set[str]:
    return people_of(session, _candidates(session, task), task.assignee)


def _unit_names(session: Session, holders: set[str], pairs: list[tuple[str, str]]) -> list[str]:
    """The names of the units late with a task, in name order: its holders' units, else
    (nobody holds it) the units among its candidate groups; none when it has no unit."""
    keys = units_of(session, holders)
    named: ColumnElement[bool]
    if keys:
        named = GroupModel.key.in_(sorted(keys))
    else:
        groups = sorted({value.lower() for kind, value in pairs if kind == "group"})
        if not groups:
            return []
        named = and_(
            GroupModel.is_unit.is_(True),
            or_(func.lower(GroupModel.key).in_(groups), func.lower(GroupModel.name).in_(groups)),
        )
    found = dict(session.execute(select(GroupModel.key, GroupModel.name).where(named)).all())
    # A person's unit that is no group (a chart loaded by hand) keeps its key.
    return sorted({found.get(key, key) for key in keys} if keys else set(found.values()))


def _tell(
    session: Session,
    event: NotifyEvent,
    task: _Due,
    recipients: set[str],
    now: datetime,
    *,
    units: list[str] | None = None,
) -> int:
    """`notify` of a task; an escalation's late units travel as a list, which its readers show
    as a line (`late_units.units_line`) or cut on whole names (the mail's subject)."""
    return notify(
        session,
        event=event,
        recipients=recipients,
        dedupe_key=f"{event}:{task.task_id}",
        at=now,
        title=task.item_title,
        instance_id=task.instance_id,
        task_id=task.task_id,
        step=task.step,
        due_at=task.due_at,
        units=units or None,
    )
