"""Notifications: what a person is told (a new task, a return, a deadline…), in the app and by mail.

One row per person and event (``notifications``) is both the in-app notification (the bell:
``notifications_for``, ``mark_read``) and the mail outbox entry (``engine.outbox`` sends it).
Rows are written in the transaction of the action that causes them (``notify``), so a
rolled-back action leaves none, and each event reaches a person once: its ``dedupe_key`` is
unique per recipient.

A person's settings live here too: their address and mail language (``set_email``,
``set_locale``), the hour of their daily digest (``set_digest_hour``) and, per event, how the
mail reaches them (``set_choice``: immediately, in the digest, or not at all; the escalation of an
overdue task cannot be switched off). ``preferences`` reads them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Self

from sqlalchemy import (
    JSON,
    ColumnElement,
    ForeignKey,
    Index,
    Select,
    String,
    Text,
    UniqueConstraint,
    and_,
    bindparam,
    func,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime, cast_table, read_rows
from .directory_cache import TOKEN_COLUMN, kept
from .driver_sql import run
from .errors import InvalidInput, NotFound
from .late_units import units_line
from .recipients import CANDIDATE_PEOPLE, candidate_names
from .users import IDENTITY, Identity, UserModel, identity_of_session


class NotifyEvent(StrEnum):
    """What a notification tells."""

    NEW_TASK = "new_task"  # a task for me or my group (or forwarded to me)
    RETURNED = "returned"  # a task sent back to me, with the reason
    REMINDER = "reminder"  # a deadline is near
    OVERDUE = "overdue"  # a task I hold is past its deadline
    ESCALATED = "escalated"  # a task in my unit is long past its deadline (to its leaders)
    FINISHED = "finished"  # an item I started has finished
    URGED = "urged"  # the leaders urge my unit on a task past its deadline
    TEST = "test"  # `pheduyet notify test`: not a choice anyone makes


# The events a person chooses a delivery for, in the order a settings page lists them: the
# lateness events together, in the order they come (near, past, reported, urged by the leaders).
CHOOSABLE_EVENTS: tuple[NotifyEvent, ...] = (
    NotifyEvent.NEW_TASK,
    NotifyEvent.RETURNED,
    NotifyEvent.REMINDER,
    NotifyEvent.OVERDUE,
    NotifyEvent.ESCALATED,
    NotifyEvent.URGED,
    NotifyEvent.FINISHED,
)
# Events whose mail cannot be switched off (a digest is allowed).
ALWAYS_SENT: frozenset[NotifyEvent] = frozenset({NotifyEvent.ESCALATED})


class Delivery(StrEnum):
    """How the mail of an event reaches a person; the in-app notification is written always."""

    IMMEDIATELY = "immediately"
    DIGEST = "digest"  # in one mail a day, at the person's digest hour
    OFF = "off"


class MailStatus(StrEnum):
    """Where a notification's mail is."""

    PENDING = "pending"  # to be sent at next_attempt_at (again after a failure)
    SENDING = "sending"  # handed to a worker; retried after its lease if it never came back
    SENT = "sent"
    FAILED = "failed"  # the retries ran out: last_error says why
    DIGEST = "digest"  # waits for the person's daily digest
    SKIPPED_NO_EMAIL = "skipped_no_email"  # the person has no address
    OFF = "off"  # the person chose no mail for this event


LOCALES = ("vi", "en")
DEFAULT_DIGEST_HOUR = 7
_EMAIL = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")
MAX_EMAIL = 254


class NotificationChoiceModel(Base):
    __tablename__ = "notification_choices"

    username: Mapped[str] = mapped_column(
        ForeignKey("users.username", ondelete="CASCADE"), primary_key=True
    )
    event: Mapped[str] = mapped_column(String(30), primary_key=True)
    delivery: Mapped[str] = mapped_column(String(20))


