"""The append-only audit log: one SHA-256 hash chain per instance.

Each event's hash covers its own fields and the previous event's hash; the instance row keeps the
hash and count of its last event, so an edited, deleted or truncated history is caught."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .views import AuditProblem

GENESIS = "0" * 64


class AuditEventModel(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_instance_seq", "instance_id", "seq", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


def _digest(event: AuditEventModel) -> str:
    body = json.dumps(
        {
            "instance_id": event.instance_id,
            "seq": event.seq,
            "at": event.at.isoformat(),
            "actor": event.actor,
            "kind": event.kind,
            "task_id": event.task_id,
            "element_id": event.element_id,
            "decision": event.decision,
            "comment": event.comment,
            "details": event.details,
            "prev": event.prev_hash,
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def append_event(
    session: Session,
    instance: Any,
    *,
    at: datetime,
    actor: str | None,
    kind: str,
    task_id: str | None = None,
    element_id: str | None = None,
    decision: str | None = None,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    event = AuditEventModel(
        instance_id=instance.id,
        seq=instance.audit_count + 1,
        at=at,
        actor=actor,
        kind=kind,
        task_id=task_id,
        element_id=element_id,
        decision=decision,
        comment=comment,
        details=json.loads(json.dumps(details or {}, default=str)),
        prev_hash=instance.audit_head,
    )
    event.hash = _digest(event)
    session.add(event)
    instance.audit_head = event.hash
    instance.audit_count = event.seq
    # Every action appends an event: the one place to keep the search index current. Imported
    # here because the index reads tables whose modules import this one.
    from .search import mark_stale

    mark_stale(session, instance.id)


def events_of(session: Session, instance_id: int) -> list[AuditEventModel]:
    return list(
        session.scalars(
            select(AuditEventModel)
            .where(AuditEventModel.instance_id == instance_id)
            .order_by(AuditEventModel.seq)
        )
    )


def verify_chain(
    instance_id: int, events: list[AuditEventModel], head: str, count: int
) -> AuditProblem | None:
    """The first problem in an instance's chain, or None when it is intact."""
    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return AuditProblem(
                instance_id, expected_seq, f"event #{expected_seq} is missing (deleted)"
            )
        if event.prev_hash != previous:
            return AuditProblem(
                instance_id, event.seq, f"event #{event.seq} does not follow the one before it"
            )
        if _digest(event) != event.hash:
            return AuditProblem(
                instance_id, event.seq, f"event #{event.seq} ({event.kind}) was altered"
            )
        previous = event.hash
    if len(events) != count:
        return AuditProblem(
            instance_id,
            len(events) + 1,
            f"the history ends at event #{len(events)} but {count} events were recorded",
        )
    if previous != head:
        return AuditProblem(
            instance_id,
            count,
            "the history does not end where the item says it does (it was rewritten)",
        )
    return None
