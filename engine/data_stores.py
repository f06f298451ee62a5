"""Data store references in a diagram: documentation, as Camunda 7 treats them.

A `dataStoreReference` (a register, a database drawn as a cylinder) and the associations that
link tasks to it say where a step reads or writes; Camunda 7 runs nothing for them, and neither
does this engine. SpiffWorkflow would refuse the associations ("Cannot resolve
dataInputAssociation"), so the copy handed to it goes without them. A `dataStore` definition is
documentation too in a Camunda model; in a SpiffArena model it is another matter: SpiffArena
runs its own data stores (JSON, key-value) through it, and a model that relies on one cannot
run here, so it is refused naming the element and line.
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidDefinition
from .xml_namespaces import BPMN_NS as BPMN


def refuse_data_stores(file_name: str, root: Any) -> None:
    """A `dataStore` definition (a store SpiffArena would run) cannot run here."""
    for store in root.iter(f"{{{BPMN}}}dataStore"):
        name = store.get("name") or store.get("id") or ""
        raise InvalidDefinition(
            f"the data store '{name}' would need SpiffArena's "
            "data store implementation, which this engine does not have; keep the data in the "
            "item's variables or read it from a service task",
            file=file_name,
            element_id=store.get("id"),
            line=store.sourceline,
            reason="data_store",
            store=name,
        )


def drop_data_store_references(tree: Any) -> None:
    """Remove data store references and their associations from a copy handed to Spiff, and the
    data stores a Camunda model defines (a SpiffArena model's are refused before)."""
    stores = {str(e.get("id")) for e in tree.iter(f"{{{BPMN}}}dataStoreReference") if e.get("id")}
    _remove(
        [
            *tree.iterfind(f"{{{BPMN}}}dataStore"),
            *_associations_with(tree, stores),
            *tree.iter(f"{{{BPMN}}}dataStoreReference"),
        ]
    )


def drop_data_object_associations(tree: Any) -> None:
    """A Camunda model's data objects are drawings only (Camunda 7 runs nothing for them: the
    data they show is in process variables), so their associations are removed from the copy
    handed to SpiffWorkflow, which would otherwise move a variable named after the data object
    in and out of each task it touches (and fail on one it does not find)."""
    objects = {
        str(e.get("id"))
        for tag in ("dataObjectReference", "dataObject")
        for e in tree.iter(f"{{{BPMN}}}{tag}")
        if e.get("id")
    }
    _remove(_associations_with(tree, objects))


def _associations_with(tree: Any, ends: set[str]) -> list[Any]:
    """The data input and output associations with a source or target among `ends`."""
    found = []
    for tag in ("dataInputAssociation", "dataOutputAssociation"):
        for association in tree.iter(f"{{{BPMN}}}{tag}"):
            refs = {
                (ref.text or "").strip()
                for ref in association
                if ref.tag in (f"{{{BPMN}}}sourceRef", f"{{{BPMN}}}targetRef")
            }
            if refs & ends:
                found.append(association)
    return found


def _remove(elements: list[Any]) -> None:
    for element in elements:
        parent = element.getparent()
        if parent is not None:
            parent.remove(element)
