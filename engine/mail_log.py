"""The outbox as administrators see it: the mail of each notification, where it is, what went
wrong, and sending failed mail again (engine.outbox sends it)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .notifications import MailStatus, NotificationModel
from .users import UserModel


@dataclass(frozen=True)
class MailDeliveryView:
    """A notification's mail, as administrators see the outbox."""

    id: int
    recipient: str
    email: str | None
    event: str
    title: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    next_attempt_at: datetime | None
    sent_at: datetime | None
    message_id: str | None


def _delivery(row: NotificationModel, email: str | None) -> MailDeliveryView:
    return MailDeliveryView(
        id=row.id,
        recipient=row.recipient,
        email=email,
        event=row.event,
        title=row.title,
        status=row.status,
        attempts=row.attempts,
        last_error=row.last_error,
        created_at=row.created_at,
        next_attempt_at=row.next_attempt_at,
        sent_at=row.sent_at,
        message_id=row.message_id,
    )


def mail_deliveries(
    session: Session, *, status: str | None = None, limit: int = 100
) -> list[MailDeliveryView]:
    """The outbox's newest rows (of one MailStatus, if given), newest first, with each
    recipient's current address."""
    query = select(NotificationModel, UserModel.email).join(
        UserModel, UserModel.username == NotificationModel.recipient
    )
    if status is not None:
        query = query.where(NotificationModel.status == status)
    query = query.order_by(NotificationModel.created_at.desc(), NotificationModel.id.desc())
    return [_delivery(row, email) for row, email in session.execute(query.limit(limit))]


def failed_mail(session: Session, *, limit: int = 100) -> list[MailDeliveryView]:
    """The mail whose retries ran out (or that the server refused for good), newest first, with
    the last error: for administrators."""
    return mail_deliveries(session, status=MailStatus.FAILED, limit=limit)


def retry_mail(session: Session, ids: Iterable[int], now: datetime) -> int:
    """Send failed mail again (an administrator mended the address or the server): the rows of
    `ids` that failed are pending now, their attempts counted afresh. Returns how many."""
    wanted = sorted({int(i) for i in ids})
    if not wanted:
        return 0
    result = session.execute(
        update(NotificationModel)
        .where(NotificationModel.id.in_(wanted), NotificationModel.status == MailStatus.FAILED)
        .values(status=MailStatus.PENDING, attempts=0, next_attempt_at=now)
    )
    return max(getattr(result, "rowcount", 0) or 0, 0)
