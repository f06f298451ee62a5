"""When a process's timer start events next start an item (Camunda 7's timer start event).

A process whose diagram has a timer start event (timeDate, timeDuration or timeCycle, an ISO 8601
repeating interval or a Quartz cron) starts items by itself. Deploying a new version of it
replaces the old version's schedule, as Camunda deletes the old version's timer start jobs: one
row per timer start event of the latest version, with the moment it is next due and what is left
of its cycle. The worker fires the rows that are due (engine.start_timers).

The times are read when the version is deployed: a timer start's value is a literal (an
expression has no item to read variables from: definition_checks refuses it). An item a timer
starts is started in the name of the person who deployed the version, who must be known.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Float, Index, Integer, String, Text, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .errors import InvalidDefinition
from .limits import check_moment, duration_after, parse_cycle, parse_moment
from .parsing import ParsedProcess
from .quartz_cron import looks_like_quartz, next_fire, parse_quartz


class StartTimerModel(Base):
    """A timer start event of a process's latest version (migration 0032)."""

    __tablename__ = "start_timers"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str] = mapped_column(String(100))
    expression: Mapped[str] = mapped_column(String(200))
    next_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # How many more times it starts an item after the next: -1 without end (a cycle's R/…).
    repeats: Mapped[int] = mapped_column(Integer)
    interval_seconds: Mapped[float | None] = mapped_column(Float, nullable=True)  # ISO cycle
    started_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


# The worker's query walks this index in order and stops after a batch.
DUE_INDEX = Index("ix_start_timers_next_at", StartTimerModel.next_at)


@dataclass(frozen=True)
class Schedule:
    next_at: datetime
    repeats: int
    interval_seconds: float | None


@dataclass(frozen=True)
class NextStart:
    """What the processes page shows of a timer start event."""

    element_id: str
    next_at: datetime
    started_count: int
    last_error: str | None


def next_starts(session: Session) -> dict[str, list[NextStart]]:
    """Every process that starts itself: its timer start events, soonest first."""
    found: dict[str, list[NextStart]] = {}
    rows = session.execute(
        select(
            StartTimerModel.process_id,
            StartTimerModel.element_id,
            StartTimerModel.next_at,
            StartTimerModel.started_count,
            StartTimerModel.last_error,
        ).order_by(StartTimerModel.next_at)
    )
    for process_id, element_id, next_at, count, error in rows:
        found.setdefault(process_id, []).append(NextStart(element_id, next_at, count, error))
    return found


def timer_starts(process: ParsedProcess) -> list[tuple[str, str, str]]:
    """(element id, kind, literal) of each timer start event of the process itself (an event
    subprocess's start belongs to its item). A value computed from data was refused when the
    diagram was read (definition_checks.check_timers)."""
    found = []
    for spec in process.spec.task_specs.values():
        definition: Any = getattr(spec, "event_definition", None)
        kind = None if definition is None else _kind(definition)
        if isinstance(spec, StartEvent) and kind is not None:
            found.append((spec.bpmn_id, kind, ast.literal_eval(definition.expression)))
    return found


def _kind(definition: Any) -> str | None:
    for kind, cls in (
        ("date", TimeDateEventDefinition),
        ("duration", DurationTimerEventDefinition),
        ("cycle", CycleTimerEventDefinition),
    ):
        if isinstance(definition, cls):
            return kind
    return None


def take_timer_start(workflow: Any, element_id: str) -> None:
    """Let a new item's workflow start at its due timer start event, before it first runs: the
    event fires at once, and the process's other start events (SpiffWorkflow's StartEventSplit
    runs them all, and a plain one fires as soon as it runs) are cancelled first."""
    for task in workflow.get_tasks():
        if task.task_spec.bpmn_id == element_id and isinstance(task.task_spec, StartEvent):
            task._set_internal_data(event_fired=True)
            if not task.children:  # a cycle's event predicts no path: it adds one as it fires
                for output in task.task_spec.outputs:
                    child = task._add_child(output, task.state)  # FUTURE, or MAYBE past a split
                    child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            for other in task.parent.children:
                if other is not task:
                    other.cancel()
            return
    raise ValueError(f"no start event {element_id}")  # the schedule came from this version


def first_schedule(kind: str, text: str, now: datetime, zone: tzinfo) -> Schedule | None:
    """When a timer start deployed now first starts an item; None when it never will (a cron
    with no time left)."""
    if kind == "date":
        # A date already past starts one item at once, as Camunda's job does.
        return Schedule(check_moment(parse_moment(text), now), 0, None)
    if kind == "duration":
        return Schedule(now + duration_after(text, now), 0, None)
    if looks_like_quartz(text):
        upcoming = next_fire(parse_quartz(text), now, zone)
        return None if upcoming is None else Schedule(upcoming, -1, None)
    cycle = parse_cycle(text, now)
    if cycle.repetitions == 0:
        return None
    repeats = cycle.repetitions - 1 if cycle.repetitions > 0 else -1
    return Schedule(cycle.start, repeats, cycle.interval.total_seconds())


def next_schedule(row: StartTimerModel, now: datetime, zone: tzinfo) -> tuple[datetime, int] | None:
    """When a row that has just started an item is next due, and the repeats then left; None
    when it is done. Times missed while no worker ran start one item, not one each: each counts
    as a repeat spent."""
    if row.repeats == 0:
        return None
    if row.interval_seconds is None:  # a Quartz cron, without end
        upcoming = next_fire(parse_quartz(row.expression), now, zone)
        return None if upcoming is None else (upcoming, -1)
    step = timedelta(seconds=row.interval_seconds)
    left = row.repeats
    upcoming = row.next_at + step
    if upcoming <= now:
        missed = int((now - upcoming) / step) + 1
        upcoming += missed * step
        if left > 0:
            left = max(left - missed, 0)
            if left == 0:
                return None
    return upcoming, (left - 1 if left > 0 else -1)


def schedule_process(
    session: Session,
    process: ParsedProcess,
    version_id: int,
    deployed_by: str | None,
    now: datetime,
    zone: tzinfo,
) -> None:
    """Replace the process's timer starts with those of its new version."""
    session.execute(delete(StartTimerModel).where(StartTimerModel.process_id == process.process_id))
    for element_id, kind, text in timer_starts(process):
        if deployed_by is None:
            raise InvalidDefinition(
                "a timer start event starts items in the name of who deploys the process: say "
                "who deploys it (pheduyet deploy --as USER)",
                reason="timer_start_needs_deployer",
                file=process.main_file,
                element_id=element_id,
            )
        # Its value was checked when the diagram was read (definition_checks.check_timers).
        schedule = first_schedule(kind, text, now, zone)
        if schedule is None:
            continue
        session.add(
            StartTimerModel(
                process_id=process.process_id,
                element_id=element_id,
                version_id=version_id,
                started_by=deployed_by,
                expression=text,
                next_at=schedule.next_at,
                repeats=schedule.repeats,
                interval_seconds=schedule.interval_seconds,
                started_count=0,
            )
        )
