"""BPMN element ids that SpiffWorkflow keeps for its own task specs. Camunda's own tests and
older models name their start and end events `Start` and `End`; SpiffWorkflow would take them
for its internal specs of those names and refuse to start the item ("No output task
connected"). Such an element is renamed, with every reference to it, as soon as the diagram
is read; the diagram's file keeps its own words.

A sequence flow written without an id (Camunda's own test models do so, and Camunda runs them)
gets one the same way, `<source>_to_<target>`: SpiffWorkflow leaves a flow without an id out,
and an item would have ended at its start event with nothing done."""

from __future__ import annotations

from typing import Any

from .xml_namespaces import BPMN_NS as BPMN

RESERVED = frozenset({"Start", "End"})
# Attributes that name another element of the diagram (DI's bpmnElement included).
_REFERENCES = ("sourceRef", "targetRef", "attachedToRef", "default", "bpmnElement")
_REFERENCE_TEXTS = ("incoming", "outgoing", "flowNodeRef", "sourceRef", "targetRef")


def rename_reserved_ids(root: Any) -> None:
    """Rename, in place, BPMN elements whose id SpiffWorkflow reserves (see above)."""
    taken = {str(e.get("id")) for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    renamed: dict[str, str] = {}
    for element in root.iter(f"{{{BPMN}}}*"):
        old = element.get("id")
        if old in RESERVED:
            new = f"{old}_event"
            while new in taken:
                new += "_"
            taken.add(new)
            renamed[old] = new
            element.set("id", new)
    if not renamed:
        return
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name in _REFERENCES:
            if element.get(name) in renamed:
                element.set(name, renamed[element.get(name)])
        local = element.tag.rsplit("}", 1)[-1]
        if local in _REFERENCE_TEXTS and (element.text or "").strip() in renamed:
            element.text = renamed[(element.text or "").strip()]


def name_anonymous_flows(root: Any) -> None:
    """Give every sequence flow without an id one (see above), in place."""
    taken = {str(e.get("id")) for e in root.iter() if isinstance(e.tag, str) and e.get("id")}
    for flow in root.iter(f"{{{BPMN}}}sequenceFlow"):
        if flow.get("id"):
            continue
        new = f"{flow.get('sourceRef') or 'flow'}_to_{flow.get('targetRef') or 'flow'}"
        while new in taken:
            new += "_"
        taken.add(new)
        flow.set("id", new)
