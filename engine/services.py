"""Calling the operator's Python for service tasks, within a time limit, and turning what goes
wrong into an incident instead of a lost step.

A handler is trusted code (the operator's own module), but it must not hang an action nor leave
the item half-written. It runs in a thread of its own with a wall-clock limit
(`EngineConfig.service_seconds`): when the limit passes, the action goes on without it and an
exception is injected into the thread (CPython's `PyThreadState_SetAsyncExc`), which stops a
loop of Python code at its next step; a call blocked in C (a socket read) ends when the call
returns, and its result is thrown away. The handler sees a deep copy of the task's data, so
nothing it does reaches the item unless it returns it.
"""

from __future__ import annotations

import ctypes
import json
import threading
from collections.abc import Callable, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from .audit import append_event
from .errors import ScriptError
from .event_subprocesses import catcher
from .service_expressions import expression_code
from .task_locals import input_names
from .thrown_errors import MAX_ERROR_CODE, WorkerError, catch_at

__all__ = [
    "DEFAULT_SERVICE_SECONDS",
    "BpmnError",
    "Handler",
    "ServiceCall",
    "ServiceRunner",
    "note_service_calls",
]

DEFAULT_SERVICE_SECONDS = 10.0


@dataclass(frozen=True)
class ServiceCall:
    """What a service handler receives: `handler(call) -> dict | None`.

    `data` is a read-only view of a copy of the task's data; `params` the SpiffArena
    operator's parameters, evaluated (empty for Camunda tasks). The handler returns the
    variables to set (a dict of JSON values), or None to set nothing; where the model names a
    result variable (`camunda:resultVariable`, the operator's `resultVariable`), whatever it
    returns (any JSON value, None included) is stored under that name instead."""

    key: str
    element_id: str
    item_id: int | None
    process_id: str
    data: Mapping[str, Any]
    params: Mapping[str, Any] = field(default_factory=dict)


Handler = Callable[[ServiceCall], Mapping[str, Any] | None]


class BpmnError(Exception):
    """Raised by a handler for a business error (Camunda's `throw new BpmnError(code)`): the
    BPMN error `code` is thrown at the service task. An error boundary event of the task, an
    event subprocess, or those of a subprocess around it, that catches the code takes the
    item on from there, with `variables` set and the code and `message` in its
    `camunda:errorCodeVariable` / `errorMessageVariable`. Caught by none, the item is parked
    in error, as any failed call."""

    def __init__(
        self, code: str, message: str | None = None, variables: Mapping[str, Any] | None = None
    ) -> None:
        super().__init__(code if message is None else f"{code}: {message}")
        self.code = code
        self.message = message
        self.variables = variables


_MAX_MESSAGE = 4000


class ServiceTimeout(Exception):
    """Injected into a handler's thread once its time is up."""


@dataclass(frozen=True)
class _Record:
    element_id: str
    key: str
    noop: bool
    variables: tuple[str, ...]
    bpmn_error: str | None = None


