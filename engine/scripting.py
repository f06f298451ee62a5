"""The script engine SpiffWorkflow calls for every script, condition and expression: the sandbox
plus the injected clock."""

from __future__ import annotations

import difflib
import traceback
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .clock import Clock
from .javascript import JS_MARKER
from .javascript_tasks import evaluate_in_task, run_in_task
from .juel_parser import JUEL_SOURCE_MARK
from .mi_counters import instance_variables
from .sandbox import Limits, Sandbox, SandboxViolation
from .sandbox_budget import SCRIPT_FILENAME
from .script_languages import split_marked


class _SandboxEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    def __init__(self, sandbox: Sandbox) -> None:
        super().__init__({})
        self.sandbox = sandbox

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Any = None
    ) -> Any:
        scope = dict(context)
        scope.update(external_context or {})
        return self.sandbox.evaluate(expression, scope)

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        self.sandbox.execute(script, context, external_context or {})
        return True


def _describe(error: BaseException) -> str:
    text = str(error)
    return f"{error.__class__.__name__}: {text}" if text else error.__class__.__name__


def _as_written(expression: str) -> str:
    """The expression as the diagram's author wrote it: a Camunda model's JUEL, which its
    Python carries as a trailing comment (engine/juel_camunda.py), else the expression."""
    code, marker, source = expression.rpartition(JUEL_SOURCE_MARK)
    if marker and code and source.strip()[:2] in ("${", "#{"):
        return source.strip()
    return expression.strip()


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """Carries the clock so that timers read the same time as everything else.

    Spiff's own error reports lose what went wrong in an expression, find the line of a failing
    script only in code compiled as '<string>', and crash on an exception whose first argument is
    not a string (`KeyError(3)`): these overrides keep the kind, the message and the line.
    """

    def __init__(self, sandbox: Sandbox, clock: Clock) -> None:
        super().__init__(environment=_SandboxEnvironment(sandbox))
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        try:
            if expression.startswith(JS_MARKER):  # JavaScript (engine/javascript_tasks.py)
                return evaluate_in_task(self, task, expression)
            counters = instance_variables(task, expression)
            if counters is not None:  # Camunda's nrOfCompletedInstances and the like
                external_context = {**(external_context or {}), **counters}
            return self.environment.evaluate(expression, task.data, external_context)
        except SpiffWorkflowException as exc:
            exc.add_note(f"Error evaluating expression {expression.strip()!r}")
            raise
        except Exception as exc:
            # runtime.spiff_errors finds a sandbox refusal as this exception's cause.
            said = _describe(exc)
            if isinstance(exc, NameError) and exc.name:  # as Camunda: the name it cannot resolve
                said = f"the item has no variable '{exc.name}'"
            error = WorkflowTaskException(
                f"{said} (in expression {_as_written(expression)!r})",
                task=task,
                exception=exc,
            )
            if isinstance(exc, NameError) and exc.name:  # in words, not a Python list
                error.notes = _close_names(exc.name, task.data)
            raise error from exc

    def execute(self, task: Any, script: str, external_context: Any = None) -> Any:
        if not script.startswith(JS_MARKER):
            return super().execute(task, script, external_context)
        try:  # a JavaScript script task (engine/script_languages.py)
            run_in_task(self, task, script)
        except Exception as err:
            raise self.create_task_exec_exception(task, split_marked(script)[0], err) from err
        return True

    def create_task_exec_exception(self, task: Any, script: str, err: Exception) -> Exception:
        if isinstance(err, SpiffWorkflowException):
            same: Exception = super().create_task_exec_exception(task, script, err)
            return same
        line, error_line = self.get_error_line_number_and_content(script, err)
        wrapped: Exception = WorkflowTaskException(
            _describe(err), task=task, exception=err, line_number=line, error_line=error_line
        )
        return wrapped

    def get_error_line_number_and_content(self, script: str, err: Exception) -> tuple[int, str]:
        line = 0
        if isinstance(err, SyntaxError | SandboxViolation):
            line = err.lineno or 0
        if not line:
            for frame in traceback.extract_tb(err.__traceback__):
                if frame.filename == SCRIPT_FILENAME:
                    line = frame.lineno or 0
        lines = script.splitlines()
        return line, lines[line - 1] if 0 < line <= len(lines) else ""


def make_sandbox(
    clock: Clock,
    helpers: Mapping[str, Callable[..., Any]],
    cpu_seconds: float,
    limits: Limits | None = None,
) -> Sandbox:
    """The sandbox of scripts with these helpers, `now()` reading the engine's clock."""
    helpers = dict(helpers)

    def now() -> datetime:
        """The current time, as the engine's clock reads it (a script cannot move it)."""
        return clock()

    helpers.setdefault("now", now)
    return Sandbox(helpers, cpu_seconds, limits)


def _close_names(name: str, data: Any) -> list[str]:
    """The item's variables named most like `name`, as a person would be asked (none: no
    note)."""
    close = [f"'{c}'" for c in difflib.get_close_matches(name, [str(k) for k in data], n=3)]
    if not close:
        return []
    listed = close[0] if len(close) == 1 else ", ".join(close[:-1]) + " or " + close[-1]
    return [f"Did you mean {listed}?"]
