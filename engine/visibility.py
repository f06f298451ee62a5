"""Who may see an item: its starter, anyone who acted on it or may act on it now or could
before (a candidate of any of its tasks), and the auditors (managers, inspectors)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from .audit import AuditEventModel
from .human_tasks import HumanTaskModel, ItemCandidateModel, candidate_is, may_act
from .instances import InstanceModel
from .registers import issued_by
from .users import ADMIN_GROUP, Identity
from .views import TaskStatus


def is_auditor(who: Identity, auditor_groups: Iterable[str]) -> bool:
    """A member of an auditor group, or a person whose unit is one."""
    mine = set(who.groups) | ({who.unit} if who.unit else set())
    return bool(mine & set(auditor_groups))


def may_view_instance(
    session: Session, who: Identity, instance_id: int, auditor_groups: Iterable[str]
) -> bool:
    if is_auditor(who, auditor_groups):
        return True
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        return False
    if instance.created_by == who.username:
        return True
    acted = exists().where(
        AuditEventModel.instance_id == instance_id, AuditEventModel.actor == who.username
    )
    holder = exists().where(
        HumanTaskModel.instance_id == instance_id, HumanTaskModel.assignee == who.username
    )
    candidate = exists().where(
        ItemCandidateModel.instance_id == instance_id, candidate_is(who, ItemCandidateModel)
    )
    return bool(session.scalar(select(or_(acted, holder, candidate))))


def visible_instance_ids(session: Session, who: Identity) -> list[int]:
    """Items this person started or acted on, newest first ("Hồ sơ của tôi")."""
    started = select(InstanceModel.id).where(InstanceModel.created_by == who.username)
    acted = select(AuditEventModel.instance_id).where(AuditEventModel.actor == who.username)
    ids = set(session.scalars(started)) | set(session.scalars(acted))
    return sorted(ids, reverse=True)


def may_contribute(session: Session, who: Identity, instance_id: int) -> bool:
    """Who may add to a running item (attach files): its starter, an administrator, someone
    who holds or may take one of its open steps, or who took a register's number for it (the
    issued copy, `issued_by`). Seeing an item is not enough."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        return False
    if instance.created_by == who.username or ADMIN_GROUP in who.groups:
        return True
    open_steps = select(HumanTaskModel).where(
        HumanTaskModel.instance_id == instance_id, HumanTaskModel.status == TaskStatus.OPEN
    )
    if any(may_act(session, task, who) for task in session.scalars(open_steps)):
        return True
    return bool(session.scalar(select(issued_by(who.username, instance_id))))


def visible_clause(who: Identity, auditor_groups: Iterable[str]) -> ColumnElement[bool]:
    """SQL over InstanceModel: the rule of `may_view_instance`, for listings that filter in
    the query instead of asking item by item."""
    if is_auditor(who, auditor_groups):
        return true()
    acted = exists().where(
        AuditEventModel.instance_id == InstanceModel.id, AuditEventModel.actor == who.username
    )
    holder = exists().where(
        HumanTaskModel.instance_id == InstanceModel.id, HumanTaskModel.assignee == who.username
    )
    # A candidate of any step, open or done (task_candidates keeps open steps only).
    candidate = exists().where(
        ItemCandidateModel.instance_id == InstanceModel.id, candidate_is(who, ItemCandidateModel)
    )
    return or_(InstanceModel.created_by == who.username, acted, holder, candidate)
