"""`pheduyet check` shows what to fix in one run: each of a diagram's own checks gives its first
refusal and every refused script is named, where a deploy stops at the first (a public Camunda 7
model took six runs of check, one problem a run)."""

from __future__ import annotations

import engine
from engine import SourceFile

MANY = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="nhieu_loi" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="tinh" />
    <bpmn:scriptTask id="tinh" scriptFormat="python"><bpmn:script>import os</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="tinh" targetRef="tinh2" />
    <bpmn:scriptTask id="tinh2" scriptFormat="python"><bpmn:script>x = (</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="tinh2" targetRef="cho" />
    <bpmn:receiveTask id="cho" />
    <bpmn:sequenceFlow id="f4" sourceRef="cho" targetRef="nhap" />
    <bpmn:userTask id="nhap" camunda:assignee="an"><bpmn:extensionElements><camunda:formData>
      <camunda:formField id="cccd" type="string"><camunda:validation>
        <camunda:constraint name="validator" config="com.example.Cccd" />
      </camunda:validation></camunda:formField></camunda:formData></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f5" sourceRef="nhap" targetRef="duyet" />
    <bpmn:userTask id="duyet" camunda:formKey="embedded:app:forms/duyet.html" />
    <bpmn:sequenceFlow id="f6" sourceRef="duyet" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_check__names_every_check_s_refusal_in_one_run() -> None:
    report = engine.check_definitions([SourceFile("nhieu_loi.bpmn", MANY.encode())])
    found = [(p.element_id, p.reason) for p in report.problems]
    assert found == [
        ("tinh", "script_refused"),
        ("tinh2", "script_syntax"),
        ("cho", "receive_without_message"),
        ("nhap", "form_constraint_unsupported"),
        ("duyet", "form_missing"),  # read after the others: no longer a run of its own
    ]
    assert report.processes == ()
