"""A BPMN error thrown from outside a model's own events: by an external task's worker
(engine/external_tasks.py) or a service handler (engine/services.py), with its message, which
the catching event's `camunda:errorMessageVariable` takes (engine/io_mappings.py)."""

from __future__ import annotations

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent


class WorkerError(BpmnEvent):  # type: ignore[misc]
    """A BPMN error a worker or a handler reported, with its message."""

    def __init__(self, code: str, message: str | None) -> None:
        super().__init__(ErrorEventDefinition(code, code=code))
        self.message = message
