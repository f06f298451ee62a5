"""Sending the webhook outbox: each due delivery is POSTed, signed with its webhook's secret, and
marked sent on a 2xx answer; anything else is tried again later, waiting twice as long each
time, and marked failed after MAX_ATTEMPTS.

At least once: a delivery is claimed (its attempt counted, its next try pushed past a lease) in
one short transaction, sent with no transaction open, and its outcome recorded in another. A
worker that dies between sending and recording sends it again when the lease runs out, so a
receiver may see an event twice and recognises it by its id (``X-Pheduyet-Event-Id``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from http.client import HTTPException
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from .clock import Clock
from .db import transaction
from .webhooks import MAX_ERROR, DeliveryStatus, WebhookDeliveryModel, WebhookModel

MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=6)
# A claimed delivery is not taken by another worker for this long: longer than a batch of
# BATCH sends can last (each at most TIMEOUT_S).
LEASE = timedelta(minutes=5)
TIMEOUT_S = 10.0
BATCH = 10
ROUND_LIMIT = 100
TIME_BUDGET_S = 30.0
# Sent deliveries stay in the log this long; failed ones until an administrator acts.
KEEP_SENT = timedelta(days=30)
_READ_AT_MOST = 64 * 1024

SIGNATURE_HEADER = "X-Pheduyet-Signature"
TIMESTAMP_HEADER = "X-Pheduyet-Timestamp"
EVENT_ID_HEADER = "X-Pheduyet-Event-Id"
EVENT_TYPE_HEADER = "X-Pheduyet-Event"
DELIVERY_HEADER = "X-Pheduyet-Delivery"


@dataclass(frozen=True)
class Answer:
    """What a receiver answered: its HTTP status, or why there was none."""

    status_code: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass(frozen=True)
class DeliveryRound:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


Post = Callable[[str, bytes, dict[str, str]], Answer]


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: HMAC-SHA256 of the raw body with the webhook's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def retry_wait(attempts: int) -> timedelta:
    """How long to wait after the given number of failed attempts: 30 s, 1 min, 2 min, …"""
    wait: timedelta = FIRST_RETRY * 2 ** max(attempts - 1, 0)
    return min(wait, LONGEST_WAIT)


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    # A redirect could lead the signed event to another host: it counts as a failure.
    def redirect_request(self, *_args: Any, **_kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST the body; never raises for what the network or the receiver does."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with _opener.open(request, timeout=TIMEOUT_S) as response:
            response.read(_READ_AT_MOST)
            return Answer(response.status)
    except urllib.error.HTTPError as exc:
        code = exc.code
        exc.close()
        if 300 <= code < 400:
            return Answer(code, f"redirect not followed (HTTP {code})")
        return Answer(code, f"HTTP {code} {exc.reason}")
    except urllib.error.URLError as exc:
        return Answer(None, str(exc.reason))
    except (OSError, HTTPException, ValueError) as exc:
        return Answer(None, f"{type(exc).__name__}: {exc}")


def deliver_webhooks(
    factory: sessionmaker[Session],
    clock: Clock,
    *,
    limit: int = ROUND_LIMIT,
    post: Post = post,
) -> DeliveryRound:
    """Send up to ``limit`` due deliveries and record how each went; returns the counts.
    Deliveries are claimed a few at a time and no new batch starts after TIME_BUDGET_S, so a
    receiver that never answers holds the caller (the worker's round) for a bounded time."""
    started = time.monotonic()
    sent = retrying = failed = 0
    while sent + retrying + failed < limit and time.monotonic() - started < TIME_BUDGET_S:
        with transaction(factory) as session:
            claimed = _claim(session, clock(), min(BATCH, limit - sent - retrying - failed))
        for delivery_id, url, body, headers in claimed:
            answer = post(url, body, headers)
            with transaction(factory) as session:
                status = _record(session, delivery_id, answer, clock())
            sent += status == DeliveryStatus.SENT
            failed += status == DeliveryStatus.FAILED
            retrying += status == DeliveryStatus.PENDING
        if len(claimed) < BATCH:
            break
    return DeliveryRound(sent, retrying, failed)


def prune_webhook_log(session: Session, now: datetime) -> int:
    """Forget the deliveries sent more than KEEP_SENT ago; returns how many."""
    result = session.execute(
        delete(WebhookDeliveryModel).where(
            WebhookDeliveryModel.status == DeliveryStatus.SENT,
            WebhookDeliveryModel.sent_at < now - KEEP_SENT,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _claim(
    session: Session, now: datetime, limit: int
) -> list[tuple[int, str, bytes, dict[str, str]]]:
    # FOR UPDATE SKIP LOCKED on PostgreSQL: two workers never claim the same row; SQLite's
    # write transaction (BEGIN IMMEDIATE) already runs one claim at a time.
    rows = session.execute(
        select(WebhookDeliveryModel, WebhookModel.url, WebhookModel.secret)
        .join(WebhookModel, WebhookModel.id == WebhookDeliveryModel.webhook_id)
        .where(
            WebhookDeliveryModel.status == DeliveryStatus.PENDING,
            WebhookDeliveryModel.next_attempt_at <= now,
        )
        .order_by(WebhookDeliveryModel.next_attempt_at, WebhookDeliveryModel.id)
        .limit(limit)
        .with_for_update(of=WebhookDeliveryModel, skip_locked=True)
    )
    claimed = []
    for row, url, secret in rows:
        row.attempts += 1
        row.next_attempt_at = now + LEASE
        body = json.dumps(row.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "pheduyet-webhooks",
            SIGNATURE_HEADER: sign(secret, body),
            TIMESTAMP_HEADER: str(int(now.timestamp())),
            EVENT_ID_HEADER: row.event_id,
            EVENT_TYPE_HEADER: row.event_type,
            DELIVERY_HEADER: str(row.id),
        }
        claimed.append((row.id, url, body, headers))
    return claimed


def _record(session: Session, delivery_id: int, answer: Answer, now: datetime) -> str | None:
    row = session.get(WebhookDeliveryModel, delivery_id, with_for_update=True)
    if row is None or row.status != DeliveryStatus.PENDING:  # removed meanwhile
        return None
    row.last_status_code = answer.status_code
    if answer.ok:
        row.status, row.sent_at, row.last_error = DeliveryStatus.SENT, now, None
    elif row.attempts >= MAX_ATTEMPTS:
        row.status, row.last_error = DeliveryStatus.FAILED, _short(answer.error)
    else:
        row.next_attempt_at, row.last_error = now + retry_wait(row.attempts), _short(answer.error)
    return row.status


def _short(error: str | None) -> str:
    return (error or "no answer")[:MAX_ERROR]
