"""Event subprocesses of a Camunda model (engine/event_subprocesses.py): one started by an
error waits for it (it ran as soon as the item started), and interrupts the rest of the
process; one started by an escalation that does not interrupt runs beside it. On SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

import engine
from engine import ManualClock, SourceFile, transaction
from engine.subscriptions import WaitingEventModel as Wait
from tests.conftest import add_people, fixture_files


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_event_subprocesses"), clock)
    return factory


def _start(factory: Any, config: engine.EngineConfig, process_id: str) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, process_id, "an")


def _step(factory: Any, config: engine.EngineConfig, who: str, **data: Any) -> None:
    with transaction(factory) as s:
        [task] = engine.tasks_for(s, who)
        engine.complete_task(s, config, task.id, who, data=data)


def _open(factory: Any, item: int) -> tuple[str, list[str]]:
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    return view.status, sorted(t.element_id for t in view.open_tasks)


def test_event_subprocess__an_error_start_waits_for_the_error_and_interrupts(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "budget_error")
    assert _open(office, item) == ("running", ["watch", "work"])  # no "handle" yet
    _step(office, config, "an", over=True)  # the error end event: BUDGET
    # The event subprocess runs; the watch on the other branch is withdrawn.
    assert _open(office, item) == ("running", ["handle"])
    with transaction(office) as s:
        assert engine.tasks_for(s, "chi") == []
    _step(office, config, "binh")
    assert _open(office, item) == ("completed", [])
    with transaction(office) as s:  # the item keeps its data (it once ended with none)
        assert engine.show_instance(s, item).data["over"] is True
    # The version's next item waits for the error again (SpiffWorkflow's own trigger changed
    # the spec they share, and every later item started the event subprocess at once).
    later = _start(office, config, "budget_error")
    assert _open(office, later) == ("running", ["watch", "work"])


def test_event_subprocess__without_the_error_it_never_runs(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "budget_error")
    _step(office, config, "an", over=False)
    _step(office, config, "chi")
    assert _open(office, item) == ("completed", [])
    with transaction(office) as s:
        done = [h.element_id for h in engine.show_instance(s, item).history if h.element_id]
    assert "handle" not in done


def test_event_subprocess__an_escalation_that_does_not_interrupt_runs_beside(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "ask_help")
    assert _open(office, item) == ("running", ["draft"])
    _step(office, config, "an")  # then the escalation HELP is thrown
    assert _open(office, item) == ("running", ["finish", "help"])
    _step(office, config, "binh")
    assert _open(office, item) == ("running", ["finish"])
    _step(office, config, "an")
    assert _open(office, item) == ("completed", [])


def _wrapped(start_definition: str | None = None) -> engine.SourceFile:
    """budget_error's work, watch and event subprocess inside an embedded subprocess "wrap",
    which a step "report" follows; with `start_definition`, the event subprocess's start
    event has that definition instead of its error."""
    [source] = fixture_files("camunda_event_subprocesses/budget_error.bpmn")
    xml = source.content.decode()
    head, rest = xml.split('isExecutable="true">', 1)
    body, tail = rest.rsplit("</bpmn:process>", 1)
    xml = (
        head.replace('id="budget_error"', 'id="wrapped_budget"')
        + 'isExecutable="true"><bpmn:startEvent id="outer_start" />'
        + '<bpmn:sequenceFlow id="o_start" sourceRef="outer_start" targetRef="wrap" />'
        + f'<bpmn:subProcess id="wrap">{body}</bpmn:subProcess>'
        + '<bpmn:sequenceFlow id="o_wrapped" sourceRef="wrap" targetRef="report" />'
        + '<bpmn:userTask id="report" name="Report" camunda:assignee="an" />'
        + '<bpmn:sequenceFlow id="o_reported" sourceRef="report" targetRef="outer_end" />'
        + '<bpmn:endEvent id="outer_end" /></bpmn:process>'
        + tail
    )
    if start_definition is not None:
        xml = xml.replace(
            '<bpmn:errorEventDefinition id="budget_start_def" errorRef="err_budget" />',
            start_definition,
        )
    return engine.SourceFile("wrapped_budget.bpmn", xml.encode())


def test_event_subprocess__inside_a_subprocess_handles_the_error_thrown_there(
    office: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """An error thrown inside an embedded subprocess starts that subprocess's own event
    subprocess (Camunda's scope): the rest of the subprocess is withdrawn, and once the
    overrun is handled the subprocess ends and the process goes on."""
    with transaction(office) as s:
        engine.deploy(s, [_wrapped()], clock)
    item = _start(office, config, "wrapped_budget")
    assert _open(office, item) == ("running", ["watch", "work"])
    _step(office, config, "an", over=True)
    assert _open(office, item) == ("running", ["handle"])
    _step(office, config, "binh")
    assert _open(office, item) == ("running", ["report"])
    _step(office, config, "an")
    assert _open(office, item) == ("completed", [])


def test_event_subprocess__one_started_by_a_message_inside_a_subprocess_is_refused(
    factory: Any, clock: ManualClock
) -> None:
    """A message is correlated to the top of an item's process only: such an event
    subprocess inside another would never start."""
    nested = _wrapped('<bpmn:messageEventDefinition id="budget_start_def" />')
    with transaction(factory) as s, pytest.raises(engine.InvalidDefinition) as refused:
        engine.deploy(s, [nested], clock)
    assert refused.value.details["element_id"] == "on_budget"
    assert "starts on a message inside another subprocess" in refused.value.message


def test_event_subprocess__a_signal_runs_one_beside_and_a_message_interrupts(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "cancel_request")
    with transaction(office) as s:
        rows = s.execute(select(Wait.kind, Wait.name).where(Wait.instance_id == item))
        waits = {(kind, name) for kind, name in rows}
    assert waits == {("message", "withdraw_request"), ("signal", "audit_started")}
    with transaction(office) as s:
        sent = engine.broadcast_signal(s, config, "audit_started", None)
    assert sent.received == (item,)
    assert _open(office, item) == ("running", ["review", "show"])
    with transaction(office) as s:
        sent = engine.correlate_message(s, config, "withdraw_request", None)
    assert sent.received == (item,)
    # Withdrawn: the review and the audit's step are withdrawn, the filing opens.
    assert _open(office, item) == ("running", ["archive"])
    with transaction(office) as s, pytest.raises(engine.NotFound):  # interrupting: once
        engine.correlate_message(s, config, "withdraw_request", None)
    _step(office, config, "an")
    assert _open(office, item) == ("completed", [])


def test_event_subprocess__in_a_called_process_handles_its_error_there(
    office: Any, config: engine.EngineConfig
) -> None:
    """The called process's own event subprocess catches the error its work throws (as
    Camunda does: the call activity has no boundary event): its other step is withdrawn, and
    once the overrun is handled the called process ends and the caller goes on."""
    item = _start(office, config, "call_budget")
    assert _open(office, item) == ("running", ["watch", "work"])
    _step(office, config, "an", over=True)
    assert _open(office, item) == ("running", ["handle"])
    with transaction(office) as s:
        assert engine.tasks_for(s, "chi") == []
    _step(office, config, "binh")
    assert _open(office, item) == ("running", ["report"])
    _step(office, config, "an")
    assert _open(office, item) == ("completed", [])


def _rethrowing(process_id: str) -> engine.SourceFile:
    """budget_error as `process_id`, whose event subprocess, once the overrun is handled,
    throws the error again (an error end event)."""
    [source] = fixture_files("camunda_event_subprocesses/budget_error.bpmn")
    xml = source.content.decode().replace('id="budget_error"', f'id="{process_id}"')
    handled = (
        '<bpmn:endEvent id="handled">\n        <bpmn:incoming>f_handled</bpmn:incoming>\n'
        "      </bpmn:endEvent>"
    )
    assert handled in xml
    rethrown = (
        '<bpmn:endEvent id="handled"><bpmn:incoming>f_handled</bpmn:incoming>'
        '<bpmn:errorEventDefinition id="rethrown" errorRef="err_budget" /></bpmn:endEvent>'
    )
    return engine.SourceFile(f"{process_id}.bpmn", xml.replace(handled, rethrown).encode())


def _guarded_call(process_id: str, called: str) -> engine.SourceFile:
    """A call of `called` with an error boundary event for BUDGET that opens "escalated"."""
    [source] = fixture_files("camunda_event_subprocesses/call_budget.bpmn")
    xml = source.content.decode().replace('id="call_budget"', f'id="{process_id}"')
    xml = xml.replace('calledElement="budget_error"', f'calledElement="{called}"')
    guard = (
        '<bpmn:boundaryEvent id="overrun_left" attachedToRef="do_work">'
        '<bpmn:errorEventDefinition id="overrun_left_def" errorRef="err_b" /></bpmn:boundaryEvent>'
        '<bpmn:sequenceFlow id="f_left" sourceRef="overrun_left" targetRef="escalated" />'
        '<bpmn:userTask id="escalated" camunda:assignee="chi" />'
        '<bpmn:sequenceFlow id="f_escalated" sourceRef="escalated" targetRef="end" />'
        "</bpmn:process>"
    )
    xml = xml.replace("</bpmn:process>", guard).replace(
        "<bpmn:process ", '<bpmn:error id="err_b" errorCode="BUDGET" /><bpmn:process '
    )
    return engine.SourceFile(f"{process_id}.bpmn", xml.encode())


def test_event_subprocess__an_error_it_throws_again_goes_to_the_caller(
    office: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """The called process's event subprocess handles the overrun, then throws it again: the
    call activity's boundary event takes it (the event subprocess never catches its own: it
    started itself again without end); at the top, caught by none, its path just ends."""
    with transaction(office) as s:
        engine.deploy(
            s, [_rethrowing("budget_rethrow"), _guarded_call("guarded", "budget_rethrow")], clock
        )
    item = _start(office, config, "guarded")
    _step(office, config, "an", over=True)
    assert _open(office, item) == ("running", ["handle"])
    _step(office, config, "binh")
    assert _open(office, item) == ("running", ["escalated"])
    alone = _start(office, config, "budget_rethrow")
    _step(office, config, "an", over=True)
    _step(office, config, "binh")
    assert _open(office, alone) == ("completed", [])


CONDITIONAL_START = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
  targetNamespace="x">
  <bpmn:process id="dk" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="t" />
    <bpmn:userTask id="t" />
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="e" />
    <bpmn:endEvent id="e" />
    <bpmn:subProcess id="khi_du" triggeredByEvent="true">
      <bpmn:startEvent id="ks" isInterrupting="false">
        <bpmn:conditionalEventDefinition><bpmn:condition>${du == 1}</bpmn:condition>
        </bpmn:conditionalEventDefinition>
      </bpmn:startEvent>
      <bpmn:sequenceFlow id="k1" sourceRef="ks" targetRef="ke" />
      <bpmn:endEvent id="ke" />
    </bpmn:subProcess>
  </bpmn:process>
</bpmn:definitions>"""


def test_event_subprocesses__one_started_by_a_condition_is_refused() -> None:
    """Nothing here watches a condition for an event subprocess: it was taken and never ran."""
    report = engine.check_definitions([SourceFile("dk.bpmn", CONDITIONAL_START.encode())])
    [problem] = report.problems
    assert (problem.reason, problem.element_id) == ("event_subprocess_conditional", "khi_du")
