"""Bounds on what a diagram may ask of the engine: how far ahead a timer reaches, how often a
cycle repeats, which years a date may fall in, how many instances a loop opens.

Literal values are checked when a diagram is deployed (engine/definition_checks.py); values a
diagram computes from an item's data are checked again when they are used, so that neither a
file nor a form can make a worker count a billion months or open a million tasks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import (
    MultiInstanceTask,
    StandardLoopTask,
)

from .clock import zoned_utc

MAX_YEARS_AHEAD = 100
MIN_YEAR = 2000
# A reminder more often than once a minute is a flood, not a reminder.
MIN_CYCLE = timedelta(minutes=1)
DEFAULT_MAX_MULTI_INSTANCE = 1000
_MAX_TEXT = 100
_DAYS_PER = {
    "years": 365.25,
    "months": 30.44,
    "weeks": 7.0,
    "days": 1.0,
    "hours": 1 / 24,
    "minutes": 1 / 1440,
    "seconds": 1 / 86400,
}


class OutOfBounds(ValueError):
    """A timer, date or loop value the engine refuses; the message names the bound."""


class Malformed(OutOfBounds):
    """Not a value of the kind expected at all; `expected` says which kind."""

    def __init__(self, text: str, expected: str, example: str) -> None:
        super().__init__(f"{_shown(text)} is not {expected} (such as {example})")
        self.expected = expected


_DURATION = ("an ISO 8601 duration", "P3D or PT4H")
_DATE = ("an ISO 8601 date and time", "2026-06-30 or 2026-06-30T17:00:00+07:00")
_CYCLE = ("an ISO 8601 repeating interval", "R3/P1D")


def _duration_parts(text: str) -> dict[str, Any]:
    """Spiff's reading of an ISO 8601 duration, refused past the bound before Spiff walks it
    month by month (P99999999Y would take it a billion steps)."""
    text = text.strip()
    if len(text) > _MAX_TEXT or not text.upper().startswith("P"):
        raise Malformed(text, *_DURATION)
    try:
        parts: dict[str, Any] = TimerEventDefinition.parse_iso_duration(text)
    except Exception as exc:  # Spiff raises a bare Exception on a malformed duration
        raise Malformed(text, *_DURATION) from exc
    try:
        days = sum(float(value) * _DAYS_PER[key] for key, value in parts.items())
    except OverflowError:
        days = math.inf
    if days > MAX_YEARS_AHEAD * 365.25:
        raise OutOfBounds(f"the duration {text} is longer than {MAX_YEARS_AHEAD} years")
    return parts


def duration_after(text: str, start: datetime, zone: tzinfo) -> timedelta:
    """The span of an ISO 8601 duration counted from `start` on the office's clock (`zone`):
    months have their own lengths, and P1M from midnight on 1 February in Hà Nội (31 January
    in UTC) ends at midnight on 1 March there."""
    local = start.astimezone(zone)
    span: timedelta = TimerEventDefinition.get_timedelta_from_start(_duration_parts(text), local)
    return span


def duration_before(text: str, end: datetime, zone: tzinfo) -> timedelta:
    """The span of an ISO 8601 duration counted back from `end`, on the office's clock."""
    local = end.astimezone(zone)
    span: timedelta = TimerEventDefinition.get_timedelta_from_end(_duration_parts(text), local)
    return span


def check_span(span: timedelta) -> timedelta:
    """A span computed by a diagram (a timedelta from a script) within the bound."""
    if abs(span) > timedelta(days=MAX_YEARS_AHEAD * 365.25):
        raise OutOfBounds(f"a wait of {span.days:,} days is longer than {MAX_YEARS_AHEAD} years")
    return span


def parse_moment(text: str, zone: tzinfo) -> datetime:
    """An ISO 8601 date or date and time; one without a zone is on the office's clock (`zone`):
    `2026-12-31T09:00` is nine in the morning where the office is, as in Camunda."""
    text = text.strip()
    try:
        if len(text) > _MAX_TEXT:
            raise ValueError(text)
        return zoned_utc(datetime.fromisoformat(text), zone)
    except ValueError as exc:
        raise Malformed(text, *_DATE) from exc


def check_moment(moment: datetime, now: datetime) -> datetime:
    """A date an item can wait for: from the year 2000 up to a hundred years from now."""
    latest = now.year + MAX_YEARS_AHEAD
    if not MIN_YEAR <= moment.year <= latest:
        raise OutOfBounds(
            f"the date {moment.date().isoformat()} is outside the years {MIN_YEAR} to {latest}"
        )
    return moment


