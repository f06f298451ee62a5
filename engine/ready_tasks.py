"""READY tasks found in the workflow's table of tasks where SpiffWorkflow would walk its tree.

SpiffWorkflow finds READY tasks by walking the whole task tree, depth first, with its iterator:
at every pass of `do_engine_steps` (which runs passes until one runs nothing; on an approval
item most passes find one task to run or none, and the last always none), and again when the
engine asks which steps now wait for a person. Every task of the tree is also in the workflow's
table (`workflow.tasks`), which a loop reads in a fraction of a walk's time. Where the table has
none of the tasks sought, or exactly one, the walk would find the same: they are taken from the
table. Several at once (their order is the walk's) and a workflow with subprocesses (whose
tasks sit in tables of their own, and whose parents a pass also updates) go through Spiff's
own. The steps run, their order and the state left are Spiff's; a test compares the two.

After every task it completes, Spiff also walks the whole tree for WAITING tasks to update
them (a join, an event's catch). Where the table holds none (most completions of an approval
item), that walk finds nothing and changes nothing: `skip_idle_waits` leaves it out then.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from SpiffWorkflow.util.task import TaskState


def run_engine_steps(workflow: Any) -> None:
    """`workflow.do_engine_steps()`: the same steps, in the same order."""
    while _engine_pass(workflow):
        pass
    workflow.refresh_timers()


def ready_human_tasks(workflow: Any) -> list[Any]:
    """The READY tasks a person completes, as `get_tasks(state=READY, manual=True)` lists them."""
    if not workflow.subprocesses:
        found = _ready(workflow, manual=True)
        if len(found) < 2:
            return found
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))


def _engine_pass(workflow: Any) -> bool:
    """One of Spiff's passes; whether another is needed (what its `_do_engine_steps` says)."""
    if workflow.subprocesses:
        return bool(workflow._do_engine_steps())
    found = _ready(workflow, manual=False)
    if len(found) != 1:
        return bool(workflow._do_engine_steps()) if found else False
    found[0].run()
    return True


def _ready(workflow: Any, *, manual: bool) -> list[Any]:
    """Up to two READY tasks of the workflow's own table, of a person's kind or the engine's."""
    found = []
    for task in workflow.tasks.values():
        if task.state == TaskState.READY and bool(task.task_spec.manual) == manual:
            found.append(task)
            if len(found) == 2:
                break
    return found


def skip_idle_waits(workflow: Any) -> None:
    """Spiff's update of WAITING tasks, not made when the table holds none: on the workflow
    and the subprocesses it has now (one it starts later keeps Spiff's own walk)."""
    for flow in (workflow, *workflow.subprocesses.values()):
        flow.update_waiting_tasks = partial(_update_waiting, flow)


def _update_waiting(workflow: Any) -> None:
    for task in workflow.tasks.values():
        if task.state == TaskState.WAITING:
            type(workflow).update_waiting_tasks(workflow)  # Spiff's walk, in its order
            return