class NotificationModel(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("recipient", "dedupe_key", name="uq_notifications_recipient_dedupe"),
        Index("ix_notifications_recipient_created", "recipient", "created_at", "id"),
        Index("ix_notifications_recipient_read", "recipient", "read_at"),
        Index("ix_notifications_status_next", "status", "next_attempt_at"),
        Index("ix_notifications_message_id", "message_id"),
        Index("ix_notifications_task_event", "task_id", "event"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(ForeignKey("users.username", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(30))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("instances.id", ondelete="CASCADE"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    title: Mapped[str] = mapped_column(String(500))
    step: Mapped[str | None] = mapped_column(String(500))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    # The units an escalation names, as a list: a unit's name may hold ", " itself, so readers
    # join them (late_units.units_line) or cut on whole names, never split a text; such a row
    # keeps no `reason` of its own (one written before migration 0024 still has it).
    units: Mapped[list[str] | None] = mapped_column(JSON)
    actor: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[str | None] = mapped_column(String(250))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# --- A person's settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class Preferences:
    """A person's notification settings: address (None: no mail at all), mail language, digest
    hour (0-23, local time) and the delivery of each choosable event (defaults filled in)."""

    username: str
    email: str | None
    locale: str
    digest_hour: int
    choices: dict[str, Delivery] = field(default_factory=dict)


def _person(session: Session, username: str) -> UserModel:
    user = session.get(UserModel, username)
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    return user


def check_email(email: str) -> str:
    """The address, trimmed; InvalidInput (reason 'email_format') when it is not one."""
    value = email.strip()
    if len(value) > MAX_EMAIL or not _EMAIL.match(value):
        raise InvalidInput(f"'{value}' is not an email address", reason="email_format")
    return value


def set_email(session: Session, username: str, email: str | None) -> None:
    """Set (or, with None or "", remove) a person's email address. Raises NotFound for an
    unknown person, InvalidInput (reason 'email_format') for a malformed address."""
    user = _person(session, username)
    user.email = check_email(email) if email and email.strip() else None


def set_locale(session: Session, username: str, locale: str) -> None:
    """The language of a person's mail: 'vi' or 'en' (InvalidInput, reason 'locale')."""
    if locale not in LOCALES:
        raise InvalidInput(f"a language is one of {', '.join(LOCALES)}", reason="locale")
    _person(session, username).locale = locale


def set_digest_hour(session: Session, username: str, hour: int) -> None:
    """The local hour (0-23) at which a person's daily digest is sent (InvalidInput, reason
    'digest_hour', otherwise)."""
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        raise InvalidInput("a digest hour is from 0 to 23", reason="digest_hour")
    _person(session, username).digest_hour = hour


def set_choice(session: Session, username: str, event: str, delivery: str) -> None:
    """How the mail of `event` (a CHOOSABLE_EVENTS value) reaches the person: a Delivery value.
    An escalation cannot be switched off (InvalidInput, reason 'always_sent'); an unknown
    event or delivery is InvalidInput (reason 'event' / 'delivery')."""
    _person(session, username)
    if event not in set(CHOOSABLE_EVENTS):
        raise InvalidInput(f"no notification event '{event}'", reason="event")
    if delivery not in set(Delivery):
        raise InvalidInput(f"no delivery '{delivery}'", reason="delivery")
    if event in ALWAYS_SENT and delivery == Delivery.OFF:
        raise InvalidInput(
            f"the mail of '{event}' cannot be switched off", reason="always_sent", event=event
        )
    row = session.get(NotificationChoiceModel, (username, event))
    if row is None:
        session.add(NotificationChoiceModel(username=username, event=event, delivery=delivery))
    else:
        row.delivery = delivery


def preferences(session: Session, username: str) -> Preferences:
    """A person's settings, each choosable event with its delivery (immediately by default)."""
    user = _person(session, username)
    chosen = dict(
        session.execute(
            select(NotificationChoiceModel.event, NotificationChoiceModel.delivery).where(
                NotificationChoiceModel.username == username
            )
        ).all()
    )
    return Preferences(
        username=user.username,
        email=user.email,
        locale=user.locale or "vi",
        digest_hour=user.digest_hour if user.digest_hour is not None else DEFAULT_DIGEST_HOUR,
        choices={e.value: Delivery(chosen.get(e, Delivery.IMMEDIATELY)) for e in CHOOSABLE_EVENTS},
    )


# --- Writing notifications -------------------------------------------------------------------

_TABLE = cast_table(NotificationModel)
# A recipient told before (the dedupe key) gets no second row. How many rows were written: the
# driver's count of the rows changed (an executemany's the sum, on both databases), which lets
# the INSERT go past SQLAlchemy (engine/driver_sql.py), where RETURNING would keep it there.
# SQLAlchemy's own execution (a statement's first run) keeps an INSERT's count only when told.
_INSERT = {
    dialect: insert.on_conflict_do_nothing().execution_options(preserve_rowcount=True)
    for dialect, insert in (
        ("sqlite", sqlite.insert(_TABLE)),
        ("postgresql", postgresql.insert(_TABLE)),
    )
}
_users = cast_table(UserModel)
_choices = cast_table(NotificationChoiceModel)


def _people(where: ColumnElement[bool]) -> Select[str, str | None, str | None]:
    """The active people `where` picks, each with their address and their choice for the
    event (bound as "event"), in name order: one query, built once."""
    chosen = and_(_choices.c.username == _users.c.username, _choices.c.event == bindparam("event"))
    return (
        select(_users.c.username, _users.c.email, _choices.c.delivery)
        .select_from(_users.outerjoin(_choices, chosen))
        .where(_users.c.active.is_(True), where)
        .order_by(_users.c.username)
    )


_NAMED = _people(_users.c.username.in_(bindparam("names", expanding=True)))
_CANDIDATES = _people(_users.c.username.in_(CANDIDATE_PEOPLE.scalar_subquery()))
_QUERIES = {"named": _NAMED, "candidates": _CANDIDATES}


def notify(
    session: Session,
    *,
    event: str,
    recipients: Iterable[str],
    dedupe_key: str,
    at: datetime,
    title: str,
    instance_id: int | None = None,
    task_id: str | None = None,
    step: str | None = None,
    due_at: datetime | None = None,
    reason: str | None = None,
    units: Sequence[str] | None = None,
    actor: str | None = None,
) -> int:
    """Write one notification per active recipient, in the caller's transaction; a recipient
    who already has `dedupe_key` is skipped (an event is told once per person). Each row's mail
    status follows the person's choice for the event (and `skipped_no_email` without an
    address). `units` are the whole names of the units it names (an escalation's), kept as a
    list: the row's text is made from them when it is read. Returns how many rows were
    written."""
    wanted = sorted(set(recipients))
    if not wanted:
        return 0
    people = _read(session, "named", {"names": wanted, "event": event})
    rows = _rows(
        people,
        event=event,
        dedupe_key=dedupe_key,
        at=at,
        title=title,
        instance_id=instance_id,
        task_id=task_id,
        step=step,
        due_at=due_at,
        reason=reason,
        units=units,
        actor=actor,
    )
    return _insert(session, rows)


def notify_candidates(
    session: Session,
    *,
    candidates: Iterable[tuple[str, str]],
    assignee: str | None,
    leave_out: Iterable[str | None] = (),
    event: str,
    dedupe_key: str,
    at: datetime,
    title: str,
    instance_id: int | None = None,
    task_id: str | None = None,
    step: str | None = None,
    due_at: datetime | None = None,
    reason: str | None = None,
    actor: str | None = None,
) -> None:
    """`notify` the people of a task: its assignee, else the active people its candidates
    stand for (engine.people_of), but not those of `leave_out`. One query and one INSERT,
    which nobody counts: on PostgreSQL it may wait in the action's pipeline
    (engine/driver_pipeline.py)."""
    if assignee:
        people = _read(session, "named", {"names": [assignee], "event": event})
    else:
        names = candidate_names(candidates)
        if not names["users"] and not names["groups"]:
            return
        people = _read(session, "candidates", {**names, "event": event})
    left_out = set(leave_out)
    rows = _rows(
        [person for person in people if person[0] not in left_out],
        event=event,
        dedupe_key=dedupe_key,
        at=at,
        title=title,
        instance_id=instance_id,
        task_id=task_id,
        step=step,
        due_at=due_at,
        reason=reason,
        units=None,
        actor=actor,
    )
    _insert(session, rows, later=True)


_Person = tuple[str, str | None, str | None]


def _read(session: Session, query: str, params: dict[str, Any]) -> tuple[_Person, ...]:
    """(username, address, choice) of the people the query finds: an action's listener runs
    it for every task it opens, so in a request the process keeps the answer
    (engine.directory_cache: each of those columns is the directory's)."""

    def read() -> tuple[_Person, ...]:
        rows = read_rows(session, _QUERIES[query], params)
        return tuple((name, email, choice) for name, email, choice in rows)

    return kept(session, f"notified {query} {params}", read)


def _rows(
    people: Sequence[_Person],
    *,
    event: str,
    dedupe_key: str,
    at: datetime,
    title: str,
    instance_id: int | None,
    task_id: str | None,
    step: str | None,
    due_at: datetime | None,
    reason: str | None,
    units: Sequence[str] | None,
    actor: str | None,
) -> list[dict[str, Any]]:
    """The notifications' rows, one a person (a person's choice and address decide its mail's
    status)."""
    rows: list[dict[str, Any]] = []
    for username, email, delivery in people:
        status = _first_status(event, delivery, email)
        rows.append(
            {
                "recipient": username,
                "event": event,
                "dedupe_key": dedupe_key[:200],
                "instance_id": instance_id,
                "task_id": task_id,
                "title": title[:500],
                "step": step[:500] if step else None,
                "due_at": due_at,
                "reason": reason,
                "units": list(units) if units else None,
                "actor": actor,
                "created_at": at,
                "status": status,
                "attempts": 0,
                "next_attempt_at": at if status == MailStatus.PENDING else None,
            }
        )
    return rows


def _insert(session: Session, rows: list[dict[str, Any]], *, later: bool = False) -> int:
    """The notifications' INSERT: how many it wrote (a dedupe key already there writes none),
    or 0 for one nobody counts (`later`)."""
    if not rows:
        return 0
    connection = session.connection()
    written = run(connection, _INSERT[connection.dialect.name], rows, later=later)
    return 0 if later else int(written.rowcount)


def _first_status(event: str, delivery: str | None, email: str | None) -> MailStatus:
    if delivery == Delivery.OFF and event not in ALWAYS_SENT:
        return MailStatus.OFF
    if not email:
        return MailStatus.SKIPPED_NO_EMAIL
    if delivery == Delivery.DIGEST:
        return MailStatus.DIGEST
    return MailStatus.PENDING


# --- The bell --------------------------------------------------------------------------------


@dataclass(frozen=True)
class NotificationItem:
    """What one notification says: the mail's item (`MailItem`) and the start of the app's view."""

    id: int
    event: str
    instance_id: int | None
    task_id: str | None
    title: str
    step: str | None
    due_at: datetime | None
    reason: str | None
    # The whole names of the units it names (an escalation's), None where the row has no list
    # (another event, or an escalation written before there was one: `reason` alone).
    units: tuple[str, ...] | None
    actor: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: NotificationModel, **more: Any) -> Self:
        """The row's own fields, with `more` for a subclass's own."""
        return cls(
            id=row.id,
            event=row.event,
            instance_id=row.instance_id,
            task_id=row.task_id,
            title=row.title,
            step=row.step,
            due_at=row.due_at,
            # An escalation's text is its units' line, made from the list it keeps.
            reason=units_line(row.units) if row.units else row.reason,
            units=tuple(row.units) if row.units is not None else None,
            actor=row.actor,
            created_at=row.created_at,
            **more,
        )


@dataclass(frozen=True)
class NotificationView(NotificationItem):
    """One notification as a person reads it in the app."""

    read_at: datetime | None
    mail_status: str


@dataclass(frozen=True)
class NotificationList:
    """A person's newest notifications and how many of all theirs are unread."""

    rows: tuple[NotificationView, ...]
    unread: int


def _view(row: NotificationModel) -> NotificationView:
    return NotificationView.of(row, read_at=row.read_at, mail_status=row.status)


def unread_count(session: Session, username: str) -> int:
    """How many of the person's notifications are unread (for the bell's badge)."""
    # Every page asks: one statement, built once per process.
    count = read_rows(session, _UNREAD, {"recipient": username}).scalar()
    return int(count or 0)


def _unread_of(name: str) -> Select[int]:
    """The count of the unread notifications of the person bound to `name`."""
    return (
        select(func.count())
        .select_from(NotificationModel)
        .where(NotificationModel.recipient == bindparam(name), NotificationModel.read_at.is_(None))
    )


_UNREAD = _unread_of("recipient")


def signed_in(
    session: Session, username: str, generation: object
) -> tuple[Identity, int, str | None] | None:
    """`session_identity`, the person's unread count (the bell's badge) and the directory's
    token (engine.directory_cache) in one statement: every page asks all three, the count and
    the token once (subqueries that depend on no row)."""
    rows = list(read_rows(session, _SIGNED_IN, {"username": username}).all())
    identity = identity_of_session(rows, generation)
    return None if identity is None else (identity, int(rows[0][-2] or 0), rows[0][-1])


_SIGNED_IN = IDENTITY.add_columns(
    _unread_of("username").scalar_subquery().label("unread"), TOKEN_COLUMN
)


def notifications_for(
    session: Session, username: str, *, limit: int = 20, unread_only: bool = False
) -> NotificationList:
    """The person's newest notifications (at most `limit`, newest first; only the unread ones
    with `unread_only`), with their unread count. Two queries."""
    query = select(NotificationModel).where(NotificationModel.recipient == username)
    if unread_only:
        query = query.where(NotificationModel.read_at.is_(None))
    query = query.order_by(NotificationModel.created_at.desc(), NotificationModel.id.desc())
    rows = tuple(_view(r) for r in session.scalars(query.limit(max(1, min(limit, 200)))))
    return NotificationList(rows=rows, unread=unread_count(session, username))


def mark_read(
    session: Session, username: str, at: datetime, ids: Iterable[int] | None = None
) -> int:
    """Mark the person's notifications read at `at`: those of `ids` (others' ids are ignored),
    or all of them when `ids` is None. Returns how many were unread."""
    statement = (
        update(NotificationModel)
        .where(NotificationModel.recipient == username, NotificationModel.read_at.is_(None))
        .values(read_at=at)
    )
    if ids is not None:
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return 0
        statement = statement.where(NotificationModel.id.in_(wanted))
    result = session.execute(statement)
    return max(getattr(result, "rowcount", 0) or 0, 0)
