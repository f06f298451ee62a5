"""Messages and signals from other systems: POST /messages correlates a message to the item
waiting for it (or starts one on a message start event), POST /signals broadcasts a signal.
Only administrators' tokens may send them: an event moves items its sender may not see."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

import engine

from ..unit_of_work import config, uow
from .core import WRITE, me, operation
from .errors import ApiError
from .schemas import Request


class MessageBody(Request):
    name: str = Field(min_length=1, max_length=255, description="the BPMN message's name")
    correlation_key: str | None = Field(
        None, max_length=255, description="the waiting item's business_key"
    )
    data: dict[str, Any] | None = Field(None, description="variables the item receives")


class SignalBody(Request):
    name: str = Field(min_length=1, max_length=255, description="the BPMN signal's name")
    data: dict[str, Any] | None = Field(None, description="variables every item receives")


class DeliveryOut(BaseModel):
    kind: str = Field(description="message or signal")
    name: str
    received: list[int] = Field(description="the items that caught it")
    started: list[int] = Field(description="the items it started")


def _administrator() -> engine.Identity:
    who = me()
    if engine.ADMIN_GROUP not in who.groups:
        raise ApiError(403, "forbidden", "only administrators may send messages and signals")
    return who


def _out(delivery: engine.EventDelivery) -> DeliveryOut:
    return DeliveryOut(
        kind=delivery.kind,
        name=delivery.name,
        received=list(delivery.received),
        started=list(delivery.started),
    )


@operation(
    "/messages",
    "POST",
    summary="Correlate a message to the item waiting for it, or start an item",
    tag="events",
    scope=WRITE,
    body=MessageBody,
    response=DeliveryOut,
    errors=(403, 404, 409, 422),
)
def send_message(body: MessageBody) -> DeliveryOut:
    """Delivers the message to the one running item waiting for a message of this name (and,
    with `correlation_key`, whose `business_key` equals it); if none waits, starts an item of
    the process whose start event catches it (with the key as its `business_key`). 404
    `message_unmatched` when nothing takes it; 409 `message_ambiguous` when several items
    would (give a key)."""
    who = _administrator()
    with uow() as s:
        delivery = engine.correlate_message(
            s, config(), body.name, who, key=body.correlation_key, data=body.data
        )
    return _out(delivery)


@operation(
    "/signals",
    "POST",
    summary="Broadcast a signal to every item waiting for it",
    tag="events",
    scope=WRITE,
    body=SignalBody,
    response=DeliveryOut,
    errors=(403, 409, 422),
)
def send_signal(body: SignalBody) -> DeliveryOut:
    """Every running item waiting for this signal catches it, and every process whose start
    event catches it starts an item, in one transaction; nothing waiting is not an error. The
    signals those items throw in turn go on in the same transaction: 409 `signal_loop` when
    they keep answering each other."""
    who = _administrator()
    with uow() as s:
        delivery = engine.broadcast_signal(s, config(), body.name, who, data=body.data)
    return _out(delivery)
