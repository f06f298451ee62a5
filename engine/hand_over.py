"""Handing over a person's open steps: someone leaves, moves or is locked out, and the steps
they hold would wait for them for ever (no one else may act on a step held by a person, and a
locked account cannot log in). An administrator gives each of them to another active person,
who may then act on it; each item records the hand-over in its history (`assigned`, as a
forward does, so the new holder is told of the step) with the administrator as its actor."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import append_event
from .errors import Forbidden, InvalidInput, NotFound
from .human_tasks import HumanTaskModel
from .instances import InstanceModel, lock_instance_with_task
from .runtime import EngineConfig
from .task_assignment import fire_assignment
from .users import ADMIN_GROUP, get_identity
from .views import InstanceStatus, TaskStatus

MAX_NOTE = 1000


@dataclass(frozen=True)
class HeldStep:
    """An open step a person holds: which, of which item, since when."""

    task_id: str
    title: str
    instance_id: int
    item_title: str
    created_at: datetime


def held_steps(session: Session, username: str) -> list[HeldStep]:
    """The open steps of running items this person holds (is the assignee of), oldest first."""
    query = (
        select(
            HumanTaskModel.id,
            HumanTaskModel.title,
            HumanTaskModel.instance_id,
            InstanceModel.title,
            HumanTaskModel.created_at,
        )
        .join(InstanceModel, InstanceModel.id == HumanTaskModel.instance_id)
        .where(
            HumanTaskModel.assignee == username,
            HumanTaskModel.status == TaskStatus.OPEN,
            InstanceModel.status.in_((InstanceStatus.RUNNING, InstanceStatus.ERROR)),
        )
        .order_by(HumanTaskModel.created_at, HumanTaskModel.id)
    )
    return [HeldStep(*row) for row in session.execute(query)]


def hand_over_steps(
    session: Session,
    config: EngineConfig,
    from_username: str,
    to_username: str,
    actor: str,
    *,
    note: str | None = None,
) -> int:
    """Give every open step `from_username` holds to `to_username` (an active person, not the
    same); only an administrator may. Returns how many were handed over."""
    who = get_identity(session, actor)
    if ADMIN_GROUP not in who.groups:
        raise Forbidden(f"only an administrator may hand over {from_username}'s steps")
    if to_username == from_username:
        raise InvalidInput("the steps go to someone else", reason="same_person")
    try:
        get_identity(session, to_username)  # refuses a locked or unknown person
    except NotFound as exc:
        raise InvalidInput(
            f"'{to_username}' is not an active person", reason="not_active", person=to_username
        ) from exc
    note = (note or "").replace("\x00", "").strip()[:MAX_NOTE] or None
    handed = 0
    for step in held_steps(session, from_username):
        found = lock_instance_with_task(session, step.task_id)
        if found is None:
            continue
        instance, row = found
        if row.status != TaskStatus.OPEN or row.assignee != from_username:
            continue  # acted on or forwarded since it was listed
        row.assignee = to_username
        fire_assignment(session, config, instance, row, actor)  # Camunda's listeners
        append_event(
            session,
            instance,
            at=config.clock(),
            actor=actor,
            kind="assigned",
            task_id=row.id,
            element_id=row.element_id,
            comment=note,
            details={"to": to_username, "from": from_username},
        )
        handed += 1
    return handed
