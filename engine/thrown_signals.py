"""Signals an item throws (an intermediate or end event with a signal), for the other items.

A BPMN signal is a broadcast: every item waiting for it takes it, and every process starting on
it starts, as Camunda 7 delivers a thrown signal. SpiffWorkflow delivers a throw only inside
the item that threw it and leaves the rest as pending events. `persist` notes the names here;
before the action's transaction commits, engine/messages.py sends each to the other items, as
`pheduyet signal send` would, in the same transaction: a receiver's failure (a script error)
fails the throw too, and nothing is half delivered. No variables go with it (Camunda sends
none unless told). An item receiving one may throw another; the chain stops with an error past
`MAX_THROWN` deliveries in one action.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from sqlalchemy.orm import Session

from .db import kept_for_the_transaction

MAX_THROWN = 100
# session.info: (the item that threw, the signal's name, who acted, the action's EngineConfig),
# in the order thrown.
_THROWN = "pheduyet.thrown_signals"
kept_for_the_transaction(_THROWN)


def signal_names(events: Iterable[Any]) -> tuple[str, ...]:
    """The names of the signals among an item's pending events (the rest are dropped)."""
    return tuple(
        str(event.event_definition.name)
        for event in events
        if isinstance(event.event_definition, SignalEventDefinition)
    )


def note_thrown(
    session: Session, item_id: int, names: Iterable[str], actor: str | None, config: Any
) -> None:
    if names:
        queue = session.info.setdefault(_THROWN, [])
        queue.extend((item_id, name, actor, config) for name in names)


def take_thrown(session: Session) -> tuple[int, str, str | None, Any] | None:
    """The next signal thrown in this transaction and not yet sent, or None."""
    queue = session.info.get(_THROWN)
    return queue.pop(0) if queue else None
