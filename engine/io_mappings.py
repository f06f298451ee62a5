"""Camunda 7's variable mappings: a call activity's `camunda:in`/`camunda:out` and a task's
`camunda:inputOutput`.

Call activity: without any mapping the called process gets a copy of all the caller's data and
hands all of its data back, as before (SpiffWorkflow's way, which the department's models rely
on). With mappings, as Camunda does, only what they name passes:
`<camunda:in source="a" target="b"/>` (b in the called process is the caller's a),
`sourceExpression="${…}"` (JUEL, translated at deploy), `variables="all"` (everything), and
the same with `camunda:out` on the way back, read on the called process's end. `businessKey`
and `local` are accepted (an item has no business key; variables have one scope here).

Task: `camunda:inputParameter`s are set into the task's data when it becomes ready (text, JUEL,
`camunda:list`, `camunda:map`, JavaScript), `camunda:outputParameter`s are evaluated on the
task's data when it completes and set for the steps after. As in Camunda, input parameters are
local to the task: when it completes, after its outputs are evaluated, each goes away, or gets
back the value it hid.

Start event: `camunda:initiator="starter"` names a variable that gets who started the item
(as `initiator` always does here), for scripts and listeners to read.

Error boundary event, and an event subprocess's error start event: `camunda:errorCodeVariable`
and `errorMessageVariable` name the variables that get a caught BPMN error's code and message
(`ERROR_KEY`), whoever threw it: an error end event (the message is its error's
`camunda:errorMessage`, an expression read in the data of the path that threw it, or null
without one: `THROWN_MESSAGE_KEY`) or an external task's worker (`WorkerError`, with its
message); an escalation's, `camunda:escalationCodeVariable`, the escalation's code.

The mappings are read at deploy into the specs' `extensions` (which the serializer keeps); the
call activities that have some become `MappedCallActivity`; the task hooks are connected to each
restored spec once (`watch_io`).
"""

from __future__ import annotations

import weakref
from copy import deepcopy
from types import MethodType
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import CallActivity
from SpiffWorkflow.bpmn.util import BpmnEvent

from .errors import InvalidDefinition
from .juel_scanner import has_expression
from .service_params import (
    Param,
    _value,
    evaluate_params,
    expression_code,
    parameter_name,
    text_param,
)
from .task_locals import HIDDEN_KEY
from .thrown_errors import WorkerError
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

CALL_KEY = "pheduyet_call"
IO_KEY = "pheduyet_io"
ERROR_KEY = "pheduyet_error_variables"
INITIATOR_KEY = "pheduyet_initiator"
THROWN_MESSAGE_KEY = "pheduyet_error_message"
# Where a throwing event's definition carries its message while the spec is loaded (the
# extensions keep it; Spiff's BpmnEvent carries the definition to the catch).
_THROWN_MESSAGE = "pheduyet_message"
_ERROR_VARIABLES = ("errorCodeVariable", "errorMessageVariable")
_ESCALATION_VARIABLE = "escalationCodeVariable"  # an escalation's catcher: its code
_CATCHING_ERRORS = frozenset({f"{{{BPMN}}}boundaryEvent", f"{{{BPMN}}}startEvent"})
_EXT = f"{{{BPMN}}}extensionElements"
_watched: weakref.WeakSet[Any] = weakref.WeakSet()


