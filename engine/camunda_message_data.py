"""Camunda's message event, its data the item's own variables: a message correlated with
variables sets them on the item (the engine sets them as it delivers, engine/messages.py), and
Camunda 7 has no variable holding them all again. SpiffWorkflow's Camunda message writes the
whole payload into one more, `<element>_Response` (`filed_Response: {}` on every item that a
message started). The class keeps SpiffWorkflow's name, so a stored version's messages, and
every new one, are read back as this class (engine/serialization.py)."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as SpiffCamundaMessage,
)


class MessageEventDefinition(SpiffCamundaMessage):  # type: ignore[misc]
    def update_task_data(self, my_task: Any) -> None:
        caught = my_task.internal_data.get(self.name) or {}
        if caught.get("result_var") != f"{my_task.task_spec.name}_Response":
            super().update_task_data(my_task)  # a result variable the model names
            return
        payload = caught.get("payload")
        if isinstance(payload, dict):
            my_task.data.update(payload)


def variables_message(definition: SpiffCamundaMessage) -> MessageEventDefinition:
    """The same message definition, as this module's class."""
    found = MessageEventDefinition(
        definition.name,
        definition.correlation_properties,
        expression=definition.expression,
        result_var=definition.result_var,
        description=definition.description,
    )
    return found
