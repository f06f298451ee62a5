"""A task's local variables: the names its input parameters (camunda:inputParameter) set, kept
in the task's internal data with what each hid of the item's data (engine/io_mappings.py sets
and gives them back; the services runner hands them to an external task's worker)."""

from __future__ import annotations

from typing import Any

HIDDEN_KEY = "pheduyet_hidden"  # a task's internal data: what its inputs hid


def input_names(task: Any) -> list[str]:
    """The names the task's input parameters set, in order."""
    return list(task.internal_data.get(HIDDEN_KEY) or ())
