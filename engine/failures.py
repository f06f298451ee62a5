"""Naming the step where the workflow library failed on something it did not expect.

SpiffWorkflow's own errors carry their task; a plain Python error raised inside the library (a
`KeyError` in a task spec, an `AttributeError` on a construct it half supports) does not, and
would reach the user as an "unexpected error" naming nothing. The library's methods call the
task they work on `my_task` (or `task`): the innermost such frame of the traceback says which
step it was.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.task import Task


def failing_element(exc: BaseException) -> str | None:
    """The BPMN id of the innermost task the library was working on when `exc` was raised."""
    found: str | None = None
    tb = exc.__traceback__
    while tb is not None:
        frame_locals: dict[str, Any] = tb.tb_frame.f_locals
        for name in ("my_task", "task"):
            candidate = frame_locals.get(name)
            if isinstance(candidate, Task):
                found = getattr(candidate.task_spec, "bpmn_id", None) or found
                break
        tb = tb.tb_next
    return found