class ServiceRunner:
    """Carried by one action's script engine: runs the handlers of the service tasks the
    engine steps reach, and remembers the calls and the first failure for `persist`."""

    def __init__(self, services: Mapping[str, Handler | None], seconds: float) -> None:
        self.services = services
        self.seconds = seconds
        self.item_id: int | None = None
        self.calls: list[_Record] = []
        self.incidents: list[ScriptError] = []
        # External tasks reached (task id, element id, topic, input parameters' values): left
        # to outside workers.
        self.external: list[tuple[str, str, str, dict[str, Any]]] = []
        # BPMN errors handlers threw, each with the task that catches it and the variables to
        # set: caught once the engine steps of the pass are done (`catch_thrown`).
        self.thrown: list[tuple[Any, WorkerError, dict[str, Any]]] = []

    def run(
        self, task: Any, key: str, params: Callable[[], dict[str, Any]], result: str | None
    ) -> bool | None:
        """Call the handler mapped to `key` with the task's parameters (`params()`, evaluated
        only for a call: an expression that fails there refuses the action like any other);
        True when the task may complete, False (the task is left in error, its data untouched)
        when the call became an incident; None (the task waits, STARTED) for an external task
        left to outside workers."""
        element = task.task_spec.bpmn_id
        if key not in self.services and key.startswith("topic:") and key != "topic:":
            # An external task no handler takes: it waits (STARTED) for an outside worker
            # (engine/external_tasks.py), as Camunda's external task clients do.
            inputs = {name: task.data[name] for name in input_names(task) if name in task.data}
            self.external.append((str(task.id), element, key.removeprefix("topic:"), inputs))
            return None
        code = None if key in self.services else expression_code(key)
        if code is not None:  # `${true}`: no handler, its value for a resultVariable
            value = task.workflow.script_engine.evaluate(task, code)
            if result:
                task.data[result] = value
            self.calls.append(_Record(element, key, True, (result,) if result else ()))
            return True
        if key not in self.services:
            return self._incident(
                element, key, "service_unmapped", f"no handler is mapped to '{key}'"
            )
        handler = self.services[key]
        if handler is None:
            self.calls.append(_Record(element, key, True, ()))
            return True
        call = ServiceCall(
            key=key,
            element_id=element,
            item_id=self.item_id,
            process_id=task.workflow.spec.name,
            data=MappingProxyType(deepcopy(dict(task.data))),
            params=MappingProxyType(params()),
        )
        try:
            value = self._call(handler, call)
        except ServiceTimeout:
            return self._incident(
                element,
                key,
                "service_timeout",
                f"the service '{key}' did not answer within {self.seconds:g} s",
            )
        except BpmnError as thrown:
            return self._throw(task, key, thrown)
        except Exception as exc:  # the operator's code may raise anything
            return self._incident(
                element,
                key,
                "service_failed",
                f"the service '{key}' failed: {exc.__class__.__name__}: {exc}",
            )
        if result:  # the model names where the answer goes: any JSON value, as it is
            stored, problem = _json_value(value)
            variables = {result: stored} if problem is None else {}
        else:
            variables, problem = _variables(value)
        if problem:
            return self._incident(
                element, key, "service_result", f"the service '{key}' returned {problem}"
            )
        task.data.update(variables)
        self.calls.append(_Record(element, key, False, tuple(sorted(variables))))
        return True

    def _call(self, handler: Handler, call: ServiceCall) -> Any:
        box: dict[str, Any] = {}
        finished = threading.Lock()  # held while the handler's thread is marked done

        def target() -> None:
            try:
                try:
                    box["value"] = handler(call)
                except BaseException as exc:  # handed to the waiting action
                    box["error"] = exc
                with finished:
                    box["done"] = True
            except ServiceTimeout:  # the limit's exception, arriving as the handler returned
                pass

        thread = threading.Thread(target=target, name=f"service {call.key}", daemon=True)
        thread.start()
        thread.join(self.seconds)
        with finished:
            if "done" not in box:
                # Never into a thread that has ended: its id may already be another's.
                _stop(thread)
                raise ServiceTimeout
        if "error" in box:
            error: BaseException = box["error"]
            if not isinstance(error, Exception):  # SystemExit, KeyboardInterrupt
                error = RuntimeError(f"{error.__class__.__name__} raised")
            raise error
        return box.get("value")

    def _throw(self, task: Any, key: str, thrown: BpmnError) -> bool | None:
        """The handler's BPMN error: the task waits (STARTED) for its catch, made after the
        engine's pass (the catch cancels the task, which its own run cannot); an incident
        where nothing catches it, or where the error is not one a model can name."""
        element = task.task_spec.bpmn_id
        code = thrown.code.strip() if isinstance(thrown.code, str) else ""
        message = thrown.message if isinstance(thrown.message, str) else None
        variables, problem = _variables(thrown.variables)
        if not code or len(code) > MAX_ERROR_CODE or "\x00" in code:
            problem = f"a BPMN error whose code is not 1 to {MAX_ERROR_CODE} characters"
        if problem:
            return self._incident(
                element, key, "service_result", f"the service '{key}' threw {problem}"
            )
        event = WorkerError(code, message.strip()[:_MAX_MESSAGE] if message else None)
        boundary = catcher(task.workflow, task, event)
        self.calls.append(_Record(element, key, False, tuple(sorted(variables)), code))
        if boundary is None:
            task.data.update(variables)  # as Camunda: set before the error, kept for a retry
            said = f": {event.message}" if event.message else ""
            return self._incident(
                element,
                key,
                "bpmn_error_uncaught",
                f"the service '{key}' threw the BPMN error '{code}', which no error event "
                f"catches{said}",
            )
        self.thrown.append((boundary, event, variables))
        return None

    def catch_thrown(self) -> bool:
        """Catch the BPMN errors the handlers threw in the engine's last pass; whether any
        was caught (the engine then runs on from the catching events)."""
        caught = False
        while self.thrown:
            boundary, event, variables = self.thrown.pop(0)
            if boundary.state != TaskState.WAITING:  # another catch took its place first
                continue
            catch_at(boundary, event, variables)
            caught = True
        return caught

    def _incident(self, element: str, key: str, reason: str, message: str) -> bool:
        error = ScriptError(message, element_id=element)
        error.details.update(reason=reason, key=key)
        self.incidents.append(error)
        return False


def _stop(thread: threading.Thread) -> None:
    if thread.ident is not None:
        ctypes.pythonapi.PyThreadState_SetAsyncExc(
            ctypes.c_ulong(thread.ident), ctypes.py_object(ServiceTimeout)
        )


def _variables(value: Any) -> tuple[dict[str, Any], str | None]:
    """The returned variables as plain JSON values, or what is wrong with them."""
    if value is None:
        return {}, None
    if not isinstance(value, Mapping):
        return {}, f"a {type(value).__name__}, not a dict of variables"
    if not all(isinstance(k, str) and k and not k.startswith("_") for k in value):
        return {}, "a variable name that is not a plain non-empty text"
    variables, problem = _json_value(dict(value))
    return (variables, None) if problem is None else ({}, problem)


def _json_value(value: Any) -> tuple[Any, str | None]:
    """The value as it will be stored (JSON), or why it cannot be."""
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return None, f"a value that cannot be stored as JSON ({exc})"
    return json.loads(text), None


def runner_of(workflow: Any) -> ServiceRunner | None:
    runner = getattr(workflow.script_engine, "services", None)
    return runner if isinstance(runner, ServiceRunner) else None


def bind_item(workflow: Any, item_id: int) -> None:
    """Tell the handlers which item they work for (known once the item's row exists)."""
    runner = runner_of(workflow)
    if runner is not None:
        runner.item_id = item_id


def note_service_calls(
    session: Session, instance: Any, workflow: Any, at: datetime
) -> ScriptError | None:
    """Write the action's service calls into the item's history; the first incident, if any,
    for the caller to park the item with (the failed task stays in error until a retry)."""
    runner = runner_of(workflow)
    if runner is None:
        return None
    for record in runner.calls:
        append_event(
            session,
            instance,
            at=at,
            actor=None,
            kind="service_called",
            element_id=record.element_id,
            details={
                "key": record.key,
                "noop": record.noop,
                "variables": list(record.variables),
                **({"bpmn_error": record.bpmn_error} if record.bpmn_error else {}),
            },
        )
    runner.calls.clear()
    incident = runner.incidents[0] if runner.incidents else None
    runner.incidents.clear()
    return incident
