"""Where a SpiffArena form's data lands. Dot notation in a task's JSON Schema form: a property
`grant.amount` fills `amount` inside the item's `grant`, which a later script reads; a dotted
name the form does not declare is refused like any other forged field. A user task's
`spiffworkflow:variableName` puts the whole form under that one name. Our own models, driven to
their end on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

import engine
from engine import EngineConfig, InvalidData, ManualClock, SourceFile, transaction

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="grant_request" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="fill_in" name="Fill in the grant">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="grant-schema.json"/>
        </spiffworkflow:properties>
        <spiffworkflow:variableName>{variable}</spiffworkflow:variableName>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:scriptTask id="total" scriptFormat="python">
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:script>{script}</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fill_in"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fill_in" targetRef="total"/>
    <bpmn:sequenceFlow id="f3" sourceRef="total" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""

SCHEMA = {
    "type": "object",
    "required": ["grant.amount", "grant.owner.name"],
    "properties": {
        "grant.amount": {"type": "integer", "minimum": 1},
        "grant.owner.name": {"type": "string"},
        "note": {"type": "string"},
    },
}


DOTTED_SCRIPT = """with_tax = grant["amount"] * 110 // 100
holder = grant["owner"]["name"]"""


def _deploy(factory: Any, clock: ManualClock, variable: str, script: str) -> Any:
    diagram = DIAGRAM.format(variable=variable, script=script)
    files = [
        SourceFile("grant.bpmn", diagram.encode()),
        SourceFile("grant-schema.json", json.dumps(SCHEMA).encode()),
    ]
    with transaction(factory) as s:
        engine.add_user(s, "an")
        engine.deploy(s, files, clock)
    return factory


@pytest.fixture
def deployed(factory: Any, clock: ManualClock) -> Any:
    return _deploy(factory, clock, "", DOTTED_SCRIPT)


def _open_task(factory: Any, config: EngineConfig) -> tuple[int, str]:
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "grant_request", "an")
    with transaction(factory) as s:
        [task] = engine.open_tasks(s, item)
    return item, task.id


def test_dotted_fields_fill_an_object_the_script_reads(deployed: Any, config: EngineConfig) -> None:
    item, task_id = _open_task(deployed, config)
    data = {"grant.amount": 200, "grant.owner.name": "Chi", "note": "urgent"}
    with transaction(deployed) as s:
        engine.complete_task(s, config, task_id, "an", data=data)
    with transaction(deployed) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert view.data["grant"] == {"amount": 200, "owner": {"name": "Chi"}}
    assert (view.data["with_tax"], view.data["holder"], view.data["note"]) == (220, "Chi", "urgent")


@pytest.mark.parametrize("forged", ["grant.secret", "grant.__class__", "other.amount"])
def test_a_dotted_name_the_form_does_not_declare_is_refused(
    deployed: Any, config: EngineConfig, forged: str
) -> None:
    item, task_id = _open_task(deployed, config)
    data = {"grant.amount": 5, "grant.owner.name": "An", forged: 1}
    with pytest.raises(InvalidData) as refused, transaction(deployed) as s:
        engine.complete_task(s, config, task_id, "an", data=data)
    assert forged in refused.value.fields
    with transaction(deployed) as s:
        assert engine.show_instance(s, item).status == "running"


def test_a_variable_name_keeps_the_form_under_it(
    factory: Any, clock: ManualClock, config: EngineConfig
) -> None:
    script = 'with_tax = request["grant"]["amount"] * 110 // 100'
    deployed = _deploy(factory, clock, "request", script)
    item, task_id = _open_task(deployed, config)
    data = {"grant.amount": 100, "grant.owner.name": "Dung"}
    with transaction(deployed) as s:
        engine.complete_task(s, config, task_id, "an", data=data)
    with transaction(deployed) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert view.data["request"] == {"grant": {"amount": 100, "owner": {"name": "Dung"}}}
    assert (view.data["with_tax"], "grant" in view.data) == (110, False)
