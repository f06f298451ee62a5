"""Camunda 7's one scope of variables in a process: what a step writes on one path is seen by
every other path still open in it.

SpiffWorkflow gives each path of a process its own copy of the data, taken when the path's next
step becomes ready, and joins the copies where parallel paths meet, the path that arrives last
winning. A Camunda model reads the process's variables as one: a reminder counted on a
non-interrupting timer's path was lost when that path ended; a value one parallel branch
changed was undone at the join by the stale copy of a branch that arrived after it; a branch
could not see what another had decided.

Here, in a Camunda model, when a step completes, what it changed (against the data it started
from: its parent's) is copied into every other step of its process still open (ready, waiting
or started), so each path always holds the latest value of every variable; the last path to
reach a join then brings all of them. What an instance of a multi-instance activity writes
reaches the activity and the instances beside it too (Camunda sets a task's variables in the
process's scope: a vote is seen by the completion condition and the gateway after the loop),
its element variable aside (the instance's own, gathered into the collection by SpiffWorkflow).
Left as SpiffWorkflow has them:
- the paths of another (sub)process: an embedded or called process gets the data when it
  starts and hands it back when it ends, as before;
- a task's local input parameters: they are given back before this runs (engine/io_mappings).
A SpiffArena model keeps SpiffWorkflow's own copies.
"""

from __future__ import annotations

import weakref
from copy import deepcopy
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.util.task import TaskState

_OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_MISSING = object()
_watched: weakref.WeakSet[Any] = weakref.WeakSet()


def watch_scope(specs: Any) -> None:
    """Share each step's writes with the open paths of its process, for these specs' tasks
    (connected once per spec; after the input/output parameters' hooks)."""
    for spec in specs:
        if spec in _watched:
            continue
        for task_spec in spec.task_specs.values():
            task_spec.completed_event.connect(_share)
        _watched.add(spec)


def _share(workflow: Any, task: Any) -> None:
    instance = _an_instance(task)
    others = [
        other
        for other in workflow.tasks.values()
        # A waiting ancestor too: a repeating timer's catch gives its next round its data.
        # An instance's writes reach its activity and the instances beside it too.
        if other.state & _OPEN and other is not task and (instance or not _an_instance(other))
    ]
    if not others:
        return
    parent = task.parent
    before = parent.data if parent is not None else {}
    own = _instance_variables(parent.task_spec) if instance else ()
    written = {
        name: value
        for name, value in task.data.items()
        if name not in own
        and before.get(name, _MISSING) is not value
        and before.get(name, _MISSING) != value
    }
    if not written:
        return
    for other in others:
        other.data.update(deepcopy(written))
        parent = other.parent
        if (
            other.state == TaskState.WAITING
            and parent is not None
            and parent.state == TaskState.COMPLETED
        ):
            # A waiting task takes its parent's data again at each look (a repeating timer's
            # catch, a join): the parent holds the latest too.
            parent.data.update(deepcopy(written))


def _instance_variables(activity: Any) -> tuple[str, ...]:
    """The names an instance of a multi-instance activity holds as its own: its element
    (`camunda:elementVariable`), which SpiffWorkflow gathers into the collection itself."""
    items = (getattr(activity, "input_item", None), getattr(activity, "output_item", None))
    return tuple(item.bpmn_id for item in items if item is not None)


def _an_instance(task: Any) -> bool:
    """Whether the task is one instance (or round) of a multi-instance or loop activity."""
    parent = task.parent
    return parent is not None and isinstance(parent.task_spec, LoopTask)
