"""Loading, running and saving one instance's workflow inside an action's transaction."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Any
from weakref import WeakSet

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.events.end_event import EndEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from . import live_workflows
from .audit import append_event
from .called_process_errors import watch_called_errors
from .clock import Clock, as_utc, end_of_day, system_clock, zoned_utc
from .definitions import LoadedVersion
from .dmn_specs import note_decisions
from .errors import ScriptError
from .event_subprocesses import catch_in_called_processes, watch_event_subprocesses
from .external_rows import note_external_tasks
from .failures import failing_element
from .forwarding import Hierarchy
from .human_tasks import (
    HumanTaskModel,
    OpenRow,
    TaskRows,
    close_tasks,
    insert_tasks,
    open_and_known,
)
from .implicit_splits import split_element_id
from .instances import InstanceModel, save_instance
from .io_mappings import watch_io
from .javascript_listeners import listener_assignee, listener_candidates
from .juel import juel_helpers
from .limits import DEFAULT_MAX_MULTI_INSTANCE, OutOfBounds, check_moment, watch_loops
from .mi_counters import instance_variables
from .names import printable
from .process_scope import watch_scope
from .ready_tasks import ready_human_tasks, skip_idle_waits
from .sandbox import (
    DEFAULT_CPU_SECONDS,
    Limits,
    Sandbox,
    SandboxViolation,
    evaluate_expression,
    script_error,
)
from .sandbox_guards import MAX_DATA_BYTES
from .scripting import SandboxScriptEngine, make_sandbox
from .serialization import SERIALIZER_VERSION, load_state
from .service_listeners import watch_service_listeners
from .services import DEFAULT_SERVICE_SECONDS, Handler, ServiceRunner, bind_item, note_service_calls
from .spiff_arena import lane_candidates, spiff_arena_helpers
from .step_totals import note_closed, note_opened
from .stored_data import checked_data, dump_checked, name_step
from .subscriptions import sync_subscriptions, timer_values
from .task_meta import TaskMeta, meta_key
from .thrown_signals import send_thrown, signal_names
from .views import InstanceStatus, TaskStatus
from .xml_safety import DEFAULT_MAX_BYTES

WorkingDays = Callable[[datetime, int], datetime]
MAX_WORKING_DAYS = 3660  # ten years: no deadline of a government office is further off


def weekdays_only(start: datetime, days: int) -> datetime:
    """The default calendar: Monday to Friday. workflows/ supplies the Vietnamese one."""
    moment = start
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    while remaining:
        moment += timedelta(days=step)
        if moment.weekday() < 5:
            remaining -= 1
    return moment


@dataclass(frozen=True)
class EngineConfig:
    """What an action needs besides the session: the clock, the calendar, script helpers, limits."""

    clock: Clock = system_clock
    add_working_days: WorkingDays = weekdays_only
    helpers: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    script_cpu_seconds: float = DEFAULT_CPU_SECONDS
    # An item's data as JSON, checked when a script ends and before every save.
    max_data_bytes: int = MAX_DATA_BYTES
    max_file_bytes: int = DEFAULT_MAX_BYTES
    # A due date without a time means the end of that day where the office is.
    timezone: tzinfo = UTC
    # Who leads which unit: whom a task may be forwarded to.
    hierarchy: Hierarchy = field(default_factory=Hierarchy)
    # How many instances a multi-instance task opens at most (and how often a loop runs).
    max_multi_instance: int = DEFAULT_MAX_MULTI_INSTANCE
    # Seals the audit trail (HMAC-SHA256); kept out of the database. None: the public recipe.
    audit_key: bytes | None = field(default=None, repr=False)
    # Service tasks: key -> the operator's handler (None: a recorded no-op), and how long a
    # handler may take (wall clock) before its call becomes an incident (engine/services.py).
    services: Mapping[str, Handler | None] = field(default_factory=dict)
    service_seconds: float = DEFAULT_SERVICE_SECONDS

    def today(self) -> date:
        """The office's date now (its clock in its time zone): what "today" means on a form."""
        return self.clock().astimezone(self.timezone).date()

    def script_engine(self) -> SandboxScriptEngine:
        """A script engine of its own for one action (it carries that action's services), over
        the configuration's one sandbox."""
        return SandboxScriptEngine(self._sandbox, self.clock)

    @cached_property
    def _sandbox(self) -> Sandbox:
        """The scripts' globals (builtins, guards, modules, helpers), built once per
        configuration: each run copies them into a scope of its own, and nothing in them can
        be changed by a script, so items and threads share them safely."""
        helpers = {
            "add_working_days": self.bounded_working_days,
            "working_day_after": self.working_day_after,
            **juel_helpers(self.clock, self.timezone),
            **spiff_arena_helpers(self.clock, self.timezone),
            **self.helpers,
        }
        limits = Limits(max_data_bytes=self.max_data_bytes)
        return make_sandbox(self.clock, helpers, self.script_cpu_seconds, limits)

    def working_day_after(self, days: int) -> str:
        """The office's date `days` working days from now (ISO): "trong N ngày làm việc" runs
        to the end of that day, which is what a due date written as a date means (_read_moment);
        not to the hour the step opened."""
        last = self.bounded_working_days(self.clock(), days)
        return last.astimezone(self.timezone).date().isoformat()

    def bounded_working_days(self, start: datetime, days: int) -> datetime:
        """add_working_days for diagrams: a count no deadline needs is refused, not computed."""
        if not isinstance(days, int) or abs(days) > MAX_WORKING_DAYS:
            raise SandboxViolation(
                f"a number of working days must be a whole number up to {MAX_WORKING_DAYS}"
            )
        return self.add_working_days(start, days)