def read_mappings(file_name: str, root: Any) -> dict[str, dict[str, Any]]:
    """Element id -> what to put in its spec's extensions (CALL_KEY, IO_KEY, ERROR_KEY, and
    INITIATOR_KEY: the variable a start event's `camunda:initiator` names)."""
    found: dict[str, dict[str, Any]] = {}
    messages = {
        error.get("id"): error
        for error in root.iter(f"{{{BPMN}}}error")
        if (error.get(_c("errorMessage")) or "").strip()
    }
    for node in root.iter():
        if not isinstance(node.tag, str) or not node.get("id"):
            continue
        entry: dict[str, Any] = {}
        initiator = node.get(_c("initiator")) if node.tag == f"{{{BPMN}}}startEvent" else None
        if initiator and initiator != "initiator":  # the engine sets `initiator` for every item
            entry[INITIATOR_KEY] = initiator
        caught = node.find(f"{{{BPMN}}}errorEventDefinition")
        escalation = node.find(f"{{{BPMN}}}escalationEventDefinition")
        code_variable = escalation.get(_c(_ESCALATION_VARIABLE)) if escalation is not None else None
        if node.tag in _CATCHING_ERRORS and code_variable:
            entry[ERROR_KEY] = {_ESCALATION_VARIABLE: code_variable}
        elif node.tag in _CATCHING_ERRORS and caught is not None:
            named = {a: caught.get(_c(a)) for a in _ERROR_VARIABLES if caught.get(_c(a))}
            if named:
                entry[ERROR_KEY] = named
        elif caught is not None and caught.get("errorRef") in messages:
            error = messages[caught.get("errorRef")]
            entry[THROWN_MESSAGE_KEY] = text_param(
                file_name, node, error, error.get(_c("errorMessage"))
            )
        extensions = node.find(_EXT)
        if extensions is None:
            if entry:
                found[str(node.get("id"))] = entry
            continue
        if node.tag == f"{{{BPMN}}}callActivity":
            calls = {
                "in": [_mapping(file_name, node, e) for e in extensions.iterfind(_c("in"))],
                "out": [_mapping(file_name, node, e) for e in extensions.iterfind(_c("out"))],
            }
            calls = {k: [m for m in v if m] for k, v in calls.items()}
            if calls["in"] or calls["out"]:
                entry[CALL_KEY] = calls
        io = extensions.find(_c("inputOutput"))
        if io is not None:
            entry[IO_KEY] = {
                "inputs": _parameters(file_name, node, io, "inputParameter"),
                "outputs": _parameters(file_name, node, io, "outputParameter"),
            }
        if entry:
            found[str(node.get("id"))] = entry
    return found


def _c(tag: str) -> str:
    return f"{{{CAMUNDA_NS}}}{tag}"


def _parameters(file_name: str, node: Any, io: Any, tag: str) -> dict[str, Param]:
    params: dict[str, Param] = {}
    for parameter in io.iterfind(_c(tag)):
        name = parameter_name(file_name, node, parameter, f"a camunda:{tag}")
        params[name] = _value(file_name, node, parameter)
    return params


def _mapping(file_name: str, node: Any, element: Any) -> dict[str, Any] | None:
    if (element.get("variables") or "").strip() == "all":
        return {"all": True}
    target = (element.get("target") or "").strip()
    source = (element.get("source") or "").strip()
    expression = (element.get("sourceExpression") or "").strip()
    if element.get("businessKey") is not None and not (source or expression):
        return None  # an item has no business key: nothing to pass
    if not target or not (source or expression):
        raise InvalidDefinition(
            "a camunda:in/out mapping needs a target and a source, a sourceExpression or "
            'variables="all"',
            file=file_name,
            element_id=node.get("id"),
            line=element.sourceline,
            reason="mapping_incomplete",
        )
    if source:
        return {"source": source, "target": target}
    if not has_expression(expression):
        return {"text": expression, "target": target}
    return {"code": expression_code(file_name, node, element, expression), "target": target}


class MappedCallActivity(CallActivity):  # type: ignore[misc]
    """A call activity that passes only what its camunda:in/out mappings name."""

    def copy_data(self, my_task: Any, subworkflow: Any) -> None:
        mappings = (getattr(self, "extensions", None) or {}).get(CALL_KEY)
        if not mappings:
            super().copy_data(my_task, subworkflow)
            return
        start = subworkflow.get_next_task(
            subworkflow.task_tree, skip_subprocesses=True, spec_name="Start"
        )
        start.set_data(**_mapped(my_task, mappings["in"]))

    def update_data(self, my_task: Any, subworkflow: Any) -> None:
        mappings = (getattr(self, "extensions", None) or {}).get(CALL_KEY)
        if not mappings:
            super().update_data(my_task, subworkflow)
            return
        end = subworkflow.last_task
        passed = _mapped(end, mappings["out"])
        my_task.data = {**deepcopy(my_task.data), **passed}


