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
from .human_tasks import HumanTaskModel
from .views import TaskStatus

MAX_IDS = 500  # a page's items; more are read in turns


@dataclass(frozen=True)
class LastStep:
    decision: str | None
    at: datetime
    actor: str | None
    comment: str | None
    data: Any  # what the step's form sent (the event's details), e.g. a return's reason


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
        query = select(
            AuditEventModel.instance_id,
            AuditEventModel.decision,
            AuditEventModel.at,
            AuditEventModel.actor,
            AuditEventModel.comment,
            AuditEventModel.details,
        ).join(
            latest,
            and_(
                AuditEventModel.instance_id == latest.c.instance_id,
                AuditEventModel.seq == latest.c.seq,
            ),
        )
        for instance_id, decision, at, actor, comment, details in session.execute(query):
            data = details.get("data") if isinstance(details, dict) else None
            found[instance_id] = LastStep(decision, at, actor, comment, data)
    return found


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
