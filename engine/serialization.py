"""Saving and loading workflow state apart from its spec.

The spec is stored once per definition version; an instance stores only its state (task tree,
data, events), which makes a save+load much cheaper than Spiff's default whole-workflow JSON.
"""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import date
from functools import cache
from typing import Any, cast
from uuid import UUID

import orjson
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.event_definition import (
    TimerConditionalEventDefinitionConverter,
)
from SpiffWorkflow.bpmn.serializer.default.task_spec import SubWorkflowConverter
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnWorkflowConverter,
    WorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.camunda.serializer.config import CAMUNDA_CONFIG
from SpiffWorkflow.camunda.serializer.event_definition import MessageEventDefinitionConverter
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.event import Event
from SpiffWorkflow.util.task import TaskState

from .camunda_message_data import MessageEventDefinition as VariablesMessage
from .dmn_specs import SERIALIZER_CONFIG as DECISION_CONVERTERS
from .io_mappings import MappedCallActivity
from .service_specs import SERIALIZER_CONFIG as SERVICE_CONVERTERS
from .state_converters import (
    FastSubWorkflowConverter,
    FastTaskConverter,
    TaskMappings,
    task_data,
)
from .timer_events import CLOCKED

SERIALIZER_VERSION: str = SPIFF_SERIALIZER_VERSION


class _StateOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]
    """Leaves the spec out on save and takes it from the caller on load."""

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any], spec: Any = None, subprocess_specs: Any = None) -> Any:
        if spec is None:
            raise ValueError("state-only workflow JSON needs its spec to be restored")
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.tasks_from_dict(dct["tasks"], workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow

    def tasks_from_dict(self, dct: dict[str, Any], workflow: Any) -> dict[UUID, Any]:
        return cast(dict[UUID, Any], self.mapping_from_dict(dct, UUID, workflow=workflow))


class _FastStateOnlyWorkflowConverter(TaskMappings, _StateOnlyWorkflowConverter):
    """The same, with the task tree through engine.state_converters."""


_BASE_CONFIGS = {"spiff": SPIFF_CONFIG, "camunda": CAMUNDA_CONFIG}


@cache
def serializer(dialect: str, *, reference: bool = False) -> BpmnWorkflowSerializer:
    """The dialect's serializer, state only. `reference`: with Spiff's own converters of the
    task tree, which write the same text, slower (for the tests and the benchmark)."""
    config = deepcopy(_BASE_CONFIGS[dialect])
    if reference:
        config[BpmnWorkflow] = _StateOnlyWorkflowConverter
    else:
        config[BpmnWorkflow] = _FastStateOnlyWorkflowConverter
        config[BpmnSubWorkflow] = FastSubWorkflowConverter
        config[Task] = FastTaskConverter
    for clocked in CLOCKED.values():
        config[clocked] = TimerConditionalEventDefinitionConverter
    if dialect == "camunda":  # read back under SpiffWorkflow's name: registered after it
        config[VariablesMessage] = MessageEventDefinitionConverter
    config.update(SERVICE_CONVERTERS[dialect])
    config.update(DECISION_CONVERTERS[dialect])
    config[MappedCallActivity] = SubWorkflowConverter  # camunda:in/out (engine/io_mappings.py)
    registry = BpmnWorkflowSerializer.configure(config)
    # Scripts are offered `date`; Spiff registers datetime and timedelta but not date, so a
    # script that kept a date would make the next save fail.
    registry.register(date, _date_to_dict, _date_from_dict)
    return BpmnWorkflowSerializer(registry)


def _date_to_dict(value: date) -> dict[str, str]:
    return {"value": value.isoformat()}


def _date_from_dict(dct: dict[str, str]) -> date:
    return date.fromisoformat(dct["value"])


# datetime, date and dataclasses go to Spiff's encoder (its registry tags them), as with json.
_ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


@cache
def _encoder_default(dialect: str) -> Any:
    """Spiff's JSON encoder's `default` (what its registry converts), for orjson."""
    return serializer(dialect)._encoder_cls().default


def dump_state(dialect: str, workflow: Any, *, reference: bool = False) -> str:
    """The workflow's state as JSON text. Spiff's own `serialize_json` builds the same dict and
    writes it with the json module; orjson writes it in a tenth of the time (compact, UTF-8
    as it is). What orjson refuses (an integer beyond 64 bits, a key that is not a text) is
    written by the json module, as Spiff would; `reference` writes all through Spiff's."""
    ser = serializer(dialect, reference=reference)
    if reference:
        text: str = ser.serialize_json(workflow)
        return text
    ser.registry._encoder_mode = True
    try:
        dct = ser.to_dict(workflow)
        dct[ser.VERSION_KEY] = ser.VERSION
        try:
            return orjson.dumps(
                dct, default=_encoder_default(dialect), option=_ORJSON_OPTIONS
            ).decode()
        except orjson.JSONEncodeError:
            text = json.dumps(dct, cls=ser._encoder_cls)
            return text
    finally:
        ser.registry._encoder_mode = False


def load_state(
    dialect: str,
    state: str,
    spec: Any,
    subprocess_specs: dict[str, Any],
    *,
    reference: bool = False,
) -> Any:
    ser = serializer(dialect, reference=reference)
    dct = json.loads(state) if reference else _read_state(state)
    version = dct.pop(ser.VERSION_KEY, None)
    if version != ser.VERSION:
        raise ValueError(
            f"workflow state was saved by serializer {version}, this engine reads {ser.VERSION}"
        )
    return ser.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)


