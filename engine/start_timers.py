"""The worker's round for timer start events: start an item for each one that is due, exactly
once however many workers run (engine/start_timer_schedule.py keeps the schedule).

As the timer worker (engine/timers.py): a batch of due rows is locked (PostgreSQL: FOR UPDATE
SKIP LOCKED, the due condition checked again on the locked row; SQLite: read under the write
lock), each row starts its item in a savepoint and moves to its next time in the same
transaction. A start that fails (a script of the first steps, a deployer since removed, data no
column holds) starts nothing; the row keeps the message (the processes page shows it) and moves
on, so one bad process never stops the worker nor fails at every round."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError, SQLAlchemyError
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
    """Start one item for a locked due row, then move the row to its next time (or mark its
    times over)."""
    now = config.clock()
    try:
        with session.begin_nested():
            start_instance(
                session, config, row.process_id, row.started_by, timer_start=row.element_id
            )
        row.started_count += 1
        row.last_error = None
    except (DataError, IntegrityError) as error:
        # The new item's own data cannot be stored (a name longer than its column): it would
        # fail the same way at every round, as an item's timer would (engine.timers).
        _failed(row, f"the item cannot be saved: {error.orig}")
    except SQLAlchemyError:
        raise  # the database, not the process: the round fails and is tried again
    except EngineError as error:
        _failed(row, error.message)
    except Exception as error:  # a library bug on one process must not stop the rest
        _failed(row, f"{type(error).__name__}: {error}")
    following = next_schedule(row, now, config.timezone)
    row.next_at, row.repeats = following if following is not None else (None, 0)


def _failed(row: StartTimerModel, message: str) -> None:
    row.last_error = message
    log.warning("timer start %s of %s: %s", row.element_id, row.process_id, message)
