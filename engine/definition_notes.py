"""What `pheduyet check` notes without refusing: Camunda 7 attributes that this engine accepts
and does not need (each action already runs in its own transaction; there is no job executor;
there are no tenants) and data store references kept as documentation."""

from __future__ import annotations

from typing import Any

from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS

NOT_NEEDED = {
    "asyncBefore": "each action already commits on its own",
    "asyncAfter": "each action already commits on its own",
    "exclusive": "an item is always locked while it runs",
    "jobPriority": "there is no job executor to order",
    "taskPriority": "there is no job executor to order",
    "calledElementTenantId": "there are no tenants: the process deployed here is called",
    "decisionRefTenantId": "there are no tenants: the decision deployed here is taken",
}


def definition_notes(file_name: str, root: Any) -> list[tuple[str, str | None, int | None, str]]:
    """(file, element, line, note) for every attribute accepted and not needed."""
    notes: list[tuple[str, str | None, int | None, str]] = []
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, why in NOT_NEEDED.items():
            value = element.get(f"{{{CAMUNDA_NS}}}{name}")
            if value is not None:
                notes.append(
                    (
                        file_name,
                        element.get("id"),
                        element.sourceline,
                        f'camunda:{name}="{value}" is accepted and not needed: {why}',
                    )
                )
        if element.tag == f"{{{BPMN}}}dataStoreReference":
            notes.append(
                (
                    file_name,
                    element.get("id"),
                    element.sourceline,
                    "the data store reference is kept as documentation: nothing reads or writes it",
                )
            )
    return notes
