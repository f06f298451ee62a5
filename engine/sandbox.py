"""Running BPMN scripts and expressions from untrusted diagrams.

Everything goes through RestrictedPython's compiler with its guards: no imports, no names or
attributes starting with an underscore, limited builtins, a small allow-list of helpers, and a CPU
budget per evaluation. Compiled code is cached, which also makes scripts cheaper than plain exec.
"""

from __future__ import annotations

import operator
import sys
import time
from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from types import CodeType, FrameType
from typing import Any

from RestrictedPython import RestrictingNodeTransformer, compile_restricted_eval
from RestrictedPython import compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)

from .errors import ScriptError

SCRIPT_FILENAME = "<bpmn-script>"
DEFAULT_CPU_SECONDS = 1.0
MAX_RANGE = 100_000
_TRACE_CHECK_EVERY = 256


class SandboxViolation(Exception):
    """Raised inside a running script; carries a line so Spiff's error formatter can cope."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.lineno = line


class _Policy(RestrictingNodeTransformer):  # type: ignore[misc]
    def visit_Import(self, node: Any) -> Any:
        self.error(node, "imports are not allowed in BPMN scripts")
        return node

    def visit_ImportFrom(self, node: Any) -> Any:
        self.error(node, "imports are not allowed in BPMN scripts")
        return node


@lru_cache(maxsize=4096)
def compile_script(source: str, mode: str) -> CodeType:
    """Compile once per source text; raise SandboxViolation with the first problem found."""
    compiler = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compiler(source, filename=SCRIPT_FILENAME, policy=_Policy)
    if result.errors:
        first = result.errors[0]
        line = _line_of(first)
        raise SandboxViolation(first, line)
    if result.code is None:
        raise SandboxViolation("the script could not be compiled", 1)
    code: CodeType = result.code
    return code


def _line_of(message: str) -> int:
    # RestrictedPython reports "Line N: ..."
    if message.startswith("Line "):
        head = message[5:].split(":", 1)[0]
        if head.isdigit():
            return int(head)
    return 1


def _capped_range(*args: int) -> range:
    result = range(*args)
    if len(result) > MAX_RANGE:
        raise SandboxViolation(f"range() of more than {MAX_RANGE:,} items is not allowed")
    return result


_INPLACE = {
    "+=": operator.iadd,
    "-=": operator.isub,
    "*=": operator.imul,
    "/=": operator.itruediv,
    "//=": operator.ifloordiv,
    "%=": operator.imod,
    "|=": operator.ior,
    "&=": operator.iand,
}


def _inplacevar(op: str, target: Any, value: Any) -> Any:
    if op not in _INPLACE:
        raise SandboxViolation(f"the operator {op} is not allowed")
    return _INPLACE[op](target, value)


def _base_globals() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.pop("setattr", None)
    builtins.pop("delattr", None)
    builtins.update(
        range=_capped_range,
        list=list,
        dict=dict,
        set=set,
        sum=sum,
        min=min,
        max=max,
        any=any,
        all=all,
        enumerate=enumerate,
        zip=zip,
        map=map,
        filter=filter,
        sorted=sorted,
        reversed=reversed,
    )
    return {
        "__builtins__": builtins,
        "_getattr_": safer_getattr,
        "_getitem_": default_guarded_getitem,
        "_getiter_": default_guarded_getiter,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_write_": full_write_guard,
        "_inplacevar_": _inplacevar,
        "datetime": datetime,
        "date": date,
        "timedelta": timedelta,
    }


def _with_cpu_budget(run: Callable[[], Any], seconds: float) -> Any:
    """Run, stopping any script frame that spends more than `seconds` of this thread's CPU.

    A trace function is per thread, so this works in web worker threads where signals cannot.
    """
    deadline = time.thread_time() + seconds
    ticks = 0

    def local_trace(frame: FrameType, event: str, arg: Any) -> Any:
        nonlocal ticks
        ticks += 1
        if ticks % _TRACE_CHECK_EVERY == 0 and time.thread_time() > deadline:
            raise SandboxViolation(
                f"the script ran longer than its limit of {seconds:g} s of CPU time",
                frame.f_lineno,
            )
        return local_trace

    def global_trace(frame: FrameType, event: str, arg: Any) -> Any:
        return local_trace if frame.f_code.co_filename == SCRIPT_FILENAME else None

    previous = sys.gettrace()
    sys.settrace(global_trace)
    try:
        return run()
    finally:
        sys.settrace(previous)


class Sandbox:
    """Evaluates expressions and runs scripts over a task's data."""

    def __init__(
        self,
        helpers: Mapping[str, Callable[..., Any]] | None = None,
        cpu_seconds: float = DEFAULT_CPU_SECONDS,
    ) -> None:
        self.cpu_seconds = cpu_seconds
        self.globals = _base_globals()
        self.globals.update(helpers or {})

    def check(self, source: str, mode: str) -> None:
        """Compile only: used when a diagram is deployed."""
        compile_script(source, mode)

    def evaluate(self, expression: str, context: Mapping[str, Any]) -> Any:
        code = compile_script(expression.strip(), "eval")
        scope = dict(self.globals)
        scope.update(context)
        return _with_cpu_budget(lambda: eval(code, scope), self.cpu_seconds)

    def execute(
        self, script: str, context: dict[str, Any], extra: Mapping[str, Any] | None = None
    ) -> None:
        overwritten = sorted(set(context) & (set(self.globals) - {"__builtins__"}))
        if overwritten:
            raise SandboxViolation(
                "task data overwrites a helper available to scripts: " + ", ".join(overwritten)
            )
        code = compile_script(script, "exec")
        scope = dict(self.globals)
        scope.update(extra or {})
        scope.update(context)
        _with_cpu_budget(lambda: exec(code, scope), self.cpu_seconds)
        hidden = set(self.globals) | set(extra or {})
        for key, value in scope.items():
            if key in hidden or callable(value) or key.startswith("_"):
                continue
            context[key] = value
        for key in list(context):
            if key not in scope:
                del context[key]


def script_error(exc: BaseException, element_id: str | None) -> ScriptError:
    """Translate whatever a script raised into the engine's ScriptError."""
    line = getattr(exc, "lineno", None) or None
    message = str(exc) or exc.__class__.__name__
    if not isinstance(exc, SandboxViolation):
        message = f"{exc.__class__.__name__}: {message}"
    return ScriptError(message, element_id=element_id, line=line)
