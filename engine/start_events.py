"""Which start event a new item starts at, when its process has several (Camunda 7 starts an
instance at the one start event whose event came: a plain one for a person, a timer's, a
message's or a signal's).

SpiffWorkflow runs every start event of a process at once, behind a split: a plain one fires as
soon as it runs, and the first to complete cancels the rest. So an item started by its timer,
message or signal would also take the plain start's path. Before the new workflow first runs,
`take_start` cancels every start event but the one taking the start.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.util.task import TaskState


def take_start(workflow: Any, element_id: str, *, fire: bool) -> None:
    """Start the new workflow at this start event only. `fire`: its event has come (a due
    timer); otherwise it waits for its message or signal, delivered next."""
    for task in workflow.get_tasks():
        if task.task_spec.bpmn_id == element_id and isinstance(task.task_spec, StartEvent):
            if fire:
                task._set_internal_data(event_fired=True)
                if not task.children:  # a cycle's event predicts no path: it adds one firing
                    for output in task.task_spec.outputs:
                        child = task._add_child(output, task.state)  # FUTURE, or MAYBE past a split
                        child.task_spec._predict(child, mask=TaskState.NOT_FINISHED_MASK)
            for other in task.parent.children:  # the split's: an event subprocess stays
                if other is not task and isinstance(other.task_spec, StartEvent):
                    other.cancel()
            return
    raise ValueError(f"no start event {element_id}")  # the caller read it from this version
