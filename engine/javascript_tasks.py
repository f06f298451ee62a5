"""JavaScript where SpiffWorkflow runs a script: script tasks and conditions marked at deploy
(engine/script_languages.py), input and output parameters written as JavaScript
(`javascript_value`), and listeners' scripts (engine/javascript_listeners.py).

The script engine (engine/scripting.py) hands a marked script or condition here; the run
happens in QuickJS over a JSON copy of the task's data (engine/javascript.py), and only when
it has ended well are its changes applied: a script stopped by a limit or an error leaves the
data as it was.
"""

from __future__ import annotations

from typing import Any

from .javascript import JS_MARKER, JavaScriptError, Outcome, ScriptScope, run_script
from .sandbox_guards import MAX_DATA_BYTES
from .script_languages import split_marked
from .services import runner_of

DEFAULT_SECONDS = 1.0
VALUE_LINE = "//@value\n"


def _limits(script_engine: Any) -> tuple[float, int]:
    sandbox = getattr(getattr(script_engine, "environment", None), "sandbox", None)
    seconds = float(getattr(sandbox, "cpu_seconds", DEFAULT_SECONDS))
    limits = getattr(sandbox, "limits", None)
    return seconds, int(getattr(limits, "max_data_bytes", MAX_DATA_BYTES))


def scope_of(
    task: Any,
    *,
    event_name: str | None = None,
    with_task: bool = False,
    assignee: str | None = None,
) -> ScriptScope:
    """What `execution` (and `task`) say about themselves for a SpiffWorkflow task."""
    runner = runner_of(task.workflow)
    item_id = getattr(runner, "item_id", None)
    spec = task.task_spec
    return ScriptScope(
        element_id=str(spec.bpmn_id or spec.name),
        name=str(spec.bpmn_name or ""),
        event_name=event_name,
        process_instance_id=str(item_id) if item_id is not None else None,
        process_definition_id=str(task.workflow.top_workflow.spec.name),
        task_id=str(task.id),
        assignee=assignee,
        with_task=with_task,
        with_connector=str(getattr(spec, "service_key", "")).startswith("connector:"),
    )


def run_in_task(
    script_engine: Any, task: Any, text: str, scope: ScriptScope | None = None
) -> Outcome:
    """Run a marked script task's script and apply what it set and removed to the task's
    data (and its completion value to `camunda:resultVariable`, when the model names one)."""
    source, result_variable = split_marked(text)
    seconds, max_bytes = _limits(script_engine)
    outcome = run_script(
        source,
        task.data,
        scope or scope_of(task),
        cpu_seconds=seconds,
        max_data_bytes=max_bytes,
    )
    apply_outcome(task.data, outcome, result_variable)
    return outcome


def apply_outcome(data: dict[str, Any], outcome: Outcome, result_variable: str | None) -> None:
    for name in outcome.removed:
        data.pop(name, None)
    data.update(outcome.variables)
    if result_variable:
        data[result_variable] = outcome.value


def javascript_value(source: str) -> str:
    """A JavaScript input or output parameter (`camunda:script` in `camunda:inputParameter`)
    as an expression the script engine evaluates: its completion value is the parameter's."""
    return JS_MARKER + VALUE_LINE + source


def evaluate_in_task(script_engine: Any, task: Any, text: str) -> Any:
    """A marked expression: a parameter's value (what it sets is kept), else a condition."""
    body = text[len(JS_MARKER) :] if text.startswith(JS_MARKER) else text
    if not body.startswith(VALUE_LINE):
        return condition_in_task(script_engine, task, text)
    seconds, max_bytes = _limits(script_engine)
    outcome = run_script(
        body[len(VALUE_LINE) :],
        task.data,
        scope_of(task),
        cpu_seconds=seconds,
        max_data_bytes=max_bytes,
    )
    apply_outcome(task.data, outcome, None)
    return outcome.value


def condition_in_task(script_engine: Any, task: Any, text: str) -> bool:
    """A marked JavaScript condition: its completion value, which must be true or false."""
    source, _ = split_marked(text)
    seconds, max_bytes = _limits(script_engine)
    outcome = run_script(
        source, task.data, scope_of(task), cpu_seconds=seconds, max_data_bytes=max_bytes
    )
    if outcome.variables or outcome.removed:
        raise JavaScriptError("a condition may not set or remove variables")
    if not isinstance(outcome.value, bool):
        raise JavaScriptError(
            f"a JavaScript condition must give true or false, not {outcome.value!r}"
        )
    return outcome.value


def run_task_listener(
    script_engine: Any,
    task: Any,
    source: str,
    event_name: str,
    assignee: str | None,
    *,
    with_task: bool = True,
) -> Outcome:
    """A listener's JavaScript, with `task` bound for a task listener: its variable changes
    are applied to the task's data; the caller applies `outcome.assignee` when
    `outcome.assignee_set`."""
    seconds, max_bytes = _limits(script_engine)
    outcome = run_script(
        source,
        task.data,
        scope_of(task, event_name=event_name, with_task=with_task, assignee=assignee),
        cpu_seconds=seconds,
        max_data_bytes=max_bytes,
    )
    apply_outcome(task.data, outcome, None)
    return outcome
