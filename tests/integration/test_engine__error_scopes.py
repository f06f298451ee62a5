"""Where an error or escalation thrown by an end event is caught (engine.event_subprocesses
.catcher): by the boundary event of the activity it was thrown in — an embedded subprocess, one
nested in another, a call activity, a multi-instance or looping activity with one run or several
— interrupting or not; the rest of the activity's runs are withdrawn with it. On SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
    ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn"'
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d_{pid}" targetNamespace="x">'
    '<bpmn:error id="err_bad" name="Bad" errorCode="BAD" />'
    '<bpmn:escalation id="esc_help" name="Help" escalationCode="HELP" />'
    '<bpmn:process id="{pid}" isExecutable="true">'
)
TAIL = "</bpmn:process></bpmn:definitions>"
ERROR = '<bpmn:errorEventDefinition id="{id}" errorRef="err_bad" />'
ESCALATION = '<bpmn:escalationEventDefinition id="{id}" escalationRef="esc_help" />'
ASKED = (
    '<bpmn:extensionElements><camunda:formData><camunda:formField id="bad" label="Bad"'
    ' type="boolean" /></camunda:formData></bpmn:extensionElements>'
)
CALL = (
    '<bpmn:callActivity id="act" calledElement="{called}"><bpmn:extensionElements>'
    '<camunda:in variables="all" /><camunda:out variables="all" /></bpmn:extensionElements>'
    "{loop}</bpmn:callActivity>"
)


def _work(p: str, thrown: str) -> str:
    """A step "an" does, then the end event that throws when she says it went bad."""
    return (
        f'<bpmn:startEvent id="{p}s" /><bpmn:sequenceFlow id="{p}f1" sourceRef="{p}s"'
        f' targetRef="{p}w" /><bpmn:userTask id="{p}w" camunda:assignee="an">{ASKED}'
        f'</bpmn:userTask><bpmn:sequenceFlow id="{p}f2" sourceRef="{p}w" targetRef="{p}g" />'
        f'<bpmn:exclusiveGateway id="{p}g" default="{p}f4" />'
        f'<bpmn:sequenceFlow id="{p}f3" sourceRef="{p}g" targetRef="{p}x">'
        '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${bad}'
        f'</bpmn:conditionExpression></bpmn:sequenceFlow><bpmn:endEvent id="{p}x">'
        f"{thrown.format(id=p + 'thrown')}</bpmn:endEvent>"
        f'<bpmn:sequenceFlow id="{p}f4" sourceRef="{p}g" targetRef="{p}e" />'
        f'<bpmn:endEvent id="{p}e" />'
    )


def _around(pid: str, activity: str, caught: str, interrupting: bool = True) -> str:
    """The activity "act", then "after"; its boundary event opens "caught" (binh's)."""
    cancel = "true" if interrupting else "false"
    return (
        HEAD.format(pid=pid)
        + '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="act" />'
        + activity
        + '<bpmn:sequenceFlow id="f2" sourceRef="act" targetRef="after" />'
        '<bpmn:userTask id="after" camunda:assignee="an" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="e" /><bpmn:endEvent id="e" />'
        f'<bpmn:boundaryEvent id="b" attachedToRef="act" cancelActivity="{cancel}">'
        f"{caught.format(id='b_def')}</bpmn:boundaryEvent>"
        '<bpmn:sequenceFlow id="f5" sourceRef="b" targetRef="caught" />'
        '<bpmn:userTask id="caught" camunda:assignee="binh" />'
        '<bpmn:sequenceFlow id="f6" sourceRef="caught" targetRef="e2" /><bpmn:endEvent id="e2" />'
        + TAIL
    )


def _loop(cardinality: int, sequential: bool = False) -> str:
    return (
        f'<bpmn:multiInstanceLoopCharacteristics isSequential="{str(sequential).lower()}">'
        f"<bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>"
        "</bpmn:multiInstanceLoopCharacteristics>"
    )


def _sub(thrown: str, loop: str = "") -> str:
    return f'<bpmn:subProcess id="act">{loop}{_work("i_", thrown)}</bpmn:subProcess>'


def _called(pid: str, thrown: str) -> engine.SourceFile:
    return engine.SourceFile(
        f"{pid}.bpmn", (HEAD.format(pid=pid) + _work("c_", thrown) + TAIL).encode()
    )


def _model(pid: str, activity: str, caught: str) -> engine.SourceFile:
    return engine.SourceFile(f"{pid}.bpmn", _around(pid, activity, caught).encode())


NESTED = (
    '<bpmn:subProcess id="act"><bpmn:startEvent id="o_s" />'
    '<bpmn:sequenceFlow id="o_f" sourceRef="o_s" targetRef="inner" />'
    '<bpmn:subProcess id="inner">{work}</bpmn:subProcess>'
    '<bpmn:sequenceFlow id="o_f2" sourceRef="inner" targetRef="o_e" /><bpmn:endEvent id="o_e" />'
    "</bpmn:subProcess>"
)
LOOPING = (
    '<bpmn:subProcess id="act"><bpmn:standardLoopCharacteristics loopMaximum="2">'
    '<bpmn:loopCondition xsi:type="bpmn:tFormalExpression">${{bad}}</bpmn:loopCondition>'
    "</bpmn:standardLoopCharacteristics>{work}</bpmn:subProcess>"
)
CASES: dict[str, Callable[[], list[engine.SourceFile]]] = {
    "subprocess": lambda: [_model("subprocess", _sub(ERROR), ERROR)],
    "nested": lambda: [_model("nested", NESTED.format(work=_work("i_", ERROR)), ERROR)],
    "called": lambda: [
        _called("called_bad", ERROR),
        _model("called", CALL.format(called="called_bad", loop=""), ERROR),
    ],
    "escalated": lambda: [_model("escalated", _sub(ESCALATION), ESCALATION)],
    "one_run": lambda: [_model("one_run", _sub(ERROR, _loop(1)), ERROR)],
    "one_turn": lambda: [_model("one_turn", _sub(ERROR, _loop(1, sequential=True)), ERROR)],
    "two_runs": lambda: [_model("two_runs", _sub(ERROR, _loop(2)), ERROR)],
    "two_calls": lambda: [
        _called("called_twice", ERROR),
        _model("two_calls", CALL.format(called="called_twice", loop=_loop(2)), ERROR),
    ],
    "looping": lambda: [_model("looping", LOOPING.format(work=_work("i_", ERROR)), ERROR)],
}


@pytest.fixture
def office(factory: Any) -> Any:
    add_people(factory)
    return factory


def _open(factory: Any, item: int) -> tuple[str, list[str]]:
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    return view.status, sorted(t.element_id for t in view.open_tasks)


def _step(factory: Any, config: engine.EngineConfig, **data: Any) -> None:
    with transaction(factory) as s:
        first = engine.tasks_for(s, "an")[0]
        engine.complete_task(s, config, first.id, "an", data=data)


@pytest.mark.parametrize("case", sorted(CASES))
def test_error_scopes__the_activitys_boundary_event_catches(
    office: Any, clock: ManualClock, config: engine.EngineConfig, case: str
) -> None:
    with transaction(office) as s:
        engine.deploy(s, CASES[case](), clock)
        item = engine.start_instance(s, config, case, "an")
    _step(office, config, bad=True)
    assert _open(office, item) == ("running", ["caught"])  # every run of the activity gone


def test_error_scopes__an_escalation_that_does_not_interrupt_lets_the_work_go_on(
    office: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    middle = (
        '<bpmn:subProcess id="act"><bpmn:startEvent id="c_s" />'
        '<bpmn:sequenceFlow id="c_f1" sourceRef="c_s" targetRef="c_w" />'
        '<bpmn:userTask id="c_w" camunda:assignee="an" />'
        '<bpmn:sequenceFlow id="c_f2" sourceRef="c_w" targetRef="c_t" />'
        f'<bpmn:intermediateThrowEvent id="c_t">{ESCALATION.format(id="c_td")}'
        "</bpmn:intermediateThrowEvent>"
        '<bpmn:sequenceFlow id="c_f3" sourceRef="c_t" targetRef="c_w2" />'
        '<bpmn:userTask id="c_w2" camunda:assignee="an" />'
        '<bpmn:sequenceFlow id="c_f4" sourceRef="c_w2" targetRef="c_e" />'
        '<bpmn:endEvent id="c_e" /></bpmn:subProcess>'
    )
    xml = _around("asks_help", middle, ESCALATION, interrupting=False)
    with transaction(office) as s:
        engine.deploy(s, [engine.SourceFile("asks_help.bpmn", xml.encode())], clock)
        item = engine.start_instance(s, config, "asks_help", "an")
    _step(office, config)
    assert _open(office, item) == ("running", ["c_w2", "caught"])


def test_error_scopes__the_escalation_code_reaches_the_catcher_s_variable(
    office: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """`camunda:escalationCodeVariable` on the boundary event that catches an escalation gets
    its code, as `errorCodeVariable` gets an error's."""
    caught = ESCALATION.replace("/>", ' camunda:escalationCodeVariable="why" />')
    xml = _around("escalated_code", _sub(ESCALATION), caught)
    with transaction(office) as s:
        engine.deploy(s, [engine.SourceFile("escalated_code.bpmn", xml.encode())], clock)
        item = engine.start_instance(s, config, "escalated_code", "an")
    _step(office, config, bad=True)
    assert _open(office, item) == ("running", ["caught"])
    with transaction(office) as s:
        assert engine.show_instance(s, item).data["why"] == "HELP"
