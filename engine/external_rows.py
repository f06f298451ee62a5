"""The table of external tasks: a Camunda service task `camunda:type="external"` whose topic the
services module does not map waits (SpiffWorkflow's STARTED state) for an outside worker. One
row per waiting task, written by the action that reached it (see `note_external_tasks`, called
from `persist`); `external_tasks.py` locks, completes and fails them."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .instances import InstanceModel
from .services import runner_of

TOPIC_PREFIX = "topic:"


class ExternalTaskModel(Base):
    __tablename__ = "external_tasks"
    __table_args__ = (Index("ix_external_tasks_topic", "topic", "lock_expires_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    spiff_task_id: Mapped[str] = mapped_column(String(36))
    element_id: Mapped[str] = mapped_column(String(200))
    process_id: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(timezone=True))
    worker_id: Mapped[str | None] = mapped_column(String(200), nullable=True)
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(timezone=True))
    retries: Mapped[int | None] = mapped_column(Integer, nullable=True)
    error_message: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The task's input parameters (camunda:inputParameter): local variables the worker gets
    # with the item's data, as Camunda's fetch gives them.
    inputs: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)


def note_external_tasks(
    session: Session, instance: InstanceModel, workflow: Any, at: datetime
) -> None:
    """A row for each external task the action's engine steps reached (the runner noted them)."""
    runner = runner_of(workflow)
    if runner is None or not runner.external:
        return
    for task_id, element_id, topic, inputs in runner.external:
        session.add(
            ExternalTaskModel(
                id=str(uuid.uuid4()),
                instance_id=instance.id,
                spiff_task_id=task_id,
                element_id=element_id,
                process_id=instance.process_id,
                topic=topic,
                created_at=at,
                # As the item's data is stored: what JSON cannot hold (a date) as its text.
                inputs=json.loads(json.dumps(inputs, default=str)) if inputs else None,
            )
        )
    runner.external.clear()
