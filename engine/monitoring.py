"""The managers' questions: where every item waits, who holds it, since when, overdue or not,
counts per step and unit, and how long each step takes. Read from the task table only."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .definitions import ProcessVersionModel
from .human_tasks import HumanTaskModel
from .instances import InstanceModel
from .users import GroupModel, UserModel
from .views import InstanceStatus, TaskStatus

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


@dataclass(frozen=True)
class MonitorResult:
    rows: list[MonitorRow]
    per_step: list[tuple[str, int]] = field(default_factory=list)
    per_unit: list[tuple[str, int]] = field(default_factory=list)


@dataclass(frozen=True)
class StepStat:
    element_id: str
    title: str
    waiting: int
    avg_waiting_days: float
    done: int
    avg_duration_days: float


def _names(session: Session) -> tuple[dict[str, str], dict[str, tuple[str, str | None]]]:
    groups = {g.key.lower(): g.name for g in session.scalars(select(GroupModel))}
    groups.update({g.name.lower(): g.name for g in session.scalars(select(GroupModel))})
    users = {u.username: (u.display_name, u.unit) for u in session.scalars(select(UserModel))}
    return groups, users


def _days(later: datetime, earlier: datetime) -> float:
    return round(max((later - earlier).total_seconds(), 0.0) / 86400, 1)


def monitor(session: Session, now: datetime, filters: MonitorFilter) -> MonitorResult:
    """Open steps (status within/overdue) or finished items (done on time/late), oldest first."""
    groups, users = _names(session)
    if filters.status in (DONE_ON_TIME, DONE_LATE):
        rows = _finished(session, filters, users)
    else:
        rows = _open(session, now, filters, groups, users)
    if filters.text:
        needle = filters.text.strip().lower()
        rows = [r for r in rows if needle in r.title.lower() or needle in str(r.instance_id)]
    rows.sort(key=lambda r: (r.since, r.instance_id))
    per_step = Counter(r.step or "-" for r in rows)
    per_unit = Counter(r.unit or r.holder for r in rows)
    return MonitorResult(rows, per_step.most_common(), per_unit.most_common())


def _open(
    session: Session,
    now: datetime,
    filters: MonitorFilter,
    groups: dict[str, str],
    users: dict[str, tuple[str, str | None]],
) -> list[MonitorRow]:
    query = (
        select(HumanTaskModel, InstanceModel.title, InstanceModel.created_by, InstanceModel.status)
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(
            HumanTaskModel.status == TaskStatus.OPEN,
            InstanceModel.status.in_([InstanceStatus.RUNNING, InstanceStatus.ERROR]),
        )
    )
    if filters.process_id:
        query = query.where(InstanceModel.process_id == filters.process_id)
    if filters.element_id:
        query = query.where(HumanTaskModel.element_id == filters.element_id)
    result = []
    for task, title, created_by, item_status in session.execute(query):
        overdue = task.due_at is not None and task.due_at < now
        status = ERROR if item_status == InstanceStatus.ERROR else OVERDUE if overdue else WITHIN
        if filters.status and filters.status != status:
            continue
        owners = [*task.candidate_groups, *task.candidate_users] or (
            [task.lane] if task.lane else [created_by]
        )
        if task.assignee:
            name, unit_key = users.get(task.assignee, (task.assignee, None))
            holder = name
            unit = groups.get((unit_key or "").lower()) if unit_key else None
        else:
            holder = ", ".join(groups.get(o.lower(), users.get(o, (o, None))[0]) for o in owners)
            unit = groups.get(owners[0].lower()) if owners else None
        if filters.unit and not _unit_matches(filters.unit, task, owners, users, groups):
            continue
        result.append(
            MonitorRow(
                instance_id=task.instance_id,
                process_id=task.process_id,
                title=title,
                status=status,
                step=task.title,
                element_id=task.element_id,
                task_id=task.id,
                holder=holder,
                unit=unit,
                since=task.created_at,
                due_at=task.due_at,
                age_days=_days(now, task.created_at),
            )
        )
    return result


def _unit_matches(
    unit: str,
    task: HumanTaskModel,
    owners: list[str],
    users: dict[str, tuple[str, str | None]],
    groups: dict[str, str],
) -> bool:
    """Whether the step waits on this unit: its group, a sub-group keyed '<unit>.<role>' (its
    leaders, say), or a person of the unit."""
    key = unit.lower()
    wanted = {key, groups.get(key, unit).lower()}

    def ours(name: str) -> bool:
        name = name.lower()
        return (
            name in wanted or name.startswith(key + ".") or groups.get(name, "").lower() in wanted
        )

    if task.assignee:
        unit_key = users.get(task.assignee, ("", None))[1]
        return bool(unit_key) and ours(unit_key or "")
    return any(ours(o) for o in owners)


def _finished(
    session: Session, filters: MonitorFilter, users: dict[str, tuple[str, str | None]]
) -> list[MonitorRow]:
    query = select(InstanceModel).where(InstanceModel.status == InstanceStatus.COMPLETED)
    if filters.process_id:
        query = query.where(InstanceModel.process_id == filters.process_id)
    instances = list(session.scalars(query))
    late: set[int] = set()
    if instances:
        for task in session.scalars(
            select(HumanTaskModel).where(
                HumanTaskModel.instance_id.in_([i.id for i in instances]),
                HumanTaskModel.status == TaskStatus.COMPLETED,
            )
        ):
            if task.due_at and task.completed_at and task.completed_at > task.due_at:
                late.add(task.instance_id)
    rows = []
    for item in instances:
        status = DONE_LATE if item.id in late else DONE_ON_TIME
        if filters.status and filters.status != status:
            continue
        ended = item.ended_at or item.updated_at
        rows.append(
            MonitorRow(
                instance_id=item.id,
                process_id=item.process_id,
                title=item.title,
                status=status,
                step=None,
                element_id=None,
                task_id=None,
                holder=users.get(item.created_by, (item.created_by, None))[0],
                unit=None,
                since=item.created_at,
                due_at=None,
                age_days=_days(ended, item.created_at),
            )
        )
    return rows


def step_stats(session: Session, process_id: str, now: datetime) -> list[StepStat]:
    """Per step of a process: how many wait and for how long on average; how long it took."""
    waiting: dict[str, list[float]] = defaultdict(list)
    durations: dict[str, list[float]] = defaultdict(list)
    titles: dict[str, str] = {}
    for task in session.scalars(
        select(HumanTaskModel).where(HumanTaskModel.process_id == process_id)
    ):
        titles.setdefault(task.element_id, task.title)
        if task.status == TaskStatus.OPEN:
            waiting[task.element_id].append(_days(now, task.created_at))
        elif task.status == TaskStatus.COMPLETED and task.completed_at:
            durations[task.element_id].append(_days(task.completed_at, task.created_at))

    def mean(values: list[float]) -> float:
        return round(sum(values) / len(values), 1) if values else 0.0

    return [
        StepStat(
            element,
            titles[element],
            len(waiting[element]),
            mean(waiting[element]),
            len(durations[element]),
            mean(durations[element]),
        )
        for element in sorted(titles)
    ]


def process_versions(
    session: Session, process_id: str | None = None
) -> list[tuple[str, int, str, datetime]]:
    """(process id, version, name, deployed at) of every version, newest first."""
    query = select(
        ProcessVersionModel.process_id,
        ProcessVersionModel.version,
        ProcessVersionModel.name,
        ProcessVersionModel.deployed_at,
    )
    if process_id:
        query = query.where(ProcessVersionModel.process_id == process_id)
    query = query.order_by(ProcessVersionModel.process_id, ProcessVersionModel.version.desc())
    return [(r[0], r[1], r[2], r[3]) for r in session.execute(query)]
