"""Messages and signals from outside: correlate a message to the one item waiting for it (or
start an item whose process starts on it), broadcast a signal to every item waiting for it.

Who waits for what is read from the `waiting_events` rows (`engine/subscriptions.py`), never by
loading every item. Delivering to an item is one action: lock the item, load it, let
SpiffWorkflow catch the event (an event-based gateway's first event wins and cancels the
others; an interrupting boundary event cancels its task), run engine steps, save, and audit
`message_received` / `signal_received`.

Correlation rule: a message goes to the running item that waits for a message of that name and,
when a key is given, whose `business_key` (its data variable) equals the key. Exactly one item
must match; if none does, a process whose start event catches the message starts a new item
(with the key as its `business_key`), as Camunda does; several are a conflict.

A signal is one transaction: every item waiting for it and every process starting on it take it
together or, if one fails (a script error), none does and the sender sees the error; a
broadcast that half happened could not be sent again without reaching some items twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.start_event import StartEvent
from SpiffWorkflow.bpmn.util import BpmnEvent
from sqlalchemy import select
from sqlalchemy.orm import Session

from .actions import start_instance
from .audit import append_event
from .definitions import latest_version, list_processes, load_version
from .errors import Conflict, InvalidData, InvalidInput, NotFound
from .instances import InstanceModel, lock_instance
from .listening_boundaries import listen_again
from .ready_tasks import run_engine_steps
from .runtime import EngineConfig, load_workflow, persist, spiff_errors
from .spiff_arena import acting
from .stored_data import checked_data
from .subscriptions import (
    BUSINESS_KEY,
    MAX_KEY,
    MAX_NAME,
    MESSAGE,
    SIGNAL,
    WaitingEventModel,
    definitions_of,
    kind_of,
    standing_waits,
    waiting_in,
)
from .users import Identity
from .views import InstanceStatus

MAX_WAITING_LISTED = 200


@dataclass(frozen=True)
class EventDelivery:
    """What a message or signal did: the items that caught it and the items it started."""

    kind: str
    name: str
    received: tuple[int, ...]
    started: tuple[int, ...]


@dataclass(frozen=True)
class WaitingItem:
    """An item waiting for a message or a signal (for `stuck` and Theo dõi)."""

    instance_id: int
    process_id: str
    title: str
    element_id: str
    element_name: str | None
    kind: str
    name: str
    correlation_key: str | None
    gateway: bool
    since: datetime


def _checked_name(name: str, kind: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME:
        raise InvalidInput(
            f"a {kind} needs a name of 1 to {MAX_NAME} characters",
            reason=f"{kind}_name",
            limit=MAX_NAME,
        )
    return name


def _checked_data(data: Any) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InvalidData("a message's or signal's data must be a JSON object")
    return data


def _waiting_rows(session: Session, kind: str, name: str, key: str | None) -> list[int]:
    query = (
        select(WaitingEventModel.instance_id)
        .join(InstanceModel, InstanceModel.id == WaitingEventModel.instance_id)
        .where(
            WaitingEventModel.kind == kind,
            WaitingEventModel.name == name,
            InstanceModel.status == InstanceStatus.RUNNING,
        )
        .distinct()
        .order_by(WaitingEventModel.instance_id)
    )
    if key is not None:
        query = query.where(WaitingEventModel.correlation_key == key)
    return list(session.scalars(query))


def starting_processes(session: Session, kind: str, name: str) -> list[tuple[str, str]]:
    """(process, start event) of each process whose latest version has a start event catching
    this message or signal (every process's latest version, restored once per process and
    cached)."""
    found = []
    for process in list_processes(session):
        version = load_version(session, latest_version(session, process.process_id).id)
        # Every start event of the process (with several, SpiffWorkflow puts a split first).
        for start in version.spec.task_specs.values():
            if not isinstance(start, StartEvent):
                continue
            definition = getattr(start, "event_definition", None)
            if any(kind_of(d) == kind and d.name == name for d in definitions_of(definition)):
                found.append((process.process_id, start.bpmn_id))
                break
    return found


def _payload(definition: Any, data: dict[str, Any]) -> Any:
    """The event's payload as the catching definition's own class reads it: Camunda's wants
    the value and a result variable (None: SpiffWorkflow names it ELEMENT_Response)."""
    if hasattr(definition, "result_var"):
        return {"payload": data, "result_var": None}
    return dict(data)


def _correlations(workflow: Any, definition: Any, payload: Any, name: str) -> dict[str, Any]:
    """SpiffArena correlation properties, computed from the payload as a thrown message's are.
    SpiffWorkflow computes them again when the event is caught, so a payload they cannot be
    read from is refused here, naming what is missing, rather than failing inside the catch."""
    properties = getattr(definition, "correlation_properties", None)
    if not properties or not isinstance(payload, dict):
        return {}
    try:
        found: dict[str, Any] = definition.calculate_correlations(
            workflow.script_engine, properties, payload
        )
    except Exception as exc:  # a retrieval expression that does not fit this payload
        wanted = ", ".join(sorted(p.name for p in properties))
        raise InvalidData(
            f"the message '{name}' is correlated by {wanted}: its data must give them "
            f"({type(exc).__name__}: {exc})",
            reason="message_data_missing",
            name=name,
        ) from exc
    return found


def deliver(
    session: Session,
    config: EngineConfig,
    instance_id: int,
    kind: str,
    name: str,
    data: dict[str, Any],
    actor: str | None,
    key: str | None = None,
) -> bool:
    """Let one item catch the event; False when it no longer waits for it (someone was first)."""
    instance = lock_instance(session, instance_id)
    if instance.status != InstanceStatus.RUNNING:
        return False
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    waiting = [w for w in waiting_in(workflow) if w.kind == kind and w.name == name]
    if not waiting:
        return False
    now = config.clock()
    first = waiting[0]
    payload = _payload(first.definition, data)
    event = BpmnEvent(
        first.definition,
        payload=payload,
        correlations=_correlations(workflow, first.definition, data, name),
    )
    # The sender acts: currentUser() and the helpers see them, as Camunda's authenticated user.
    with spiff_errors(), acting(session, actor, instance):
        for w in waiting:  # the data become the item's variables, as in Camunda
            w.task.set_data(**data)
        caught = workflow.event_manager.catch(event, internal=False)
        if not caught:
            return False
        listen_again(w.task for w in waiting)  # a non-interrupting boundary event: again
        run_engine_steps(workflow)
    checked_data(data, workflow, config.max_data_bytes)
    details: dict[str, Any] = {"name": name, "data": data}
    if key is not None:
        details["key"] = key
    append_event(
        session,
        instance,
        at=now,
        actor=actor,
        kind=f"{kind}_received",
        element_id=first.task.task_spec.bpmn_id,
        details=details,
    )
    with acting(session, actor, instance):  # new tasks' owners may name currentUser()
        persist(session, config, instance, version, workflow, actor)
    return True


def _start_by_event(
    session: Session,
    config: EngineConfig,
    starting: tuple[str, str],
    kind: str,
    name: str,
    data: dict[str, Any],
    sender: str | Identity | None,
    key: str | None,
) -> int:
    process_id, start = starting
    if sender is None:
        raise InvalidInput(
            f"the {kind} '{name}' starts process '{process_id}': say who sends it (--as)",
            reason=f"{kind}_needs_sender",
            process_id=process_id,
        )
    start_data = {**data, BUSINESS_KEY: key} if key is not None else dict(data)
    instance_id = start_instance(
        session, config, process_id, sender, data=start_data, event_start=start
    )
    actor = sender.username if isinstance(sender, Identity) else sender
    if not deliver(session, config, instance_id, kind, name, data, actor, key):
        raise Conflict(  # the process's start event did not take it: a library surprise
            f"process '{process_id}' started but its start event did not catch '{name}'",
            reason=f"{kind}_not_caught",
            process_id=process_id,
        )
    return instance_id


def correlate_message(
    session: Session,
    config: EngineConfig,
    name: str,
    sender: str | Identity | None,
    *,
    key: str | None = None,
    data: Any = None,
) -> EventDelivery:
    """Correlate a message to the one item waiting for it, or start an item on it."""
    name = _checked_name(name, MESSAGE)
    payload = _checked_data(data)
    key = (key or "").strip() or None
    if key is not None and len(key) > MAX_KEY:
        raise InvalidInput(
            f"a correlation key has at most {MAX_KEY} characters", reason="key_too_long"
        )
    actor = sender.username if isinstance(sender, Identity) else sender
    items = _waiting_rows(session, MESSAGE, name, key)
    if len(items) > 1:
        raise Conflict(
            f"{len(items)} items wait for message '{name}'"
            + ("" if key else ": give a correlation key (--key)"),
            reason="message_ambiguous",
            name=name,
            items=items[:20],
        )
    if items:
        if deliver(session, config, items[0], MESSAGE, name, payload, actor, key):
            return EventDelivery(MESSAGE, name, (items[0],), ())
        raise Conflict(
            f"item {items[0]} no longer waits for message '{name}'",
            reason="message_taken",
            name=name,
            instance_id=items[0],
        )
    starters = starting_processes(session, MESSAGE, name)
    if len(starters) > 1:
        names = [process_id for process_id, _start in starters]
        raise Conflict(
            f"several processes start on message '{name}': {', '.join(names)}",
            reason="message_ambiguous",
            name=name,
            processes=names,
        )
    if not starters:
        raise NotFound(
            f"no item waits for message '{name}'"
            + (f" with key '{key}'" if key else "")
            + " and no process starts on it",
            reason="message_unmatched",
            name=name,
            key=key,
        )
    started = _start_by_event(session, config, starters[0], MESSAGE, name, payload, sender, key)
    return EventDelivery(MESSAGE, name, (), (started,))


def broadcast_signal(
    session: Session,
    config: EngineConfig,
    name: str,
    sender: str | Identity | None,
    *,
    data: Any = None,
    thrower: int | None = None,
) -> EventDelivery:
    """Broadcast a signal to every item waiting for it; start an item of every process with a
    signal start event of that name. Nothing waiting is not an error (a signal may go unheard).
    `thrower`: the item that threw it, which caught it itself already."""
    name = _checked_name(name, SIGNAL)
    payload = _checked_data(data)
    actor = sender.username if isinstance(sender, Identity) else sender
    received = tuple(
        item
        for item in _waiting_rows(session, SIGNAL, name, None)
        if item != thrower and deliver(session, config, item, SIGNAL, name, payload, actor)
    )
    # A signal an item threw when nobody acted (a timer's path) starts no item: one needs a
    # person to start it as.
    starting = starting_processes(session, SIGNAL, name) if sender or thrower is None else []
    started = tuple(
        _start_by_event(session, config, process, SIGNAL, name, payload, sender, None)
        for process in starting
    )
    return EventDelivery(SIGNAL, name, received, started)


def waiting_items(
    session: Session, *, process_id: str | None = None, limit: int = MAX_WAITING_LISTED
) -> list[WaitingItem]:
    """Running items waiting for a message or a signal, the longest waiting first."""
    query = standing_waits(
        WaitingEventModel.instance_id,
        InstanceModel.process_id,
        InstanceModel.title,
        WaitingEventModel.element_id,
        WaitingEventModel.element_name,
        WaitingEventModel.kind,
        WaitingEventModel.name,
        WaitingEventModel.correlation_key,
        WaitingEventModel.gateway,
        WaitingEventModel.since,
    ).limit(limit)
    if process_id:
        query = query.where(InstanceModel.process_id == process_id)
    return [WaitingItem(**row._asdict()) for row in session.execute(query)]


__all__ = [
    "EventDelivery",
    "WaitingItem",
    "broadcast_signal",
    "correlate_message",
    "deliver",
    "starting_processes",
    "waiting_items",
]
