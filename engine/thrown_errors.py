"""A BPMN error thrown from outside a model's own events: by an external task's worker
(engine/external_tasks.py) or a service handler (engine/services.py), with its message, which
the catching event's `camunda:errorMessageVariable` takes (engine/io_mappings.py)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent

MAX_ERROR_CODE = 200  # the characters of a BPMN error's code thrown from outside a model


class WorkerError(BpmnEvent):  # type: ignore[misc]
    """A BPMN error a worker or a handler reported, with its message."""

    def __init__(self, code: str, message: str | None) -> None:
        super().__init__(ErrorEventDefinition(code, code=code))
        self.message = message


def catch_at(boundary: Any, event: WorkerError, variables: Mapping[str, Any]) -> None:
    """The waiting task that catches the error (engine.event_subprocesses.catcher) takes it,
    with `variables` set, and fires, as SpiffWorkflow's own catch does."""
    boundary.data.update(variables)
    boundary.task_spec.catch(boundary, event)  # the code and message into its variables
    boundary.task_spec._update(boundary)
