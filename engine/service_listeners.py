"""Camunda task and execution listeners that call Java (`camunda:class`, `expression`,
`delegateExpression`), run through the services module as service tasks are.

Keys as for service tasks: the class name, or the expression without `${}`/`#{}`. An unmapped
key is refused at deploy naming file, element, line and key (reason `listener_unmapped`);
events this engine does not run (`delete`, `update`, `timeout`) are refused too
(`listener_unsupported`). A sequence flow's listeners (`take`, Camunda's only event there) run
when the token crosses it: kept on the flow's target, they run as the target is entered from
the flow's source, before the target's own `start` listeners, as in Camunda (at a parallel
gateway, every incoming flow's, each once). JavaScript listeners (`camunda:script`) take the
same path under the key `SCRIPT_KEY` and run in QuickJS (engine/javascript_listeners.py).

At deploy the listeners are written into the element's spec (`extensions`, which the
serializer keeps); when a version is first run its specs' hooks are wrapped once:
- execution `start` and task `create` run when the element becomes ready, then task
  `assignment` when the model gives the task an assignee, and again whenever a person claims
  it or is given it (engine/task_assignment.py); execution `end` and task `complete` when it
  completes. Process-level execution listeners run at its start and end events.
- The handler gets a `ServiceCall` (params: `event`, `listener` = task|execution) and returns
  the variables to set, or None; a task listener's `assignee` key sets the task's assignee.
- A handler that raises, hangs past the service time limit or returns something else than a
  dict stops the action with a ScriptError naming the element: nothing is written.
"""

from __future__ import annotations

import weakref
from collections.abc import Collection, Iterator
from copy import deepcopy
from types import MappingProxyType
from typing import Any

from .definition_checks import owner_id
from .errors import InvalidDefinition, ScriptError
from .implicit_splits import split_element_id
from .javascript_listeners import ASSIGNED, RAN, SCRIPT_KEY, run_script_listener, script_entry
from .mi_collections import watch_collections
from .services import ServiceCall
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

EXTENSION = "pheduyet_listeners"
TASK_EVENTS = ("create", "assignment", "complete")
EXECUTION_EVENTS = ("start", "end")
TAKE = "take"  # a sequence flow's listeners, run by the element the flow leads to


def _key(listener: Any) -> str | None:
    """The services key of a listener, or None for a script listener (not ours)."""
    if listener.get("class"):
        return str(listener.get("class")).strip()
    for attribute in ("delegateExpression", "expression"):
        text = (listener.get(attribute) or "").strip()
        if text:
            if text[:2] in ("${", "#{") and text.endswith("}"):
                text = text[2:-1].strip()
            return text
    return None


def _flow_of(node: Any) -> Any:
    """The sequence flow a listener is written on, or None."""
    extensions = node.getparent()
    owner = extensions.getparent() if extensions is not None else None
    return owner if owner is not None and owner.tag == f"{{{BPMN}}}sequenceFlow" else None


def _listeners(root: Any) -> Iterator[tuple[Any, str, str, str]]:
    """(node, kind, event, key) of every listener that calls a services key."""
    for tag, kind in (("taskListener", "task"), ("executionListener", "execution")):
        for node in root.iter(f"{{{CAMUNDA_NS}}}{tag}"):
            key = _key(node)
            if key is None and script_entry(node):  # JavaScript (javascript_listeners.py)
                key = SCRIPT_KEY
            if key is not None:
                if kind == "execution" and _flow_of(node) is not None:
                    # Camunda runs a sequence flow's listeners when it is taken, whatever
                    # event is written (BpmnParse reads none there).
                    yield node, kind, TAKE, key
                    continue
                event = (node.get("event") or ("create" if kind == "task" else "start")).strip()
                yield node, kind, event, key


