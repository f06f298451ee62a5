"""What SpiffWorkflow 3.2's event parsers leave unread, read here for both dialects.

- A start event reads a message, a signal, a timer or a condition only: an event subprocess's
  error or escalation start was read as a plain start, and the event subprocess ran as soon as
  the item started (engine/event_subprocesses.py starts it when the event comes). Whether
  such a start interrupts is noted in its `extensions` (which the serializer keeps).
- An end event reads a message, a cancel, an error, an escalation or a termination: a signal
  end event was read as a plain end, and its signal never thrown (engine/thrown_signals.py
  sends a thrown signal to the other items).

Registered through the parsers' `OVERRIDE_PARSER_CLASSES` (engine/service_specs.py).
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    TIMER_EVENT_XPATH,
)
from SpiffWorkflow.camunda.parser.event_parsers import (
    CamundaEndEventParser,
    CamundaStartEventParser,
)
from SpiffWorkflow.spiff.parser.event_parsers import SpiffEndEventParser, SpiffStartEventParser

from .event_subprocesses import INTERRUPTING_KEY, in_event_subprocess

_PLAIN_STARTS = [
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TIMER_EVENT_XPATH,
    CONDITIONAL_EVENT_XPATH,
]
_EVENT_STARTS = [*_PLAIN_STARTS, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH]
_ENDS = [
    MESSAGE_EVENT_XPATH,
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
]


def _start_event(parser: Any) -> Any:
    """As SpiffWorkflow's StartEventParser.create_task, with an event subprocess's error or
    escalation start read."""
    inner = in_event_subprocess(parser.node)
    definition = parser.get_event_definition(_EVENT_STARTS if inner else _PLAIN_STARTS)
    task = parser._create_task(definition)
    parser.spec.start.connect(task)
    return task


def _noted(parser: Any, extensions: Any) -> Any:
    """The start event's extensions, with whether it interrupts when it starts an event
    subprocess (SpiffWorkflow sets a task's extensions after it is made)."""
    if isinstance(extensions, dict) and in_event_subprocess(parser.node):
        said = (parser.node.get("isInterrupting") or "true").strip().lower()
        extensions[INTERRUPTING_KEY] = said != "false"
    return extensions


def _end_event(parser: Any) -> Any:
    """As SpiffWorkflow's EndEventParser.create_task, with a signal end read."""
    task = parser._create_task(parser.get_event_definition(_ENDS))
    task.connect(parser.spec.end)
    return task


class CamundaEventStartParser(CamundaStartEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _start_event(self)

    def parse_extensions(self, node: Any = None) -> Any:
        found = super().parse_extensions(node)
        return found if node is not None else _noted(self, found)


class SpiffEventStartParser(SpiffStartEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _start_event(self)

    def parse_extensions(self, node: Any = None) -> Any:
        found = super().parse_extensions(node)
        return found if node is not None else _noted(self, found)


class CamundaSignalEndParser(CamundaEndEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _end_event(self)


class SpiffSignalEndParser(SpiffEndEventParser):  # type: ignore[misc]
    def create_task(self) -> Any:
        return _end_event(self)
