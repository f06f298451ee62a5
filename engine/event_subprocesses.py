"""Event subprocesses (`triggeredByEvent="true"`): started by an error or an escalation, and,
when their start event interrupts, ending what the rest of their process was doing.

SpiffWorkflow 3.2 reads a start event's message, signal, timer or condition only. An event
subprocess whose start catches an error or an escalation was read as one with a plain start,
and so ran as soon as the item started. Here such a start event keeps its error or escalation
(engine/event_parsers.py);
SpiffWorkflow then starts the event subprocess when one is thrown in the process and nothing
nearer catches it (a boundary event of the task or of a subprocess around it), as it starts
one on a message. SpiffWorkflow looks for such event subprocesses only in the item's own
process; `catch_in_called_processes` has those of the subprocess an error or escalation was
thrown in (embedded or called) catch it first, as Camunda does, before the boundary events
around that subprocess and the process above it. A message or signal reaches only the item's
own process's: `check_placement` refuses at deploy an event subprocess they start inside a
subprocess, which would never start.

An interrupting start event (`isInterrupting` is true unless written "false") cancels, when
it fires, what the rest of its process was doing, as Camunda does: its open steps close (a
person's task leaves their inbox) and the item ends when the event subprocess ends.
SpiffWorkflow 3.2 let the rest run on beside it. Read at deploy into the start event's
`extensions` (which the serializer keeps), and connected to each restored spec once.
"""

from __future__ import annotations

import weakref
from functools import partial
from types import MethodType
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import (
    CodeEventDefinition,
    SignalEventDefinition,
)
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.util.event import BpmnEvent, EventManager
from SpiffWorkflow.util.task import TaskState

from .errors import InvalidDefinition
from .xml_namespaces import BPMN_NS as BPMN

INTERRUPTING_KEY = "pheduyet_interrupting"
# The starts SpiffWorkflow finds only at the top of the item's process (`check_placement`).
_TOP_ONLY = ("messageEventDefinition", "signalEventDefinition")
_watched: weakref.WeakSet[Any] = weakref.WeakSet()


def _event_subprocess(element: Any) -> bool:
    return (
        element is not None
        and element.tag == f"{{{BPMN}}}subProcess"
        and (element.get("triggeredByEvent") or "").strip().lower() == "true"
    )


def in_event_subprocess(node: Any) -> bool:
    """Whether a start event's element is an event subprocess's own."""
    return _event_subprocess(node.getparent())


def check_placement(file_name: str, root: Any) -> None:
    """Refuse an event subprocess started by a message or a signal inside another
    subprocess: SpiffWorkflow correlates those only to the top of the item's process; and one
    started by a condition, which nothing here watches for."""
    for sub in root.iter(f"{{{BPMN}}}subProcess"):
        if not _event_subprocess(sub):
            continue
        for start in sub.findall(f"{{{BPMN}}}startEvent"):
            if start.find(f"{{{BPMN}}}conditionalEventDefinition") is not None:
                raise InvalidDefinition(
                    f"the event subprocess '{sub.get('id')}' starts on a condition, which this "
                    "engine does not watch for (it would never start): start it with a message "
                    "or a signal, or test the condition at a gateway after the step that sets it",
                    file=file_name,
                    element_id=sub.get("id"),
                    line=start.sourceline,
                    reason="event_subprocess_conditional",
                )
        outer = sub.getparent()
        if outer is None or etree.QName(outer).localname == "process":
            continue
        for start in sub.findall(f"{{{BPMN}}}startEvent"):
            kinds = [d for d in _TOP_ONLY if start.find(f"{{{BPMN}}}{d}") is not None]
            if kinds:
                event = kinds[0].removesuffix("EventDefinition")
                raise InvalidDefinition(
                    f"the event subprocess '{sub.get('id')}' starts on a {event} inside "
                    "another subprocess; this engine starts such event subprocesses only at "
                    "the top of a process (put it there, or catch with a boundary event on the "
                    "subprocess)",
                    file=file_name,
                    element_id=sub.get("id"),
                    line=sub.sourceline,
                    reason="event_subprocess_nested",
                    event=event,
                )


def watch_event_subprocesses(specs: Any) -> None:
    """Ready these specs' event subprocesses to run (once per spec): each goes on to its
    process's end when it ends, the start task starts one without changing the spec, and an
    interrupting start event cancels the rest of its process."""
    for spec in specs:
        if spec in _watched:
            continue
        start = spec.start
        triggered = list(getattr(start, "trigger_specs", None) or ())
        if triggered:
            # SpiffWorkflow's own trigger_wf connected the start task to the event subprocess
            # the first time one ran, in the spec every later item of the version shares: each
            # of them then started it at once, and one waiting for an error never ended.
            start.trigger_wf = MethodType(_trigger, start)
            for name in triggered:
                task_spec = spec.task_specs[name]
                if start.name not in task_spec._inputs:  # an input, not an output of it
                    task_spec._inputs.append(start.name)
                if spec.end not in task_spec.outputs:
                    task_spec.connect(spec.end)
        for task_spec in spec.task_specs.values():
            extensions = getattr(task_spec, "extensions", None)
            if isinstance(extensions, dict) and extensions.get(INTERRUPTING_KEY):
                task_spec.completed_event.connect(_interrupt)
        _watched.add(spec)


