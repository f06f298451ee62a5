"""A signal an item throws reaches the other items waiting for it, in the thrower's own
transaction (engine/thrown_signals.py), as Camunda 7 broadcasts it; items that keep answering
each other's signals are stopped with an error and nothing is kept. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people, fixture_files


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_signals"), clock)
    return factory


def _start(factory: Any, config: engine.EngineConfig, process_id: str) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, process_id, "an")


def _status(factory: Any, item: int) -> tuple[str, list[str]]:
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    return view.status, sorted(t.element_id for t in view.open_tasks)


def test_thrown_signal__a_signal_end_event_reaches_the_items_waiting_for_it(
    office: Any, config: engine.EngineConfig
) -> None:
    waiting = [_start(office, config, "await_closing") for _ in range(2)]
    closing = _start(office, config, "close_office")
    with transaction(office) as s:
        [decide] = engine.tasks_for(s, "binh")
        engine.complete_task(s, config, decide.id, "binh")
    assert _status(office, closing) == ("completed", [])
    assert [_status(office, item) for item in waiting] == [("running", ["lock_up"])] * 2
    with transaction(office) as s:
        history = engine.show_instance(s, waiting[0]).history
    assert [h.kind for h in history if h.kind == "signal_received"] == ["signal_received"]


def test_thrown_signal__items_answering_each_other_forever_are_stopped(
    office: Any, config: engine.EngineConfig
) -> None:
    first, second = _start(office, config, "echo_ping"), _start(office, config, "echo_pong")
    with pytest.raises(engine.Conflict) as looped, transaction(office) as s:
        engine.broadcast_signal(s, config, "ping", "an")
    assert looped.value.details["reason"] == "signal_loop"
    with transaction(office) as s:  # nothing kept: both still wait for their first ping
        histories = [engine.show_instance(s, item).history for item in (first, second)]
    assert all("signal_received" not in [h.kind for h in h_] for h_ in histories)


def test_thrown_signal__a_loop_of_events_alone_is_refused_at_deploy(
    factory: Any, clock: ManualClock
) -> None:
    """Catch, throw, back to the catch with nothing between: SpiffWorkflow's look ahead went
    round it without end and the item could not start (a RecursionError)."""
    [source] = fixture_files("camunda_signals/echo_ping.bpmn")
    text = source.content.decode()
    looped = text.replace(
        'targetRef="again" />\n  </bpmn:process>', 'targetRef="hear" />\n  </bpmn:process>'
    )
    looped = looped.replace("<bpmn:incoming>f_said</bpmn:incoming>", "")
    looped = looped.replace(
        "<bpmn:incoming>f_wait</bpmn:incoming>",
        "<bpmn:incoming>f_wait</bpmn:incoming><bpmn:incoming>f_said</bpmn:incoming>",
    )
    assert looped != text
    with transaction(factory) as s, pytest.raises(engine.InvalidDefinition) as refused:
        engine.deploy(s, [engine.SourceFile("loop.bpmn", looped.encode())], clock)
    assert refused.value.details["reason"] == "loop_without_gateway"
    assert refused.value.details["element_id"] in ("hear", "answer")


def test_thrown_signal__a_loop_through_tasks_without_a_choosing_gateway_is_refused(
    factory: Any, clock: ManualClock
) -> None:
    """A → B → A with no exclusive gateway: no item of it could ever start either."""
    looped = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="lp" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a" />
    <bpmn:userTask id="a" name="A" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="b" />
    <bpmn:userTask id="b" name="B" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f3" sourceRef="b" targetRef="a" />
  </bpmn:process>
</bpmn:definitions>"""
    with transaction(factory) as s, pytest.raises(engine.InvalidDefinition) as refused:
        engine.deploy(s, [engine.SourceFile("loop.bpmn", looped)], clock)
    assert refused.value.details["reason"] == "loop_without_gateway"
    assert refused.value.details["element_id"] in ("a", "b")


def test_thrown_signal__a_conditional_flow_back_is_a_loop_that_chooses(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """A review task whose conditional "returned" flow goes back to the draft, with no gateway
    drawn (a common Camunda model): the task chooses, so it deploys and runs round once."""
    model = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
 xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="rv" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="a" />
    <bpmn:userTask id="a" name="Draft" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f2" sourceRef="a" targetRef="r" />
    <bpmn:userTask id="r" name="Review" camunda:assignee="binh">
      <bpmn:extensionElements><camunda:formData>
        <camunda:formField id="ok" label="OK" type="boolean" />
      </camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="back" sourceRef="r" targetRef="a">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${!ok}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="on" sourceRef="r" targetRef="e">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">${ok}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("review.bpmn", model)], clock)
        item = engine.start_instance(s, config, "rv", "an")
    for who, element, data in (("an", "a", {}), ("binh", "r", {"ok": False}), ("an", "a", {})):
        with transaction(factory) as s:
            [task] = [t for t in engine.open_tasks(s, item) if t.element_id == element]
            engine.complete_task(s, config, task.id, who, data=data)
    with transaction(factory) as s:
        [task] = engine.open_tasks(s, item)
        assert task.element_id == "r"
        engine.complete_task(s, config, task.id, "binh", data={"ok": True})
    with transaction(factory) as s:
        assert engine.show_instance(s, item).status == "completed"


def test_thrown_signal__caught_in_its_own_item_and_in_the_others(
    office: Any, config: engine.EngineConfig
) -> None:
    """A broadcast reaches every waiting item, the thrower's own catch among them: one caught
    at home was not sent to the others."""
    waiting = _start(office, config, "await_closing")
    closing = _start(office, config, "close_and_tidy")
    with transaction(office) as s:
        [decide] = engine.tasks_for(s, "binh")
        engine.complete_task(s, config, decide.id, "binh")
    assert _status(office, closing) == ("running", ["tidy"])
    assert _status(office, waiting) == ("running", ["lock_up"])
