"""Outgoing webhooks: URLs the administrators register for some event types, and the outbox of
deliveries to them.

The listener (``webhook_listener``, bound to the session factory with ``bind_listeners``) turns
what an action did into events and writes one delivery per matching active webhook in the
action's own transaction: a rolled-back action delivers nothing. ``webhook_delivery`` sends the
outbox. A payload names the item, the task and who acted, never the item's data.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, delete, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime, read_rows
from .directory_cache import kept
from .errors import InvalidInput, NotFound
from .events import EngineEvent, TaskOpened
from .instances import InstanceModel

MAX_URL = 2000
MIN_SECRET = 16
MAX_SECRET = 200
MAX_ERROR = 1000
LOG_PAGE = 50

# What an item's history kind is called outside; a kind not named here is not sent.
_HISTORY_EVENTS = {
    "started": "item.started",
    "finished": "item.finished",
    "cancelled": "item.cancelled",
    "error": "item.error",
    "completed": "task.completed",
    "claimed": "task.claimed",
    "unclaimed": "task.released",
    "assigned": "task.assigned",
}
EVENT_TYPES: tuple[str, ...] = (
    "item.started",
    "item.finished",
    "item.cancelled",
    "item.error",
    "task.created",
    "task.completed",
    "task.claimed",
    "task.released",
    "task.assigned",
)


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"


class WebhookModel(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(String(MAX_URL))
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Kept as given: it signs every delivery, so it cannot be hashed.
    secret: Mapped[str] = mapped_column(String(MAX_SECRET))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_by: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WebhookDeliveryModel(Base):
    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        # The sender's question: what is pending and due.
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    webhook_id: Mapped[int] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[str] = mapped_column(String(36))
    event_type: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(String(MAX_ERROR))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    event_types: tuple[str, ...]
    active: bool
    created_by: str | None
    created_at: datetime


@dataclass(frozen=True)
class NewWebhook:
    """A webhook just added, with its secret: the only time the secret is handed out."""

    webhook: Webhook
    secret: str


@dataclass(frozen=True)
class WebhookDelivery:
    id: int
    webhook_id: int
    url: str
    event_id: str
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None


def check_webhook_url(url: str) -> str:
    """The URL as it will be called: http or https, a host, no user name or password in it,
    at most MAX_URL characters. InvalidInput names the reason (``webhook_url_length``,
    ``webhook_url_scheme``, ``webhook_url_host``, ``webhook_url_credentials``)."""
    url = url.strip()
    if not url or len(url) > MAX_URL:
        raise InvalidInput(
            f"a webhook URL has 1 to {MAX_URL} characters",
            reason="webhook_url_length",
            field="url",
            limit=MAX_URL,
        )
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in url):
        raise InvalidInput(
            "a webhook URL has no spaces or control characters",
            reason="webhook_url_characters",
            field="url",
        )
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - a port that is not a number raises here
    except ValueError as exc:
        raise InvalidInput(f"not a URL: {exc}", reason="webhook_url_host", field="url") from exc
    if parts.scheme.lower() not in {"http", "https"}:
        raise InvalidInput(
            "a webhook URL starts with http:// or https://",
            reason="webhook_url_scheme",
            field="url",
        )
    if "@" in parts.netloc:
        raise InvalidInput(
            "a webhook URL carries no user name or password: the signature proves the sender",
            reason="webhook_url_credentials",
            field="url",
        )
    if not parts.hostname:
        raise InvalidInput("a webhook URL names a host", reason="webhook_url_host", field="url")
    return url


def _event_types(event_types: tuple[str, ...] | list[str]) -> list[str]:
    chosen = [t for t in EVENT_TYPES if t in set(event_types)]
    unknown = sorted(set(event_types) - set(EVENT_TYPES))
    if unknown:
        raise InvalidInput(
            f"unknown webhook event type(s): {', '.join(unknown)}",
            reason="webhook_event_type",
            field="event_types",
            unknown=unknown,
        )
    if not chosen:
        raise InvalidInput(
            "a webhook listens to at least one event type",
            reason="webhook_no_event_type",
            field="event_types",
        )
    return chosen


def _secret(secret: str | None) -> str:
    if secret is None or not secret.strip():
        return secrets.token_urlsafe(32)
    secret = secret.strip()
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable():
        raise InvalidInput(
            f"a webhook secret has {MIN_SECRET} to {MAX_SECRET} printable characters",
            reason="webhook_secret_length",
            field="secret",
            min=MIN_SECRET,
            limit=MAX_SECRET,
        )
    return secret


def add_webhook(
    session: Session,
    now: datetime,
    url: str,
    event_types: tuple[str, ...] | list[str],
    *,
    secret: str | None = None,
    active: bool = True,
    created_by: str | None = None,
) -> NewWebhook:
    """Register a URL for these event types. Without ``secret`` one is generated; either way
    it is returned here once and never shown again."""
    row = WebhookModel(
        url=check_webhook_url(url),
        event_types=_event_types(event_types),
        secret=_secret(secret),
        active=active,
        created_by=created_by,
        created_at=now,
    )
    session.add(row)
    session.flush()
    session.info.pop(_ACTIVE, None)
    return NewWebhook(_view(row), row.secret)


def list_webhooks(session: Session) -> list[Webhook]:
    """Every webhook, in the order they were added."""
    return [_view(r) for r in session.scalars(select(WebhookModel).order_by(WebhookModel.id))]


def set_webhook_active(session: Session, webhook_id: int, active: bool) -> Webhook:
    """Switch a webhook on or off; an inactive one is sent nothing new (its pending deliveries
    still go). NotFound when there is no such webhook."""
    row = _row(session, webhook_id)
    row.active = active
    session.flush()  # the listener reads the active webhooks without flushing
    session.info.pop(_ACTIVE, None)
    return _view(row)


def remove_webhook(session: Session, webhook_id: int) -> None:
    """Remove a webhook and its delivery log (pending deliveries are never sent)."""
    row = _row(session, webhook_id)
    session.execute(delete(WebhookDeliveryModel).where(WebhookDeliveryModel.webhook_id == row.id))
    session.delete(row)
    session.flush()
    session.info.pop(_ACTIVE, None)


def list_deliveries(
    session: Session,
    *,
    webhook_id: int | None = None,
    before: int | None = None,
    limit: int = LOG_PAGE,
) -> list[WebhookDelivery]:
    """The delivery log, latest first; ``before`` (a delivery id) gives the page after it."""
    query = (
        select(WebhookDeliveryModel, WebhookModel.url)
        .join(WebhookModel, WebhookModel.id == WebhookDeliveryModel.webhook_id)
        .order_by(WebhookDeliveryModel.id.desc())
        .limit(limit)
    )
    if webhook_id is not None:
        query = query.where(WebhookDeliveryModel.webhook_id == webhook_id)
    if before is not None:
        query = query.where(WebhookDeliveryModel.id < before)
    return [delivery_view(row, url) for row, url in session.execute(query)]


def retry_delivery(session: Session, delivery_id: int, now: datetime) -> None:
    """Send a failed delivery again at the next round, with a fresh count of attempts.
    NotFound when there is no such delivery; one that is not failed is left as it is."""
    row = session.get(WebhookDeliveryModel, delivery_id)
    if row is None:
        raise NotFound(f"no webhook delivery {delivery_id}")
    if row.status == DeliveryStatus.FAILED:
        row.status, row.attempts, row.next_attempt_at = DeliveryStatus.PENDING, 0, now


# The active webhooks, read once per transaction: an action tells its listeners of several
# events, and most installations have no webhook at all.
_ACTIVE = "pheduyet.webhooks.active"
_ACTIVE_HOOKS = select(WebhookModel.id, WebhookModel.event_types).where(WebhookModel.active)


def webhook_listener(session: Session, event: EngineEvent) -> None:
    """An engine event listener (``engine.bind_listeners``): one pending delivery per active
    webhook that listens to the event's type, written in the action's transaction."""
    event_type = _event_type(event)
    if event_type is None:
        return
    hooks = [hook_id for hook_id, types in _active(session) if event_type in types]
    if not hooks:
        return
    occurred_at, payload = _payload(session, event)
    event_id = str(uuid.uuid4())
    body = {"id": event_id, "type": event_type, "occurred_at": occurred_at.isoformat(), **payload}
    session.add_all(
        WebhookDeliveryModel(
            webhook_id=hook_id,
            event_id=event_id,
            event_type=event_type,
            payload=body,
            status=DeliveryStatus.PENDING,
            attempts=0,
            next_attempt_at=occurred_at,
            created_at=occurred_at,
        )
        for hook_id in hooks
    )


def _active(session: Session) -> tuple[tuple[int, tuple[str, ...]], ...]:
    transaction = session.get_transaction()
    cached = session.info.get(_ACTIVE)
    if cached is not None and cached[0] is transaction:
        hooks: tuple[tuple[int, tuple[str, ...]], ...] = cached[1]
        return hooks
    hooks = kept(session, _ACTIVE, lambda: _read_active(session))
    session.info[_ACTIVE] = (transaction, hooks)
    return hooks


def _read_active(session: Session) -> tuple[tuple[int, tuple[str, ...]], ...]:
    # Without flushing: the action's item row, dirty in the middle of the action, is written
    # once at its end (engine.instances.save_instance), not here; webhooks flush as they change.
    with session.no_autoflush:
        found = read_rows(session, _ACTIVE_HOOKS).all()
    return tuple((hook_id, tuple(types or ())) for hook_id, types in found)


def _event_type(event: EngineEvent) -> str | None:
    if isinstance(event, TaskOpened):
        return "task.created"
    return _HISTORY_EVENTS.get(event.kind)


def _payload(session: Session, event: EngineEvent) -> tuple[datetime, dict[str, Any]]:
    if isinstance(event, TaskOpened):
        task = {
            "id": event.task_id,
            "element": event.element_id,
            "title": event.title,
            "candidates": [{"kind": k, "name": n} for k, n in event.candidates],
            "assignee": event.assignee,
            "due_at": event.due_at.isoformat() if event.due_at else None,
        }
        item = _item(session, event.instance_id, event.process_id)
        return event.created_at, {"item": item, "task": task, "actor": None}
    payload: dict[str, Any] = {
        "item": _item(session, event.instance_id, None),
        "actor": event.actor,
    }
    if _HISTORY_EVENTS[event.kind].startswith("task."):
        payload["task"] = {"id": event.task_id, "element": event.element_id}
    if event.kind == "completed":
        payload["decision"], payload["comment"] = event.decision, event.comment
    elif event.kind == "cancelled":
        payload["comment"] = event.comment
    elif event.kind == "assigned":
        payload["comment"] = event.comment
        payload["to"] = event.details.get("to")
    return event.at, payload


def _item(session: Session, instance_id: int, process_id: str | None) -> dict[str, Any]:
    # The action has the instance loaded: get() answers from the session without a query.
    instance = session.get(InstanceModel, instance_id)
    return {
        "id": instance_id,
        "process": instance.process_id if instance else process_id,
        "title": instance.title if instance else None,
    }


def _row(session: Session, webhook_id: int) -> WebhookModel:
    row = session.get(WebhookModel, webhook_id)
    if row is None:
        raise NotFound(f"no webhook {webhook_id}")
    return row


def _view(row: WebhookModel) -> Webhook:
    return Webhook(
        row.id, row.url, tuple(row.event_types or ()), row.active, row.created_by, row.created_at
    )


def delivery_view(row: WebhookDeliveryModel, url: str) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        webhook_id=row.webhook_id,
        url=url,
        event_id=row.event_id,
        event_type=row.event_type,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        sent_at=row.sent_at,
    )
