"""The mail outbox: notifications (engine.notifications) sent by a worker, each message once.

A message is one notification (sent immediately) or a person's daily digest (several rows that
share a Message-ID). Sending goes in three steps, each in its own short transaction:

1. ``claim_mail``: the due messages are marked ``sending`` with a lease (and, on PostgreSQL,
   taken with FOR UPDATE SKIP LOCKED), their attempt counted and their Message-ID recorded.
2. The caller hands each one to the SMTP server (outside any transaction).
3. ``mark_sent``, or ``mark_retry`` with the error: back to ``pending`` after an exponential
   back-off, ``failed`` once the attempts run out (``engine.mail_log.failed_mail`` lists them).

Delivery is at-least-once with a stable Message-ID: a worker that dies between the server's
acceptance and step 3 leaves the message ``sending``; once its lease is over another round sends it
again with the same Message-ID, which mail stores and clients use to show one message. Nothing
is lost, and nothing is sent twice except in that window. ``deliver_mail`` runs the three steps.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from .clock import Clock
from .db import transaction
from .mail import MailError
from .notifications import MailStatus, NotificationItem, NotificationModel
from .users import UserModel


@dataclass(frozen=True)
class RetryPolicy:
    """Back-off after a failed attempt: first_delay, doubled each time up to max_delay; after
    max_attempts the message is failed. A claimed message not reported within `lease` is sent
    again (its worker is taken to have died)."""

    first_delay: timedelta = timedelta(minutes=1)
    max_delay: timedelta = timedelta(hours=2)
    max_attempts: int = 8
    lease: timedelta = timedelta(minutes=10)

    def delay(self, attempts: int) -> timedelta:
        delay: timedelta = self.first_delay * (2 ** max(attempts - 1, 0))
        return min(delay, self.max_delay)


@dataclass(frozen=True)
class MailItem(NotificationItem):
    """One notification inside a message."""


@dataclass(frozen=True)
class OutgoingMail:
    """A message to send: to whom, in which language, and what it tells (one item, or several
    for a digest). `attempt` counts from 1."""

    message_id: str
    recipient: str
    display_name: str
    email: str
    locale: str
    digest: bool
    attempt: int
    items: tuple[MailItem, ...]


@dataclass(frozen=True)
class MailRound:
    """What one `deliver_mail` round did, in messages."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0


_DIGEST_PREFIX = "<pheduyet.digest."


def new_message_id(domain: str, *, digest: bool = False) -> str:
    """A Message-ID of our own: a digest's says so, the renderer tells them apart by it."""
    prefix = _DIGEST_PREFIX if digest else "<pheduyet."
    return f"{prefix}{uuid.uuid4().hex}@{domain or 'localhost'}>"


def is_digest(message_id: str) -> bool:
    return message_id.startswith(_DIGEST_PREFIX)


def form_digests(session: Session, now: datetime, zone: tzinfo, domain: str) -> int:
    """Gather, for every person whose digest hour has come today (local time in `zone`), the
    notifications waiting for their digest and written before that hour into one message due
    now. Returns how many messages were formed."""
    waiting = session.execute(
        select(NotificationModel.recipient, UserModel.digest_hour)
        .join(UserModel, UserModel.username == NotificationModel.recipient)
        .where(NotificationModel.status == MailStatus.DIGEST)
        .distinct()
    ).all()
    local = now.astimezone(zone)
    formed = 0
    for recipient, hour in waiting:
        moment = local.replace(hour=hour or 0, minute=0, second=0, microsecond=0)
        if moment > local:
            moment -= timedelta(days=1)
        result = session.execute(
            update(NotificationModel)
            .where(
                NotificationModel.recipient == recipient,
                NotificationModel.status == MailStatus.DIGEST,
                NotificationModel.created_at < moment,
            )
            .values(
                status=MailStatus.PENDING,
                message_id=new_message_id(domain, digest=True),
                next_attempt_at=now,
            )
        )
        formed += 1 if getattr(result, "rowcount", 0) else 0
    return formed


