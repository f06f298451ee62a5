"""Camunda's `assignment` task listeners on a claim or a forward: the open task's holder
changed without the workflow moving, so the item's workflow is loaded, the listeners run with
the new assignee (they may set variables, as Camunda's invoice example records its approver),
and the item is saved. Tasks without such listeners cost nothing: only the version's specs are
looked at."""

from __future__ import annotations

from uuid import UUID

from sqlalchemy.orm import Session

from .definitions import load_version
from .human_tasks import HumanTaskModel
from .instances import InstanceModel
from .runtime import EngineConfig, load_workflow, persist, spiff_errors
from .service_listeners import has_assignment_listeners, run_assignment_listeners
from .spiff_arena import acting


def fire_assignment(
    session: Session,
    config: EngineConfig,
    instance: InstanceModel,
    row: HumanTaskModel,
    actor: str,
) -> None:
    """Run the task's `assignment` listeners for its new assignee and save the item."""
    version = load_version(session, instance.process_version_id)
    specs = [version.spec, *version.subprocess_specs.values()]
    if not has_assignment_listeners(specs, row.element_id):
        return
    workflow = load_workflow(instance, version, config)
    task = workflow.get_task_from_id(UUID(str(row.id)))
    with spiff_errors(), acting(session, actor, instance):
        run_assignment_listeners(task, row.assignee)
        persist(session, config, instance, version, workflow, actor)