@contextmanager
def spiff_errors() -> Iterator[None]:
    """Translate what SpiffWorkflow raises while running into the engine's ScriptError."""
    try:
        yield
    except WorkflowTaskException as exc:
        cause = exc.__cause__ or exc.__context__
        # A spec of SpiffWorkflow's own (a called process's start or end) has no element id.
        bpmn_id = getattr(exc.task_spec, "bpmn_id", None)
        element = split_element_id(bpmn_id) if bpmn_id else None
        if isinstance(cause, SandboxViolation):
            raise name_step(script_error(cause, element), exc.task_spec) from exc
        raise ScriptError(
            _spiff_message(exc), element_id=element, line=exc.line_number or None
        ) from exc
    except SpiffWorkflowException as exc:
        spec = getattr(exc, "task_spec", None)
        raise ScriptError(_spiff_message(exc), element_id=getattr(spec, "bpmn_id", None)) from exc
    except SandboxViolation as exc:
        raise script_error(exc, None) from exc
    except (AttributeError, KeyError, IndexError, TypeError, ValueError, RecursionError) as exc:
        # The library tripping over the model: name the step it was running (engine/failures.py).
        message = f"{type(exc).__name__}: {exc}"
        raise ScriptError(message, element_id=failing_element(exc)) from exc


def _spiff_message(exc: BaseException) -> str:
    # Spiff's text already carries its notes, joined with ". "; drop the trailing separator.
    return str(exc).strip().rstrip(".").strip() or exc.__class__.__name__


def new_workflow(version: LoadedVersion, config: EngineConfig) -> Any:
    workflow = BpmnWorkflow(
        version.spec, version.subprocess_specs, script_engine=_bounded_engine(version, config)
    )
    skip_idle_waits(workflow)
    catch_in_called_processes(workflow)
    return workflow


def load_workflow(instance: InstanceModel, version: LoadedVersion, config: EngineConfig) -> Any:
    """The item's workflow as its stored state has it, ready to run: the one this process
    saved it from when that is still the stored state (engine/live_workflows.py), else read
    from the state."""
    return _workflow_of(_live_entry(instance, version), instance, version, config)


def load_workflow_and_rows(
    instance: InstanceModel, version: LoadedVersion, config: EngineConfig
) -> tuple[Any, TaskRows | None]:
    """As `load_workflow`, with the item's task rows when the workflow is the one this process
    saved (the rows that save left, for `persist`); None when it was read from the state.

    For a completion only: its run makes READY only tasks that were not READY before, each new
    (Spiff gives a task that runs again a new id), so none of them has a row the entry does not
    know. A retry's rewind makes an old task READY again, with its old row: it reads them."""
    entry = _live_entry(instance, version)
    rows = entry.rows if entry is not None else None
    return _workflow_of(entry, instance, version, config), rows


@contextmanager
def reading_workflow(
    instance: InstanceModel, version: LoadedVersion, config: EngineConfig
) -> Iterator[Any]:
    """As `load_workflow`, for a look that changes nothing in it (the item's page): the
    workflow this process kept for the item's next action stays kept."""
    entry = _live_entry(instance, version)
    yield _workflow_of(entry, instance, version, config)
    if entry is not None:
        live_workflows.LIVE.give_back(instance.id, entry)


