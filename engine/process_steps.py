"""Per process and step: how many wait and for how long, how long a step took (from the
running totals the write path keeps), the steps a process has and its versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .definitions import ProcessVersionModel, load_version
from .monitoring import DAY_SECONDS
from .step_totals import StepTotalModel
from .task_meta import TASK_KIND


@dataclass(frozen=True)
class StepStat:
    element_id: str
    title: str
    waiting: int
    avg_waiting_days: float
    done: int
    avg_duration_days: float


def step_stats(session: Session, process_id: str, now: datetime) -> list[StepStat]:
    """Per step of a process: how many wait and for how long on average; how long it took.
    Read from the step's running totals (engine.step_totals): a few rows, whatever the
    history."""
    query = (
        select(
            StepTotalModel.element_id,
            StepTotalModel.title,
            StepTotalModel.open_count,
            StepTotalModel.open_since_sum,
            StepTotalModel.done_count,
            StepTotalModel.done_seconds_sum,
        )
        .where(StepTotalModel.process_id == process_id)
        .order_by(StepTotalModel.element_id)
    )
    at = now.timestamp()

    def days(seconds: float) -> float:
        return round(max(seconds, 0.0) / DAY_SECONDS, 1)

    return [
        StepStat(
            element,
            title,
            waiting,
            days(at - since_sum / waiting) if waiting > 0 else 0.0,
            done,
            days(took_sum / done) if done > 0 else 0.0,
        )
        for element, title, waiting, since_sum, done, took_sum in session.execute(query)
    ]


def process_steps(session: Session, process_ids: list[str]) -> dict[str, str]:
    """Element id -> title of every human step of these processes' latest versions (their
    called processes included), from the versions' metadata: no task rows."""
    if not process_ids:
        return {}
    latest = (
        select(func.max(ProcessVersionModel.id))
        .where(ProcessVersionModel.process_id.in_(process_ids))
        .group_by(ProcessVersionModel.process_id)
    )
    steps: dict[str, str] = {}
    for version_id in session.scalars(latest):
        for meta in load_version(session, version_id).tasks.values():
            if meta.kind == TASK_KIND:
                steps.setdefault(meta.element_id, meta.step_name)
    return steps


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
