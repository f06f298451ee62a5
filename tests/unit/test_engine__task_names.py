"""A step's name as drawn in one line: Camunda Modeler keeps the line breaks typed into a
label ("Prepare&#10;Bank Transfer", in Camunda's invoice example), which split the rows of
`pheduyet tasks`, a mail's subject and a cell of the Excel export."""

from __future__ import annotations

from lxml import etree

from engine.task_meta import read_task_meta

XML = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:userTask id="t" name="  Prepare&#10;Bank   Transfer&#10;" camunda:assignee="an"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_task_names__a_name_drawn_on_two_lines_is_one_line() -> None:
    (meta,) = read_task_meta(etree.fromstring(XML), "camunda").values()
    assert meta.name == "Prepare Bank Transfer"
