"""A wait's `held` (engine.subscriptions, migration 0022): written with the item's waits after
every action, true while the item has an open human task. The listings of items waiting for a
message or signal (`waiting_items`, `stuck`) read the unheld waits only, so an item whose
people are at work is not listed, and is once its step closes while its wait stays; the
migration marks the waits already stored the same way."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select, update

import engine
from engine import ManualClock, transaction
from engine.subscriptions import WaitingEventModel
from tests.conftest import add_people, fixture_files
from tests.migrations import downgrade
from tests.statements import counted


@pytest.fixture
def events(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("messages", "waits_held"), clock)
    return factory


def held(s: Any) -> dict[tuple[int, str], bool]:
    rows = s.execute(
        select(WaitingEventModel.instance_id, WaitingEventModel.element_id, WaitingEventModel.held)
    )
    return {(item, element): flag for item, element, flag in rows}


def listed(s: Any, now: Any) -> tuple[list[int], list[int]]:
    """The items `waiting_items` and `stuck` list as waiting for a message or a signal."""
    waiting = [w.instance_id for w in engine.waiting_items(s)]
    stuck = [r.instance_id for r in engine.iter_stuck(s, now) if r.element_id == "wait_rule"]
    return waiting, stuck


def test_waits_held__a_wait_is_held_while_its_item_has_an_open_step(
    events: Any, config: engine.EngineConfig, clock: ManualClock
) -> None:
    with transaction(events) as s:
        free = engine.start_instance(s, config, "sig_wait", "an")
        boundary = engine.start_instance(s, config, "msg_boundary", "an")
        both = engine.start_instance(s, config, "review_then_wait", "an")
    with transaction(events) as s:
        assert held(s) == {
            (free, "wait_rule"): False,
            (boundary, "withdrawn"): True,  # on the open step itself
            (both, "wait_rule"): True,  # beside an open step of the same item
        }
        assert listed(s, clock()) == ([free], [free])
        (task,) = engine.show_instance(s, both).open_tasks
    clock.advance(timedelta(hours=1))
    with transaction(events) as s:
        engine.complete_task(s, config, task.id, "binh")
    with transaction(events) as s:
        assert held(s)[(both, "wait_rule")] is False  # the step closed, the wait stays
        assert listed(s, clock()) == ([free, both], [free, both])
    with transaction(events) as s:
        assert engine.broadcast_signal(s, config, "quy_dinh_moi", "binh").received == (free, both)
    with transaction(events) as s:
        assert held(s) == {(boundary, "withdrawn"): True}
        assert listed(s, clock()) == ([], [])


def test_waits_held__migration_0022_marks_the_waits_already_stored(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        free = engine.start_instance(s, config, "sig_wait", "an")
        boundary = engine.start_instance(s, config, "msg_boundary", "an")
        both = engine.start_instance(s, config, "review_then_wait", "an")
    with transaction(events) as s:
        kept = held(s)
        s.execute(update(WaitingEventModel).values(held=False))  # as before the column
    db = events.kw["bind"]
    downgrade(db, "0021")
    with db.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("waiting_events")}
        assert "held" not in columns
    engine.upgrade_database(db)
    with transaction(events) as s:
        assert held(s) == kept
        assert kept[(free, "wait_rule")] is False
        assert kept[(boundary, "withdrawn")] and kept[(both, "wait_rule")]
        assert [w.instance_id for w in engine.waiting_items(s)] == [free]


def test_waits__cleared_only_where_the_item_may_have_some(
    events: Any, config: engine.EngineConfig
) -> None:
    """An item saved without waits by the workflow this process keeps (engine.live_workflows)
    has none to clear: its next action leaves the table alone. One with waits, or whose state
    this process did not save, has its rows replaced."""
    with transaction(events) as s:
        (item,) = engine.correlate_message(s, config, "ho_so_nop", "an", key="HS-1").started
    with counted(events) as paying, transaction(events) as s:
        engine.correlate_message(s, config, "da_nop_phi", "an", key="HS-1")
    assert [q for q in paying if q.startswith("DELETE FROM waiting_events")]  # it had one
    with transaction(events) as s:
        assert held(s) == {}
        (check,) = engine.show_instance(s, item).open_tasks
    with counted(events) as checking, transaction(events) as s:
        engine.complete_task(s, config, check.id, "binh")
    assert not [q for q in checking if "waiting_events" in q]
    with transaction(events) as s:
        assert engine.show_instance(s, item).status == engine.InstanceStatus.COMPLETED
