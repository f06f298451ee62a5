"""SpiffArena gives the tasks of a lane named for the initiator ("Process Initiator",
`process_initiator`) to whoever started the item, and the other lanes to their `lane_owners`.
Our own model, driven to its end on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import EngineConfig, ManualClock, SourceFile, transaction

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="pool" processRef="leave"/></bpmn:collaboration>
  <bpmn:process id="leave" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="{lane_id}" name="{lane_name}">
        <bpmn:flowNodeRef>s</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>owners</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>ask</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>confirm</bpmn:flowNodeRef>
      </bpmn:lane>
      <bpmn:lane id="heads" name="Heads">
        <bpmn:flowNodeRef>approve</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>e</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="owners">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>lane_owners = {{"Heads": ["binh"], "{lane_name}": ["binh"]}}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:manualTask id="ask"><bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:manualTask id="approve"><bpmn:incoming>f3</bpmn:incoming><bpmn:outgoing>f4</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:manualTask id="confirm"><bpmn:incoming>f4</bpmn:incoming><bpmn:outgoing>f5</bpmn:outgoing>
    </bpmn:manualTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f5</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="owners"/>
    <bpmn:sequenceFlow id="f2" sourceRef="owners" targetRef="ask"/>
    <bpmn:sequenceFlow id="f3" sourceRef="ask" targetRef="approve"/>
    <bpmn:sequenceFlow id="f4" sourceRef="approve" targetRef="confirm"/>
    <bpmn:sequenceFlow id="f5" sourceRef="confirm" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _next(factory: Any, item: int) -> engine.TaskView:
    with transaction(factory) as s:
        [task] = engine.open_tasks(s, item)
    return task


def _complete(factory: Any, config: EngineConfig, task: engine.TaskView, who: str) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, who, data={})


@pytest.mark.parametrize(
    ("lane_id", "lane_name"),
    [("process_initiator", "Process Initiator"), ("Lane_1", "ProcessInitiator")],
)
def test_the_initiator_lane_goes_to_the_starter(
    factory: Any, config: EngineConfig, clock: ManualClock, lane_id: str, lane_name: str
) -> None:
    diagram = DIAGRAM.format(lane_id=lane_id, lane_name=lane_name)
    with transaction(factory) as s:
        engine.add_user(s, "an")
        engine.add_user(s, "binh")
        engine.deploy(s, [SourceFile("leave.bpmn", diagram.encode())], clock)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "leave", "an")
    ask = _next(factory, item)
    assert (ask.element_id, ask.candidate_users) == ("ask", ["an"])  # not lane_owners' binh
    _complete(factory, config, ask, "an")
    approve = _next(factory, item)
    assert (approve.element_id, approve.candidate_users) == ("approve", ["binh"])
    _complete(factory, config, approve, "binh")
    confirm = _next(factory, item)
    assert confirm.candidate_users == ["an"]
    _complete(factory, config, confirm, "an")
    with transaction(factory) as s:
        assert engine.show_instance(s, item).status == "completed"