def _mapped(task: Any, mappings: list[dict[str, Any]]) -> dict[str, Any]:
    """The variables the mappings give, read on `task`'s data (a failing expression is the
    script engine's error, naming the task)."""
    engine = task.workflow.script_engine
    data = task.data
    result: dict[str, Any] = {}
    for mapping in mappings:
        if mapping.get("all"):
            result.update(deepcopy(data))
        elif "source" in mapping:
            result[mapping["target"]] = deepcopy(data.get(mapping["source"]))
        elif "code" in mapping:
            result[mapping["target"]] = engine.evaluate(task, mapping["code"])
        else:
            result[mapping["target"]] = mapping["text"]
    return result


def apply_mappings(spec: Any, found: dict[str, dict[str, Any]]) -> None:
    """Put what `read_mappings` found into a parsed process spec."""
    for task_spec in spec.task_specs.values():
        entry = found.get(getattr(task_spec, "bpmn_id", None) or "")
        if not entry:
            continue
        if not isinstance(getattr(task_spec, "extensions", None), dict):
            task_spec.extensions = {}
        task_spec.extensions.update(entry)
        if CALL_KEY in entry and type(task_spec) is CallActivity:
            task_spec.__class__ = MappedCallActivity


def watch_io(specs: Any) -> None:
    """Connect the input/output parameters of every task of these specs, and the error
    variables of the events that catch errors (once per spec)."""
    for spec in specs:
        if spec in _watched:
            continue
        for task_spec in spec.task_specs.values():
            extensions = getattr(task_spec, "extensions", None) or {}
            if IO_KEY in extensions:
                task_spec.ready_event.connect(_inputs)
                task_spec.completed_event.connect(_outputs)
            if ERROR_KEY in extensions:
                task_spec.catch = MethodType(_catch_error, task_spec)
            if THROWN_MESSAGE_KEY in extensions:
                setattr(task_spec.event_definition, _THROWN_MESSAGE, extensions[THROWN_MESSAGE_KEY])
        _watched.add(spec)


def _catch_error(spec: Any, my_task: Any, event: BpmnEvent) -> None:
    """The event's own catch, then the variables it names set to the error's code and message:
    in the task's data and in the payload the catch kept (a copy of the thrower's data, which
    SpiffWorkflow sets into the task when it fires, and would bring back the code of an error
    caught here before)."""
    named = spec.extensions[ERROR_KEY]
    code = getattr(event.event_definition, "code", None)
    message = event.message if isinstance(event, WorkerError) else _thrown_message(my_task, event)
    given = (
        ("errorCodeVariable", code),
        ("errorMessageVariable", message),
        (_ESCALATION_VARIABLE, code),
    )
    values = {named[attribute]: value for attribute, value in given if named.get(attribute)}
    type(spec).catch(spec, my_task, event)
    key = spec.event_definition.name
    my_task.internal_data[key] = {**(my_task.internal_data.get(key) or {}), **values}
    my_task.data.update(values)


def _thrown_message(my_task: Any, event: BpmnEvent) -> Any:
    """The `camunda:errorMessage` of the error an end event threw: its text, or its expression
    read in the data of the path that threw it (the copy the event carries)."""
    param: Param | None = getattr(event.event_definition, _THROWN_MESSAGE, None)
    if param is None:
        return None
    if "code" not in param:
        return param["text"]
    thrown = event.payload if isinstance(event.payload, dict) else {}
    return my_task.workflow.script_engine.evaluate(my_task, param["code"], thrown)


def _inputs(workflow: Any, task: Any) -> None:
    params = task.task_spec.extensions[IO_KEY]["inputs"]
    if params:
        values = evaluate_params(task, params)
        # What each input hides, given back when the task ends (kept with the task's state).
        task.internal_data[HIDDEN_KEY] = {
            name: [task.data[name]] if name in task.data else [] for name in values
        }
        task.set_data(**values)


def _outputs(workflow: Any, task: Any) -> None:
    params = task.task_spec.extensions[IO_KEY]["outputs"]
    values = evaluate_params(task, params) if params else {}
    for name, hidden in (task.internal_data.pop(HIDDEN_KEY, None) or {}).items():
        if hidden:
            task.data[name] = hidden[0]
        else:
            task.data.pop(name, None)
    task.set_data(**values)
