"""What the engine needs to know about each human task that SpiffWorkflow does not keep: owners
(lane, candidate groups and users, assignee, possibly as expressions), form, due date, and the
field that carries the decision. Read straight from the XML, the same way for both dialects."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace
from typing import Any

from lxml import etree

from .gateway_fields import gateway_fields
from .juel_parser import JuelRefused, has_expression, translate, translate_name
from .model_forms import form_file_of_key, ref_file
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS, FLOW_SCOPES, SPIFF_NS

HUMAN_TASKS = ("userTask", "manualTask")
DEFAULT_DECISION_FIELD = "decision"
TASK_KIND = "task"
# A process's start event with a form: not a step anyone acts on, only the labels of the data
# an item starts with.
START_KIND = "start"


@dataclass(frozen=True)
class TaskMeta:
    scope_id: str
    element_id: str
    name: str
    line: int | None
    lane: str | None = None
    candidate_groups: str | None = None
    candidate_users: str | None = None
    assignee: str | None = None
    form_file: str | None = None
    # What the model wrote (`camunda:formKey` or `camunda:formRef`), for a refusal's words.
    form_key: str | None = None
    form_fields: tuple[dict[str, Any], ...] = ()
    due_date: str | None = None
    due_in_working_days: str | None = None
    decision_field: str = DEFAULT_DECISION_FIELD
    documentation: str | None = None
    kind: str = TASK_KIND
    # Step wording: the submit button ("Gửi ý kiến") and the message once done; both optional.
    submit_label: str | None = None
    done_message: str | None = None
    # The step's words when the process sends it straight back to its person ("{loi_gui}": why
    # the consultation cannot go out as chosen), filled from the item; empty: it went on.
    sent_back_message: str | None = None
    # A Camunda task's name written with JUEL ("Confirm the score of ${customer}"): its Python,
    # evaluated on the item's data when the task opens (its row's title); None for plain text.
    name_code: str | None = None
    # A start form's `camunda:formData businessKey`: the field whose value is the item's
    # business key (the `business_key` messages are correlated by).
    business_key_field: str | None = None

    @property
    def key(self) -> str:
        return meta_key(self.scope_id, self.element_id)

    @property
    def step_name(self) -> str:
        """The step's name for all its tasks at once (a listing by step): a JUEL name's
        expressions shown as "…" ("Vote of …"), which each task fills with its own data."""
        return _EXPRESSION.sub("…", self.name) if self.name_code else self.name

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["form_fields"] = list(self.form_fields)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskMeta:
        data = dict(data)
        data["form_fields"] = tuple(data.get("form_fields") or ())
        return cls(**data)


_EXPRESSION = re.compile(r"[$#]\{[^}]*\}")


def meta_key(scope_id: str, element_id: str) -> str:
    return f"{scope_id}/{element_id}"


def read_task_meta(root: Any, dialect: str) -> dict[str, TaskMeta]:
    lanes = _lanes(root)
    declared = {
        str(f.get("id"))
        for f in root.iter(f"{{{CAMUNDA_NS}}}formField", f"{{{CAMUNDA_NS}}}formProperty")
    }
    found: dict[str, TaskMeta] = {}
    for tag in HUMAN_TASKS:
        for element in root.iter(f"{{{BPMN}}}{tag}"):
            meta = _meta(element, dialect, lanes, declared)
            found[meta.key] = meta
    for element in root.iter(f"{{{BPMN}}}startEvent"):
        start = _meta(element, dialect, lanes, declared)
        parent = element.getparent()
        top = etree.QName(parent).localname == "process" if parent is not None else False
        if top and (start.form_file or start.form_fields):
            start = replace(start, kind=START_KIND)
            found[start.key] = start
    return found


def _lanes(root: Any) -> dict[str, str]:
    owners: dict[str, str] = {}
    # Document order visits a lane before its child lanes, so the innermost lane wins.
    for lane in root.iter(f"{{{BPMN}}}lane"):
        for ref in lane.iterfind(f"{{{BPMN}}}flowNodeRef"):
            if ref.text and lane.get("name"):
                owners[ref.text.strip()] = lane.get("name").strip()
    return owners


def _scope(element: Any) -> str:
    node = element.getparent()
    while node is not None:
        if etree.QName(node).localname in FLOW_SCOPES and etree.QName(node).namespace == BPMN:
            return str(node.get("id"))
        node = node.getparent()
    return ""


def _properties(element: Any, namespace: str) -> dict[str, str]:
    props: dict[str, str] = {}
    for prop in element.iterfind(
        f"{{{BPMN}}}extensionElements/{{{namespace}}}properties/{{{namespace}}}property"
    ):
        if prop.get("name"):
            props[prop.get("name")] = prop.get("value") or (prop.text or "")
    return props


def _documentation(element: Any) -> str | None:
    doc = element.find(f"{{{BPMN}}}documentation")
    return doc.text.strip() if doc is not None and doc.text else None


def _meta(element: Any, dialect: str, lanes: dict[str, str], declared: set[str]) -> TaskMeta:
    element_id = element.get("id")
    common: dict[str, Any] = {
        "scope_id": _scope(element),
        "element_id": element_id,
        "name": " ".join((element.get("name") or element_id).split()),  # one line, as drawn
        "line": element.sourceline,
        "lane": lanes.get(element_id),
        "documentation": _documentation(element),
    }
    if dialect == "camunda":
        props = _properties(element, CAMUNDA_NS)

        def attr(name: str) -> str | None:
            value = element.get(f"{{{CAMUNDA_NS}}}{name}")
            return value.strip() if value else None

        form = _camunda_form(attr("formKey"), attr("formRef"))
        fields = _camunda_fields(element)
        if not fields and not form["form_key"] and etree.QName(element).localname == "userTask":
            fields = gateway_fields(element, declared)  # Camunda's generic form, bounded
        return TaskMeta(
            **common,
            candidate_groups=attr("candidateGroups") or props.get("candidateGroups"),
            candidate_users=attr("candidateUsers") or props.get("candidateUsers"),
            assignee=attr("assignee") or props.get("assignee"),
            **form,
            form_fields=tuple(fields),
            due_date=attr("dueDate") or props.get("dueDate"),
            due_in_working_days=props.get("dueInWorkingDays"),
            decision_field=props.get("decisionField", DEFAULT_DECISION_FIELD),
            submit_label=props.get("submitLabel"),
            done_message=props.get("doneMessage"),
            sent_back_message=props.get("sentBackMessage"),
            name_code=_name_code(common["name"]),
            business_key_field=_business_key_field(element),
        )
    props = _properties(element, SPIFF_NS)
    return TaskMeta(
        **common,
        candidate_groups=props.get("candidateGroups"),
        candidate_users=props.get("candidateUsers"),
        assignee=props.get("assignee"),
        form_file=props.get("formJsonSchemaFilename"),
        due_date=props.get("dueDate"),
        due_in_working_days=props.get("dueInWorkingDays"),
        decision_field=props.get("decisionField", DEFAULT_DECISION_FIELD),
        submit_label=props.get("submitLabel"),
        done_message=props.get("doneMessage"),
        sent_back_message=props.get("sentBackMessage"),
    )


def _camunda_form(key: str | None, ref: str | None) -> dict[str, Any]:
    """A deployed form file that `camunda:formKey` names, or the id `camunda:formRef` names
    (engine/model_forms.py); the model's own words kept for a refusal."""
    if key:
        return {"form_file": form_file_of_key(key), "form_key": key}
    if ref:
        return {"form_file": ref_file(ref), "form_key": ref}
    return {"form_file": None, "form_key": None}


