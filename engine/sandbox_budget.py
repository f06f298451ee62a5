"""The watch over one run of a script: the CPU time it may spend and how much the process's
memory may grow meanwhile, checked by a trace between the script's own steps (and by the checks
the compiler puts at loop heads, except handlers and `finally` blocks, engine.sandbox), and
what a run's exceptions may carry out of it."""

from __future__ import annotations

import gc
import math
import sys
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

from .sandbox_errors import SandboxViolation
from .sandbox_guards import RUNNING, Limits, resident_memory_bytes, text_size
from .sandbox_stepped import FILENAME as STEPPED_FILENAME

SCRIPT_FILENAME = "<bpmn-script>"
# The code the budget's trace follows: the scripts', and the builtins that loop for them.
_TRACED = frozenset({SCRIPT_FILENAME, STEPPED_FILENAME})
# The name of the budget's check in a script's scope, called where the compiler puts it.
BUDGET_NAME = "_budget_"


# Reading the peak memory is a system call: every this many budget checks (a power of two).
MEMORY_CHECK_EVERY = 16


class _Budget:
    """The CPU time one evaluation may spend, checked from loop bodies and from a trace, and
    how much the process's peak memory may grow meanwhile, checked every few events."""

    def __init__(self, seconds: float, max_memory_bytes: int) -> None:
        self.seconds = seconds
        self.max_memory_bytes = max_memory_bytes
        self.memory_ceiling = resident_memory_bytes() + max_memory_bytes
        self.events = 0
        self.thread = threading.get_ident()
        self.collecting_since: float | None = None
        self.deadline = math.inf
        self.refused: str | None = None  # once refused, every later check refuses again
        self.trace: Callable[..., Any] | None = None  # the watch, while it runs

    def start(self) -> None:
        """Start the clock, once the budget's own setup is done and collections are watched: a
        full collection set off by that setup would otherwise be charged to the script's
        first line."""
        self.deadline = time.thread_time() + self.seconds

    def on_collection(self, phase: str, info: dict[str, Any]) -> None:
        """A garbage collection of the whole process that happens to start during the script
        is the interpreter's work, not the script's: its CPU time moves the deadline on (a
        full collection in a long-lived worker can take longer than a script's budget)."""
        if threading.get_ident() != self.thread:
            return
        if phase == "start":
            self.collecting_since = time.thread_time()
        elif self.collecting_since is not None:
            self.deadline += time.thread_time() - self.collecting_since
            self.collecting_since = None

    def memory(self) -> None:
        """The memory checked now: a guard's large value just made (`Guards.made`)."""
        if self.refused is None and resident_memory_bytes() > self.memory_ceiling:
            self.refused = self._too_much_memory()
        if self.refused is not None:
            raise SandboxViolation(self.refused)

    def _too_much_memory(self) -> str:
        return (
            "the script used more memory than its limit of "
            f"{self.max_memory_bytes // (1024 * 1024)} MB"
        )

    def check(self, line: int = 0) -> None:
        # Every event reads the clock: it is cheap, and a sampled check lets a loop whose body
        # calls a slow helper run for hundreds of budgets.
        if self.refused is None and time.thread_time() > self.deadline:
            self.refused = f"the script ran longer than its limit of {self.seconds:g} s of CPU time"
        if self.refused is None and self.trace is not None and sys.gettrace() is not self.trace:
            # The trace raised (a RecursionError as it was called at the limit) and CPython
            # removed it: nothing after this would be watched.
            self.refused = (
                "the script went past Python's limit of nested calls (a recursion too deep),"
                " and a script may not go on after that, even where it catches the error"
            )
        self.events += 1
        # Each step is bounded by the guards' size limits, so a few unchecked ones stay small.
        if (
            self.refused is None
            and not self.events % MEMORY_CHECK_EVERY
            and resident_memory_bytes() > self.memory_ceiling
        ):
            self.refused = self._too_much_memory()
        if self.refused is not None:
            raise SandboxViolation(self.refused, line)


def with_cpu_budget(
    run: Callable[[], Any], scope: dict[str, Any], seconds: float, limits: Limits
) -> Any:
    """Run, stopping any script frame that spends more than `seconds` of this thread's CPU
    or makes the process's peak memory grow by more than the limit.

    A trace function is per thread, so this works in web worker threads where signals cannot.
    The trace covers comprehensions and recursion; loop statements also call the budget
    themselves (see `_Policy`).
    """
    budget = _Budget(seconds, limits.max_memory_bytes)
    scope[BUDGET_NAME] = budget.check

    def local_trace(frame: FrameType, event: str, arg: Any) -> Any:
        # A line of the stepped builtins is none of the script's: its traceback names that.
        budget.check(frame.f_lineno if frame.f_code.co_filename == SCRIPT_FILENAME else 0)
        return local_trace

    def global_trace(frame: FrameType, event: str, arg: Any) -> Any:
        return local_trace if frame.f_code.co_filename in _TRACED else None

    previous = sys.gettrace()
    gc.callbacks.append(budget.on_collection)
    budget.trace = global_trace
    outer_check = getattr(RUNNING, "memory_check", None)  # a script run inside a script's helper
    RUNNING.memory_check = budget.memory
    sys.settrace(global_trace)
    try:
        budget.start()
        result = run()
    except Exception as raised:
        _bounded_messages(raised, limits.max_size)
        raise
    finally:
        sys.settrace(previous)
        budget.trace = None
        RUNNING.memory_check = outer_check
        gc.callbacks.remove(budget.on_collection)
    # A script of a few events is never sampled above: its growth is checked once at the end.
    budget.events = MEMORY_CHECK_EVERY - 1
    budget.check()
    return result


def _bounded_messages(raised: BaseException, limit: int) -> None:
    """What a script raised is written out by whoever reports it (str(), a log's traceback),
    outside the sandbox: `raise ValueError(x)` of a list that holds one list many times would
    write it for hours. An exception whose arguments would make a text over the limit keeps
    only a word of them; so does each one it was raised from."""
    found: BaseException | None = raised
    for _ in range(MAX_CHAINED):
        if found is None:
            return
        if not isinstance(found, SandboxViolation):
            try:
                too_long = text_size((found.args, getattr(found, "__notes__", None)), limit)
            except SandboxViolation:  # nested past what text can show
                too_long = limit + 1
            if too_long > limit:
                found.args = (f"a message of more than {limit:,} characters",)
                found.__notes__ = []
        last, found = found, found.__cause__ or found.__context__
    last.__cause__ = last.__context__ = None  # a report writes no more of the chain


MAX_CHAINED = 8  # exceptions raised from one another that a report writes out
