"""What a diagram may not ask for, checked when it is deployed: timers that reach too far or
repeat without waiting, loops over more instances than the limit, processes that call
themselves, due dates outside any sane year, and decision tables whose expressions the sandbox
refuses. Each refusal names the file, the element and the line."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from lxml import etree

from .errors import InvalidDefinition
from .graphs import find_cycle
from .limits import OutOfBounds, check_moment, duration_after, parse_cycle, parse_moment
from .quartz_cron import looks_like_quartz, parse_quartz
from .sandbox import SandboxViolation, compile_script
from .task_meta import TaskMeta
from .timer_events import normalize_timer_expression
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS, FLOW_SCOPES

_TIMER_KINDS = {"timeDate": "date", "timeDuration": "duration", "timeCycle": "cycle"}
# Spiff's DMN engine puts the input value where a `?` stands outside quotes.
_QUESTION_MARK = re.compile(r"(\?)(?=(?:[^'\"]|['\"][^'\"]*['\"])*$)")

_NOT_OWNERS = frozenset(
    {
        "extensionElements",
        "script",
        "conditionExpression",
        "property",
        "timeDuration",
        "timeDate",
        "timeCycle",
        "timerEventDefinition",
        "standardLoopCharacteristics",
        "multiInstanceLoopCharacteristics",
        "loopCondition",
        "loopCardinality",
        "completionCondition",
    }
)


# A literal date or duration is checked for its years only, which read the same on any
# office's clock.
_ANY_ZONE = UTC


def owner_id(element: Any) -> str | None:
    """The id of the flow element (task, flow, event) a piece of code belongs to."""
    node = element
    while node is not None:
        name = etree.QName(node)
        if node.get("id") and name.namespace in (BPMN, None) and name.localname not in _NOT_OWNERS:
            return str(node.get("id"))
        node = node.getparent()
    return None


def strip_el(text: str) -> str:
    """`${expr}` (as Camunda Modeler writes an expression) becomes `expr`."""
    text = text.strip()
    if text.startswith("${") and text.endswith("}"):
        return text[2:-1].strip()
    return text


def _literal(source: str) -> Any:
    """The value of an expression that is a plain literal, else None."""
    try:
        return ast.literal_eval(source.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def check_timers(file_name: str, root: Any, now: datetime) -> None:
    """A literal timer (P3D, 2026-06-30, R/P1D) within the bounds; one computed from data is
    checked when it runs."""
    for tag, kind in _TIMER_KINDS.items():
        for element in root.iter(f"{{{BPMN}}}{tag}"):
            value = _literal(normalize_timer_expression(element.text or ""))
            if not isinstance(value, str):
                _refuse_computed_start(file_name, element)
                continue
            try:
                if kind == "duration":
                    duration_after(value, now, _ANY_ZONE)
                elif kind == "date":
                    check_moment(parse_moment(value, _ANY_ZONE), now)
                elif looks_like_quartz(value):
                    parse_quartz(value)
                else:
                    parse_cycle(value, now, _ANY_ZONE)
            except OutOfBounds as exc:
                raise InvalidDefinition(
                    f"refused timer {kind}: {exc}",
                    file=file_name,
                    element_id=owner_id(element),
                    line=element.sourceline,
                    reason="timer_bounds",
                    timer=value,
                    detail=str(exc),
                ) from exc


def _refuse_computed_start(file_name: str, element: Any) -> None:
    """A process's own timer start event (an event subprocess's is read in its item) with a
    value computed from data: there is no item yet to read it from."""
    start = element.getparent().getparent()
    if start.tag == f"{{{BPMN}}}startEvent" and start.getparent().tag == f"{{{BPMN}}}process":
        raise InvalidDefinition(
            f"the timer start event's value {(element.text or '').strip()} is an expression: a "
            "process starts items by itself only at a time written in the diagram (an ISO 8601 "
            "date, duration or repeating interval, or a Quartz cron)",
            file=file_name,
            element_id=start.get("id"),
            line=element.sourceline,
            reason="timer_start_expression",
        )


def check_receive_tasks(file_name: str, root: Any) -> None:
    """A receive task without a message waits, in Camunda 7, for Java code to move it on
    (RuntimeService.signal/trigger); nothing here can, and passing through it would skip the
    wait: refused, naming the task."""
    for task in root.iter(f"{{{BPMN}}}receiveTask"):
        if not task.get("messageRef"):
            raise InvalidDefinition(
                "a receive task without a message waits for Camunda's Java API to move it on, "
                "which nothing here can do: give it a message (then `pheduyet message send`) "
                "or make it a user task",
                file=file_name,
                element_id=task.get("id"),
                line=task.sourceline,
                reason="receive_without_message",
            )


def check_compensation(file_name: str, root: Any) -> None:
    """Compensation (a compensation event, an activity marked for compensation) undoes steps
    already done; SpiffWorkflow cannot run it: refused, naming the element, instead of the
    library's own words (a Python exception and the element's XML)."""
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        compensating = tag == f"{{{BPMN}}}compensateEventDefinition"
        if compensating or element.get("isForCompensation") in ("true", "1"):
            owner = element.getparent() if compensating else element
            raise InvalidDefinition(
                "compensation (a compensation event, or an activity marked for compensation) "
                "is not run by this engine: model the undoing as ordinary steps, e.g. an error "
                "boundary event followed by the steps that undo",
                file=file_name,
                element_id=owner.get("id"),
                line=element.sourceline,
                reason="compensation_unsupported",
            )


# The constraints of a Camunda form field that are checked here (camunda:validation).
_CONSTRAINTS = frozenset({"required", "readonly", "min", "max", "minlength", "maxlength"})


def check_form_constraints(file_name: str, root: Any) -> None:
    """A form field's constraint that is not checked here (a `validator`, which runs a Java
    class in Camunda 7, or a name of none) would let any value through unseen: refused,
    naming the field, rather than taken and never run."""
    path = f"{{{CAMUNDA_NS}}}validation/{{{CAMUNDA_NS}}}constraint"
    for field in root.iter(f"{{{CAMUNDA_NS}}}formField"):
        for constraint in field.iterfind(path):
            name = (constraint.get("name") or "").strip()
            if name in _CONSTRAINTS:
                continue
            config = constraint.get("config") or ""
            raise InvalidDefinition(
                f"the form field '{field.get('id')}' asks for the constraint '{name}'"
                + (f" ({config})" if config else "")
                + ", which this engine does not check: check the value after the step (a "
                "gateway, a script task) or keep to required, readonly, min, max, minlength "
                "and maxlength",
                file=file_name,
                element_id=owner_id(field),
                line=constraint.sourceline,
                reason="form_constraint_unsupported",
                field=field.get("id"),
                constraint=name,
            )


# What makes a message event run Java code in Camunda 7 instead of throwing its message.
_IMPLEMENTED = ("class", "delegateExpression", "expression", "type")


def check_message_throws(file_name: str, root: Any) -> None:
    """A message throw or end event implemented like a service task (`camunda:class`, an
    expression, an external topic on its messageEventDefinition) behaves, in Camunda 7, as a
    service task; here a handler is called from a service or send task only, and throwing the
    message instead would skip the call: refused, naming the event and what to make of it."""
    for kind in ("intermediateThrowEvent", "endEvent"):
        for event in root.iter(f"{{{BPMN}}}{kind}"):
            for definition in event.iter(f"{{{BPMN}}}messageEventDefinition"):
                if any(definition.get(f"{{{CAMUNDA_NS}}}{name}") for name in _IMPLEMENTED):
                    raise InvalidDefinition(
                        "a message event implemented like a service task (camunda:class, "
                        "delegateExpression, expression or an external topic) runs that "
                        "implementation in Camunda 7: make it a send task with the same "
                        "implementation, which calls the handler mapped in PHEDUYET_SERVICES",
                        file=file_name,
                        element_id=event.get("id"),
                        line=definition.sourceline,
                        reason="message_event_implemented",
                    )


# An event's or a task's reference -> the kind of root element it must name.
_REFERENCES = {
    "messageRef": "message",
    "errorRef": "error",
    "signalRef": "signal",
    "escalationRef": "escalation",
}


def check_references(file_name: str, root: Any) -> None:
    """Every message, error, signal and escalation an event or a task names is declared in its
    file (Camunda Modeler leaves a dangling id when the declaration is deleted); refused,
    naming what is missing, before the library trips over it without saying what."""
    declared = {
        kind: {str(e.get("id")) for e in root.iter(f"{{{BPMN}}}{kind}")}
        for kind in _REFERENCES.values()
    }
    for element in root.iter(f"{{{BPMN}}}*"):
        # What the engine reads: event definitions' and message tasks' references (SpiffArena's
        # modeler writes a stray `messageRef="[object Object]"` on the start event itself).
        if not _is_event_definition(element) and etree.QName(element).localname not in (
            "receiveTask",
            "sendTask",
        ):
            continue
        for attribute, kind in _REFERENCES.items():
            ref = element.get(attribute)
            if ref and ref not in declared[kind]:
                # An event's definition is named by its event, as the modeler shows it.
                named = element.getparent() if _is_event_definition(element) else element
                raise InvalidDefinition(
                    f"it names the {kind} '{ref}', which this file does not declare: choose "
                    f"the {kind} again in the modeler, or declare it",
                    file=file_name,
                    element_id=owner_id(named),
                    line=element.sourceline,
                    reason="reference_unknown",
                    kind=kind,
                    ref=ref,
                )


def check_error_boundaries(file_name: str, root: Any) -> None:
    """An error boundary event always interrupts its activity (BPMN 2.0, as in Camunda): one
    marked otherwise (`cancelActivity="false"`) would leave the activity waiting for ever once
    its error was caught. Refused, naming the event."""
    for event in root.iter(f"{{{BPMN}}}boundaryEvent"):
        if event.find(f"{{{BPMN}}}errorEventDefinition") is None:
            continue
        if (event.get("cancelActivity") or "true").strip().lower() == "false":
            raise InvalidDefinition(
                "an error boundary event always interrupts its activity: remove "
                'cancelActivity="false" (tick "Interrupting" in the modeler)',
                file=file_name,
                element_id=event.get("id"),
                line=event.sourceline,
                reason="error_boundary_not_interrupting",
            )


# Where SpiffWorkflow's look ahead stops on a loop: a gateway that chooses.
_CHOOSING_GATEWAYS = frozenset(
    {"exclusiveGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
)
_NOT_NODES = frozenset({"sequenceFlow", "laneSet", "documentation", "extensionElements"})


def check_flow_loops(file_name: str, root: Any) -> None:
    """A loop of sequence flows with no gateway that chooses on it (through tasks, events, a
    parallel gateway) sends SpiffWorkflow's look ahead round it without end: no item of the
    process could start (a RecursionError). Refused, naming an element of the loop."""
    scopes = [scope for tag in FLOW_SCOPES for scope in root.iter(f"{{{BPMN}}}{tag}")]
    for scope in scopes:
        nodes = {
            child.get("id"): child
            for child in scope
            if isinstance(child.tag, str)
            and etree.QName(child).namespace == BPMN
            and etree.QName(child).localname not in _CHOOSING_GATEWAYS | _NOT_NODES
            and child.get("id")
        }
        ids = list(nodes)
        index = {node_id: n for n, node_id in enumerate(ids)}
        following: list[list[int]] = [[] for _ in ids]
        flows = scope.findall(f"{{{BPMN}}}sequenceFlow")
        # An element with a conditional flow out chooses (implicit_splits puts an inclusive
        # gateway there): a review task's "returned" flow back to the draft is a loop it can end.
        condition = f"{{{BPMN}}}conditionExpression"
        choosing = {f.get("sourceRef") for f in flows if f.find(condition) is not None}
        for flow in flows:
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            if source in index and target in index and source not in choosing:
                following[index[source]].append(index[target])
        found = find_cycle(following)
        if found is not None:
            looped = ids[found]
            raise InvalidDefinition(
                f"the flow from '{looped}' comes back to it with no exclusive gateway on the "
                "way: no item could start (the engine's look ahead would go round it without "
                "end); put an exclusive gateway on the loop",
                file=file_name,
                element_id=looped,
                line=nodes[looped].sourceline,
                reason="loop_without_gateway",
            )


def _is_event_definition(element: Any) -> bool:
    return str(etree.QName(element).localname).endswith("EventDefinition")


def check_loops(file_name: str, root: Any, limit: int) -> None:
    """A literal loop cardinality or loop maximum up to the limit of instances."""
    counts: list[tuple[Any, str, Any]] = []
    for element in root.iter(f"{{{BPMN}}}loopCardinality"):
        counts.append((element, "loop cardinality", _literal(strip_el(element.text or ""))))
    for element in root.iter(f"{{{BPMN}}}standardLoopCharacteristics"):
        if element.get("loopMaximum"):
            counts.append((element, "loop maximum", _literal(element.get("loopMaximum"))))
    for element, what, value in counts:
        if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= limit:
            raise InvalidDefinition(
                f"the {what} is {value:,}; a task may run at most {limit:,} instances",
                file=file_name,
                element_id=owner_id(element),
                line=element.sourceline,
                reason="loop_bounds",
                value=value,
                limit=limit,
            )


def check_due_dates(file_name: str, tasks: Iterable[TaskMeta], now: datetime) -> None:
    """A literal due date (dueDate="2026-06-30") is a date within the bounds."""
    for meta in tasks:
        text = meta.due_date
        if not text or text.startswith("${"):
            continue
        try:
            check_moment(parse_moment(text, _ANY_ZONE), now)
        except OutOfBounds as exc:
            raise InvalidDefinition(
                f"refused due date: {exc}",
                file=file_name,
                element_id=meta.element_id,
                line=meta.line,
                reason="due_date_bounds",
                due_date=text,
                detail=str(exc),
            ) from exc


def check_call_cycles(processes: Mapping[str, tuple[str, Any, bool]]) -> None:
    """Refuse a process that calls itself, directly or through other processes.

    `processes` maps each process id to (its file, its <process> element, whether the file was
    given now); a cycle is reported at a call activity of a given file where there is one.
    """
    calls: dict[str, list[tuple[str, Any]]] = {
        pid: [
            (str(call.get("calledElement")), call)
            for call in element.iter(f"{{{BPMN}}}callActivity")
            if call.get("calledElement")
        ]
        for pid, (_, element, _) in processes.items()
    }
    ordered = sorted(processes, key=lambda pid: not processes[pid][2])
    for start in ordered:
        path = _cycle_from(start, calls)
        if path is None:
            continue
        target, call = path[0]
        chain = " → ".join([start, *(step for step, _ in path)])
        if target == start:
            message = f"the call activity calls its own process '{start}'"
        else:
            message = (
                f"the call activity calls process '{target}', which calls '{start}' again ({chain})"
            )
        raise InvalidDefinition(
            message + ": a process may not call itself, directly or through others",
            file=processes[start][0],
            element_id=call.get("id"),
            line=call.sourceline,
            reason="call_cycle",
            chain=chain,
        )


def _cycle_from(start: str, calls: Mapping[str, list[tuple[str, Any]]]) -> Any:
    """The calls of a path from `start` back to `start`, or None: an iterative depth-first
    search, so a long chain of calls cannot exhaust the stack."""
    seen: set[str] = set()
    stack: list[tuple[str, list[tuple[str, Any]]]] = [(start, [])]
    while stack:
        pid, path = stack.pop()
        for target, call in calls.get(pid, []):
            step = [*path, (target, call)]
            if target == start:
                return step
            if target not in seen:
                seen.add(target)
                stack.append((target, step))
    return None


def check_decisions(file_name: str, root: Any) -> None:
    """Every expression of a DMN decision table compiled through the sandbox, as Spiff's DMN
    engine will run it: input expressions and output entries as they are, input entries as
    the test Spiff builds from them (`input == entry`, `input < 100`, or with `?`)."""
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        kind = etree.QName(element).localname
        if kind not in ("inputExpression", "inputEntry", "outputEntry"):
            continue
        text_node = next(
            (c for c in element if isinstance(c.tag, str) and etree.QName(c).localname == "text"),
            None,
        )
        source = (text_node.text or "").strip() if text_node is not None else ""
        if not source or (kind == "inputEntry" and source == "-"):
            continue
        for expression in _decision_forms(kind, source):
            try:
                compile_script(expression, "eval")
            except (SandboxViolation, SyntaxError) as exc:
                raise InvalidDefinition(
                    f"refused decision expression {source!r}: {exc}",
                    file=file_name,
                    element_id=element.get("id"),
                    line=(text_node if text_node is not None else element).sourceline,
                    reason="decision_expression",
                    expression=source,
                    detail=str(exc),
                ) from exc


def _decision_forms(kind: str, source: str) -> list[str]:
    if kind != "inputEntry":
        return [source]
    if _QUESTION_MARK.search(source):
        return [_QUESTION_MARK.sub("dmninputexpr", source)]
    try:
        ast.parse(source)
    except SyntaxError:
        return [f"dmninputexpr {source}"]
    return [f"(dmninputexpr) == ({source})"]
