"""Camunda task and execution listeners written in JavaScript.

A Camunda 7 model commonly sets a task's assignee from a variable in a `create` task listener:

    <camunda:taskListener event="create">
      <camunda:script scriptFormat="javascript">
        task.setAssignee(execution.getVariable("boss"))
      </camunda:script>
    </camunda:taskListener>

Listeners are read, attached to their element's spec and run on their events by
engine/service_listeners.py, for script listeners as for those that call the services module:
task `create`, `assignment`, `complete`; execution `start`, `end` (a process's own at its start
and end events). A JavaScript listener is marked there by `SCRIPT_KEY` and its entry carries
the script and its line (`script_entry`); `run_script_listener` runs it in QuickJS
(engine/javascript.py) with `execution` and, for a task listener, `task` bound. The script was
compiled at deploy (engine/script_languages.py). Its variable changes go into the task's data;
an assignee it sets is kept in the task's internal data (`ASSIGNED`), candidates it adds
(`task.addCandidateGroup`, `addCandidateUser`) under `CANDIDATES`, both used when the task's
row is opened (engine/runtime.py `_new_row`, through `listener_assignee`,
`listener_candidates`). A listener that fails
stops the action with a ScriptError naming the element and the line in the file: nothing is
written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import ScriptError
from .javascript import JavaScriptError, is_javascript
from .javascript_tasks import run_task_listener
from .sandbox import script_error
from .xml_namespaces import CAMUNDA_NS

RAN = "pheduyet_listeners_ran"
ASSIGNED = "pheduyet_listener_assignee"
CANDIDATES = "pheduyet_listener_candidates"  # {"groups": [...], "users": [...]} added
# The services key service_listeners.py gives a JavaScript listener (never a services key).
SCRIPT_KEY = "<javascript>"


def script_entry(listener: Any) -> dict[str, str]:
    """What a listener element written in JavaScript adds to its entry (its script and the
    script's line in the file), or nothing for any other listener."""
    for script in listener.iter(f"{{{CAMUNDA_NS}}}script"):
        if is_javascript(script.get("scriptFormat")):
            return {"script": script.text or "", "line": str(script.sourceline or "")}
    return {}


def run_script_listener(my_task: Any, entry: Mapping[str, str], kind: str, event: str) -> None:
    """Run one JavaScript listener on `my_task` (whose data it may change)."""
    current = my_task.internal_data.get(ASSIGNED)
    try:
        outcome = run_task_listener(
            my_task.workflow.script_engine,
            my_task,
            entry["script"],
            event,
            current if isinstance(current, str) else None,
            with_task=kind == "task",
        )
    except JavaScriptError as exc:
        raise _failed(exc, my_task.task_spec.bpmn_id, entry, kind, event) from exc
    if kind == "task" and outcome.assignee_set:
        my_task.internal_data[ASSIGNED] = outcome.assignee
        my_task.internal_data[RAN] = True
    if kind == "task" and (outcome.candidate_groups or outcome.candidate_users):
        added = my_task.internal_data.setdefault(CANDIDATES, {"groups": [], "users": []})
        for key, names in (
            ("groups", outcome.candidate_groups),
            ("users", outcome.candidate_users),
        ):
            added[key].extend(n for n in names if n not in added[key])


def _failed(
    exc: JavaScriptError, element_id: str, entry: Mapping[str, str], kind: str, event: str
) -> ScriptError:
    error = script_error(exc, element_id)
    line = entry.get("line") or ""
    if line.isdigit():  # the line in the diagram's file, as the deploy's refusals give it
        error.details["line"] = int(line) + max(exc.lineno - 1, 0)
    error.details.update(listener=kind, event=event)
    return error


def listener_candidates(task: Any, key: str, model: list[str]) -> list[str]:
    """The task's candidate groups or users (`key`): the model's, and those a `create`
    listener added (task.addCandidateGroup / addCandidateUser)."""
    added = (task.internal_data.get(CANDIDATES) or {}).get(key) or []
    return [*model, *(name for name in added if name not in model)]


def listener_assignee(task: Any, assignee: str | None) -> str | None:
    """The assignee a `create` listener set for this task, else the one the model gives."""
    if task.internal_data.get(RAN) and ASSIGNED in task.internal_data:
        chosen = task.internal_data[ASSIGNED]
        return chosen if isinstance(chosen, str) and chosen else None
    return assignee
