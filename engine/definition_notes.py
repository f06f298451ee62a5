"""What `pheduyet check` notes without refusing: Camunda 7 attributes that this engine accepts
and does not need (each action already runs in its own transaction; there is no job executor;
there are no tenants), data store references kept as documentation, and a Camunda user task
that names nobody: Camunda shows it to whoever may see all tasks, here it waits for the group
its lane names, else for the person who started the item (engine.waiting_for)."""

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
    if CAMUNDA_NS in root.nsmap.values():
        notes.extend(_nobody_named(file_name, root))
    return notes


_NAMES = ("assignee", "candidateUsers", "candidateGroups")


def _nobody_named(file_name: str, root: Any) -> list[tuple[str, str | None, int | None, str]]:
    lanes = {
        ref.text.strip(): lane.get("name") or lane.get("id")
        for lane in root.iter(f"{{{BPMN}}}lane")
        for ref in lane.findall(f"{{{BPMN}}}flowNodeRef")
        if ref.text
    }
    found = []
    for task in root.iter(f"{{{BPMN}}}userTask"):
        if any(task.get(f"{{{CAMUNDA_NS}}}{name}") for name in _NAMES):
            continue
        lane = lanes.get(task.get("id") or "")
        waits = (
            f'the group its lane names, "{lane}": a group of that key or name must exist'
            if lane
            else "the person who started the item"
        )
        found.append(
            (
                file_name,
                task.get("id"),
                task.sourceline,
                f"the task names no assignee or candidates: it waits for {waits} (or give it "
                "camunda:candidateGroups)",
            )
        )
    return found