def _workflow_of(
    entry: live_workflows.Entry | None,
    instance: InstanceModel,
    version: LoadedVersion,
    config: EngineConfig,
) -> Any:
    workflow = entry.workflow if entry is not None else _from_state(instance, version)
    return _ready_to_run(workflow, instance, version, config)


def _live_entry(instance: InstanceModel, version: LoadedVersion) -> live_workflows.Entry | None:
    return live_workflows.LIVE.take(
        instance.id,
        instance.state,
        instance.process_version_id,
        version.spec,
        instance.serializer_version,
    )


def _from_state(instance: InstanceModel, version: LoadedVersion) -> Any:
    return load_state(version.dialect, instance.state, version.spec, version.subprocess_specs)


def _ready_to_run(
    workflow: Any, instance: InstanceModel, version: LoadedVersion, config: EngineConfig
) -> Any:
    workflow.script_engine = _bounded_engine(version, config)
    bind_item(workflow, instance.id)
    skip_idle_waits(workflow)
    catch_in_called_processes(workflow)
    return workflow


# The process specs whose hooks are connected (see `_bounded_engine`): a loaded version's specs
# live as long as the version's cache keeps them, and are watched once.
_watched: WeakSet[Any] = WeakSet()


def _bounded_engine(version: LoadedVersion, config: EngineConfig) -> SandboxScriptEngine:
    """The script engine, carrying the loop limit that the version's loop tasks check."""
    if version.spec not in _watched:
        specs = [version.spec, *version.subprocess_specs.values()]
        watch_loops(specs)
        watch_service_listeners(specs)
        watch_io(specs)  # camunda:inputOutput
        watch_event_subprocesses(specs)  # started by an event, interrupting or not
        if version.dialect == "camunda":
            watch_scope(specs)  # one scope of variables, after the parameters' hooks
            watch_called_errors(specs)  # a called process's variables stay its own
        _watched.add(version.spec)
    engine = config.script_engine()
    engine.max_multi_instance = config.max_multi_instance
    engine.timezone = config.timezone  # a Quartz cron cycle reads the office's time
    engine.services = ServiceRunner(config.services, config.service_seconds)
    return engine


def call_services(workflow: Any, config: EngineConfig, item_id: int) -> None:
    """From here on the workflow's service tasks call the configured handlers, for this item,
    with a runner of this action's own (the calls it notes are this action's)."""
    workflow.script_engine.services = ServiceRunner(config.services, config.service_seconds)
    bind_item(workflow, item_id)


@dataclass(frozen=True)
class Stored:
    """What a run leaves to store, made from the workflow alone: the state's text, the READY
    human tasks, the item's data as its holders see it."""

    state: str
    ready: list[Any]
    data: dict[str, Any]
    signals: tuple[str, ...] = ()  # thrown for the other items (engine/thrown_signals.py)


def to_store(version: LoadedVersion, workflow: Any, config: EngineConfig) -> Stored:
    """`Stored` of a workflow that has run (refused, as `dump_checked` and `checked_data`
    say, when too large to store)."""
    # The events the item threw and did not catch itself, and the signals it threw, leave its
    # state (kept, the queue would grow in it with every throw): a Camunda model's signals go
    # to the other items, a SpiffArena model's stay in it, as SpiffWorkflow has them.
    thrown = workflow.get_events()
    signals = signal_names(thrown) if version.dialect == "camunda" else ()
    state = dump_checked(version.dialect, workflow, config.max_data_bytes)
    ready = ready_human_tasks(workflow)  # found once, for both
    data = checked_data(_snapshot(workflow, ready), workflow, config.max_data_bytes)
    return Stored(state, ready, data, signals)


