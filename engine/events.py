"""What an action did, told to listeners inside the action's own transaction.

Anything that must leave the database because of an action (a mail, a webhook) is written to an
outbox by a listener here, in the same transaction: a rolled-back action sends nothing, and a
committed one cannot lose its message. Listeners travel with the session factory, like the audit
key (``bind_listeners``), so the web app, the CLI and the worker decide what listens; a plain
factory (the engine's tests) has none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

_LISTENERS = "pheduyet.event_listeners"


@dataclass(frozen=True)
class TaskOpened:
    """A human task was opened: who may act on it (lower-cased ("group"|"user", name) pairs, as
    the inbox reads them), who holds it, and its deadline."""

    instance_id: int
    task_id: str
    process_id: str
    element_id: str
    title: str
    candidates: tuple[tuple[str, str], ...]
    assignee: str | None
    created_at: datetime
    due_at: datetime | None


@dataclass(frozen=True)
class HistoryRecorded:
    """An event was added to an item's history (``started``, ``completed``, ``claimed``,
    ``assigned``, ``cancelled``, ``finished``, ``timer_fired``, ``error``…), as the audit
    log keeps it."""

    instance_id: int
    seq: int
    kind: str
    at: datetime
    actor: str | None
    task_id: str | None
    element_id: str | None
    decision: str | None
    comment: str | None
    details: dict[str, Any]


EngineEvent = TaskOpened | HistoryRecorded
Listener = Callable[[Session, EngineEvent], None]


def bind_listeners(
    factory: sessionmaker[Session], listeners: Iterable[Listener]
) -> sessionmaker[Session]:
    """Let the sessions of this factory tell these listeners what each action did."""
    factory.configure(info={**(factory.kw.get("info") or {}), _LISTENERS: tuple(listeners)})
    return factory


def has_listeners(session: Session) -> bool:
    return bool(session.info.get(_LISTENERS))


def publish(session: Session, event: EngineEvent) -> None:
    """Hand the event to every listener of the session, in the caller's transaction: a
    listener's failure fails the action."""
    for listener in session.info.get(_LISTENERS, ()):
        listener(session, event)
