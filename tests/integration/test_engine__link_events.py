"""Link events, as Camunda 7 runs them: a throw named N goes on at the catch named N of its
process or sub-process, the item's data kept (SpiffWorkflow read neither: the item ended
"completed" at the throw, its data gone). A throw without its catch, or a name two catches
carry, is refused at deploy."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, SourceFile, transaction
from tests.conftest import add_people

LINKED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="noi" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="truoc" />
    <bpmn:userTask id="truoc" name="Trước" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f2" sourceRef="truoc" targetRef="den_b" />
    <bpmn:intermediateThrowEvent id="den_b">
      <bpmn:linkEventDefinition name="B" />
    </bpmn:intermediateThrowEvent>
    <bpmn:intermediateCatchEvent id="tu_a">
      <bpmn:linkEventDefinition name="B" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="tu_a" targetRef="sau" />
    <bpmn:userTask id="sau" name="Sau" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f4" sourceRef="sau" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def _open(factory: Any, item: int) -> list[str]:
    with transaction(factory) as s:
        return [t.element_id for t in engine.open_tasks(s, item)]


def test_link_events__the_flow_goes_on_at_the_catch(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [SourceFile("noi.bpmn", LINKED.encode())], clock)
        item = engine.start_instance(s, config, "noi", "an", data={"so_ho_so": "HS-7"})
    with transaction(factory) as s:
        [first] = engine.open_tasks(s, item)
        engine.complete_task(s, config, first.id, "an")
    assert _open(factory, item) == ["sau"]
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    assert (view.status, view.data["so_ho_so"]) == ("running", "HS-7")


@pytest.mark.parametrize(
    ("change", "reason", "element"),
    [
        (
            ('<bpmn:linkEventDefinition name="B" />', '<bpmn:linkEventDefinition name="C" />', 1),
            "link_unmatched",
            "den_b",
        ),
        (
            (
                "</bpmn:process>",
                '<bpmn:intermediateCatchEvent id="tu_x"><bpmn:linkEventDefinition '
                'name="B" /></bpmn:intermediateCatchEvent></bpmn:process>',
                1,
            ),
            "link_catch_twice",
            "tu_x",
        ),
    ],
)
def test_link_events__a_throw_without_its_one_catch_is_refused(
    factory: Any, clock: ManualClock, change: tuple[str, str, int], reason: str, element: str
) -> None:
    model = LINKED.replace(*change)
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, [SourceFile("noi.bpmn", model.encode())], clock)
    assert (refused.value.details["reason"], refused.value.details["element_id"]) == (
        reason,
        element,
    )
