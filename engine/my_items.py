"""An item seen by one person. Hồ sơ của tôi: the items a person started or acted on, newest
first, one keyset page at a time, in two queries whatever the page or the history (the page's
items with their last change, then their open steps). On an item's page: which of its open steps
the person may take, and whether they may add to it, in one query."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, exists, func, or_, select, union
from sqlalchemy.orm import Session

from .audit import AuditEventModel
from .human_tasks import HumanTaskModel, TaskCandidateModel, candidate_is, task_view
from .instances import InstanceModel
from .paging import PAGE_SIZE, decode_cursor, encode_cursor
from .registers import issued_by
from .users import ADMIN_GROUP, Identity
from .views import TaskStatus, TaskView


@dataclass(frozen=True)
class MyItemRow:
    id: int
    process_id: str
    title: str
    status: str
    created_by: str
    created_at: datetime
    changed_at: datetime  # the time of its last history event
    open_tasks: tuple[TaskView, ...]


@dataclass(frozen=True)
class MyItemsPage:
    rows: list[MyItemRow]
    next_cursor: str | None  # None on the last page


def my_items(
    session: Session,
    who: Identity,
    after: str | None = None,
    limit: int = PAGE_SIZE,
    *,
    status: str | None = None,
    process_id: str | None = None,
) -> MyItemsPage:
    """The items this person started or acted on, newest first, after the cursor; only those
    of this status and process when given."""
    start = decode_cursor(after, (int,))
    started = select(InstanceModel.id.label("id")).where(InstanceModel.created_by == who.username)
    acted = select(AuditEventModel.instance_id.label("id")).where(
        AuditEventModel.actor == who.username
    )
    if start is not None:
        started = started.where(InstanceModel.id < start[0])
        acted = acted.where(AuditEventModel.instance_id < start[0])
    ids = union(started, acted).subquery()
    only = [
        condition
        for condition, given in (
            (InstanceModel.status == status, status),
            (InstanceModel.process_id == process_id, process_id),
        )
        if given is not None
    ]
    last_change = (
        select(AuditEventModel.at)
        .where(AuditEventModel.instance_id == InstanceModel.id)
        .order_by(AuditEventModel.seq.desc())
        .limit(1)
        .scalar_subquery()
    )
    found = session.execute(
        select(
            InstanceModel.id,
            InstanceModel.process_id,
            InstanceModel.title,
            InstanceModel.status,
            InstanceModel.created_by,
            InstanceModel.created_at,
            func.coalesce(last_change, InstanceModel.created_at),
        )
        .where(InstanceModel.id.in_(select(ids.c.id)), *only)
        .order_by(InstanceModel.id.desc())
        .limit(limit + 1)
    ).all()
    more = len(found) > limit
    found = found[:limit]
    steps: dict[int, list[TaskView]] = defaultdict(list)
    if found:
        for task in session.scalars(
            select(HumanTaskModel)
            .where(
                HumanTaskModel.instance_id.in_([r[0] for r in found]),
                HumanTaskModel.status == TaskStatus.OPEN,
            )
            .order_by(
                HumanTaskModel.due_at.is_(None),
                HumanTaskModel.due_at,
                HumanTaskModel.created_at.desc(),
                HumanTaskModel.id,
            )
        ):
            steps[task.instance_id].append(task_view(task))
    rows = [
        MyItemRow(
            id=r[0],
            process_id=r[1],
            title=r[2],
            status=r[3],
            created_by=r[4],
            created_at=r[5],
            changed_at=r[6],
            open_tasks=tuple(steps[r[0]]),
        )
        for r in found
    ]
    cursor = encode_cursor((rows[-1].id,)) if more and rows else None
    return MyItemsPage(rows, cursor)


@dataclass(frozen=True)
class ItemAccess:
    actionable: frozenset[str]  # ids of the item's open tasks this person may act on
    may_contribute: bool  # may add files: the starter, an administrator, a holder, an issuer


def item_access(session: Session, who: Identity, instance_id: int) -> ItemAccess:
    """The rule of `may_act` over all the item's open tasks and of `may_contribute`, in one
    query however many steps are open."""
    offered = exists().where(TaskCandidateModel.task_id == HumanTaskModel.id, candidate_is(who))
    mine = or_(
        HumanTaskModel.assignee == who.username,
        and_(HumanTaskModel.assignee.is_(None), offered),
    )
    rows = session.execute(
        select(
            InstanceModel.created_by,
            HumanTaskModel.id,
            issued_by(who.username, InstanceModel.id),
        )
        .select_from(InstanceModel)
        .outerjoin(
            HumanTaskModel,
            and_(
                HumanTaskModel.instance_id == InstanceModel.id,
                HumanTaskModel.status == TaskStatus.OPEN,
                mine,
            ),
        )
        .where(InstanceModel.id == instance_id)
    ).all()
    actionable = frozenset(task for _by, task, _issued in rows if task is not None)
    starter = bool(rows) and rows[0][0] == who.username
    issuer = bool(rows) and bool(rows[0][2])
    contributes = starter or issuer or ADMIN_GROUP in who.groups or bool(actionable)
    return ItemAccess(actionable, contributes)
