"""Timer workers in several OS processes, on a SQLite file and on PostgreSQL: every due timer
fires exactly once, in batches shared among the workers; a timer whose script fails parks its
item in 'error' and is not retried."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import text

import engine
from engine import transaction
from tests.conftest import START, add_people, fixture_files
from tests.forked_workers import run_workers

WORKERS = 4
ITEMS = 40
# Past both the 3-day reminder of 'approval' review and the 10-day escalation of 'unit_task'.
LATER = START + timedelta(days=11)
UNIT_TASK = {"lead_unit": "Phòng Quản lý Khoa học", "deadline": "2026-04-01", "leader": "binh"}


def _run_workers(
    factory: Any, url: str, moment: datetime, count: int = WORKERS, batch: int = 50
) -> list[tuple[str, Any]]:
    """Each worker fires whatever is due at `moment`, `batch` items a transaction."""
    config = engine.EngineConfig(clock=engine.ManualClock(moment))
    return run_workers(
        factory, url, lambda mine: engine.run_due_timers(mine, config, batch_size=batch), count
    )


def _start_items(factory: Any, config: engine.EngineConfig) -> dict[int, str]:
    """Half 'unit_task' (escalation after 10 days), half 'approval' waiting at review (reminder
    after 3 days); returns the element id of the timer each item waits on."""
    waits_on = {}
    with transaction(factory) as s:
        for n in range(ITEMS):
            if n % 2:
                item = engine.start_instance(s, config, "unit_task", "an", data=UNIT_TASK)
                waits_on[item] = "escalate"
            else:
                item = engine.start_instance(s, config, "approval", "an")
                [draft] = engine.open_tasks(s, item)
                engine.complete_task(s, config, draft.id, "an", data={"summary": f"#{n}"})
                waits_on[item] = "review_reminder"
    return waits_on


def test_timer_workers__each_due_timer_fires_exactly_once(
    deployed: Any, config: engine.EngineConfig, db_url: str
) -> None:
    waits_on = _start_items(deployed, config)

    reports = _run_workers(deployed, db_url, LATER)

    assert [status for status, _ in reports] == ["ok"] * WORKERS, reports
    assert sum(count for _, count in reports) == ITEMS
    with transaction(deployed) as s:
        for item, element in waits_on.items():
            view = engine.show_instance(s, item)
            fired = [h.element_id for h in view.history if h.kind == "timer_fired"]
            assert fired == [element], (item, view.history)
            assert view.status == "running"
            tasks = Counter(t.element_id for t in view.open_tasks)
            if element == "escalate":
                assert tasks == {"carry_out": 1, "chase": 1}
            else:
                assert tasks == {"review": 1}
        assert engine.verify_audit(s) == (ITEMS, [])
    later = engine.EngineConfig(clock=engine.ManualClock(LATER))
    assert engine.run_due_timers(deployed, later) == 0


def test_timer_workers__three_workers_share_300_due_timers_each_fired_once(
    pg_url: str, clock: engine.ManualClock
) -> None:
    """PostgreSQL: three workers take small batches (SKIP LOCKED) of 300 due escalations; the
    audit log shows one 'timer_fired' per item."""
    db = engine.create_db_engine(pg_url)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    add_people(factory)
    config = engine.EngineConfig(clock=clock)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("spiff", "camunda"), clock)
        items = {
            engine.start_instance(s, config, "unit_task", "an", data=UNIT_TASK) for _ in range(300)
        }

    reports = _run_workers(factory, pg_url, LATER, count=3, batch=10)

    assert [status for status, _ in reports] == ["ok"] * 3, reports
    counts = [count for _, count in reports]
    assert sum(counts) == 300, counts
    with transaction(factory) as s:
        fired = s.execute(
            text(
                "SELECT instance_id, element_id, count(*) FROM audit_events"
                " WHERE kind = 'timer_fired' GROUP BY instance_id, element_id"
            )
        ).all()
        assert engine.verify_audit(s) == (300, [])
    db.dispose()
    assert sorted(fired) == sorted((item, "escalate", 1) for item in items)


def test_timer_workers__a_failing_timer_parks_its_item_and_the_others_fire(
    deployed: Any, config: engine.EngineConfig, clock: engine.ManualClock
) -> None:
    with transaction(deployed) as s:
        engine.deploy(s, fixture_files("timer_error"), clock)
    with transaction(deployed) as s:
        # Due first: a reminder whose script divides by zero (fails while running the steps).
        script = engine.start_instance(s, config, "timer_error", "an")
        # Then an escalation whose next task's assignee, ${leader}, is missing (fails while the
        # new task is stored).
        no_leader = {k: v for k, v in UNIT_TASK.items() if k != "leader"}
        owner = engine.start_instance(s, config, "unit_task", "an", data=no_leader)
        clock.advance(timedelta(hours=1))
        healthy = engine.start_instance(s, config, "unit_task", "an", data=UNIT_TASK)
    with transaction(deployed) as s:
        before = {i: engine.show_instance(s, i) for i in (script, owner)}
    clock.set(LATER)

    assert engine.run_due_timers(deployed, config) == 3
    assert engine.run_due_timers(deployed, config) == 0  # no hot loop on the failed ones

    with transaction(deployed) as s:
        for item, element in ((script, "explode"), (owner, "chase")):
            view = engine.show_instance(s, item)
            assert view.status == "error"
            assert view.error is not None and f"element '{element}'" in view.error
            assert [(h.kind, h.element_id) for h in view.history][-1] == ("error", element)
            assert view.history[-1].comment == view.error
            # Nothing of the failed step was kept: the same tasks are open as before.
            assert view.open_tasks == before[item].open_tasks
        assert "ZeroDivisionError" in (engine.show_instance(s, script).error or "")
        view = engine.show_instance(s, healthy)
        assert view.status == "running"
        assert [h.element_id for h in view.history if h.kind == "timer_fired"] == ["escalate"]
        assert engine.verify_audit(s) == (3, [])


def test_timer_workers__a_cycle_far_behind_fires_once_then_at_its_next_time(
    factory: Any, config: engine.EngineConfig, clock: engine.ManualClock
) -> None:
    """A reminder every minute since New Year is thousands of occurrences behind (the worker
    was stopped): it fires once (and the healthy item beside it), then at the cycle's next
    minute after now, as Camunda's job does, never a burst of the minutes missed."""
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("hostile/timer_data_cycle.bpmn", "camunda"), clock)
        behind = engine.start_instance(
            s, config, "hostile_data_cycle", "an", data={"every": "R/2026-01-01T00:00:00Z/PT1M"}
        )
        engine.start_instance(s, config, "unit_task", "an", data=UNIT_TASK)
    clock.set(LATER)

    assert engine.run_due_timers(factory, config, batch_size=1) == 2
    assert engine.run_due_timers(factory, config) == 0  # nothing missed is fired again
    clock.advance(timedelta(seconds=30))
    assert engine.run_due_timers(factory, config) == 0
    clock.advance(timedelta(seconds=30))
    assert engine.run_due_timers(factory, config) == 1  # the next minute

    with transaction(factory) as s:
        view = engine.show_instance(s, behind)
        assert [h.element_id for h in view.history if h.kind == "timer_fired"] == ["remind"] * 2
        assert view.status == "running"


def test_timer_workers__the_times_a_counted_cycle_missed_count_among_its_repetitions(
    factory: Any, config: engine.EngineConfig, clock: engine.ManualClock
) -> None:
    """R3 every hour, the worker back after two and a half hours: the three times have come,
    so it fires once for them and never again (Camunda's cycle is counted from its start)."""
    add_people(factory)
    every = f"R3/{START.isoformat()}/PT1H"
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("hostile/timer_data_cycle.bpmn", "camunda"), clock)
        item = engine.start_instance(s, config, "hostile_data_cycle", "an", data={"every": every})
    clock.set(START + timedelta(hours=2, minutes=30))
    assert engine.run_due_timers(factory, config) == 1
    clock.advance(timedelta(days=1))
    assert engine.run_due_timers(factory, config) == 0
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
        assert [h.element_id for h in view.history if h.kind == "timer_fired"] == ["remind"]
