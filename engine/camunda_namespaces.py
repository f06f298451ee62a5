"""Camunda 7 reads `xmlns:camunda="http://activiti.org/bpmn"` as its own namespace (models made
with the old Camunda and Signavio modelers, and Camunda's own invoice example, use it), and
Camunda 7.0's `http://camunda.org/bpmn` (its older test resources). The
engine reads Camunda's extensions under the Camunda namespace only, so such a tree is moved to
it as soon as it is parsed: its assignees, forms, listeners and JUEL then run as Camunda's do,
instead of being skipped without a word."""

from __future__ import annotations

from typing import Any

from .xml_namespaces import ACTIVITI_NS, CAMUNDA_EARLY_NS, CAMUNDA_NS

_NEW = f"{{{CAMUNDA_NS}}}"


def adopt_activiti_namespace(root: Any) -> None:
    """Rename, in place, the elements and attributes of the Activiti namespace (and Camunda
    7.0's) to Camunda's."""
    found = _namespaces(root)
    for old_ns in (ACTIVITI_NS, CAMUNDA_EARLY_NS):
        if old_ns in found:
            _rename(root, f"{{{old_ns}}}")


def _rename(root: Any, old: str) -> None:
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue  # comments
        if element.tag.startswith(old):
            element.tag = _NEW + element.tag[len(old) :]
        for name in [n for n in element.attrib if n.startswith(old)]:
            element.set(_NEW + name[len(old) :], element.attrib.pop(name))


def _namespaces(root: Any) -> set[str]:
    found: set[str] = set()
    for element in root.iter():
        found.update(element.nsmap.values())
    return found
