"""Message throw and end events as Camunda 7 models write them: without a payload expression
the message is thrown with none (SpiffWorkflow evaluated the missing expression and the item
stopped on an AttributeError); implemented like a service task (`camunda:class` on the
messageEventDefinition), Camunda runs the implementation instead of throwing, which only a
send task does here: refused at deploy, naming the event. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import EngineConfig, ManualClock, SourceFile, transaction
from tests.conftest import add_people

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
    ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">'
    '<bpmn:message id="m_done" name="OrderDone" />'
    '<bpmn:process id="notify" isExecutable="true">'
    '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tell" />'
)
THROW = (
    '<bpmn:intermediateThrowEvent id="tell"><bpmn:messageEventDefinition id="tell_def"'
    ' messageRef="m_done"{implemented} /></bpmn:intermediateThrowEvent>'
    '<bpmn:sequenceFlow id="f2" sourceRef="tell" targetRef="work" />'
    '<bpmn:userTask id="work" camunda:assignee="an" />'
    '<bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="e" />'
    '<bpmn:endEvent id="e"><bpmn:messageEventDefinition id="e_def" messageRef="m_done" />'
    "</bpmn:endEvent></bpmn:process></bpmn:definitions>"
)


def _deploy(factory: Any, clock: ManualClock, implemented: str = "") -> None:
    xml = HEAD + THROW.format(implemented=implemented)
    with transaction(factory) as s:
        engine.deploy(s, [SourceFile("notify.bpmn", xml.encode())], clock)


def test_message_throws__a_message_without_payload_is_thrown_and_the_item_goes_on(
    factory: Any, clock: ManualClock, config: EngineConfig
) -> None:
    add_people(factory)
    _deploy(factory, clock)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "notify", "an")
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
        assert (view.status, view.error) == ("running", None)
        (task,) = view.open_tasks
        assert task.element_id == "work"
        engine.complete_task(s, config, task.id, "an")
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
        assert (view.status, view.error) == ("completed", None)  # by the message end event


@pytest.mark.parametrize(
    "implemented",
    [
        ' camunda:class="vn.shop.Notify"',
        ' camunda:delegateExpression="${notifier}"',
        ' camunda:type="external" camunda:topic="notify"',
    ],
)
def test_message_throws__one_implemented_like_a_service_task_is_refused_at_deploy(
    factory: Any, clock: ManualClock, implemented: str
) -> None:
    with pytest.raises(engine.InvalidDefinition) as refused:
        _deploy(factory, clock, implemented)
    details = refused.value.details
    assert (details["reason"], details["element_id"]) == ("message_event_implemented", "tell")
    assert "send task" in refused.value.message
