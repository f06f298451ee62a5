"""Handing over a person's open steps: someone leaves, moves or is locked out, and the steps
they hold would wait for them for ever (no one else may act on a step held by a person, nor on
one that only they may take, and a locked account cannot log in). An administrator gives each
of them to another active person, who then holds it as the process gave it (releasing it
gives it back to them, not to the person gone); each item records the hand-over in its history
(`assigned`, as a forward does, so the new holder is told of the step) with the administrator
as its actor. The items are locked in the order of their numbers, so two hand-overs at once
wait for each other, never deadlock.

Who may take them is, for a person of a unit, their colleagues as a forward reaches them
(engine.forwarding: their unit's people and leaders, and the units they lead), and for anyone
the members of their other groups (a deputy director for the director, a council's other
secretary): never an administrator, nor the people of another organisation, who share neither
a unit nor a group with them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from .actions import clean_comment
from .audit import append_event
from .errors import Forbidden, InvalidInput, NotFound
from .form_options import units as form_units
from .forwarding import Colleague, colleagues, people_of
from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel, lock_instance_with_task
from .runtime import EngineConfig
from .task_assignment import fire_assignment
from .users import ADMIN_GROUP, get_identity
from .views import InstanceStatus, TaskStatus


@dataclass(frozen=True)
class HeldStep:
    """An open step a person holds: which, of which item, since when."""

    task_id: str
    title: str
    instance_id: int
    item_title: str
    created_at: datetime


def held_steps(session: Session, username: str) -> list[HeldStep]:
    """The open steps of running items that wait for this person alone: held by them, or
    held by no one with them as the only candidate; by item number."""
    mine = aliased(TaskCandidateModel)
    others = aliased(TaskCandidateModel)
    only_mine = and_(
        HumanTaskModel.assignee.is_(None),
        select(mine.task_id)
        .where(mine.task_id == HumanTaskModel.id, mine.kind == "user")
        .where(mine.value == func.lower(username))
        .exists(),
        ~select(others.task_id)
        .where(others.task_id == HumanTaskModel.id)
        .where(or_(others.kind != "user", others.value != func.lower(username)))
        .exists(),
    )
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
            or_(HumanTaskModel.assignee == username, only_mine),
            HumanTaskModel.status == TaskStatus.OPEN,
            InstanceModel.status.in_((InstanceStatus.RUNNING, InstanceStatus.ERROR)),
        )
        .order_by(HumanTaskModel.instance_id, HumanTaskModel.created_at, HumanTaskModel.id)
    )
    return [HeldStep(*row) for row in session.execute(query)]


def hand_over_takers(session: Session, config: EngineConfig, username: str) -> list[Colleague]:
    """Who may take the steps `username` holds (this module's rule), by unit, then by name."""
    giver = get_identity(session, username, locked_too=True)
    units = {key for key, _name in form_units(session)}
    fellows = [g for g in giver.groups if g != ADMIN_GROUP and g not in units]
    # Someone of a unit: its people and leaders, as a forward reaches them. Someone of none (the
    # Director, a council's secretary): the members of their own groups only, never every
    # unit's staff, whom a head forwards to but who cannot take a head's decision over.
    mine = colleagues(session, config.hierarchy, giver) if giver.unit else []
    found = {c.username: c for c in mine}
    for person in people_of(session, (), fellows, username):
        found.setdefault(person.username, person)
    return sorted(
        found.values(), key=lambda c: (c.unit_name is None, c.unit_name or "", c.display_name)
    )


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
    if all(c.username != to_username for c in hand_over_takers(session, config, from_username)):
        raise InvalidInput(
            f"'{to_username}' shares neither a unit nor a group with {from_username}",
            reason="not_a_colleague",
            person=to_username,
        )
    note = clean_comment(note)
    handed = 0
    for step in held_steps(session, from_username):
        found = lock_instance_with_task(session, step.task_id)
        if found is None:
            continue
        instance, row = found
        if row.status != TaskStatus.OPEN or row.assignee not in (from_username, None):
            continue  # acted on, taken or forwarded since it was listed
        if row.assignee is None or row.process_assignee == from_username:
            row.process_assignee = to_username  # a release gives it back to the taker
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
