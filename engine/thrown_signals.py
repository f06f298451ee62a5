"""Signals a Camunda model's item throws (an intermediate or end event with a signal), for the
other items.

A BPMN signal is a broadcast: every item waiting for it takes it, and every process starting on
it starts, as Camunda 7 delivers a thrown signal. SpiffWorkflow delivers a throw only inside
the item that threw it and leaves the rest as pending events (and the item's event manager,
engine/event_subprocesses.py, leaves there one it caught itself too). `persist` hands the names here
and `send_thrown` sends each to the other items at once, as `pheduyet signal send` would, in
the thrower's own transaction and savepoint: a receiver's failure (a script error) fails the
throw too (the timer worker then parks the thrower alone), and nothing is half delivered. No
variables go with it (Camunda sends none unless told). An item receiving one may throw another:
those are sent by the same loop, never from inside a delivery, and the chain stops with an
error past `MAX_THROWN` deliveries. A SpiffArena model's signals stay in their item, as
SpiffWorkflow has them (engine/runtime.py).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from sqlalchemy.orm import Session

from .db import kept_for_the_transaction
from .errors import Conflict

MAX_THROWN = 100
# session.info: (the item that threw, the signal's name, who acted, the action's EngineConfig),
# in the order thrown; and whether a loop sends them now.
_THROWN = "pheduyet.thrown_signals"
_SENDING = "pheduyet.thrown_signals.sending"
kept_for_the_transaction(_THROWN)
kept_for_the_transaction(_SENDING)


def signal_names(events: Iterable[Any]) -> tuple[str, ...]:
    """The names of the signals among an item's pending events (the rest are dropped)."""
    return tuple(
        str(event.event_definition.name)
        for event in events
        if isinstance(event.event_definition, SignalEventDefinition)
    )


def send_thrown(
    session: Session, item_id: int, names: Iterable[str], actor: str | None, config: Any
) -> None:
    """Send the signals the item threw to the other items, with those the receivers throw in
    turn (a delivery inside this loop only adds its own to the queue)."""
    queue = session.info.setdefault(_THROWN, deque())
    queue.extend((item_id, name, actor, config) for name in names)
    if not queue or session.info.get(_SENDING):
        return
    # Here, not at the top: messages starts and runs items, whose persist hands throws here.
    from .messages import broadcast_signal

    session.info[_SENDING] = True
    sent = 0
    try:
        while queue:
            thrower, name, who, settings = queue.popleft()
            sent += 1
            if sent > MAX_THROWN:
                raise Conflict(
                    f"signals thrown from item to item more than {MAX_THROWN} times in one "
                    "action: the models throw each other's signals in a loop",
                    reason="signal_loop",
                    limit=MAX_THROWN,
                )
            broadcast_signal(session, settings, name, who, thrower=thrower)
    finally:
        session.info.pop(_SENDING, None)
        queue.clear()
