"""What SpiffArena runs though BPMN 2.0's schema would refuse it, mended in the copy handed to
SpiffWorkflow: SpiffArena parses the diagrams it runs without a schema check, and its own tools
write these shapes (an empty `ioSpecification`; a script task's unit tests appended after its
script, so `extensionElements` comes last; a sequence flow left connected to nothing; a
`messageRef` attribute on an event; a multi-instance task whose input and output data items are
one variable, written as two elements with the same id). None changes what runs."""

from __future__ import annotations

import copy
from typing import Any

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator

from .xml_namespaces import BPMN_NS as BPMN

_EXTENSIONS = f"{{{BPMN}}}extensionElements"
_LEADING = (f"{{{BPMN}}}documentation",)
_EVENTS = tuple(
    f"{{{BPMN}}}{tag}"
    for tag in (
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    )
)


def is_detached_flow(flow: Any) -> bool:
    """A sequence flow with neither end (`<sequenceFlow id="Flow_1" />`): the modeler keeps one
    whose ends were deleted; no element names it, so it leads nowhere."""
    return not flow.get("sourceRef") and not flow.get("targetRef")


def mend_spiff_arena_shapes(root: Any) -> None:
    """Drop empty `ioSpecification`s and detached sequence flows; move a misplaced
    `extensionElements` where the schema wants it (after any documentation, before everything
    else)."""
    for flow in list(root.iter(f"{{{BPMN}}}sequenceFlow")):
        if is_detached_flow(flow) and flow.getparent() is not None:
            flow.getparent().remove(flow)
    for event in root.iter(*_EVENTS):
        # SpiffArena's modeler writes `messageRef="[object Object]"` on a message start event;
        # the message is named by the event's messageEventDefinition, where it belongs.
        event.attrib.pop("messageRef", None)
    for spec in list(root.iter(f"{{{BPMN}}}ioSpecification")):
        if len(spec) == 0 and spec.getparent() is not None:
            spec.getparent().remove(spec)
    for extensions in list(root.iter(_EXTENSIONS)):
        parent = extensions.getparent()
        if parent is None:
            continue
        position = 0
        for child in parent:
            if child.tag not in _LEADING:
                break
            position += 1
        if parent.index(extensions) != position:
            parent.insert(position, extensions)  # lxml moves the element, keeping its line


_ITEMS = (f"{{{BPMN}}}inputDataItem", f"{{{BPMN}}}outputDataItem")


class SpiffArenaValidator(BpmnValidator):  # type: ignore[misc]
    """BPMN 2.0's schema check that lets a multi-instance task's output data item repeat its
    input data item's id: SpiffArena's modeler writes `<inputDataItem id="c" name="c"/>` and
    `<outputDataItem id="c" name="c"/>` for "edit each item in place", and SpiffWorkflow reads
    the variable from the id, so the diagram itself must keep both. The schema sees a copy
    where the output item's id is made unique; every other duplicate id is still refused."""

    def validate(self, bpmn: Any, filename: str | None = None) -> None:
        if _shared_item_ids(bpmn):
            bpmn = copy.deepcopy(bpmn)  # keeps every element's source line
            for output in bpmn.iter(_ITEMS[1]):
                shared = _twin_id(output)
                if shared is not None:
                    output.set("id", f"{shared}__output_item")
        super().validate(bpmn, filename)


def _twin_id(output: Any) -> str | None:
    """The id an output data item shares with its sibling input data item, if it does."""
    parent = output.getparent()
    found = parent.find(_ITEMS[0]) if parent is not None else None
    shared = output.get("id")
    return shared if found is not None and shared and found.get("id") == shared else None


def _shared_item_ids(root: Any) -> bool:
    return any(_twin_id(output) is not None for output in root.iter(_ITEMS[1]))