def _name_code(name: str) -> str | None:
    """The Python of a name with a JUEL expression, as Camunda evaluates a task's name; None
    for plain text, or for an expression outside the subset (the name is then shown as
    written)."""
    if not has_expression(name):
        return None
    try:
        return translate(name)
    except JuelRefused:
        return None


def _default_variable(text: str | None) -> str | None:
    """The variable a `${name}` default takes its value from; other expressions give none."""
    if not text or not has_expression(text):
        return None
    try:
        return translate_name(text)
    except JuelRefused:
        return None


def _default_code(text: str | None) -> str | None:
    """A default written as a JUEL expression other than `${name}` (`${12 * 2 - 1}`,
    `${dateTime().plusDays(3).toDate()}`), translated once into the sandbox's Python and
    evaluated on the item's data when the form is shown; None when it cannot be."""
    if not text or not has_expression(text) or _default_variable(text):
        return None
    try:
        return translate(text.strip())
    except JuelRefused:
        return None


def _label_code(text: str | None) -> str | None:
    """A label written with JUEL (`${commentLabel}`, `Ý kiến của ${unit}`), translated once
    into the sandbox's Python and evaluated on the item's data when the form is shown."""
    if not text or not has_expression(text):
        return None
    try:
        return translate(text.strip())
    except JuelRefused:
        return None


def _business_key_field(element: Any) -> str | None:
    form = element.find(f"{{{BPMN}}}extensionElements/{{{CAMUNDA_NS}}}formData")
    key = form.get("businessKey") if form is not None else None
    return key.strip() if key and key.strip() else None


def _camunda_fields(element: Any) -> list[dict[str, Any]]:
    fields = []
    path = f"{{{BPMN}}}extensionElements/{{{CAMUNDA_NS}}}formData/{{{CAMUNDA_NS}}}formField"
    for node in element.iterfind(path):
        constraints = {
            c.get("name"): c.get("config")
            for c in node.iterfind(f"{{{CAMUNDA_NS}}}validation/{{{CAMUNDA_NS}}}constraint")
        }
        fields.append(
            {
                "id": node.get("id"),
                "label": node.get("label") or node.get("id"),
                "label_code": _label_code(node.get("label")),
                "type": node.get("type") or "string",
                "default": node.get("defaultValue"),
                "default_from": _default_variable(node.get("defaultValue")),
                "default_code": _default_code(node.get("defaultValue")),
                "required": "required" in constraints,
                "readonly": "readonly" in constraints,
                "constraints": {k: v for k, v in constraints.items() if k != "required"},
                "options": [
                    {"id": v.get("id"), "name": v.get("name") or v.get("id")}
                    for v in node.iterfind(f"{{{CAMUNDA_NS}}}value")
                ],
                "properties": {
                    p.get("id"): p.get("value") or ""
                    for p in node.iterfind(f"{{{CAMUNDA_NS}}}properties/{{{CAMUNDA_NS}}}property")
                    if p.get("id")
                },
            }
        )
    return fields
