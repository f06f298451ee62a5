"""The last check before an item's state and data are saved: what cannot be stored, or is over
the data limit, becomes a ScriptError naming the step and the value's type, never a raw
TypeError, OverflowError or a database's DataError (NaN in PostgreSQL's JSON).

Scripts are checked as they end (engine/sandbox_guards.py); this catches what reaches the data
by another way (an expression's result, a loop's output) before anything is written.
"""

from __future__ import annotations

import json
from typing import Any

from .errors import ScriptError
from .sandbox_guards import shown_size
from .serialization import dump_state

# The whole state keeps every step's copy of the data: a long history is many copies.
STATE_TIMES_DATA = 16
_UNSTORABLE = (TypeError, ValueError, OverflowError, RecursionError)


def name_step(error: ScriptError, task_spec: Any) -> ScriptError:
    """Add the step's name as people see it (the diagram's label, else its id)."""
    if task_spec is not None:
        error.details.setdefault("step", getattr(task_spec, "bpmn_name", None) or task_spec.name)
    return error


def dump_checked(dialect: str, workflow: Any, max_data_bytes: int) -> str:
    """The workflow's state as text, or a ScriptError naming the step that last ran."""
    try:
        state = dump_state(dialect, workflow)
    except _UNSTORABLE as exc:
        raise _unstorable(workflow, exc) from exc
    if len(state) > STATE_TIMES_DATA * max_data_bytes:
        raise _too_large(workflow, STATE_TIMES_DATA * max_data_bytes)
    return state


def checked_data(data: dict[str, Any], workflow: Any, max_data_bytes: int) -> dict[str, Any]:
    """The item's data as it will be saved, refused when it is over the limit or holds a
    number no database column takes (NaN, infinity)."""
    try:
        text = json.dumps(data, ensure_ascii=False, allow_nan=False)
    except _UNSTORABLE as exc:
        raise _unstorable(workflow, exc) from exc
    if len(text.encode()) > max_data_bytes:
        raise _too_large(workflow, max_data_bytes)
    return data


def _last_spec(workflow: Any) -> Any:
    task = workflow.last_task
    return task.task_spec if task is not None else None


def _unstorable(workflow: Any, exc: BaseException) -> ScriptError:
    spec = _last_spec(workflow)
    kind = _value_type(exc)
    error = ScriptError(
        f"a value of type {kind} cannot be saved ({exc.__class__.__name__}: {exc})",
        element_id=getattr(spec, "bpmn_id", None),
    )
    error.details.update(reason="unstorable_value", value_type=kind)
    return name_step(error, spec)


def _too_large(workflow: Any, limit: int) -> ScriptError:
    spec = _last_spec(workflow)
    error = ScriptError(
        f"the item's data would be larger than its limit of {shown_size(limit)}",
        element_id=getattr(spec, "bpmn_id", None),
    )
    error.details.update(reason="data_too_large", limit_bytes=limit)
    return name_step(error, spec)


def _value_type(exc: BaseException) -> str:
    """The type the serializer choked on, from its message where it says."""
    text = str(exc)
    if "float values are not JSON compliant" in text:
        return "float"
    for marker in ("Object of type ", "not "):
        if marker in text:
            return text.split(marker, 1)[1].split()[0].strip("'\",")
    if isinstance(exc, ValueError) and "integer string conversion" in text:
        return "int"
    if isinstance(exc, RecursionError):
        return "list"
    return "unknown"
