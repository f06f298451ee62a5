"""Spiff's converters of a workflow's task tree, writing and reading the very same dicts, for
less: each task id becomes text (or is read back) once per save (or load) instead of up to
five times a task, and a load makes one UUID object per task id, shared by the task, its key
in the workflow's mapping and its parent's and children's references, so that Spiff, which
looks tasks up by id at every step, finds them by identity instead of comparing UUIDs.

`engine.serialization` uses them; a test checks that every state they write is the text
Spiff's own converters write (`serializer(dialect, reference=True)`), and reads back alike.
"""

from __future__ import annotations

from copy import copy
from typing import Any, cast
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnSubWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.deep_merge import DeepMerge
from SpiffWorkflow.util.task import TaskState


def inherited(data: dict[str, Any]) -> dict[str, Any]:
    """A task's data as Spiff's loader starts it from its parent's, `DeepMerge.merge({}, data)`:
    the same keys, each dict, list and set copied one level deep, other values shared. Written
    out, it costs half of Spiff's walk (a quarter of a load was spent there)."""
    return {key: copy(v) if isinstance(v, _COPIED) else v for key, v in data.items()}


_COPIED = (dict, list, set)


def task_data(registry: Any, dct: dict[str, Any], parent_data: dict[str, Any] | None) -> Any:
    """A task's data from its saved dict, as Spiff's loader reads it: its parent's data with
    the saved delta's updates and deletions, or, without a delta or a parent, its own."""
    delta = dct.get("delta")
    if not delta or parent_data is None:
        return registry.restore(dct["data"])
    data = inherited(parent_data)
    updates = delta.get("updates", {})
    if updates:
        data.update(registry.restore(updates))
    for name in delta.get("deletions", {}):
        if name in data:
            del data[name]
    return data


class _Ids(dict[str, UUID]):
    """The task ids of one load: one UUID per text."""

    def __missing__(self, text: str) -> UUID:
        value = self[text] = UUID(text)
        return value


class FastTaskConverter(TaskConverter):  # type: ignore[misc]
    """Spiff's TaskConverter, given the texts of the ids (`names`) or the ids of the texts
    (`ids`) of the whole mapping by `TaskMappings`."""

    def to_dict(self, task: Any, names: dict[UUID, str] | None = None) -> dict[str, Any]:
        if names is None:
            return cast(dict[str, Any], super().to_dict(task))
        parent = task.workflow.tasks.get(task._parent)
        if parent is None:
            data, delta = task.data, {}
        else:
            data = {}
            delta = {
                "updates": DeepMerge.get_updated_keys(parent.data, task.data),
                "deletions": DeepMerge.get_deleted_keys(parent.data, task.data),
            }
        return {
            "id": names.get(task.id) or str(task.id),
            "parent": None if parent is None else (names.get(task._parent) or str(task._parent)),
            "children": [names.get(child) or str(child) for child in task._children],
            "last_state_change": task.last_state_change,
            "state": task._state,
            "task_spec": task.task_spec.name,
            "triggered": task.triggered,
            "internal_data": self.registry.convert(task.internal_data),
            "data": data,
            "delta": delta,
        }

    def from_dict(self, dct: dict[str, Any], workflow: Any, ids: _Ids | None = None) -> Any:
        ids = _Ids() if ids is None else ids
        task_spec = workflow.spec.task_specs.get(dct["task_spec"])
        task = self.target_class(workflow, task_spec, state=dct["state"], id=ids[dct["id"]])
        parent_id = dct["parent"]
        task._parent = None if parent_id is None else ids[parent_id]
        task._children = [ids[child] for child in dct["children"]]
        task.last_state_change = dct["last_state_change"]
        task.triggered = dct["triggered"]
        task.internal_data = self.registry.restore(dct["internal_data"])
        if isinstance(task_spec, CatchingEvent) and task.has_state(TaskState.WAITING):
            task.workflow.top_workflow.event_manager.add_task(task)
        parent = None if task._parent is None else workflow.tasks.get(task._parent)
        task.data = task_data(self.registry, dct, None if parent is None else parent.data)
        return task


class TaskMappings:
    """For a workflow converter: its task mapping written and read through FastTaskConverter
    (any other mapping as Spiff's BpmnConverter does)."""

    registry: Any

    def mapping_to_dict(self, mapping: dict[Any, Any], **kwargs: Any) -> dict[str, Any]:
        if kwargs or not isinstance(next(iter(mapping.values()), None), Task):
            return {str(k): self.registry.convert(v, **kwargs) for k, v in mapping.items()}
        names = {key: str(key) for key in mapping}
        convert = self.registry.convert_to_dict[self.registry.typenames[Task]]
        return {names[key]: convert(task, names=names) for key, task in mapping.items()}

    def tasks_from_dict(self, dct: dict[str, Any], workflow: Any) -> dict[UUID, Any]:
        ids = _Ids()
        return {
            ids[key]: self.registry.restore(value, workflow=workflow, ids=ids)
            for key, value in dct.items()
        }


class FastSubWorkflowConverter(TaskMappings, BpmnSubWorkflowConverter):  # type: ignore[misc]
    """Spiff's BpmnSubWorkflowConverter (a subprocess's or call activity's own task tree)."""

    def from_dict(self, dct: dict[str, Any], task: Any, top_workflow: Any) -> Any:
        spec = top_workflow.subprocess_specs.get(task.task_spec.spec)
        subprocess = self.target_class(spec, task.id, top_workflow, deserializing=True)
        subprocess.tasks = self.tasks_from_dict(dct["tasks"], subprocess)
        subprocess.task_tree = subprocess.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(subprocess, dct)
        return subprocess
