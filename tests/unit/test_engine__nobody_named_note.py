"""`pheduyet check` notes a Camunda user task that names nobody: Camunda shows it to whoever may
see every task, here it waits for the group its lane names (which must exist), else for the
person who started the item. A task that names someone, and a SpiffArena model's lanes, are
not noted."""

from __future__ import annotations

from lxml import etree

from engine.definition_notes import definition_notes

MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:collaboration id="c"><bpmn:participant id="p" processRef="hiring" /></bpmn:collaboration>
  <bpmn:process id="hiring" isExecutable="true">
    <bpmn:laneSet id="ls">
      <bpmn:lane id="lane_head" name="Head of unit"><bpmn:flowNodeRef>decide</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:userTask id="decide" name="Decide" />
    <bpmn:userTask id="apply" name="Apply" />
    <bpmn:userTask id="review" name="Review" camunda:candidateGroups="hr" />
  </bpmn:process>
</bpmn:definitions>
"""


def test_nobody_named__a_camunda_task_waits_for_its_lane_or_its_starter() -> None:
    notes = definition_notes("hiring.bpmn", etree.fromstring(MODEL))
    assert [(element, note) for _file, element, _line, note in notes] == [
        (
            "decide",
            "the task names no assignee or candidates: it waits for the group its lane names, "
            '"Head of unit": a group of that key or name must exist (or give it '
            "camunda:candidateGroups)",
        ),
        (
            "apply",
            "the task names no assignee or candidates: it waits for the person who started the "
            "item (or give it camunda:candidateGroups)",
        ),
    ]


def test_nobody_named__a_spiffarena_models_lanes_are_its_own() -> None:
    spiff = MODEL.replace(b'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"', b"").replace(
        b' camunda:candidateGroups="hr"', b""
    )
    assert definition_notes("hiring.bpmn", etree.fromstring(spiff)) == []
