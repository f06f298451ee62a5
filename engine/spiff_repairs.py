"""What SpiffArena runs though BPMN 2.0's schema would refuse it, mended in the copy handed to
SpiffWorkflow: SpiffArena parses the diagrams it runs without a schema check, and its own tools
write these two shapes (an empty `ioSpecification`; a script task's unit tests appended after
its script, so `extensionElements` comes last). Neither changes what runs."""

from __future__ import annotations

from typing import Any

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
_EXTENSIONS = f"{{{BPMN}}}extensionElements"
_LEADING = (f"{{{BPMN}}}documentation",)


def mend_spiff_arena_shapes(root: Any) -> None:
    """Drop empty `ioSpecification`s; move a misplaced `extensionElements` where the schema
    wants it (after any documentation, before everything else)."""
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
