"""Timer event definitions that read the injected clock instead of the wall clock.

SpiffWorkflow's timers call datetime.now() themselves; these subclasses ask the workflow's script
engine for the time, so tests and operators can travel in time. They replace the parsed ones right
after parsing and are registered with the serializer, which is how Spiff is meant to be extended.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from .clock import as_utc, zoned_utc
from .limits import (
    Malformed,
    OutOfBounds,
    check_moment,
    check_span,
    duration_after,
    parse_cycle,
    parse_moment,
)
from .quartz_cron import looks_like_quartz, next_fire, parse_quartz

_ISO_LITERAL = re.compile(
    r"^(R\d*/)?(P[0-9YMWDTHS.,]+|\d{4}-\d{2}-\d{2}[0-9T:.+\-Z]*)(/.*)?$", re.I
)


def now_for(task: Any) -> datetime:
    engine = task.workflow.top_workflow.script_engine
    clock_now = getattr(engine, "now", None)
    return clock_now() if clock_now else datetime.now(UTC)


def zone_for(task: Any) -> tzinfo:
    """The office's time zone: a date or time a timer names without a zone is on its clock."""
    zone: tzinfo = getattr(task.workflow.top_workflow.script_engine, "timezone", UTC)
    return zone


def _bad_value(my_task: Any, expression: str, value: Any, reason: OutOfBounds) -> Exception:
    # A WorkflowTaskException names the task; runtime.spiff_errors turns it into a ScriptError.
    said = f"the timer expression {expression} gave {_short(value)}"
    error: Exception = WorkflowTaskException(
        f"{said}, which is not {reason.expected}"
        if isinstance(reason, Malformed)
        else f"{said}: {reason}",
        task=my_task,
    )
    return error


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _moment(text: str) -> datetime:
    """A stored due time. One without a zone is UTC, as everywhere in the engine (Spiff would
    read it in the server's own zone)."""
    return as_utc(datetime.fromisoformat(text))


def _due_date(my_task: Any, expression: str, value: Any) -> datetime:
    zone = zone_for(my_task)
    try:
        if isinstance(value, datetime):
            moment = zoned_utc(value, zone)
        elif isinstance(value, date):  # its first moment, as Camunda reads a date alone
            moment = zoned_utc(datetime.combine(value, time()), zone)
        else:
            moment = parse_moment(str(value), zone)
        return check_moment(moment, now_for(my_task))
    except OutOfBounds as exc:
        raise _bad_value(my_task, expression, value, exc) from exc


def _duration(my_task: Any, expression: str, value: Any, start: datetime) -> timedelta:
    try:
        if isinstance(value, timedelta):
            return check_span(value)
        return duration_after(str(value), start, zone_for(my_task))
    except OutOfBounds as exc:
        raise _bad_value(my_task, expression, value, exc) from exc


