"""Who is told what, in this department: the listener that writes notifications (in the
action's transaction, see engine.events) and the policy of the deadline notices.

- A new task: each person it is for (its assignee, else every active member of its candidate
  groups and the candidate users), but not the person whose action opened it.
- A task returned: when the action that opened it completed a step with a return decision
  (``decisions.is_return``), its people are told ``returned`` with the reason instead.
- A task forwarded: the colleague it was forwarded to is told of a new task.
- An item finished: the person who started it.
- An urging (đôn đốc, ``workflows.urging``): the people holding the lead unit's open steps, and
  the unit's leaders, with what the leaders wrote.
Reminders, overdue notices and escalations are written by the worker (engine.scan_deadlines).
"""

from __future__ import annotations

from sqlalchemy.orm import Session

import engine
from engine import EngineEvent, HistoryRecorded, NotifyEvent, TaskOpened

from .decisions import is_return, return_reason
from .urging import Reach, lead_unit_of, told_of_urging, urging_text

# The last history event of each item in this session: the cause of the tasks an action opens
# (an action records what it did before the tasks it opens).
_CAUSES = "pheduyet.notify.causes"
# Events an action records besides what it did (a completion that also renames the item): they
# open no task, and must not hide the completion from the tasks it opens.
_NOT_CAUSES = frozenset({"renamed", "attached", "finished", "error"})


def notification_listener(session: Session, event: EngineEvent) -> None:
    """Write the notifications an engine event causes (bound by ``config.event_listeners``)."""
    if isinstance(event, HistoryRecorded):
        if event.kind not in _NOT_CAUSES:
            session.info.setdefault(_CAUSES, {})[event.instance_id] = event
        if event.kind == "assigned":
            _forwarded(session, event)
        elif event.kind == "finished":
            _finished(session, event)
        elif event.kind == "completed" and (text := urging_text(event.details.get("data"))):
            _urged(session, event, text)
    elif isinstance(event, TaskOpened):
        _opened(session, event)


def _opened(session: Session, event: TaskOpened) -> None:
    cause: HistoryRecorded | None = session.info.get(_CAUSES, {}).get(event.instance_id)
    returned = cause is not None and cause.kind == "completed" and is_return(cause.decision)
    actor = cause.actor if cause is not None else None
    facts = engine.item_facts(session, event.instance_id)
    if facts is None:
        return
    engine.notify_candidates(
        session,
        candidates=event.candidates,
        assignee=event.assignee,
        leave_out={actor},
        event=NotifyEvent.RETURNED if returned else NotifyEvent.NEW_TASK,
        dedupe_key=f"task:{event.task_id}",
        at=event.created_at,
        title=facts[0],
        instance_id=event.instance_id,
        task_id=event.task_id,
        step=event.title,
        due_at=event.due_at,
        reason=_reason(session, cause) if returned and cause is not None else None,
        actor=actor,
    )


def _reason(session: Session, cause: HistoryRecorded) -> str | None:
    """The return's reason, never a field its form keeps private to the person who typed it."""
    sent = engine.step_data_shown(session, cause.instance_id, cause.details.get("data"))
    return return_reason(cause.comment, sent)


def _forwarded(session: Session, event: HistoryRecorded) -> None:
    to = event.details.get("to")
    if not isinstance(to, str) or not event.task_id or to == event.actor:
        return
    task = engine.get_task(session, event.task_id)
    facts = engine.item_facts(session, event.instance_id)
    if facts is None:
        return
    engine.notify(
        session,
        event=NotifyEvent.NEW_TASK,
        recipients=[to],
        # Each forwarding is told: one who was told of the task as a group's member before
        # still learns it is now theirs.
        dedupe_key=f"forwarded:{event.instance_id}:{event.seq}",
        at=event.at,
        title=facts[0],
        instance_id=event.instance_id,
        task_id=event.task_id,
        step=task.title,
        due_at=task.due_at,
        reason=event.comment,
        actor=event.actor,
    )


def _finished(session: Session, event: HistoryRecorded) -> None:
    facts = engine.item_facts(session, event.instance_id)
    if facts is None or facts[1] == event.actor:
        return
    engine.notify(
        session,
        event=NotifyEvent.FINISHED,
        recipients=[facts[1]],
        dedupe_key=f"finished:{event.instance_id}",
        at=event.at,
        title=facts[0],
        instance_id=event.instance_id,
        actor=event.actor,
        # How it ended, as its end event names it ("Danh mục được phê duyệt").
        reason=(event.details or {}).get("result"),
    )


def _urged(session: Session, event: HistoryRecorded, text: str) -> None:
    facts = engine.item_facts(session, event.instance_id)
    if facts is None:
        return
    data = engine.item_data(session, event.instance_id)
    told: set[Reach] = set()  # the unit's leaders once, however many of its steps are open
    for task in engine.open_tasks(session, event.instance_id):
        unit = lead_unit_of(task, data)
        if unit is None:
            continue
        for reach in told_of_urging(task, unit, facts[1]):
            if reach in told:
                continue
            told.add(reach)
            candidates, assignee = reach
            engine.notify_candidates(
                session,
                candidates=candidates,
                assignee=assignee,
                leave_out={event.actor},
                event=NotifyEvent.URGED,
                dedupe_key=f"urged:{event.task_id}",  # once per person, whatever they hold
                at=event.at,
                title=facts[0],
                instance_id=event.instance_id,
                task_id=task.id,
                step=task.title,
                due_at=task.due_at,
                reason=text,
                actor=event.actor,
            )
