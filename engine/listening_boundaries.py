"""A boundary event that does not interrupt its step listens again once it has caught its
message or signal, as in Camunda 7: each message or signal opens its own branch for as long as
the step waits. SpiffWorkflow's listened once: a second signal to the same item found nothing
waiting for it ("no item waits for it")."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState


def listen_again(caught: Iterable[Any]) -> None:
    """After a catch: for each of these boundary tasks that fired, does not interrupt and whose
    step still waits, a new one waiting beside it for the next message or signal."""
    for task in caught:
        spec = task.task_spec
        if not isinstance(spec, BoundaryEvent) or spec.cancel_activity:
            continue
        if task.state == TaskState.WAITING or task.parent is None:
            continue  # it did not take this one
        step = next(
            (c for c in task.parent.children if not isinstance(c.task_spec, BoundaryEvent)), None
        )
        if step is None or step.has_state(TaskState.FINISHED_MASK):
            continue
        again = task.parent._add_child(spec, TaskState.WAITING)
        spec._predict(again, mask=TaskState.NOT_FINISHED_MASK)  # its branch, as the first's
        spec._update(again)