def _read_state(text: str) -> Any:
    """The dict of a state. orjson reads what orjson wrote (it writes no NaN and no integer
    beyond 64 bits, which its reader would take for a float); the json module reads the rest:
    states saved before, and those written by the json module (spaces after the colons)."""
    colon = text.find('":', 0, 200)
    if colon > 0 and text[colon + 2 : colon + 3] != " ":
        return orjson.loads(text)
    return json.loads(text)


def dump_specs(dialect: str, spec: Any, subprocess_specs: dict[str, Any]) -> str:
    registry = serializer(dialect).registry
    return json.dumps(
        {
            "spec": registry.convert(spec),
            "subprocess_specs": {k: registry.convert(v) for k, v in subprocess_specs.items()},
        }
    )


def load_specs(dialect: str, text: str) -> tuple[Any, dict[str, Any]]:
    registry = serializer(dialect).registry
    dct = json.loads(text)
    subprocess_specs = {k: registry.restore(v) for k, v in dct["subprocess_specs"].items()}
    return registry.restore(dct["spec"]), subprocess_specs


def settle_state(dialect: str, workflow: Any, state: str) -> bool:
    """Make a live workflow, just saved as `state`, what `load_state(state)` would give, without
    building its tasks again: each task's data and internal data, each workflow's data and
    correlations, the pending events, the order of the subprocesses and of the waiting events,
    and the subprocesses' completion hooks are restored from the text as the loader restores
    them (what a save turns into other values: tuples, sets, callables, keys that are not
    texts, time zones; and which values tasks share). The task tree itself (ids, states,
    parents, children, times) is what the text was written from. False when the text does
    not describe this workflow's tree: the caller loads it instead."""
    ser = serializer(dialect)
    dct = _read_state(state)
    if dct.pop(ser.VERSION_KEY, None) != ser.VERSION:
        return False
    if str(workflow.task_tree.id) != dct["root"]:
        return False
    registry = ser.registry
    waiting: dict[Any, Any] = {}
    if not _settle_tasks(registry, workflow, dct["tasks"], waiting):
        return False
    _settle_attributes(registry, workflow, dct)
    live = workflow.subprocesses
    workflow.subprocesses = {}
    if not _settle_subprocesses(registry, workflow, dct["subprocesses"], live, workflow, waiting):
        return False
    workflow.bpmn_events = registry.restore(dct.get("bpmn_events", []))
    workflow.completed_event = Event()
    workflow.task_removed_event = Event()
    workflow.event_manager.tasks = waiting
    return True


def _settle_tasks(
    registry: Any, workflow: Any, tasks: dict[str, Any], waiting: dict[Any, Any]
) -> bool:
    """As FastTaskConverter.from_dict, on the tasks as they are: the text was written from this
    very mapping, in its order (checked on the way: each task's step, state and time, which
    anything done to the tree since would have moved)."""
    if len(workflow.tasks) != len(tasks):
        return False
    settled: dict[str, Any] = {}  # by the id's text: the parent of each task, once settled
    for task, dct in zip(workflow.tasks.values(), tasks.values(), strict=True):
        if (
            task._state != dct["state"]
            or task.last_state_change != dct["last_state_change"]
            or task.task_spec.name != dct["task_spec"]
        ):
            return False
        internal = dct["internal_data"]
        task.internal_data = registry.restore(internal) if internal else {}
        if isinstance(task.task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            waiting[task.id] = task
        parent_id = dct["parent"]
        parent = None if parent_id is None else settled.get(parent_id)
        task.data = task_data(registry, dct, None if parent is None else parent.data)
        settled[dct["id"]] = task
    return True


def _settle_attributes(registry: Any, workflow: Any, dct: dict[str, Any]) -> None:
    """As WorkflowConverter.set_default_attributes."""
    workflow.success = dct["success"]
    workflow.completed = dct.get("completed", False)
    workflow.correlations = dct.pop("correlations", {})
    last = dct["last_task"]
    workflow.last_task = workflow.tasks.get(UUID(last)) if isinstance(last, str) else None
    workflow.data = registry.restore(dct.pop("data", {}))
    workflow.locks = {}


def _settle_subprocesses(
    registry: Any,
    workflow: Any,
    dct: dict[str, Any],
    live: dict[Any, Any],
    top: Any,
    waiting: dict[Any, Any],
) -> bool:
    """As BpmnWorkflowConverter.subprocesses_from_dict: parents before their children, each
    subprocess with one completion hook, to its task."""
    for task in workflow.tasks.values():
        if isinstance(task.task_spec, SubWorkflowTask) and str(task.id) in dct:
            sub = dct.pop(str(task.id))
            subprocess = live.get(task.id)
            if subprocess is None or not _settle_tasks(registry, subprocess, sub["tasks"], waiting):
                return False
            _settle_attributes(registry, subprocess, sub)
            top.subprocesses[task.id] = subprocess
            subprocess.completed_event = Event()
            subprocess.task_removed_event = Event()
            subprocess.completed_event.connect(task.task_spec._on_subworkflow_completed, task)
            if not _settle_subprocesses(registry, subprocess, dct, live, top, waiting):
                return False
    return True