@dataclass(frozen=True)
class Cycle:
    """A repeating timer: how many times (-1: without end), first when, then how often (the
    first interval, and the ISO duration each next time adds: P1M is not always 31 days)."""

    repetitions: int
    start: datetime
    interval: timedelta
    period: str


def parse_cycle(text: str, now: datetime, zone: tzinfo) -> Cycle:
    """An ISO 8601 repeating interval (R3/PT4H, R/P1D, R/2026-01-01T08:00/P1W, R2/P1D/2026-06-01;
    a start or end without a zone on the office's clock, `zone`); refused when it repeats
    without waiting (R/PT0S) or more often than once a minute."""
    raw = text
    parts = text.strip().upper().replace("--", "/").split("/")
    head = parts[0]
    if len(raw) > _MAX_TEXT or not head.startswith("R") or not (head[1:] or "0").isdigit():
        raise Malformed(raw, *_CYCLE)
    repetitions = int(head[1:]) if head[1:] else -1
    period = next((part for part in parts[1:] if part.startswith("P")), "")
    if len(parts) == 2 and parts[1].startswith("P"):
        interval = duration_after(parts[1], now, zone)
        start = now + interval
    elif len(parts) == 3 and parts[2].startswith("P"):
        start = check_moment(parse_moment(parts[1], zone), now)
        interval = duration_after(parts[2], start, zone)
    elif len(parts) == 3 and parts[1].startswith("P"):
        end = check_moment(parse_moment(parts[2], zone), now)
        interval = duration_before(parts[1], end, zone)
        start = end - interval
    else:
        raise Malformed(raw, *_CYCLE)
    if interval < MIN_CYCLE:
        raise OutOfBounds(
            f"the cycle {raw.strip()} repeats every {interval.total_seconds():g} seconds; "
            "a repeating timer must wait at least a minute"
        )
    return Cycle(repetitions, start, interval, period)


def _shown(text: str) -> str:
    return repr(text if len(text) <= 40 else text[:40] + "...")


# Multi-instance and loop tasks: the count is checked when the task starts, before Spiff
# creates a child task per item.


def watch_loops(specs: Any) -> None:
    """Make every loop and multi-instance task of these process specs check its count when it
    starts. Uses Spiff's own update event, so the specs are neither copied nor re-typed; the
    limit comes from the running workflow's script engine (`max_multi_instance`)."""
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if isinstance(task_spec, MultiInstanceTask):
                event = task_spec.update_event
                if not event.is_connected(_check_instances):
                    event.connect(_check_instances)
            elif isinstance(task_spec, StandardLoopTask):
                event = spec.task_specs[task_spec.task_spec].update_event
                if not event.is_connected(_check_iterations):
                    event.connect(_check_iterations)


def _limit(workflow: Any) -> int:
    engine = workflow.top_workflow.script_engine
    return int(getattr(engine, "max_multi_instance", DEFAULT_MAX_MULTI_INSTANCE))


def _check_instances(workflow: Any, my_task: Any) -> None:
    spec = my_task.task_spec
    limit = _limit(workflow)
    source = spec.data_input
    if source is None and spec.cardinality is None:
        # Camunda's collection (camunda:collection) is kept as the output until the task starts.
        source = spec.data_output
    if source is not None:
        collection = source.get(my_task)
        try:
            count = len(collection)
        except TypeError:
            return  # not a collection: Spiff says so itself
        what = f"the collection '{source.bpmn_id}' has {count:,} items"
    else:
        count = workflow.script_engine.evaluate(my_task, spec.cardinality)
        if not isinstance(count, int):
            return  # Spiff refuses a cardinality that is not a number
        what = f"the loop cardinality {spec.cardinality.strip()} gives {count:,}"
    if count > limit:
        raise WorkflowTaskException(
            f"{what}; a multi-instance task opens at most {limit:,} instances", task=my_task
        )


def _check_iterations(workflow: Any, my_task: Any) -> None:
    limit = _limit(workflow)
    if int(my_task.internal_data.get("iteration", 0)) >= limit and my_task.parent is not None:
        raise WorkflowTaskException(
            f"the loop ran {limit:,} times without ending; a loop runs at most {limit:,} times",
            task=my_task.parent,
        )
