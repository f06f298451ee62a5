"""The worker's round for timer start events: start an item for each one that is due, exactly
once however many workers run (engine/start_timer_schedule.py keeps the schedule).

As the timer worker (engine/timers.py): a batch of due rows is locked (PostgreSQL: FOR UPDATE
SKIP LOCKED, the due condition checked again on the locked row; SQLite: read under the write
lock), each row starts its item in a savepoint and moves to its next time in the same
transaction. A start that fails (a script of the first steps, a deployer since removed) starts
nothing; the row keeps the message and moves on, so one bad process never stops the worker nor
fails at every round."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from .actions import start_instance
from .db import transaction
from .errors import EngineError
from .runtime import EngineConfig
from .start_timer_schedule import StartTimerModel, next_schedule

log = logging.getLogger(__name__)

DEFAULT_BATCH = 20


def run_start_timers(
    factory: sessionmaker[Session], config: EngineConfig, limit: int | None = None
) -> int:
    """Start an item for every timer start event due when the call starts; returns how many
    rows were handled (an item started, or the failure kept on the row)."""
    started = config.clock()
    handled = 0
    while limit is None or handled < limit:
        take = DEFAULT_BATCH if limit is None else min(DEFAULT_BATCH, limit - handled)
        with transaction(factory) as session:
            batch = list(
                session.scalars(
                    select(StartTimerModel)
                    .where(StartTimerModel.next_at <= started)
                    .order_by(StartTimerModel.next_at, StartTimerModel.process_id)
                    .limit(take)
                    .with_for_update(skip_locked=True)
                )
            )
            if not batch:
                break
            for row in batch:
                fire_start_timer(session, config, row)
            handled += len(batch)
    return handled


def fire_start_timer(session: Session, config: EngineConfig, row: StartTimerModel) -> None:
    """Start one item for a locked due row, then move the row to its next time (or drop it)."""
    now = config.clock()
    try:
        with session.begin_nested():
            start_instance(
                session, config, row.process_id, row.started_by, timer_start=row.element_id
            )
        row.started_count += 1
        row.last_error = None
    except SQLAlchemyError:
        raise  # the database, not the process: the round fails and is tried again
    except EngineError as error:
        row.last_error = error.message
        log.warning("timer start %s of %s: %s", row.element_id, row.process_id, error.message)
    except Exception as error:  # a library bug on one process must not stop the rest
        row.last_error = f"{type(error).__name__}: {error}"
        log.warning("timer start %s of %s: %s", row.element_id, row.process_id, row.last_error)
    _move_on(session, config, row, now)


def _move_on(session: Session, config: EngineConfig, row: StartTimerModel, now: datetime) -> None:
    following = next_schedule(row, now, config.timezone)
    if following is None:
        session.delete(row)
        return
    row.next_at, row.repeats = following
