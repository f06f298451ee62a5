"""Camunda 7 constructs older than Camunda Modeler that the engine still runs, rewritten in
place, as soon as a Camunda diagram is read, into the forms the rest of the engine reads:

- BPMN's own `potentialOwner` and `humanPerformer` on a user task become `camunda:candidate…`
  and `camunda:assignee`, as Camunda reads them (`user(x)` and `group(x)` name candidates, a
  bare name is a group);
- `camunda:formProperty` (the forms of Activiti and Camunda 7.0) becomes `camunda:formData`:
  `name` the label, `required`, `writable="false"` read-only, `default` or a `${…}` value the
  default, the `camunda:value` choices of an enum."""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

_ASSIGNMENT = f"{{{BPMN}}}resourceAssignmentExpression/{{{BPMN}}}formalExpression"
_OWNER = re.compile(r"^\s*(user|group)\s*\(\s*(.*?)\s*\)\s*$")


def modernize_camunda(root: Any) -> None:
    """Rewrite a Camunda diagram's legacy assignments and forms in place (see above)."""
    for task in root.iter(f"{{{BPMN}}}userTask"):
        _assignments(task)
    for element in list(root.iter(f"{{{BPMN}}}userTask", f"{{{BPMN}}}startEvent")):
        _form_properties(element)


def _camunda(name: str) -> str:
    return f"{{{CAMUNDA_NS}}}{name}"


def _assignments(task: Any) -> None:
    for performer in task.iterfind(f"{{{BPMN}}}humanPerformer"):
        text = (performer.findtext(_ASSIGNMENT) or "").strip()
        if text and not task.get(_camunda("assignee")):
            task.set(_camunda("assignee"), text)
    users: list[str] = []
    groups: list[str] = []
    for owner in task.iterfind(f"{{{BPMN}}}potentialOwner"):
        text = (owner.findtext(_ASSIGNMENT) or "").strip()
        for part in _parts(text):
            found = _OWNER.match(part)
            kind, name = (found.group(1), found.group(2)) if found else ("group", part)
            (users if kind == "user" else groups).append(name)
    for attribute, names in (("candidateUsers", users), ("candidateGroups", groups)):
        if names and not task.get(_camunda(attribute)):
            task.set(_camunda(attribute), ", ".join(names))


def _parts(text: str) -> list[str]:
    """Comma-separated owners; a comma inside `${…}` or `(…)` belongs to its expression."""
    parts, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char in "({":
            depth += 1
        elif char in ")}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _form_properties(element: Any) -> None:
    extensions = element.find(f"{{{BPMN}}}extensionElements")
    if extensions is None:
        return
    legacy = extensions.findall(_camunda("formProperty"))
    if not legacy:
        return
    form = extensions.find(_camunda("formData"))
    if form is None:
        form = etree.SubElement(extensions, _camunda("formData"))
    for prop in legacy:
        field = etree.SubElement(form, _camunda("formField"), id=prop.get("id") or "")
        field.set("label", prop.get("name") or prop.get("id") or "")
        field.set("type", prop.get("type") or "string")
        default = prop.get("default") or prop.get("value") or prop.get("expression")
        if default:
            field.set("defaultValue", default)
        constraints = [
            name
            for name, wanted in (("required", "required"), ("readonly", "writable"))
            if (prop.get(wanted) or "").strip().lower()
            == ("true" if name == "required" else "false")
        ]
        if constraints:
            validation = etree.SubElement(field, _camunda("validation"))
            for name in constraints:
                etree.SubElement(validation, _camunda("constraint"), name=name)
        for value in prop.iterfind(_camunda("value")):
            etree.SubElement(
                field, _camunda("value"), id=value.get("id") or "", name=value.get("name") or ""
            )
        field.sourceline = prop.sourceline
        extensions.remove(prop)
