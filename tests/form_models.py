"""Small SpiffArena-dialect diagrams written for a test: user tasks one after another, each with
its JSON Schema form file if it has one (what the tests of forms' own keys share)."""

from __future__ import annotations

import json
from itertools import pairwise
from typing import Any

from engine import SourceFile

_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions'
    ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d"'
    ' targetNamespace="x">'
)
_FORM = (
    "<bpmn:extensionElements><spiffworkflow:properties>"
    '<spiffworkflow:property name="formJsonSchemaFilename" value="{form}" />'
    "</spiffworkflow:properties></bpmn:extensionElements>"
)


def steps_model(
    process_id: str, steps: list[tuple[str, str, dict[str, Any] | None]]
) -> list[SourceFile]:
    """The diagram `process_id` of user tasks (id, name, form or None) in order, and the forms'
    files (`<id>.json`), ready to deploy."""
    nodes = ["s", *(step_id for step_id, _name, _form in steps), "e"]
    body = ['<bpmn:startEvent id="s" />']
    files = []
    for step_id, name, form in steps:
        extensions = _FORM.format(form=f"{step_id}.json") if form is not None else ""
        body.append(f'<bpmn:userTask id="{step_id}" name="{name}">{extensions}</bpmn:userTask>')
        if form is not None:
            files.append(SourceFile(f"{step_id}.json", json.dumps(form).encode()))
    body.append('<bpmn:endEvent id="e" />')
    body += [
        f'<bpmn:sequenceFlow id="f{n}" sourceRef="{a}" targetRef="{b}" />'
        for n, (a, b) in enumerate(pairwise(nodes))
    ]
    xml = f'{_HEAD}<bpmn:process id="{process_id}" isExecutable="true">{"".join(body)}'
    return [
        SourceFile(f"{process_id}.bpmn", (xml + "</bpmn:process></bpmn:definitions>").encode()),
        *files,
    ]


def camunda_form_step(process_id: str, fields: str, assignee: str = "an") -> SourceFile:
    """A Camunda Modeler diagram of one user task `check`, held by `assignee`, whose form is the
    `camunda:formField` elements given."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
        ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">'
        f'<bpmn:process id="{process_id}" isExecutable="true"><bpmn:startEvent id="s" />'
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />'
        f'<bpmn:userTask id="check" camunda:assignee="{assignee}"><bpmn:extensionElements>'
        f"<camunda:formData>{fields}</camunda:formData></bpmn:extensionElements></bpmn:userTask>"
        '<bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e" /><bpmn:endEvent id="e" />'
        "</bpmn:process></bpmn:definitions>"
    )
    return SourceFile(f"{process_id}.bpmn", xml.encode())
