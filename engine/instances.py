"""The instance row: where a running item's state, version counter and next timer live."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .audit import GENESIS
from .db import Base, UTCDateTime
from .errors import Conflict, NotFound
from .human_tasks import HumanTaskModel
from .views import InstanceStatus


class InstanceModel(Base):
    __tablename__ = "instances"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_version_id: Mapped[int] = mapped_column(ForeignKey("process_versions.id"), index=True)
    process_id: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20), index=True, default=InstanceStatus.RUNNING)
    created_by: Mapped[str] = mapped_column(ForeignKey("users.username"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    state: Mapped[str] = mapped_column(Text)
    serializer_version: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    next_timer_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    error: Mapped[str | None] = mapped_column(Text)
    audit_head: Mapped[str] = mapped_column(String(64), default=GENESIS)
    audit_count: Mapped[int] = mapped_column(default=0)
    version_counter: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version_counter}  # noqa: RUF012


_LOCK = (
    select(InstanceModel)
    .where(InstanceModel.id == bindparam("instance_id"))
    .with_for_update()
    # The session may hold an older copy (read before the lock): the locked one counts.
    .execution_options(populate_existing=True)
)
_LOCK_OF_TASK = (
    select(InstanceModel)
    .where(
        InstanceModel.id
        == select(HumanTaskModel.instance_id)
        .where(HumanTaskModel.id == bindparam("task_id"))
        .scalar_subquery()
    )
    .with_for_update()
    .execution_options(populate_existing=True)
)


def lock_instance(
    session: Session, instance_id: int, expected_version: int | None = None
) -> InstanceModel:
    """Take the instance row for this transaction (FOR UPDATE on PostgreSQL; on SQLite the
    transaction already holds the write lock from BEGIN IMMEDIATE)."""
    instance = session.scalars(_LOCK, {"instance_id": instance_id}).first()
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    return _checked(instance, expected_version)


def lock_instance_of_task(
    session: Session, task_id: str, expected_version: int | None = None
) -> InstanceModel | None:
    """`lock_instance` for the item of a task row, in one statement; None when no such task."""
    instance = session.scalars(_LOCK_OF_TASK, {"task_id": task_id}).first()
    return None if instance is None else _checked(instance, expected_version)


def _checked(instance: InstanceModel, expected_version: int | None) -> InstanceModel:
    instance_id = instance.id
    if expected_version is not None and instance.version_counter != expected_version:
        raise Conflict(
            f"item {instance_id} changed since you opened it "
            f"(version {expected_version}, now {instance.version_counter}): reload it",
            instance_id=instance_id,
        )
    return instance


def require_running(instance: InstanceModel) -> None:
    if instance.status != InstanceStatus.RUNNING:
        raise Conflict(
            f"item {instance.id} is {instance.status}: nothing more can be done on it",
            instance_id=instance.id,
        )
