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

# Marks a caught message whose data become the item's variables (no result variable named).
_AS_VARIABLES = "as_variables"


class MessageEventDefinition(SpiffCamundaMessage):  # type: ignore[misc]
    def update_internal_data(self, my_task: Any, event: Any) -> None:
        # SpiffWorkflow names the result variable in the event's own payload, which every
        # task that catches the same event shares: each keeps its own copy here instead.
        caught = dict(event.payload)
        caught[_AS_VARIABLES] = caught.get("result_var") is None
        my_task.internal_data[self.name] = caught

    def update_task_data(self, my_task: Any) -> None:
        caught = my_task.internal_data.get(self.name) or {}
        payload = caught.get("payload")
        if caught.get(_AS_VARIABLES) and isinstance(payload, dict):
            my_task.data.update(payload)
        elif caught.get(_AS_VARIABLES) and payload is not None:  # a value, not variables
            my_task.data[f"{my_task.task_spec.name}_Response"] = payload
        elif not caught.get(_AS_VARIABLES):
            my_task.data[caught["result_var"]] = payload  # a result variable the model names


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