def persist(
    session: Session,
    config: EngineConfig,
    instance: InstanceModel,
    version: LoadedVersion,
    workflow: Any,
    actor: str | None,
    *,
    closed: Collection[HumanTaskModel] = (),
    new: bool = False,
    stored: Stored | None = None,
    rows: TaskRows | None = None,
) -> None:
    """Store the new state, refresh the task rows and the next timer; note the end if reached.
    `closed`: task rows the action itself closed (their candidate rows go too); `new`: the
    action created the item, which has no task rows yet; `stored`: `to_store` of this workflow
    made already (by a rehearsal); `rows`: the item's task rows as the action found them, from
    `load_workflow_and_rows` (else read). The item row is written last, once (see
    `save_instance`): nothing is flushed on the way."""
    now = config.clock()
    stored = stored or to_store(version, workflow, config)
    state, ready, data = stored.state, stored.ready, stored.data
    timer = next_timer(workflow) if instance.status == InstanceStatus.RUNNING else None
    with session.no_autoflush:
        left = _sync_task_rows(session, config, instance, version, ready, closed, new, rows)
        instance.state = state
        instance.serializer_version = SERIALIZER_VERSION
        instance.updated_at = now
        instance.data = data
        instance.next_timer_at = timer
        incident = note_service_calls(session, instance, workflow, now)
        incident = note_decisions(session, instance, workflow, now) or incident
        note_external_tasks(session, instance, workflow, now)
        if incident is not None:  # the failed task waits in error for a retry
            record_error(session, instance, incident, now)
        if workflow.is_completed() and instance.status == InstanceStatus.RUNNING:
            instance.status = InstanceStatus.COMPLETED
            instance.ended_at = now
            instance.next_timer_at = None
            end = reached_end(workflow)  # its name is the result people read ("Được phê duyệt")
            append_event(
                session,
                instance,
                at=now,
                actor=actor,
                kind="finished",
                element_id=end.bpmn_id if end else None,
                details={"result": end.bpmn_name} if end and end.bpmn_name else None,
            )
        running = instance.status == InstanceStatus.RUNNING
        held = bool(ready)  # its people are at work: the item is not stuck on its waits
        sync_subscriptions(
            session, instance.id, version, workflow, data, running, now, held, new=new
        )
        save_instance(session, instance)
    if instance.status in _ACTING_ON:  # an ended item is not acted on again
        entry = live_workflows.Entry(
            workflow=workflow,
            state=state,
            version_id=instance.process_version_id,
            spec=version.spec,
            serializer_version=SERIALIZER_VERSION,
            dialect=version.dialect,
            rows=left,
        )
        live_workflows.saved(session, instance.id, entry)
    if stored.signals:
        send_thrown(session, instance.id, stored.signals, actor, config)


_ACTING_ON = frozenset({InstanceStatus.RUNNING, InstanceStatus.ERROR})


def reached_end(workflow: Any) -> Any | None:
    """The spec of the end event of the process itself that its finished path reached last;
    None when none did (an item ended by other means)."""
    ends = [
        task
        for task in workflow.get_tasks(state=TaskState.COMPLETED)
        if isinstance(task.task_spec, EndEvent) and task.workflow is workflow
    ]
    return max(ends, key=lambda t: t.last_state_change).task_spec if ends else None


def _snapshot(workflow: Any, ready_tasks: list[Any]) -> dict[str, Any]:
    """The item's data as its current holders see it: the data of every open path (its READY
    human tasks and the tasks waiting for an event), the most recently written last; else of
    the last task run; else the finished workflow's. A side path (a non-interrupting boundary
    event's, a parallel branch's) carries a copy of the data from when it split off: dated by
    that write, not by when its task opened, it never hides what the main path wrote since."""
    if workflow.is_completed():
        data = workflow.data
    else:
        data = {}
        waiting = [t for t in workflow.event_manager.tasks.values() if t.state == TaskState.WAITING]
        sources = sorted([*ready_tasks, *waiting], key=_written_at)
        if not sources and workflow.last_task is not None:
            sources = [workflow.last_task]
        for task in sources:
            data.update(task.data)
    cleaned = {k: v for k, v in data.items() if not callable(v) and k != "data_objects"}
    result: dict[str, Any] = json.loads(json.dumps(cleaned, default=str))
    return result


MAX_DATA_WALK = 200  # steps up a task's path to find where its data was written


def _written_at(task: Any) -> tuple[float, float]:
    """When the task's data was last written: the state change of the nearest task on its
    path (itself included) whose data differs from its parent's; events, gateways and splits
    pass data on unchanged. Ties go to the task that opened later."""
    writer = task
    for _ in range(MAX_DATA_WALK):
        parent = writer.parent
        if parent is None or parent.data != writer.data:
            break
        writer = parent
    return (writer.last_state_change, task.last_state_change)


def next_timer(workflow: Any) -> datetime | None:
    """When the earliest waiting timer of the workflow (and its subprocesses) comes due."""
    times = []
    for task in workflow.event_manager.tasks.values():
        for value in timer_values(task):  # an event-based gateway's timers too
            if isinstance(value, str):
                times.append(TimerEventDefinition.get_datetime(value))
    return min(times) if times else None