class ClockedTimeDateEventDefinition(TimeDateEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            event_value = _due_date(my_task, self.expression, value).isoformat()
            my_task._set_internal_data(event_value=event_value)
        if _moment(event_value) <= now_for(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedDurationTimerEventDefinition(DurationTimerEventDefinition):  # type: ignore[misc]
    def has_fired(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            start = now_for(my_task)
            due = start + _duration(my_task, self.expression, value, start)
            event_value = due.isoformat()
            my_task._set_internal_data(event_value=event_value)
        if _moment(event_value) <= now_for(my_task):
            my_task._set_internal_data(event_fired=True)
        return bool(my_task._get_internal_data("event_fired", False))


class ClockedCycleTimerEventDefinition(CycleTimerEventDefinition):  # type: ignore[misc]
    def cycle_complete(self, my_task: Any) -> bool:
        event_value = my_task._get_internal_data("event_value")
        if event_value is None:
            value = my_task.workflow.script_engine.evaluate(my_task, self.expression)
            if isinstance(value, str) and looks_like_quartz(value):
                return _cron_fired(my_task, self.expression, value)
            try:
                cycle = parse_cycle(str(value), now_for(my_task), zone_for(my_task))
            except OutOfBounds as exc:
                raise _bad_value(my_task, self.expression, value, exc) from exc
            cycles, start, duration = cycle.repetitions, cycle.start, cycle.interval
            event_value = {
                "cycles": cycles,
                "next": start.isoformat(),
                "duration": duration.total_seconds(),
            }
        if "cron" in event_value:
            return _cron_fired(my_task, self.expression, event_value["cron"])
        ready = False
        if event_value["cycles"] != 0:
            next_event, now = datetime.fromisoformat(event_value["next"]), now_for(my_task)
            # Once, however many times were missed (the worker was stopped, the server down),
            # then at the cycle's next time after now, as Camunda's job does: the times missed
            # count among the repetitions (R5: five times from the start, never more, never a
            # burst of them at once).
            if next_event <= now:
                step = timedelta(seconds=event_value["duration"])  # at least MIN_CYCLE
                due = (now - next_event) // step + 1  # the times come, this one included
                left = event_value["cycles"]
                if left > 0:  # R5 (R alone: no end, -1)
                    due = min(due, left)
                    event_value["cycles"] = left - due
                next_event += due * step
                event_value["next"] = next_event.isoformat()
                ready = True
        else:
            my_task.internal_data.pop("event_value", None)
            my_task.internal_data["event_fired"] = True
        my_task._set_internal_data(event_value=event_value)
        return ready

    def update_task(self, my_task: Any) -> None:
        """A cycle on a step's boundary that does not interrupt it (a reminder every day while
        the step waits) fires as a one-time timer each time, the cycle waiting on in a new task
        beside it: what a firing opened is then not the waiting cycle's own, and outlives it.
        SpiffWorkflow hangs every firing's branch under the one waiting task, and the step done,
        cancels that task with all of them: the reminders a person was working on vanished.
        One that interrupts fires once and ends the step, as Camunda's does (SpiffWorkflow's
        kept the step open and fired at every time of the cycle)."""
        if not isinstance(my_task.task_spec, BoundaryEvent):
            super().update_task(my_task)
            return
        interrupting = my_task.task_spec.cancel_activity  # fires once: the step ends there
        if not self.cycle_complete(my_task):
            if my_task._get_internal_data("event_fired", False) and not my_task.children:
                my_task.cancel()  # the cycle ended (a cron with no time left): nothing fires
            return
        following = my_task._get_internal_data("event_value")
        if following is not None and following.get("cycles") != 0 and not interrupting:
            waiting = my_task.parent._add_child(my_task.task_spec, TaskState.WAITING)
            waiting._set_internal_data(event_value=dict(following))
            waiting.task_spec._update(waiting)
        for output in my_task.task_spec.outputs:  # this firing's branch, as SpiffWorkflow starts it
            child = my_task._add_child(output, TaskState.FUTURE)
            child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            child.task_spec._update(child)
        my_task.internal_data.pop("event_value", None)
        my_task._set_internal_data(event_fired=True)
        my_task._ready()  # fired once: done when it runs, its branch going on


def _cron_fired(my_task: Any, expression: str, text: str) -> bool:
    """A Quartz cron cycle: fires when its next time has come (once, however many times it was
    missed), then waits for the next time after now; ends when there is none."""
    zone = zone_for(my_task)
    now = now_for(my_task)
    event_value = my_task._get_internal_data("event_value")
    try:
        cron = parse_quartz(text)
    except OutOfBounds as exc:
        raise _bad_value(my_task, expression, text, exc) from exc
    ready = False
    if event_value is None:
        upcoming = next_fire(cron, now, zone)
    else:
        upcoming = datetime.fromisoformat(event_value["next"])
        if upcoming <= now:
            ready = True
            upcoming = next_fire(cron, now, zone)
    if upcoming is None:
        my_task.internal_data.pop("event_value", None)
        my_task.internal_data["event_fired"] = True
        return ready
    value = {"cycles": -1, "next": upcoming.isoformat(), "duration": 0, "cron": text}
    my_task._set_internal_data(event_value=value)
    return ready


CLOCKED = {
    TimeDateEventDefinition: ClockedTimeDateEventDefinition,
    DurationTimerEventDefinition: ClockedDurationTimerEventDefinition,
    CycleTimerEventDefinition: ClockedCycleTimerEventDefinition,
}


def normalize_timer_expression(text: str) -> str:
    """A bare ISO 8601 literal (as Camunda Modeler writes it) becomes a Python string literal;
    `${expr}` becomes `expr`; anything else is already a Python expression."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].strip()
    if _ISO_LITERAL.match(text) or looks_like_quartz(text):
        return repr(text)
    return text


def _clocked(definition: Any) -> Any:
    if isinstance(definition, MultipleEventDefinition):
        definition.event_definitions = [_clocked(d) for d in definition.event_definitions]
        return definition
    replacement = CLOCKED.get(type(definition))
    if replacement is None:
        return definition
    return replacement(
        definition.name,
        normalize_timer_expression(definition.expression),
        description=definition.description,
    )


def use_injected_clock(spec: Any) -> None:
    """Swap every timer definition of a parsed process spec for its clocked twin."""
    for task_spec in spec.task_specs.values():
        definition = getattr(task_spec, "event_definition", None)
        if definition is not None:
            task_spec.event_definition = _clocked(definition)