def catch_in_called_processes(workflow: Any) -> None:
    """Have the workflow's events caught, first, by an event subprocess of the called process
    they were thrown in, and its signals broadcast even when it catches them itself
    (`_catch`)."""
    manager = workflow.event_manager
    manager.catch = partial(_catch, manager)


def _catch(manager: EventManager, event: BpmnEvent, internal: bool = True) -> int:
    """SpiffWorkflow's catch, but for an error or escalation thrown in the item: `catcher`
    finds the one event that takes it, as Camunda's scopes do (SpiffWorkflow matched any
    waiting catcher of each level, every one of them, and event subprocesses only at the top,
    where one could catch its own error again without end); caught by none, it is left among
    the item's pending events, as Camunda ends such a path as a plain end.

    A signal the item throws and catches itself is also left among its pending events, as one
    it does not catch is, for the other items (engine/thrown_signals.py: a Camunda model's
    signal is a broadcast); one sent to the item from outside (`internal` false) is not."""
    if internal and isinstance(event.event_definition, SignalEventDefinition):
        caught = int(EventManager.catch(manager, event, internal))
        if caught:
            manager.workflow.bpmn_events.append(event)
        return caught
    if event.target is None or not isinstance(event.event_definition, CodeEventDefinition):
        return int(EventManager.catch(manager, event, internal))
    found = catcher(event.target, None, event)
    if found is None:
        manager.workflow.bpmn_events.append(event)
        return 0
    found.task_spec.catch(found, event)
    found.task_spec._update(found)
    return 1


def catcher(flow: Any, node: Any, event: BpmnEvent) -> Any:
    """The task that takes an error or escalation thrown in `flow` (by `node`, a task of it,
    or by an end event of it when None), now waiting for it: from the inside out, at each
    level the boundary events of the task it came from (one naming the code before one that
    catches every code), then an event subprocess of that level's process (a new run of it;
    never the one it came from), then the level around it. None when nothing catches it."""
    while True:
        if node is not None:
            boundary = _boundary_of(node, event)
            if boundary is not None:
                return boundary
        started = _start_own(flow, event, node.task_spec.name if node is not None else None)
        if started is not None or flow.parent_task_id is None:
            return started
        node = flow.top_workflow.get_task_from_id(flow.parent_task_id)
        flow = node.workflow


def _boundary_of(node: Any, event: BpmnEvent) -> Any:
    while node.parent is not None and isinstance(node.parent.task_spec, LoopTask):
        node = node.parent  # a run of a multi-instance or loop activity: the activity's events
    split = node.parent
    if split is None or not isinstance(split.task_spec, BoundaryEventSplit):
        return None
    waiting = [
        sibling
        for sibling in split.children
        if sibling is not node
        and sibling.state == TaskState.WAITING
        and isinstance(getattr(sibling.task_spec, "event_definition", None), CodeEventDefinition)
        and sibling.task_spec.catches(sibling, event)
    ]
    named = [w for w in waiting if w.task_spec.event_definition.code is not None]
    return (named or waiting or [None])[0]


def _start_own(flow: Any, event: BpmnEvent, skip: str | None) -> Any:
    """The start event, now waiting, of the event subprocess of `flow`'s process that the event
    starts (a new run of it; one naming the code before one that catches every code; never
    `skip`, the one the event came from), or None when it has none."""
    start = flow.spec.start
    found = [
        (name, start_event)
        for name in getattr(start, "trigger_specs", None) or ()
        if name != skip and (spec := flow.top_workflow.subprocess_specs.get(name)) is not None
        for start_event in spec.bpmn_start_events
        if start_event.event_definition == event.event_definition
    ]
    named = [f for f in found if getattr(f[1].event_definition, "code", None) is not None]
    for name, start_event in (named or found)[:1]:
        child_id = start.trigger_wf(flow.task_tree, name)
        run = flow.top_workflow.subprocesses[child_id]
        return run.get_next_task(state=TaskState.WAITING, spec_name=start_event.name)
    return None


def _trigger(start: Any, my_task: Any, spec_name: str) -> Any:
    """As BpmnStartTask.trigger_wf, leaving the spec as it is."""
    child = my_task._add_child(start._wf_spec.task_specs[spec_name], TaskState.FUTURE)
    child.triggered = True
    # Its path on to the process's end, predicted as SpiffWorkflow's own connection did: the
    # end then takes the item's data (without it, the item ended with none).
    child.task_spec._predict(child, mask=TaskState.FUTURE | TaskState.PREDICTED_MASK)
    child.task_spec._update(child)
    return child.id


def _interrupt(workflow: Any, task: Any) -> None:
    """The event subprocess's start fired: cancel every other open path of its process."""
    outer = workflow.parent_workflow
    if outer is None or workflow.parent_task_id is None:
        return
    holder = outer.get_task_from_id(workflow.parent_task_id)
    for other in list(outer.tasks.values()):
        if other.has_state(TaskState.FINISHED_MASK) or other is holder:
            continue
        if holder.is_descendant_of(other):
            continue
        parent = other.parent
        if parent is None or parent.has_state(TaskState.FINISHED_MASK):
            other.cancel()  # with what lies beneath it
