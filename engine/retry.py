"""Retrying an item parked in error: its failed service tasks run again, and a timer whose
script failed fires again.

An item is parked (status 'error') by a service call that failed (engine/services.py; the task
waits in SpiffWorkflow's ERROR state, nothing it would have written was kept) or by a timer's
script that failed (engine/timers.py; the timer's work was undone). A retry puts the failed
tasks back to ready, runs the engine steps and saves, in the caller's transaction: if the call
fails again, the item is parked again with the new error.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import append_event
from .definitions import load_version
from .errors import Conflict, Forbidden, InvalidInput
from .instances import InstanceModel, lock_instance
from .ready_tasks import run_engine_steps
from .runtime import EngineConfig, load_workflow, persist, spiff_errors
from .users import ADMIN_GROUP, get_identity
from .views import InstanceStatus
from .visibility import is_auditor


def retry_instance(
    session: Session,
    config: EngineConfig,
    instance_id: int,
    actor: str | None,
    *,
    allowed_groups: Collection[str] = (),
    data: Mapping[str, Any] | None = None,
) -> str:
    """Run an item in error again from where it failed; returns its status after (back to
    'error' with the new message if the step failed again).

    `actor` must be an administrator or a member of one of `allowed_groups` (the web passes the
    managers' groups); None is the operator at the console (the CLI), who may always.
    `data`: variables set on the failed steps before they run again, the operator's fix of
    what made them fail (as Camunda's cockpit allows); their names go into the history."""
    if actor is not None:
        who = get_identity(session, actor)
        if ADMIN_GROUP not in who.groups and not is_auditor(who, allowed_groups):
            raise Forbidden(
                f"only an administrator or a manager may retry item {instance_id}",
                reason="retry_not_allowed",
            )
    instance = lock_instance(session, instance_id)
    if instance.status != InstanceStatus.ERROR:
        raise Conflict(
            f"item {instance_id} is {instance.status}, not in error: there is nothing to retry",
            instance_id=instance_id,
            reason="not_in_error",
        )
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    failed = list(workflow.get_tasks(state=TaskState.ERROR))
    now = config.clock()
    previous = instance.error
    instance.status = InstanceStatus.RUNNING
    instance.error = None
    append_event(
        session,
        instance,
        at=now,
        actor=actor,
        kind="retried",
        element_id=failed[0].task_spec.bpmn_id if failed else None,
        details={
            "error": previous,
            "steps": [t.task_spec.bpmn_id for t in failed],
            **({"data": sorted(data)} if data else {}),
        },
    )
    if failed:
        with spiff_errors():
            for task in failed:
                # Public rewind: the task becomes ready again with the data it had.
                workflow.reset_from_task_id(task.id)
                task.data.update(_fixed(data))
            run_engine_steps(workflow)
    # Else a timer failed: saved as running, it is due again and the worker fires it (and
    # records it) on its next round.
    persist(session, config, instance, version, workflow, actor)
    return str(instance.status)


def _fixed(data: Mapping[str, Any] | None) -> dict[str, Any]:
    if not data:
        return {}
    if not all(isinstance(k, str) and k and not k.startswith("_") for k in data):
        raise InvalidInput("the data to retry with must map plain names to values")
    try:
        fixed: dict[str, Any] = json.loads(json.dumps(dict(data), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"the data to retry with cannot be stored: {exc}") from exc
    return fixed


@dataclass(frozen=True)
class ParkedItem:
    """An item waiting in error for a retry (Theo dõi lists them apart: it may have no open
    step to show it by)."""

    id: int
    process_id: str
    title: str
    error: str | None
    since: datetime


def parked_items(
    session: Session, *, process_id: str | None = None, limit: int = 20
) -> list[ParkedItem]:
    """The items in error, the most recently parked first (one statement)."""
    query = (
        select(
            InstanceModel.id,
            InstanceModel.process_id,
            InstanceModel.title,
            InstanceModel.error,
            InstanceModel.updated_at,
        )
        .where(InstanceModel.status == InstanceStatus.ERROR)
        .order_by(InstanceModel.updated_at.desc(), InstanceModel.id.desc())
        .limit(limit)
    )
    if process_id:
        query = query.where(InstanceModel.process_id == process_id)
    return [ParkedItem(*row) for row in session.execute(query)]
