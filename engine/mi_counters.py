"""Camunda's variables of one instance of a multi-instance activity, for the expressions
evaluated on it: its completion condition (after each instance ends) and its own owners and
dates (as each instance starts).

Camunda keeps them as local variables of each instance's execution:
- `nrOfInstances`: how many instances the activity runs in all;
- `nrOfActiveInstances`: how many have not yet ended (always 1 when sequential);
- `nrOfCompletedInstances`: how many have ended, the one just ended included;
- `loopCounter`: this instance's index, from 0.

SpiffWorkflow keeps no such variables; they are read here from its own bookkeeping of the
activity (the instances it made, those merged back, those still to make), and never stored in
the item's data. Only a Camunda model's expressions name them (engine/juel_parser.py refuses
them anywhere else), and only an expression that names one of them pays for the look.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import SequentialMultiInstanceTask

from .juel_camunda import CAMUNDA_MULTI_INSTANCE
from .juel_parser import MULTI_INSTANCE_VARIABLES


def instance_variables(task: Any, expression: str) -> dict[str, int] | None:
    """The variables of the multi-instance activity instance `task` is, when `expression`
    names any of them; otherwise (or when the task is no such instance) None."""
    if "nrOf" not in expression and "loopCounter" not in expression:
        return None
    parent = task.parent
    activity = parent.task_spec if parent is not None else None
    if (
        not isinstance(activity, CAMUNDA_MULTI_INSTANCE)
        or task.task_spec.name != activity.task_spec
    ):
        return None  # a SpiffArena model's own loopCounter stays its own
    if not any(name in expression for name in MULTI_INSTANCE_VARIABLES):
        return None
    instances = [child for child in parent.children if child.task_spec.name == activity.task_spec]
    completed = len(parent.internal_data.get("merged", ()))
    if isinstance(activity, SequentialMultiInstanceTask):
        cardinality = parent.internal_data.get("cardinality")
        total = (
            cardinality
            if isinstance(cardinality, int)
            else len(instances) + len(parent.internal_data.get("remaining", ()))
        )
        active = 1
    else:
        total = len(instances)
        active = total - completed
    return {
        "nrOfInstances": total,
        "nrOfActiveInstances": active,
        "nrOfCompletedInstances": completed,
        "loopCounter": _index(task, instances),
    }


def _index(task: Any, instances: list[Any]) -> int:
    """The instance's place in its activity: the index SpiffWorkflow gave it over a list or a
    cardinality, else the order it was made in."""
    key = task.internal_data.get("key_or_index")
    if isinstance(key, int) and not isinstance(key, bool):
        return key
    return next((i for i, child in enumerate(instances) if child is task), 0)
