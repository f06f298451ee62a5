"""External tasks left to outside workers (issue 12 point 1), on SQLite and PostgreSQL.

Our own model under tests/fixtures/external: a Camunda service task `camunda:type="external"`
with a topic no handler maps waits for a worker; the worker's variables steer the gateway after
it. A lock that runs out lets another worker take the task (the first one's completion is then
refused); a failure with retries frees the task after the retry timeout; with none the item is
parked in error and a retry makes the task wait for a worker again."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest

import engine
from engine import EngineConfig, ManualClock, transaction
from tests.conftest import add_people, fixture_files

TOPIC = "tra-cuu-mst"


@pytest.fixture
def deployed(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("external"), clock, services=())
    return factory


def start(factory: Any, config: EngineConfig) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, "camunda_external", "an", data={"mst": "01"})


def fetch(
    factory: Any, clock: ManualClock, worker: str, seconds: float = 60
) -> list[engine.LockedExternalTask]:
    with transaction(factory) as s:
        return engine.fetch_and_lock(s, worker, [TOPIC, "other"], 10, seconds, clock())


def test_fetch_lock_complete_runs_the_item_on(deployed: Any, clock: ManualClock) -> None:
    config = EngineConfig(clock=clock)
    item_id = start(deployed, config)
    with transaction(deployed) as s:
        assert engine.show_instance(s, item_id).status == "running"
        (waiting,) = engine.list_external_tasks(s, topic=TOPIC)
        assert (waiting.item_id, waiting.element_id, waiting.worker_id) == (item_id, "lookup", None)
    with transaction(deployed) as s:
        (row,) = [r for r in engine.stuck(s, clock()) if r.instance_id == item_id]
        assert (row.element_id, row.holder) == ("lookup", f"external task '{TOPIC}'")
    (locked,) = fetch(deployed, clock, "w1")
    assert locked.task.topic == TOPIC and locked.variables["mst"] == "01"
    with transaction(deployed) as s:
        (row,) = [r for r in engine.stuck(s, clock()) if r.instance_id == item_id]
        assert row.holder == f"external task '{TOPIC}' (locked by w1)"
    assert locked.task.lock_expires_at == clock() + timedelta(seconds=60)
    assert fetch(deployed, clock, "w2") == []  # locked
    with pytest.raises(engine.Conflict) as caught, transaction(deployed) as s:
        engine.complete_external(s, config, locked.task.id, "w2", {"found": True})
    assert caught.value.details["reason"] == "lock_not_held"
    assert caught.value.details["locked_by"] == "w1"
    with pytest.raises(engine.InvalidData), transaction(deployed) as s:
        engine.complete_external(s, config, locked.task.id, "w1", {"_x": 1})
    with transaction(deployed) as s:
        engine.complete_external(s, config, locked.task.id, "w1", {"found": True}, actor="robot")
    with transaction(deployed) as s:
        view = engine.show_instance(s, item_id)
        assert view.status == "completed"
        assert "external_completed" in [h.kind for h in view.history]
        assert engine.list_external_tasks(s) == []
    with pytest.raises(engine.NotFound), transaction(deployed) as s:
        engine.complete_external(s, config, locked.task.id, "w1", {})


def test_an_expired_lock_lets_another_worker_take_it(deployed: Any, clock: ManualClock) -> None:
    config = EngineConfig(clock=clock)
    item_id = start(deployed, config)
    (first,) = fetch(deployed, clock, "w1", seconds=30)
    clock.advance(timedelta(seconds=20))
    with transaction(deployed) as s:
        engine.extend_lock(s, first.task.id, "w1", 30, clock())
    clock.advance(timedelta(seconds=29))
    assert fetch(deployed, clock, "w2") == []
    clock.advance(timedelta(seconds=2))
    (second,) = fetch(deployed, clock, "w2")
    assert second.task.id == first.task.id and second.task.worker_id == "w2"
    with pytest.raises(engine.Conflict), transaction(deployed) as s:
        engine.extend_lock(s, first.task.id, "w1", 30, clock())
    with pytest.raises(engine.Conflict), transaction(deployed) as s:
        engine.complete_external(s, config, first.task.id, "w1", {"found": True})
    with transaction(deployed) as s:
        engine.complete_external(s, config, second.task.id, "w2", {"found": False})
    with transaction(deployed) as s:
        view = engine.show_instance(s, item_id)
        assert view.status == "running"
        assert [t.element_id for t in view.open_tasks] == ["review"]


def test_failure_with_retries_then_an_incident_and_a_retry(
    deployed: Any, clock: ManualClock
) -> None:
    config = EngineConfig(clock=clock)
    item_id = start(deployed, config)
    (locked,) = fetch(deployed, clock, "w1")
    with transaction(deployed) as s:
        outcome = engine.fail_external(s, config, locked.task.id, "w1", "thuế down", 1, 60)
    assert outcome == "retry"
    assert fetch(deployed, clock, "w1") == []  # not before the retry timeout
    clock.advance(timedelta(seconds=61))
    (again,) = fetch(deployed, clock, "w1")
    assert (again.task.retries, again.task.error_message) == (1, "thuế down")
    with transaction(deployed) as s:
        outcome = engine.fail_external(s, config, again.task.id, "w1", "vẫn lỗi", 0, 0)
    assert outcome == "incident"
    with transaction(deployed) as s:
        view = engine.show_instance(s, item_id)
        assert view.status == "error" and view.error and "vẫn lỗi" in view.error
        assert engine.list_external_tasks(s) == []
    assert fetch(deployed, clock, "w1") == []
    with transaction(deployed) as s:
        assert engine.retry_instance(s, config, item_id, None) == "running"
    (third,) = fetch(deployed, clock, "w3")
    assert third.task.id != again.task.id and third.task.retries is None
    with transaction(deployed) as s:
        engine.complete_external(s, config, third.task.id, "w3", {"found": True})
        assert engine.show_instance(s, item_id).status == "completed"


def test_a_cancelled_items_task_is_not_fetched(deployed: Any, clock: ManualClock) -> None:
    config = EngineConfig(clock=clock)
    item_id = start(deployed, config)
    with transaction(deployed) as s:
        engine.cancel_instance(s, config, item_id, "an", "không cần")
    assert fetch(deployed, clock, "w1") == []


@pytest.mark.parametrize(
    ("worker", "topics", "count", "seconds", "reason"),
    [
        ("", [TOPIC], 1, 60, "worker_id_invalid"),
        ("w", [TOPIC], 0, 60, "max_tasks_out_of_range"),
        ("w", [TOPIC], 1, 0, "lock_duration_out_of_range"),
    ],
)
def test_fetch_refusals(
    deployed: Any,
    clock: ManualClock,
    worker: str,
    topics: list[str],
    count: int,
    seconds: float,
    reason: str,
) -> None:
    with pytest.raises(engine.InvalidInput) as caught, transaction(deployed) as s:
        engine.fetch_and_lock(s, worker, topics, count, seconds, clock())
    assert caught.value.details["reason"] == reason


# On PostgreSQL only: SQLite's write lock makes fetches take turns (BEGIN IMMEDIATE).
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_two_workers_fetching_at_once_never_get_the_same_task(
    deployed: Any, clock: ManualClock
) -> None:
    """On PostgreSQL the second worker's fetch, while the first one's transaction still holds
    its row, skips it (FOR UPDATE SKIP LOCKED) and takes the next task instead of waiting. On
    SQLite the write lock makes fetches take turns (the second would wait at BEGIN)."""
    assert deployed.kw["bind"].dialect.name == "postgresql"
    config = EngineConfig(clock=clock)
    items = {start(deployed, config), start(deployed, config)}
    first_holds, second_done = threading.Event(), threading.Event()
    got: dict[str, list[engine.LockedExternalTask]] = {}

    def first() -> None:
        with transaction(deployed) as s:
            got["w1"] = engine.fetch_and_lock(s, "w1", [TOPIC], 1, 60, clock())
            first_holds.set()
            second_done.wait(10)

    thread = threading.Thread(target=first)
    thread.start()
    assert first_holds.wait(10)
    with transaction(deployed) as s:
        got["w2"] = engine.fetch_and_lock(s, "w2", [TOPIC], 1, 60, clock())
    second_done.set()
    thread.join()
    (one,), (two,) = got["w1"], got["w2"]
    assert one.task.id != two.task.id and {one.task.item_id, two.task.item_id} == items


def test_a_failure_message_with_a_nul_character_is_refused_and_nothing_changes(
    deployed: Any, clock: ManualClock
) -> None:
    config = EngineConfig(clock=clock)
    item_id = start(deployed, config)
    (locked,) = fetch(deployed, clock, "w1")
    with pytest.raises(engine.InvalidData), transaction(deployed) as s:
        engine.fail_external(s, config, locked.task.id, "w1", "thuế\x00 down", 0, 0)
    with transaction(deployed) as s:
        assert engine.show_instance(s, item_id).status == "running"
        (still,) = engine.list_external_tasks(s, item_id=item_id)
    assert still.worker_id == "w1"
