"""What a listing says of the steps some items went through, read for the rows of its page
only, in one statement whatever the history's size: the latest step each completed (its
decision, when, by whom and what was said: Theo dõi's "Bị trả lại" and the reason, when the
step that opened a row's task was a return; which decisions return is the department's rule,
`workflows.decisions`), and the steps a finished item completed late."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from .audit import AuditEventModel
from .definitions import load_version
from .dossier import private_fields
from .human_tasks import HumanTaskModel
from .instances import InstanceModel
from .views import TaskStatus

MAX_IDS = 500  # a page's items; more are read in turns


@dataclass(frozen=True)
class LastStep:
    decision: str | None
    at: datetime
    actor: str | None
    comment: str | None
    # What the step's form sent (the event's details), e.g. a return's reason; without the
    # fields its version keeps private to the person who typed them.
    data: dict[str, Any]


def last_steps(session: Session, instance_ids: Collection[int]) -> dict[int, LastStep]:
    """Item id -> its latest completed step, for the items that completed one."""
    ids = sorted(set(instance_ids))
    found: dict[int, LastStep] = {}
    for start in range(0, len(ids), MAX_IDS):
        chunk = ids[start : start + MAX_IDS]
        latest = (
            select(AuditEventModel.instance_id, func.max(AuditEventModel.seq).label("seq"))
            .where(AuditEventModel.instance_id.in_(chunk), AuditEventModel.kind == "completed")
            .group_by(AuditEventModel.instance_id)
            .subquery("latest")
        )
        query = (
            select(
                AuditEventModel.instance_id,
                AuditEventModel.decision,
                AuditEventModel.at,
                AuditEventModel.actor,
                AuditEventModel.comment,
                AuditEventModel.details,
                InstanceModel.process_version_id,
            )
            .join(
                latest,
                and_(
                    AuditEventModel.instance_id == latest.c.instance_id,
                    AuditEventModel.seq == latest.c.seq,
                ),
            )
            .join(InstanceModel, InstanceModel.id == AuditEventModel.instance_id)
        )
        for instance_id, decision, at, actor, comment, details, version in session.execute(query):
            sent = details.get("data") if isinstance(details, dict) else None
            data = shown_data(session, version, sent)
            found[instance_id] = LastStep(decision, at, actor, comment, data)
    return found


def shown_data(session: Session, version_id: int, data: Any) -> dict[str, Any]:
    """What a step's form sent, as others may read it: without the fields its version keeps
    private to the person who typed them (`"x-private": true`)."""
    if not isinstance(data, dict) or not data:
        return {}
    hidden = private_fields(load_version(session, version_id))  # kept: no statement
    return {k: v for k, v in data.items() if k not in hidden}


def step_data_shown(session: Session, instance_id: int, data: Any) -> dict[str, Any]:
    """`shown_data` for a step of this item (its row read in this session: no statement)."""
    instance = session.get(InstanceModel, instance_id)
    return shown_data(session, instance.process_version_id, data) if instance else {}


def late_steps(session: Session, instance_ids: Collection[int]) -> dict[int, list[str]]:
    """Item id -> the steps of it completed after their due time, in the order they were
    done (what made a finished item late, unless the process recorded its own verdict)."""
    ids = sorted(set(instance_ids))
    found: dict[int, list[str]] = {}
    for start in range(0, len(ids), MAX_IDS):
        query = (
            select(HumanTaskModel.instance_id, HumanTaskModel.title)
            .where(
                HumanTaskModel.instance_id.in_(ids[start : start + MAX_IDS]),
                HumanTaskModel.status == TaskStatus.COMPLETED,
                HumanTaskModel.due_at.is_not(None),
                HumanTaskModel.completed_at > HumanTaskModel.due_at,
            )
            .order_by(HumanTaskModel.completed_at, HumanTaskModel.id)
        )
        for instance_id, title in session.execute(query):
            titles = found.setdefault(instance_id, [])
            if title not in titles:
                titles.append(title)
    return found