def claim_mail(
    session: Session,
    now: datetime,
    *,
    domain: str,
    limit: int = 50,
    policy: RetryPolicy | None = None,
) -> tuple[list[OutgoingMail], int]:
    """Take up to `limit` due messages for sending: (the messages, how many were skipped for a
    missing address or failed for a worker that died too often). Commit before sending."""
    policy = policy or RetryPolicy()
    query = (
        select(NotificationModel)
        .where(
            NotificationModel.status.in_([MailStatus.PENDING, MailStatus.SENDING]),
            NotificationModel.next_attempt_at <= now,
        )
        .order_by(NotificationModel.next_attempt_at, NotificationModel.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list(session.scalars(query))
    grouped = _messages(session, rows, domain)
    people = _people(session, {group[0].recipient for group in grouped.values()})
    mails: list[OutgoingMail] = []
    dropped = 0
    for message_id, group in grouped.items():
        person = people.get(group[0].recipient)
        attempts = max(row.attempts for row in group)
        crashed = any(row.status == MailStatus.SENDING for row in group)
        if person is None or not person.email or not person.active:
            # A locked person is mailed nothing more, as if they had switched it off.
            status = MailStatus.OFF if person is not None and person.email else None
            _set(
                group,
                status=status or MailStatus.SKIPPED_NO_EMAIL,
                next_attempt_at=None,
            )
            dropped += 1
            continue
        if crashed and attempts >= policy.max_attempts:
            _set(
                group,
                status=MailStatus.FAILED,
                next_attempt_at=None,
                last_error="the worker sending it stopped before it could tell (crashed?)",
            )
            dropped += 1
            continue
        _set(
            group,
            status=MailStatus.SENDING,
            attempts=attempts + 1,
            next_attempt_at=now + policy.lease,
        )
        mails.append(
            OutgoingMail(
                message_id=message_id,
                recipient=person.username,
                display_name=person.display_name,
                email=person.email,
                locale=person.locale or "vi",
                digest=is_digest(message_id),
                attempt=attempts + 1,
                items=tuple(_item(row) for row in sorted(group, key=lambda r: r.id)),
            )
        )
    return mails, dropped


def _messages(
    session: Session, rows: list[NotificationModel], domain: str
) -> dict[str, list[NotificationModel]]:
    shared_ids = {row.message_id for row in rows if row.message_id}
    if shared_ids:
        # Every row of a digest goes out together, even those past the limit.
        known = {row.id for row in rows}
        query = select(NotificationModel).where(
            NotificationModel.message_id.in_(sorted(shared_ids)),
            NotificationModel.status.in_([MailStatus.PENDING, MailStatus.SENDING]),
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True)
        rows = rows + [row for row in session.scalars(query) if row.id not in known]
    grouped: dict[str, list[NotificationModel]] = {}
    for row in rows:
        if row.message_id is None:
            row.message_id = new_message_id(domain)
        grouped.setdefault(row.message_id, []).append(row)
    return grouped


def _people(session: Session, usernames: Iterable[str]) -> dict[str, UserModel]:
    wanted = sorted(set(usernames))
    if not wanted:
        return {}
    return {
        u.username: u
        for u in session.scalars(select(UserModel).where(UserModel.username.in_(wanted)))
    }


def _set(group: list[NotificationModel], **values: Any) -> None:
    for row in group:
        for key, value in values.items():
            setattr(row, key, value)


def _item(row: NotificationModel) -> MailItem:
    return MailItem.of(row)


def mark_sent(session: Session, message_id: str, now: datetime) -> int:
    """The server accepted the message: its rows are `sent`. Returns how many rows."""
    result = session.execute(
        update(NotificationModel)
        .where(
            NotificationModel.message_id == message_id,
            NotificationModel.status == MailStatus.SENDING,
        )
        .values(status=MailStatus.SENT, sent_at=now, next_attempt_at=None, last_error=None)
    )
    return max(getattr(result, "rowcount", 0) or 0, 0)


def mark_retry(
    session: Session,
    message_id: str,
    now: datetime,
    error: str,
    *,
    permanent: bool = False,
    policy: RetryPolicy | None = None,
) -> MailStatus:
    """The attempt failed with `error`: the message is `pending` again after the back-off, or
    `failed` when the attempts ran out (or the error is permanent). Returns the new status."""
    policy = policy or RetryPolicy()
    rows = list(
        session.scalars(
            select(NotificationModel).where(
                NotificationModel.message_id == message_id,
                NotificationModel.status == MailStatus.SENDING,
            )
        )
    )
    attempts = max((row.attempts for row in rows), default=0)
    give_up = permanent or attempts >= policy.max_attempts
    status = MailStatus.FAILED if give_up else MailStatus.PENDING
    for row in rows:
        row.status = status
        row.last_error = error[:2000]
        row.next_attempt_at = None if give_up else now + policy.delay(attempts)
    return status


Send = Callable[[OutgoingMail], None]


def deliver_mail(
    factory: sessionmaker[Session],
    clock: Clock,
    send: Send,
    *,
    zone: tzinfo,
    domain: str,
    limit: int = 50,
    policy: RetryPolicy | None = None,
) -> MailRound:
    """One round of the outbox: form the digests whose hour has come, claim the due messages,
    hand each to `send` (which raises MailError when the server will not take it) and record
    the outcome. Any other exception leaves the message `sending` until its lease is over."""
    policy = policy or RetryPolicy()
    with transaction(factory) as session:
        form_digests(session, clock(), zone, domain)
        mails, skipped = claim_mail(session, clock(), domain=domain, limit=limit, policy=policy)
    sent = retrying = failed = 0
    for mail in mails:
        try:
            send(mail)
        except MailError as exc:
            with transaction(factory) as session:
                status = mark_retry(
                    session,
                    mail.message_id,
                    clock(),
                    exc.message,
                    permanent=exc.permanent,
                    policy=policy,
                )
            if status == MailStatus.FAILED:
                failed += 1
            else:
                retrying += 1
            continue
        with transaction(factory) as session:
            mark_sent(session, mail.message_id, clock())
        sent += 1
    return MailRound(sent=sent, retrying=retrying, failed=failed, skipped=skipped)
