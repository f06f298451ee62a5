"""The script engine SpiffWorkflow calls for every script, condition and expression: the sandbox
plus the injected clock."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from .clock import Clock
from .sandbox import Sandbox


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

    def execute(
        self, script: str, context: dict[str, Any], external_context: Any = None
    ) -> bool:
        self.sandbox.execute(script, context, external_context or {})
        return True


class SandboxScriptEngine(PythonScriptEngine):  # type: ignore[misc]
    """Carries the clock so that timers read the same time as everything else."""

    def __init__(self, sandbox: Sandbox, clock: Clock) -> None:
        super().__init__(environment=_SandboxEnvironment(sandbox))
        self.clock = clock

    def now(self) -> datetime:
        return self.clock()


def make_script_engine(
    clock: Clock, helpers: Mapping[str, Callable[..., Any]], cpu_seconds: float
) -> SandboxScriptEngine:
    helpers = dict(helpers)
    helpers.setdefault("now", clock)
    return SandboxScriptEngine(Sandbox(helpers, cpu_seconds), clock)