def _sync_task_rows(
    session: Session,
    config: EngineConfig,
    instance: InstanceModel,
    version: LoadedVersion,
    ready_tasks: list[Any],
    closed: Collection[HumanTaskModel],
    new: bool,
    rows: TaskRows | None,
) -> TaskRows:
    """Open rows for the new READY human tasks, cancelled rows for the open ones no longer
    READY (their candidate rows go with them, as `closed`'s went when the action closed them);
    returns the rows as left. A fixed number of statements, however long the item's history;
    a new item's rows are not read (it has none), nor those the action was given (`rows`)."""
    ready = {str(t.id): t for t in ready_tasks}
    open_rows: Mapping[str, OpenRow]
    known: Collection[str]
    if new:
        open_rows, known = {}, ()
    elif rows is not None:
        shut = {row.id for row in closed}
        open_rows = {k: v for k, v in rows.open.items() if k not in shut}
        known = rows.known
    else:
        open_rows, known = open_and_known(session, instance.id, ready.keys())
    gone = open_rows.keys() - ready.keys()
    if gone:
        now = config.clock()
        close_tasks(session, gone, {"status": TaskStatus.CANCELLED, "completed_at": now})
        note_closed(
            session,
            (
                (row.process_id, row.element_id, row.title, row.created_at, now, False)
                for row in (open_rows[task_id] for task_id in sorted(gone))
            ),
        )
    note_closed(
        session,
        (
            (r.process_id, r.element_id, r.title, r.created_at, r.completed_at, True)
            for r in closed
            if r.status == TaskStatus.COMPLETED
        ),
    )
    opened = [
        _new_row(config, instance, version, task)
        for task_id, task in ready.items()
        if task_id not in known
    ]
    insert_tasks(session, opened, instance.created_by)
    note_opened(session, opened)
    left = {k: v for k, v in open_rows.items() if k not in gone}
    left.update(
        (r["id"], OpenRow(r["process_id"], r["element_id"], r["title"], r["created_at"]))
        for r in opened
    )
    return TaskRows(left, frozenset(left.keys() | ready.keys()))


def _new_row(
    config: EngineConfig,
    instance: InstanceModel,
    version: LoadedVersion,
    task: Any,
) -> dict[str, Any]:
    """The columns of a new open task row."""
    key = meta_key(task.workflow.spec.name, task.task_spec.bpmn_id)
    meta = version.tasks.get(key) or TaskMeta(
        scope_id=task.workflow.spec.name,
        element_id=task.task_spec.bpmn_id,
        name=task.task_spec.bpmn_name or task.task_spec.bpmn_id,
        line=None,
        lane=task.task_spec.lane,
    )
    engine = task.workflow.script_engine
    assignee_list = _owners(meta.assignee, task, engine)
    assignee = assignee_list[0] if assignee_list else None
    assignee = listener_assignee(task, assignee)  # set by a JavaScript `create` listener
    groups = listener_candidates(task, "groups", _owners(meta.candidate_groups, task, engine))
    return {
        "id": str(task.id),
        "instance_id": instance.id,
        "process_id": instance.process_id,
        "element_id": meta.element_id,
        "meta_key": key,
        "title": _title(meta, task, engine),
        "lane": meta.lane or task.task_spec.lane,
        "candidate_groups": groups,
        "candidate_users": listener_candidates(
            task, "users", _owners(meta.candidate_users, task, engine)
        )
        or ([] if groups else lane_candidates(task, instance.created_by)),
        "process_assignee": assignee,
        "assignee": assignee,
        "status": TaskStatus.OPEN,
        "created_at": config.clock(),
        "due_at": _due(meta, task, engine, config),
        "completed_at": None,
        "completed_by": None,
        "decision": None,
        "comment": None,
    }


_MAX_TASK_TITLE = 500  # the task row's title column


def _title(meta: TaskMeta, task: Any, engine: Any) -> str:
    """The task's title: its name, or what its JUEL name gives on the item's data now (as
    written when that fails: a name is no reason to stop the item)."""
    if meta.name_code is None:
        return meta.name
    try:
        value = _evaluate(engine, task, meta.name_code, meta.element_id)
    except ScriptError:
        return meta.name
    title = printable(str(value)).strip() if value is not None else ""
    return title[:_MAX_TASK_TITLE] if title else meta.name


