"""Open human tasks in their own indexed table, so inboxes and "where is it stuck" never load
workflow state. Completed rows stay, to say who handled a task and when."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ColumnElement, ForeignKey, Index, String, Text, and_, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .errors import Conflict, Forbidden, NotFound
from .users import Identity
from .views import TaskStatus, TaskView


class HumanTaskModel(Base):
    __tablename__ = "human_tasks"
    __table_args__ = (
        Index("ix_human_tasks_status_created", "status", "created_at"),
        Index("ix_human_tasks_status_due", "status", "due_at"),
        Index("ix_human_tasks_assignee_status", "assignee", "status"),
        # Theo dõi's keyset page of open steps and its step statistics (migration 0009).
        Index("ix_human_tasks_status_created_item", "status", "created_at", "instance_id", "id"),
        Index("ix_human_tasks_process_element", "process_id", "element_id", "status"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200))
    element_id: Mapped[str] = mapped_column(String(200), index=True)
    meta_key: Mapped[str] = mapped_column(String(400))
    title: Mapped[str] = mapped_column(String(500))
    lane: Mapped[str | None] = mapped_column(String(200))
    candidate_groups: Mapped[list[str]] = mapped_column(JSON, default=list)
    candidate_users: Mapped[list[str]] = mapped_column(JSON, default=list)
    process_assignee: Mapped[str | None] = mapped_column(String(100))
    assignee: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(20), default=TaskStatus.OPEN)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    completed_by: Mapped[str | None] = mapped_column(String(100))
    decision: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)


class TaskCandidateModel(Base):
    """Who may act on an open task when nobody holds it: one row per lower-cased group or user
    name, so the inbox is one indexed query on every database."""

    __tablename__ = "task_candidates"
    __table_args__ = (Index("ix_task_candidates_kind_value", "kind", "value"),)

    task_id: Mapped[str] = mapped_column(
        ForeignKey("human_tasks.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(10), primary_key=True)
    value: Mapped[str] = mapped_column(String(200), primary_key=True)


def effective_candidates(
    candidate_groups: list[str],
    candidate_users: list[str],
    lane: str | None,
    started_by: str,
) -> list[tuple[str, str]]:
    """Candidates, else the lane's group, else the person who started the item."""
    if candidate_groups or candidate_users:
        return [("group", g.lower()) for g in candidate_groups] + [
            ("user", u.lower()) for u in candidate_users
        ]
    if lane:
        return [("group", lane.strip().lower())]
    return [("user", started_by.lower())]


def add_candidates(session: Session, task: HumanTaskModel, started_by: str) -> None:
    """The candidate rows of a new task row."""
    pairs = effective_candidates(task.candidate_groups, task.candidate_users, task.lane, started_by)
    for kind, value in dict.fromkeys(pairs):
        session.add(TaskCandidateModel(task_id=task.id, kind=kind, value=value))


def candidate_is(who: Identity) -> ColumnElement[bool]:
    """SQL: this candidate row names the person or one of their groups (the query twin of the
    candidate check in `may_act`)."""
    return or_(
        and_(TaskCandidateModel.kind == "user", TaskCandidateModel.value == who.username.lower()),
        and_(
            TaskCandidateModel.kind == "group",
            TaskCandidateModel.value.in_(sorted(who.match_names)),
        ),
    )


def may_act(session: Session, task: HumanTaskModel, who: Identity) -> bool:
    if task.assignee:
        return task.assignee == who.username
    for kind, value in session.execute(
        select(TaskCandidateModel.kind, TaskCandidateModel.value).where(
            TaskCandidateModel.task_id == task.id
        )
    ):
        if kind == "user" and value == who.username.lower():
            return True
        if kind == "group" and who.matches_group(value):
            return True
    return False


def get_task_row(session: Session, task_id: str) -> HumanTaskModel:
    task = session.get(HumanTaskModel, task_id)
    if task is None:
        raise NotFound(f"task {task_id} does not exist")
    return task


def require_open(task: HumanTaskModel) -> None:
    if task.status == TaskStatus.COMPLETED:
        at = task.completed_at.isoformat(timespec="minutes") if task.completed_at else "?"
        raise Conflict(
            f"task '{task.title}' was already handled by {task.completed_by} at {at}",
            task_id=task.id,
            handled_by=task.completed_by,
            handled_at=at,
        )
    if task.status != TaskStatus.OPEN:
        raise Conflict(f"task '{task.title}' is {task.status}", task_id=task.id)


def require_may_act(session: Session, task: HumanTaskModel, who: Identity) -> None:
    if not may_act(session, task, who):
        holder = f"it is held by {task.assignee}" if task.assignee else "it is not yours"
        raise Forbidden(
            f"{who.username} may not act on task '{task.title}': {holder}", task_id=task.id
        )


def task_view(task: HumanTaskModel) -> TaskView:
    return TaskView(
        id=task.id,
        instance_id=task.instance_id,
        process_id=task.process_id,
        element_id=task.element_id,
        title=task.title,
        lane=task.lane,
        candidate_groups=list(task.candidate_groups or []),
        candidate_users=list(task.candidate_users or []),
        assignee=task.assignee,
        status=task.status,
        created_at=task.created_at,
        due_at=task.due_at,
    )
