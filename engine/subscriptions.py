"""What running items wait for from outside: messages and signals, kept as rows so that who
waits for what is one indexed query, never a load of every item's state.

`persist` calls `sync_subscriptions` after each action: the rows of an item are replaced by
what its workflow waits for now (catch events, boundary events, event-based gateways, in its
subprocesses too). A version with no message or signal catch event never touches the table,
nor does an action on an item that had no waits and has none.

An item's correlation key is its data variable `business_key` (Camunda's business key): set at
start (`message send --key`, or in the start data), or by a form or script later.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.camunda.specs.event_definitions import (
    MessageEventDefinition as CamundaMessageEventDefinition,
)
from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    bindparam,
    delete,
    false,
    insert,
    select,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from .camunda_message_data import variables_message
from .db import Base, UTCDateTime, cast_table, kept_for_the_transaction
from .driver_sql import run
from .event_subprocesses import INTERRUPTING_KEY
from .instances import InstanceModel
from .views import InstanceStatus

MESSAGE = "message"
SIGNAL = "signal"
BUSINESS_KEY = "business_key"  # the data variable a message's --key is matched against
MAX_NAME = 255
MAX_KEY = 255


class WaitingEventModel(Base):
    __tablename__ = "waiting_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("instances.id", ondelete="CASCADE"), index=True
    )
    element_id: Mapped[str] = mapped_column(String(255))
    element_name: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    correlation_key: Mapped[str | None] = mapped_column(String(MAX_KEY))
    # True when the element is an event-based gateway (the first of its events wins).
    gateway: Mapped[bool] = mapped_column(default=False)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    # True when the item had an open human task when its waits were written (`sync_subscriptions`
    # writes them after every action, when its open tasks are known): it is not stuck on the
    # event, its people are at work.
    held: Mapped[bool] = mapped_column(default=False, server_default=false())

    __table_args__ = (
        Index("ix_waiting_events_kind_name", "kind", "name", "correlation_key"),
        # The waits held by nobody in the listings' order: one index range, however many
        # items wait while their people work.
        Index("ix_waiting_events_held_since", "held", "since", "instance_id", "id"),
    )


def held_by_nobody() -> ColumnElement[bool]:
    """The waiting item has no open human task: it stands still until the event comes. An
    item whose people are at work is not stuck on an event it also waits for (a chaser's
    stop signal, a message boundary on a task), so the listings leave it out. Read from the
    wait's own `held` (an index range), never by looking for each wait's open steps."""
    return WaitingEventModel.held == false()


def standing_waits(*columns: Any) -> Select[Any]:
    """`columns` of the waits of running items held by nobody (`held_by_nobody`), joined to
    their item, the longest waiting first: what the waiting and the stuck listings read."""
    return (
        select(*columns)
        .join(InstanceModel, InstanceModel.id == WaitingEventModel.instance_id)
        .where(InstanceModel.status == InstanceStatus.RUNNING)
        .where(held_by_nobody())
        .order_by(WaitingEventModel.since, WaitingEventModel.instance_id, WaitingEventModel.id)
    )


@dataclass(frozen=True)
class Waiting:
    """One thing a task of a workflow waits for."""

    task: Any
    kind: str
    name: str
    definition: Any
    gateway: bool


def definitions_of(definition: Any) -> list[Any]:
    """The event definitions a task waits on: several behind an event-based gateway."""
    if isinstance(definition, MultipleEventDefinition):
        return list(definition.event_definitions)
    return [definition]


def timer_values(task: Any) -> Iterator[Any]:
    """The due values of the timers a waiting task holds (an event-based gateway's included:
    the gateway task keeps its timer's value in its own internal data)."""
    for definition in definitions_of(task.task_spec.event_definition):
        if isinstance(definition, TimerEventDefinition):
            yield definition.details(task).value


def camunda_messages(spec: Any) -> None:
    """Give a Camunda spec's receive tasks Camunda's message definition: SpiffWorkflow's
    Camunda parser leaves them the generic one, which its Camunda serializer cannot store. A
    message a throw or end event throws without a payload expression (Camunda 7 models write
    none) is thrown without a payload: SpiffWorkflow would evaluate the missing expression.
    Each takes engine/camunda_message_data.py's class: its data the item's variables."""
    for task_spec in spec.task_specs.values():
        definition: Any = getattr(task_spec, "event_definition", None)
        if type(definition) is MessageEventDefinition:
            definition = CamundaMessageEventDefinition(
                definition.name,
                definition.correlation_properties,
                description=definition.description,
            )
        if isinstance(definition, CamundaMessageEventDefinition):
            if not definition.expression:
                definition.expression = "None"
            # Its data the item's variables, never one `<element>_Response` more.
            task_spec.event_definition = variables_message(definition)


def kind_of(definition: Any) -> str | None:
    if isinstance(definition, MessageEventDefinition):
        return MESSAGE
    if isinstance(definition, SignalEventDefinition):
        return SIGNAL
    return None


def waiting_in(workflow: Any) -> list[Waiting]:
    """What the workflow's waiting tasks wait for from outside (messages and signals), and
    what would start one of its event subprocesses."""
    found = []
    for task in workflow.event_manager.tasks.values():
        outer = task.task_spec.event_definition
        gateway = isinstance(outer, MultipleEventDefinition)
        for definition in definitions_of(outer):
            kind = kind_of(definition)
            if kind is not None:
                found.append(Waiting(task, kind, definition.name, definition, gateway))
    return found + _triggers(workflow)


@dataclass(frozen=True)
class _Trigger:
    """The start event of an event subprocess not running yet, standing for the task that
    would catch: SpiffWorkflow makes that task when the event comes (the event's data reach
    the event subprocess by its start event)."""

    task_spec: Any

    def set_data(self, **_data: Any) -> None:
        return None


def _triggers(workflow: Any) -> list[Waiting]:
    """The messages and signals that would start one of the process's event subprocesses
    (engine/event_subprocesses.py): any time for one that does not interrupt, once for one
    that does (it ends what else the process was doing)."""
    names = getattr(workflow.spec.start, "trigger_specs", None)
    if not names:
        return []
    found = []
    for name in names:
        ran = any(t.task_spec.name == name for t in workflow.tasks.values())
        for start in workflow.subprocess_specs[name].bpmn_start_events:
            definition = start.event_definition
            kind = kind_of(definition)
            interrupting = (getattr(start, "extensions", None) or {}).get(INTERRUPTING_KEY, True)
            if kind is not None and not (ran and interrupting):
                found.append(Waiting(_Trigger(start), kind, definition.name, definition, False))
    return found


_catches: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def may_wait(spec: Any, subprocess_specs: dict[str, Any]) -> bool:
    """Whether any element of the version catches a message or a signal (cached per spec)."""
    known = _catches.get(spec)
    if known is None:
        known = any(
            kind_of(d) is not None
            for process in [spec, *subprocess_specs.values()]
            for task_spec in process.task_specs.values()
            for d in definitions_of(getattr(task_spec, "event_definition", None))
        )
        _catches[spec] = known
    return known


def correlation_key(data: dict[str, Any]) -> str | None:
    value = data.get(BUSINESS_KEY)
    if value is None or value == "":
        return None
    return str(value)[:MAX_KEY]


# Built once, run on the connection: rows no ORM object stands for (every action saves them).
_waits = cast_table(WaitingEventModel)
_CLEAR_WAITS = delete(_waits).where(_waits.c.instance_id == bindparam("instance_id"))
_ADD_WAITS = insert(_waits)
# Whether each workflow's state was last stored with waits: a workflow kept between the item's
# actions (engine/live_workflows.py) is the one whose state is stored, so this tells whether
# the item has rows to clear. Forgotten for the workflows a transaction saved when it, or a
# savepoint of it, rolls back.
_had_waits: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()
_SAVED = "pheduyet.subscriptions.saved"  # session.info: the workflows saved in the transaction


def sync_subscriptions(
    session: Session,
    instance_id: int,
    version: Any,
    workflow: Any,
    data: dict[str, Any],
    running: bool,
    now: datetime,
    held: bool,
    *,
    new: bool = False,
) -> None:
    """Replace the item's rows by what it waits for now: two statements, and none at all for a
    version that catches no message or signal, nor to clear an item known to have none (`new`,
    or saved last without waits from this very workflow). Each row notes `held`: whether the
    item has an open human task now (the caller's READY manual tasks, those it keeps open task
    rows for)."""
    if not may_wait(version.spec, version.subprocess_specs):
        return
    waits = waiting_in(workflow) if running else []
    had_waits = not new and _had_waits.get(workflow, True)
    _had_waits[workflow] = bool(waits)
    session.info.setdefault(_SAVED, []).append(workflow)
    if had_waits:
        run(session.connection(), _CLEAR_WAITS, {"instance_id": instance_id}, later=True)
    if not waits:
        return
    key = correlation_key(data)
    rows = [
        {
            "instance_id": instance_id,
            "element_id": w.task.task_spec.bpmn_id,
            "element_name": w.task.task_spec.bpmn_name,
            "kind": w.kind,
            "name": str(w.name)[:MAX_NAME],
            "correlation_key": key,
            "gateway": w.gateway,
            "since": now,
            "held": held,
        }
        for w in waits
    ]
    run(session.connection(), _ADD_WAITS, rows, later=True)


def _forget_saved(session: Session, _transaction: SessionTransaction) -> None:
    for workflow in session.info.get(_SAVED, ()):
        _had_waits.pop(workflow, None)


# First what the workflows saved had, then the list of them (at any rollback; at the end).
sa_event.listen(Session, "after_soft_rollback", _forget_saved)
kept_for_the_transaction(_SAVED)
