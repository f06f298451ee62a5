"""What `pheduyet check` notes without refusing: Camunda 7 attributes that this engine accepts
and does not need (each action already runs in its own transaction; there is no job executor;
there are no tenants), data store references kept as documentation, and a process's timer
start event, which starts no item by itself here."""

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
        if _timer_start(element):
            notes.append(
                (
                    file_name,
                    element.get("id"),
                    element.sourceline,
                    "a timer start event starts no item by itself here (no scheduler starts "
                    "processes): give the process a plain start event beside it and start items "
                    "by hand, from the API or from a cron job (pheduyet start)",
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


def _timer_start(element: Any) -> bool:
    """A process's own start event with a timer (an event subprocess's starts by its timer)."""
    if element.tag != f"{{{BPMN}}}startEvent":
        return False
    parent = element.getparent()
    return (
        parent is not None
        and parent.tag == f"{{{BPMN}}}process"
        and element.find(f"{{{BPMN}}}timerEventDefinition") is not None
    )
