"""Event subprocesses (`triggeredByEvent="true"`): started by an error or an escalation, and,
when their start event interrupts, ending what the rest of their process was doing.

SpiffWorkflow 3.2 reads a start event's message, signal, timer or condition only. An event
subprocess whose start catches an error or an escalation was read as one with a plain start,
and so ran as soon as the item started. Here such a start event keeps its error or escalation
(engine/event_parsers.py);
SpiffWorkflow then starts the event subprocess when one is thrown in the process and nothing
nearer catches it (a boundary event of the task or of a subprocess around it), as it starts
one on a message. Only the top process's event subprocesses are started so (SpiffWorkflow looks
for them there); `check_placement` refuses at deploy one inside a subprocess, which would
never start.

An interrupting start event (`isInterrupting` is true unless written "false") cancels, when
it fires, what the rest of its process was doing, as Camunda does: its open steps close (a
person's task leaves their inbox) and the item ends when the event subprocess ends.
SpiffWorkflow 3.2 let the rest run on beside it. Read at deploy into the start event's
`extensions` (which the serializer keeps), and connected to each restored spec once.
"""

from __future__ import annotations

import weakref
from types import MethodType
from typing import Any

from lxml import etree
from SpiffWorkflow.util.task import TaskState

from .errors import InvalidDefinition
from .xml_namespaces import BPMN_NS as BPMN

INTERRUPTING_KEY = "pheduyet_interrupting"
_TRIGGERED = (
    "errorEventDefinition",
    "escalationEventDefinition",
    "messageEventDefinition",
    "signalEventDefinition",
)
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
    """Refuse an event subprocess started by an error, an escalation or a message inside
    another subprocess: SpiffWorkflow starts those only at the top of a process."""
    for sub in root.iter(f"{{{BPMN}}}subProcess"):
        if not _event_subprocess(sub):
            continue
        outer = sub.getparent()
        if outer is None or etree.QName(outer).localname == "process":
            continue
        for start in sub.findall(f"{{{BPMN}}}startEvent"):
            kinds = [d for d in _TRIGGERED if start.find(f"{{{BPMN}}}{d}") is not None]
            if kinds:
                event = kinds[0].removesuffix("EventDefinition")
                raise InvalidDefinition(
                    f"the event subprocess '{sub.get('id')}' starts on an {event} inside "
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