def _evaluate(engine: Any, task: Any, expression: str, element_id: str) -> Any:
    counters = instance_variables(task, expression)  # a multi-instance task's loopCounter…
    data = task.data if counters is None else {**task.data, **counters}
    return evaluate_expression(
        engine.environment, expression, data, element_id, f"expression {expression!r}"
    )


def _owners(raw: str | None, task: Any, engine: Any) -> list[str]:
    """A comma-separated list, or `${expression}` evaluated on the task's data."""
    if not raw:
        return []
    value: Any = raw
    if raw.startswith("${") and raw.endswith("}"):
        value = _evaluate(engine, task, raw[2:-1], task.task_spec.bpmn_id)
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        raise ScriptError(
            f"an owner expression must give a name or a list of names, got {value!r}",
            element_id=task.task_spec.bpmn_id,
        )
    return [str(item).strip() for item in items if item is not None and str(item).strip()]


def _due(meta: TaskMeta, task: Any, engine: Any, config: EngineConfig) -> datetime | None:
    element = task.task_spec.bpmn_id
    if meta.due_date:
        value: Any = meta.due_date
        if value.startswith("${") and value.endswith("}"):
            value = _evaluate(engine, task, value[2:-1], element)
        return _as_moment(value, element, config)
    if meta.due_in_working_days:
        days: Any = meta.due_in_working_days
        if days.startswith("${") and days.endswith("}"):
            days = _evaluate(engine, task, days[2:-1], element)
        try:
            last_day = config.working_day_after(int(days))
        except (TypeError, ValueError, OverflowError, SandboxViolation) as exc:
            raise ScriptError(
                f"dueInWorkingDays must be a whole number up to {MAX_WORKING_DAYS}, got {days!r}",
                element_id=element,
            ) from exc
        return _as_moment(last_day, element, config)  # that day's end
    return _boundary_timer_due(task)


def _as_moment(value: Any, element: str, config: EngineConfig) -> datetime | None:
    moment = _read_moment(value, element, config.timezone)
    if moment is None:
        return None
    try:
        return check_moment(moment, config.clock())
    except OutOfBounds as exc:
        raise ScriptError(f"refused due date: {exc}", element_id=element) from exc


def _read_moment(value: Any, element: str, zone: tzinfo) -> datetime | None:
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            return zoned_utc(value, zone)
        if not isinstance(value, date):
            text = str(value).strip()
            if len(text) > 10:
                return zoned_utc(datetime.fromisoformat(text), zone)
            value = date.fromisoformat(text)
        return as_utc(end_of_day(value, zone))
    except (ValueError, OverflowError) as exc:
        # A moment at the very edge of the calendar (0001-01-01 east of UTC) cannot move to UTC.
        raise ScriptError(
            f"due date {_shown(value)} is not an ISO 8601 date",
            element_id=element,
        ) from exc


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:60] + "..."


def _boundary_timer_due(task: Any) -> datetime | None:
    """The due time of a timer on the task's boundary: an interrupting one first, else the
    latest non-interrupting one (a reminder comes before the deadline). A repeating timer
    that does not interrupt is a reminder, never the deadline: the task showed overdue once
    its first reminder went out."""
    parent = task.parent
    if parent is None or not isinstance(parent.task_spec, BoundaryEventSplit):
        return None
    interrupting: list[datetime] = []
    other: list[datetime] = []
    for sibling in parent.children:
        definition = getattr(sibling.task_spec, "event_definition", None)
        if sibling is task or not isinstance(definition, TimerEventDefinition):
            continue
        cancels = sibling.task_spec.cancel_activity
        if not cancels and isinstance(definition, CycleTimerEventDefinition):
            continue
        value = definition.details(sibling).value
        if not isinstance(value, str):
            continue
        moment = TimerEventDefinition.get_datetime(value)
        (interrupting if cancels else other).append(moment)
    if interrupting:
        return min(interrupting)
    return max(other) if other else None


def record_error(
    session: Session, instance: InstanceModel, error: ScriptError, at: datetime
) -> None:
    """Park an instance whose script failed outside a user's action (a timer)."""
    instance.status = InstanceStatus.ERROR
    instance.error = error.message
    instance.next_timer_at = None
    instance.updated_at = at
    append_event(
        session,
        instance,
        at=at,
        actor=None,
        kind="error",
        element_id=error.details.get("element_id"),
        comment=error.message,
    )
