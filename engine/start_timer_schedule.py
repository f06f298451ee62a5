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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from sqlalchemy import Index, Integer, String, Text, delete, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .errors import InvalidDefinition
from .limits import check_moment, duration_after, parse_cycle, parse_moment
from .parsing import ParsedProcess
from .quartz_cron import looks_like_quartz, next_fire, parse_quartz


class StartTimerModel(Base):
    """A timer start event of a process's latest version (migration 0032). A row stays when its
    times are over (`next_at` NULL), so a deploy of the same content knows it was scheduled."""

    __tablename__ = "start_timers"

    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    element_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    version_id: Mapped[int] = mapped_column(Integer)
    started_by: Mapped[str] = mapped_column(String(100))
    expression: Mapped[str] = mapped_column(String(200))
    next_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # How many more times it starts an item after the next: -1 without end (a cycle's R/…).
    repeats: Mapped[int] = mapped_column(Integer)
    # An ISO cycle's period (P1M), added to each time to give the next one; NULL for a cron or
    # a single time.
    period: Mapped[str | None] = mapped_column(String(100), nullable=True)
    started_count: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


# The worker's query walks this index in order and stops after a batch.
DUE_INDEX = Index("ix_start_timers_next_at", StartTimerModel.next_at)


@dataclass(frozen=True)
class Schedule:
    next_at: datetime
    repeats: int
    period: str | None


@dataclass(frozen=True)
class NextStart:
    """What the processes page shows of a timer start event."""

    element_id: str
    next_at: datetime | None  # None: its times are over (the last start failed)
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
        )
        .where(or_(StartTimerModel.next_at.is_not(None), StartTimerModel.last_error.is_not(None)))
        .order_by(StartTimerModel.next_at)
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


def first_schedule(kind: str, text: str, now: datetime, zone: tzinfo) -> Schedule | None:
    """When a timer start deployed now first starts an item; None when it never will (a cron
    or a cycle with no time left)."""
    if kind == "date":
        # A date already past starts one item at once, as Camunda's job does.
        return Schedule(check_moment(parse_moment(text, zone), now), 0, None)
    if kind == "duration":
        return Schedule(now + duration_after(text, now, zone), 0, None)
    if looks_like_quartz(text):
        upcoming = next_fire(parse_quartz(text), now, zone)
        return None if upcoming is None else Schedule(upcoming, -1, None)
    cycle = parse_cycle(text, now, zone)
    if cycle.repetitions == 0:
        return None
    # A cycle that began before now starts its first item at its first time from now on.
    found = _from(
        cycle.start, cycle.period, cycle.repetitions - 1, now, zone, past=lambda at: at < now
    )
    return None if found is None else Schedule(found[0], found[1], cycle.period)


def next_schedule(row: StartTimerModel, now: datetime, zone: tzinfo) -> tuple[datetime, int] | None:
    """When a row that has just started an item is next due, and the repeats then left; None
    when it is done. Times missed while no worker ran start one item, not one each: each counts
    as a repeat spent."""
    if row.repeats == 0 or row.next_at is None:
        return None
    if row.period is None:  # a Quartz cron, without end
        upcoming = next_fire(parse_quartz(row.expression), now, zone)
        return None if upcoming is None else (upcoming, -1)
    return _from(row.next_at, row.period, row.repeats, now, zone, past=lambda at: at <= now)


def _from(
    at: datetime,
    period: str,
    left: int,
    now: datetime,
    zone: tzinfo,
    past: Callable[[datetime], bool],
) -> tuple[datetime, int] | None:
    """The cycle's first time from `at` on that is not `past`, and the repeats left after it;
    None when they run out first. `left`: the times after `at` (-1 without end). Each time is
    the one before plus the period on the office's clock (P1M from 5 January: 5 February, 5
    March)."""
    fixed = not _varies(period)
    while past(at):
        if left == 0:
            return None
        step = duration_after(period, at, zone)
        skip = 1
        if fixed:  # days, hours, minutes: jump over the missed times at once
            skip = max(1, int((now - at) / step))
            if left > 0:
                skip = min(skip, left)
        at += skip * step
        left = left - skip if left > 0 else -1
    return at, left


def _varies(period: str) -> bool:
    """A period of years or months (before the T): its length depends on where it starts."""
    return any(unit in period.split("T")[0] for unit in ("Y", "M"))


def schedule_process(
    session: Session,
    process: ParsedProcess,
    version_id: int,
    deployed_by: str | None,
    now: datetime,
    *,
    zone: tzinfo,
    new: bool,
) -> None:
    """A new version's timer starts replace the process's. The latest version's content
    deployed again keeps its schedule, its items started from then on in the name of who
    deploys it (the deployer may have left), and schedules it if it never was (a version
    deployed before migration 0032)."""
    starts = timer_starts(process)
    if new:
        session.execute(
            delete(StartTimerModel).where(StartTimerModel.process_id == process.process_id)
        )
    else:
        if deployed_by is None or not starts:
            return
        rows = list(
            session.scalars(
                select(StartTimerModel).where(StartTimerModel.process_id == process.process_id)
            )
        )
        for row in rows:
            row.started_by = deployed_by
        if rows:
            return
    for element_id, kind, text in starts:
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
            raise InvalidDefinition(
                f"the timer start event's value {text!r} has no time left to start an item",
                reason="timer_start_never",
                file=process.main_file,
                element_id=element_id,
                timer=text,
            )
        session.add(
            StartTimerModel(
                process_id=process.process_id,
                element_id=element_id,
                version_id=version_id,
                started_by=deployed_by,
                expression=text,
                next_at=schedule.next_at,
                repeats=schedule.repeats,
                period=schedule.period,
                started_count=0,
            )
        )