def check_service_listeners(file_name: str, root: Any, services: Collection[str]) -> None:
    """Refuse a listener whose key the services module lacks or whose event does not run."""
    taken: dict[tuple[str, str], str] = {}
    for node, kind, event, key in _listeners(root):
        element = owner_id(node) or _process_id(node)
        flow = _flow_of(node) if event == TAKE else None
        if flow is not None:
            pair = (flow.get("sourceRef") or "", flow.get("targetRef") or "")
            if taken.setdefault(pair, flow.get("id") or "") != (flow.get("id") or ""):
                raise InvalidDefinition(
                    "two sequence flows join the same two elements and one has listeners: "
                    "which was taken cannot be told here; give one of them an element between",
                    file=file_name,
                    element_id=flow.get("id") or element,
                    line=node.sourceline,
                    reason="listener_twin_flows",
                    event=event,
                )
        allowed = TASK_EVENTS if kind == "task" else EXECUTION_EVENTS
        if event not in allowed and flow is None:
            raise InvalidDefinition(
                f"a {kind} listener on '{event}' cannot run here: {kind} listeners run on "
                + ", ".join(f"'{e}'" for e in allowed),
                file=file_name,
                element_id=element,
                line=node.sourceline,
                reason="listener_unsupported",
                event=event,
                allowed=", ".join(allowed),
            )
        if key not in services and key != SCRIPT_KEY:
            raise InvalidDefinition(
                f"the {kind} listener calls '{key}', which no handler is mapped to: map "
                f"'{key}' in the services module (PHEDUYET_SERVICES), to a function or to "
                "None to skip it",
                file=file_name,
                element_id=element,
                line=node.sourceline,
                reason="listener_unmapped",
                key=key,
            )


def _process_id(node: Any) -> str | None:
    parent = node.getparent()
    while parent is not None and parent.tag != f"{{{BPMN}}}process":
        parent = parent.getparent()
    return None if parent is None else parent.get("id")


def read_service_listeners(root: Any) -> dict[str, list[dict[str, str]]]:
    """Element id -> its listeners; a process's own execution listeners go to its start
    events (`start`) and end events (`end`)."""
    found: dict[str, list[dict[str, str]]] = {}
    for node, kind, event, key in _listeners(root):
        entry = {"kind": kind, "event": event, "key": key, **script_entry(node)}
        owner = node.getparent().getparent() if node.getparent() is not None else None
        flow = _flow_of(node) if event == TAKE else None
        if flow is not None:  # run by its target when entered from its source
            entry["source"] = flow.get("sourceRef") or ""
            found.setdefault(flow.get("targetRef") or "", []).append(entry)
            continue
        if owner is not None and owner.get(f"{{{CAMUNDA_NS}}}assignee"):
            entry["assigned"] = "yes"  # Camunda runs `assignment` after `create` then
        if owner is not None and owner.tag == f"{{{BPMN}}}process":
            wanted = "startEvent" if event == "start" else "endEvent"
            for child in owner.iter(f"{{{BPMN}}}{wanted}"):
                if child.getparent() is owner:
                    found.setdefault(child.get("id"), []).append(entry)
            continue
        element = owner_id(node)
        if element is not None:
            found.setdefault(element, []).append(entry)
    return found


def attach_service_listeners(spec: Any, listeners: dict[str, list[dict[str, str]]]) -> None:
    """Write the listeners into the specs' `extensions` (kept by the serializer)."""
    if not listeners:
        return
    for task_spec in spec.task_specs.values():
        entries = listeners.get(getattr(task_spec, "bpmn_id", None) or "")
        if entries:
            extensions = dict(getattr(task_spec, "extensions", None) or {})
            extensions[EXTENSION] = entries
            task_spec.extensions = extensions


_watched: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def watch_service_listeners(specs: list[Any]) -> None:
    """Wrap, once per restored spec, the hooks of the elements that have listeners (and of
    multi-instance activities whose collection is an expression, engine/mi_collections.py)."""
    watch_collections(specs)
    for spec in specs:
        if _watched.get(spec):
            continue
        for task_spec in spec.task_specs.values():
            entries = (getattr(task_spec, "extensions", None) or {}).get(EXTENSION)
            if entries:
                _wrap(task_spec, entries)
        _watched[spec] = True


def _wrap(task_spec: Any, entries: list[dict[str, str]]) -> None:
    ready, complete = task_spec._on_ready_hook, task_spec._on_complete_hook

    def on_ready(my_task: Any) -> None:
        ready(my_task)
        _run_taken(my_task, entries)
        _run(my_task, entries, "execution", "start")
        _run(my_task, entries, "task", "create")
        if any(e.get("assigned") for e in entries) or my_task.internal_data.get(ASSIGNED):
            _run(my_task, entries, "task", "assignment")

    def on_complete(my_task: Any) -> None:
        _run(my_task, entries, "task", "complete")
        _run(my_task, entries, "execution", "end")
        complete(my_task)

    task_spec._on_ready_hook = on_ready
    task_spec._on_complete_hook = on_complete


