"""A BPMN error or escalation that a called process throws, caught at its call activity (Camunda
dialect): the called process's variables stay its own.

SpiffWorkflow gives the catching event a copy of the thrower's data and sets all of it into the
caller when the event fires: a called process that ended on an error end event left its every
variable in the calling item ("document", "verdict" beside the caller's own). Camunda 7 runs a
called process as an instance of its own; an interrupting error ends it, and nothing of it comes
back but what the catch names (`camunda:errorCodeVariable`, `errorMessageVariable`,
`escalationCodeVariable`). An error thrown inside an embedded sub-process is another matter:
its variables are the process's own (engine/process_scope.py) and come along as before.
"""

from __future__ import annotations

import weakref
from types import MethodType
from typing import Any

from SpiffWorkflow.bpmn.specs.defaults import CallActivity
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import CodeEventDefinition

from .io_mappings import ERROR_KEY

_watched: weakref.WeakSet[Any] = weakref.WeakSet()


def watch_called_errors(specs: Any) -> None:
    """Wrap the catch of every event of these specs that catches an error or an escalation
    (once per spec; after engine.io_mappings' own wrap, which sets the error variables)."""
    for spec in specs:
        if spec in _watched:
            continue
        for task_spec in spec.task_specs.values():
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(definition, CodeEventDefinition) and hasattr(task_spec, "catch"):
                task_spec.catch = MethodType(_catch(task_spec.catch), task_spec)
        _watched.add(spec)


def _catch(original: Any) -> Any:
    def catch(spec: Any, my_task: Any, event: Any) -> None:
        original(my_task, event)
        if not _thrown_in_a_called_process(my_task, event):
            return
        key = spec.event_definition.name
        kept = my_task.internal_data.get(key) or {}
        named = ((getattr(spec, "extensions", None) or {}).get(ERROR_KEY) or {}).values()
        my_task.internal_data[key] = {name: kept[name] for name in named if name in kept}

    return catch


def _thrown_in_a_called_process(my_task: Any, event: Any) -> bool:
    """Whether the workflow that threw the event lies below a call activity of the catcher's
    workflow (through any sub-processes between)."""
    workflow = getattr(event, "target", None)
    top = my_task.workflow.top_workflow
    while workflow is not None and workflow is not my_task.workflow:
        owner_id = getattr(workflow, "parent_task_id", None)
        if owner_id is None:
            return False
        owner = top.get_task_from_id(owner_id)
        if isinstance(owner.task_spec, CallActivity):
            return True
        workflow = owner.workflow
    return False
