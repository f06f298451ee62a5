"""Diagrams as SpiffArena's own tools write them, though BPMN 2.0's schema would refuse them:
an empty `ioSpecification`, and a script task whose unit tests were appended after its script
(`extensionElements` last). SpiffArena runs them; so does the engine. Our own model, driven to
its end on SQLite and PostgreSQL, with the script's line still named when it fails."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import EngineConfig, ManualClock, ScriptError, SourceFile, transaction

DIAGRAM = """<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="t">
  <bpmn:process id="tally" isExecutable="true">
    <bpmn:ioSpecification />
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:scriptTask id="count_votes">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:script>yes = len([v for v in votes if v == "yes"])
passed = yes * 2 > len(votes)</bpmn:script>
    <bpmn:extensionElements><ns0:unitTests xmlns:ns0="http://spiffworkflow.org/bpmn/schema/1.0/core"><ns0:unitTest id="t1"><ns0:inputJson>{"votes": ["yes"]}</ns0:inputJson><ns0:expectedOutputJson>{"votes": ["yes"], "yes": 1, "passed": true}</ns0:expectedOutputJson></ns0:unitTest></ns0:unitTests></bpmn:extensionElements></bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="count_votes"/>
    <bpmn:sequenceFlow id="f2" sourceRef="count_votes" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""  # noqa: E501  (the unit tests on one line, as SpiffArena writes them)


@pytest.fixture
def deployed(factory: Any, clock: ManualClock) -> Any:
    with transaction(factory) as s:
        engine.add_user(s, "an")
        engine.deploy(s, [SourceFile("tally.bpmn", DIAGRAM.encode())], clock)
    return factory


def _start(factory: Any, config: EngineConfig, **data: Any) -> engine.InstanceView:
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "tally", "an", data=data)
    with transaction(factory) as s:
        return engine.show_instance(s, item)


@pytest.mark.parametrize(
    ("votes", "passed"), [(["yes", "yes", "no"], True), (["no", "yes"], False)]
)
def test_the_model_spiff_arena_wrote_runs_to_its_end(
    deployed: Any, config: EngineConfig, votes: list[str], passed: bool
) -> None:
    view = _start(deployed, config, votes=votes)
    assert (view.status, view.data["passed"]) == ("completed", passed)


def test_its_script_failing_still_names_the_task(deployed: Any, config: EngineConfig) -> None:
    with pytest.raises(ScriptError) as refused:
        _start(deployed, config, votes=None)
    assert refused.value.details["element_id"] == "count_votes"
    assert "'NoneType' object is not iterable" in refused.value.message