def has_assignment_listeners(specs: list[Any], element_id: str) -> bool:
    """Whether the element (a user task) has task listeners on `assignment`."""
    return any(
        entry["kind"] == "task" and entry["event"] == "assignment"
        for spec in specs
        for task_spec in spec.task_specs.values()
        if getattr(task_spec, "bpmn_id", None) == element_id
        for entry in (getattr(task_spec, "extensions", None) or {}).get(EXTENSION) or ()
    )


def run_assignment_listeners(my_task: Any, assignee: str | None) -> None:
    """A person took or was given the open task (a claim, a forward): its `assignment`
    listeners run, seeing the new assignee, as Camunda runs them on every assignment."""
    my_task.internal_data[ASSIGNED] = assignee
    entries = (getattr(my_task.task_spec, "extensions", None) or {}).get(EXTENSION) or []
    _run(my_task, entries, "task", "assignment")


def _run_taken(my_task: Any, entries: list[dict[str, str]]) -> None:
    """The `take` listeners of the flow the token came in by: the one from the element the
    task was reached from; at a parallel gateway, every incoming flow's (all were taken)."""
    taken = [e for e in entries if e["event"] == TAKE]
    if not taken:
        return
    joins = type(my_task.task_spec).__name__ == "ParallelGateway"
    came_from = _came_from(my_task)
    for entry in taken:
        if joins or entry.get("source") == came_from:
            _run_one(my_task, entry, "execution", TAKE)


def _came_from(my_task: Any) -> str | None:
    """The element id of the task this one was reached from (SpiffWorkflow's parent; a
    boundary event's hidden parent stands for the task it is attached to)."""
    parent = my_task.parent
    while parent is not None:
        element = getattr(parent.task_spec, "bpmn_id", None)
        if element:
            return split_element_id(str(element))  # a task's own split (implicit_splits.py)
        parent = parent.parent
    return None


def _run_one(my_task: Any, entry: dict[str, str], kind: str, event: str) -> None:
    if entry["key"] == SCRIPT_KEY:
        run_script_listener(my_task, entry, kind, event)
    else:
        _call(my_task, entry["key"], kind, event)


def _run(my_task: Any, entries: list[dict[str, str]], kind: str, event: str) -> None:
    for entry in entries:
        if entry["kind"] == kind and entry["event"] == event and entry["key"] == SCRIPT_KEY:
            run_script_listener(my_task, entry, kind, event)
        elif entry["kind"] == kind and entry["event"] == event:
            _call(my_task, entry["key"], kind, event)


def _call(my_task: Any, key: str, kind: str, event: str) -> None:
    element = my_task.task_spec.bpmn_id
    runner: Any = getattr(my_task.workflow.script_engine, "services", None)
    services = getattr(runner, "services", {})
    if key not in services:
        raise ScriptError(f"no handler is mapped to listener '{key}'", element_id=element)
    handler = services[key]
    if handler is None:
        return
    call = ServiceCall(
        key=key,
        element_id=element,
        item_id=runner.item_id,
        process_id=my_task.workflow.spec.name,
        data=MappingProxyType(deepcopy(dict(my_task.data))),
        params=MappingProxyType({"event": event, "listener": kind}),
    )
    try:
        value = runner._call(handler, call)
    except Exception as exc:  # the operator's code may raise anything, or time out
        raise ScriptError(
            f"the {kind} listener '{key}' on '{event}' failed: {exc.__class__.__name__}: {exc}",
            element_id=element,
        ) from exc
    if value is None:
        return
    if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
        raise ScriptError(
            f"the {kind} listener '{key}' must return a dict of variables or None, "
            f"got {type(value).__name__}",
            element_id=element,
        )
    variables = dict(value)
    if kind == "task" and "assignee" in variables:
        assignee = variables.pop("assignee")
        my_task.internal_data[ASSIGNED] = str(assignee) if assignee else None
        my_task.internal_data[RAN] = True
    my_task.data.update(variables)
