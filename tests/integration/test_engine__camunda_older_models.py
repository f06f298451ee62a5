"""Camunda 7 models written before Camunda Modeler: a plain BPMN file whose loop count and
completion condition are JUEL (no camunda: attribute to tell its dialect), and Camunda 7.0's
own namespace `http://camunda.org/bpmn`, run as Camunda runs them (each deployed, then every
start failed with "SyntaxError: invalid syntax")."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, SourceFile, transaction
from tests.conftest import add_people

PLAIN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" {camunda}
  id="d" targetNamespace="Examples">
  <process id="mi" isExecutable="true">
    <startEvent id="s" />
    <sequenceFlow id="f1" sourceRef="s" targetRef="vote" />
    <userTask id="vote" name="Biểu quyết" {assignee}>
      <multiInstanceLoopCharacteristics isSequential="false">
        <loopCardinality>${{5}}</loopCardinality>
        <completionCondition>${{nrOfCompletedInstances/nrOfInstances >= 0.5}}</completionCondition>
      </multiInstanceLoopCharacteristics>
    </userTask>
    <sequenceFlow id="f2" sourceRef="vote" targetRef="e" />
    <endEvent id="e" />
  </process>
</definitions>"""


@pytest.mark.parametrize(
    ("camunda", "assignee"),
    [
        ("", ""),  # no extension at all
        ('xmlns:camunda="http://camunda.org/bpmn"', 'camunda:assignee="an"'),  # Camunda 7.0
    ],
)
def test_older_models__a_loop_written_in_juel_runs(
    factory: Any, clock: ManualClock, config: engine.EngineConfig, camunda: str, assignee: str
) -> None:
    add_people(factory)
    model = PLAIN.format(camunda=camunda, assignee=assignee)
    with transaction(factory) as s:
        engine.deploy(s, [SourceFile("mi.bpmn", model.encode())], clock)
        item = engine.start_instance(s, config, "mi", "an")
        votes = engine.open_tasks(s, item)
    assert len(votes) == 5
    if assignee:
        assert {v.assignee for v in votes} == {"an"}
    for vote in votes[:3]:  # half of them and one more: the vote is over
        with transaction(factory) as s:
            engine.complete_task(s, config, vote.id, "an")
    with transaction(factory) as s:
        assert engine.show_instance(s, item).status == "completed"
