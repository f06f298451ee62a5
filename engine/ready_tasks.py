"""READY tasks found in the workflow's tables of tasks where SpiffWorkflow would walk its tree.

SpiffWorkflow finds READY tasks by walking a task tree, depth first, with its iterator: at every
pass of `do_engine_steps` (which runs passes until one runs nothing; on an approval item most
passes find one task to run or none, and the last always none) — once for each active
subprocess, deepest first, until it runs nothing, then once for the top — and again when the
engine asks which steps now wait for a person. A walk goes down into every subprocess it meets,
so the walk of a workflow's tree also visits the trees of the subprocesses beneath it. Every
task is also in the table of its own workflow (`workflow.tasks`, a subprocess's in its own),
which a loop reads in a fraction of a walk's time. Where all the tables together hold none of
the tasks sought, the walk would find none; where they hold exactly one, beneath the workflow
walked, the walk would find that one: both are taken from the tables. Several at once (their
order is the walk's), or one the walk might not reach, go through Spiff's own walk. The steps
run, their order and the state left are Spiff's; tests compare the two. (Past 1000 levels of
the tree, where Spiff's walks stop looking, the tables would still find a lone READY task; but
there Spiff's own gateways stop as well (after a loop of 600 rounds a parallel split, 1202
levels down, stays WAITING): such an item stands still either way.)

After every task it completes, Spiff also walks the whole tree for WAITING tasks to update
them (a join, an event's catch). Where the table holds none (most completions of an approval
item), that walk finds nothing and changes nothing: `skip_idle_waits` leaves it out then. Where
it holds one (a join waiting for its other branches, the end waiting for a path still open),
the walk would update that one and no other, so it is updated alone: a task's update sets
WAITING only on itself and on tasks it creates beneath itself (a multi-instance step's next
round), whose parent's children the walk listed before updating it, and otherwise only
finishes or cancels tasks (a join's other branches), so nothing the rest of the walk would
reach becomes WAITING. (A task the walk would not reach, beneath a step only predicted or past
its depth, is left to the walk.)
"""

from __future__ import annotations

from functools import partial
from typing import Any

from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState


def run_engine_steps(workflow: Any) -> None:
    """`workflow.do_engine_steps()`: the same steps, in the same order; then the BPMN errors
    the service handlers threw are caught (engine.services), and the engine runs on."""
    while True:
        while _engine_pass(workflow):
            pass
        services = getattr(workflow.script_engine, "services", None)
        if not (services is not None and services.catch_thrown()):
            break
    workflow.refresh_timers()


def ready_human_tasks(workflow: Any) -> list[Any]:
    """The READY tasks a person completes, as `get_tasks(state=READY, manual=True)` lists them."""
    found = _sole_ready(workflow, workflow, manual=True)
    if found is None:
        return list(workflow.get_tasks(state=TaskState.READY, manual=True))
    return found


def _engine_pass(workflow: Any) -> bool:
    """One of Spiff's passes (its `_do_engine_steps`); whether another is needed."""
    active = workflow.get_active_subprocesses()
    for flow in sorted(active, key=lambda v: v.depth, reverse=True):
        while _holder(workflow, flow) is not None and _update(workflow, flow):
            pass
        task = _holder(workflow, flow)
        if task is not None:
            task.task_spec._update(task)
    ran = _update(workflow, workflow)
    return ran > 0 or len(workflow.get_active_subprocesses()) > len(active)


def _holder(top: Any, flow: Any) -> Any:
    """The task that runs the subprocess, or None once it is gone: an error caught around it in
    this pass (by a boundary event of its multi-instance activity) removed it, and the runs
    beside it, from the tree."""
    if top.subprocesses.get(flow.parent_task_id) is not flow:
        return None
    try:
        return top.get_task_from_id(flow.parent_task_id)
    except TaskNotFoundException:
        return None


def _update(top: Any, flow: Any) -> int:
    """Spiff's update of one workflow in a pass: each READY task of the engine's kind a walk of
    its tree finds, run in the walk's order; how many ran."""
    found = _sole_ready(top, flow, manual=False)
    if found is None:
        found = [t for t in flow.get_tasks(state=TaskState.READY) if not t.task_spec.manual]
    for task in found:
        task.run()
    return len(found)


def _sole_ready(top: Any, flow: Any, *, manual: bool) -> list[Any] | None:
    """The READY tasks (of a person's kind or the engine's) a walk of `flow`'s tree would find,
    where the tables tell it for sure: none, or one beneath `flow`. None where only the walk
    can tell."""
    found = []
    subprocesses = top.subprocesses.values()
    if flow is not top:  # the walk reaches only deeper subprocesses: the rest need no look
        subprocesses = [sub for sub in subprocesses if sub.depth > flow.depth]
    for table in (flow, *subprocesses):
        for task in table.tasks.values():
            if task.state == TaskState.READY and bool(task.task_spec.manual) == manual:
                found.append(task)
                if len(found) == 2:
                    return None
    if found and not _beneath(top, flow, found[0]):
        return None
    return found


def _beneath(top: Any, flow: Any, task: Any) -> bool:
    """Whether a walk of `flow`'s tree reaches this READY task: it is in `flow`'s own table, or
    in a subprocess whose task (and so on up) is in it and has not finished. A READY or started
    task's ancestors have all run, so the walk goes down to it."""
    while task.workflow is not flow:
        if task.workflow is top:
            return False
        try:
            task = top.get_task_from_id(task.workflow.parent_task_id)
        except TaskNotFoundException:  # a subprocess whose task is gone: the walk decides
            return False
        if task.state & TaskState.FINISHED_MASK:
            return False
    return True


def skip_idle_waits(workflow: Any) -> None:
    """Spiff's update of WAITING tasks, not made when the table holds none: on the workflow
    and the subprocesses it has now (one it starts later keeps Spiff's own walk)."""
    for flow in (workflow, *workflow.subprocesses.values()):
        flow.update_waiting_tasks = partial(_update_waiting, flow)


def _update_waiting(workflow: Any) -> None:
    waiting = None
    for task in workflow.tasks.values():
        if task.state == TaskState.WAITING:
            if waiting is not None:  # several: Spiff's walk, in its order
                type(workflow).update_waiting_tasks(workflow)
                return
            waiting = task
    if waiting is None:
        return
    if _walked_to(waiting):
        waiting.task_spec._update(waiting)  # all the walk would do
    else:
        type(workflow).update_waiting_tasks(workflow)


def _walked_to(task: Any) -> bool:
    """Whether Spiff's walk for WAITING tasks reaches this one: it goes down from the root
    through every task of a definite or finished state (FUTURE and above), to 1000 levels."""
    for _ in range(_WALK_DEPTH):
        task = task.parent
        if task is None:
            return True
        if task.state < TaskState.FUTURE:
            return False
    return False


_WALK_DEPTH = 999  # Spiff's TaskIterator: max_depth=1000, the root at depth 0
