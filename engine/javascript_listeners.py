"""Camunda task listeners written in JavaScript, run when their task is created.

A Camunda 7 model commonly sets a task's assignee from a variable in a `create` task listener:

    <camunda:taskListener event="create">
      <camunda:script scriptFormat="javascript">
        task.setAssignee(execution.getVariable("boss"))
      </camunda:script>
    </camunda:taskListener>

At deploy the scripts are compiled (engine/script_languages.py) and stored with the task's
TaskMeta (`script_listeners`). When the engine saves an item, every human task that has just
become ready and has such listeners runs them once, before the state is stored, so the
variables they set are kept; the assignee they set is kept in the task's internal data and
used when the task's row is opened (engine/runtime.py `_new_row`). A listener that fails stops
the action with a ScriptError naming the task and the line: nothing is written.

JavaScript listeners on other events (`assignment`, `complete`, `delete`, and execution
listeners) are refused at deploy, naming the element, rather than skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from SpiffWorkflow.util.task import TaskState

from .definition_checks import owner_id
from .errors import InvalidDefinition, ScriptError
from .javascript import JavaScriptError, is_javascript
from .javascript_tasks import run_task_listener
from .sandbox import script_error
from .task_meta import TaskMeta, meta_key

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
RAN = "pheduyet_listeners_ran"
ASSIGNED = "pheduyet_listener_assignee"
EVENTS = ("create",)


def _scripts(listener: Any) -> list[Any]:
    return [
        s for s in listener.iter(f"{{{CAMUNDA_NS}}}script") if is_javascript(s.get("scriptFormat"))
    ]


def check_listeners(file_name: str, root: Any) -> None:
    """Refuse JavaScript in a listener this engine does not run (any but a task's `create`)."""
    for tag in ("taskListener", "executionListener"):
        for listener in root.iter(f"{{{CAMUNDA_NS}}}{tag}"):
            event = (listener.get("event") or "").strip()
            for script in _scripts(listener):
                if tag == "taskListener" and event in EVENTS:
                    continue
                error = InvalidDefinition(
                    f"a JavaScript {'task' if tag == 'taskListener' else 'execution'} listener "
                    f"on '{event or '?'}' cannot run here: JavaScript runs in task listeners on "
                    "'create' (e.g. to set the assignee), in script tasks and in conditions",
                    file=file_name,
                    element_id=owner_id(listener),
                    line=script.sourceline,
                )
                error.details.update(reason="listener_unsupported", event=event)
                raise error


def attach_listeners(tasks: Mapping[str, TaskMeta], root: Any) -> dict[str, TaskMeta]:
    """The task metas of one file with their `create` JavaScript listeners added."""
    found: dict[str, list[dict[str, Any]]] = {}
    for listener in root.iter(f"{{{CAMUNDA_NS}}}taskListener"):
        event = (listener.get("event") or "").strip()
        element = owner_id(listener)
        if event not in EVENTS or element is None:
            continue
        for script in _scripts(listener):
            entry = {"event": event, "source": script.text or "", "line": script.sourceline}
            found.setdefault(element, []).append(entry)
    return {
        key: replace(meta, script_listeners=tuple(found[meta.element_id]))
        if meta.element_id in found
        else meta
        for key, meta in tasks.items()
    }


def run_create_listeners(tasks: Mapping[str, TaskMeta], workflow: Any) -> None:
    """Run the `create` listeners of every ready human task that has not run them yet."""
    if not any(meta.script_listeners for meta in tasks.values()):
        return
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if task.internal_data.get(RAN):
            continue
        meta = tasks.get(meta_key(task.workflow.spec.name, task.task_spec.bpmn_id))
        if meta is None or not meta.script_listeners:
            continue
        assignee = meta.assignee if meta.assignee and "${" not in meta.assignee else None
        for entry in meta.script_listeners:
            try:
                outcome = run_task_listener(
                    workflow.script_engine, task, entry["source"], entry["event"], assignee
                )
            except JavaScriptError as exc:
                raise _failed(exc, meta, entry) from exc
            if outcome.assignee_set:
                assignee = outcome.assignee
                task.internal_data[ASSIGNED] = assignee
        task.internal_data[RAN] = True


def _failed(exc: JavaScriptError, meta: TaskMeta, entry: Mapping[str, Any]) -> ScriptError:
    error = script_error(exc, meta.element_id)
    line = entry.get("line")
    if line:  # the line in the diagram's file, as the deploy's refusals give it
        error.details["line"] = int(line) + max(exc.lineno - 1, 0)
    error.details["listener"] = entry.get("event")
    return error


def listener_assignee(task: Any, assignee: str | None) -> str | None:
    """The assignee a `create` listener set for this task, else the one the model gives."""
    if task.internal_data.get(RAN) and ASSIGNED in task.internal_data:
        chosen = task.internal_data[ASSIGNED]
        return chosen if isinstance(chosen, str) and chosen else None
    return assignee
