"""An item's live workflow kept in the process between its actions (engine/live_workflows.py),
and a completion rehearsed in a read before its write (engine.rehearse_completion): with them or
without, every action writes the very same rows; a state written behind its back, a failed
action, a rolled-back savepoint all send the next action back to the stored state. On a real
SQLite file and a real PostgreSQL."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import SpiffWorkflow.task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import text

import engine
from engine import ManualClock, live_workflows, transaction
from engine.definitions import load_version
from engine.live_workflows import Entry, LiveWorkflows
from engine.serialization import dump_state, load_state
from tests.conftest import START, add_people, fixture_files
from tests.prepared import drop_schema, new_schema

PEOPLE = ("an", "chi", "binh", "dung", "root", "em")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@pytest.fixture
def live(monkeypatch: pytest.MonkeyPatch) -> LiveWorkflows:
    cache = LiveWorkflows()
    monkeypatch.setattr(live_workflows, "LIVE", cache)
    return cache


# --- the same rows with the cache as without ---------------------------------------------------


@dataclass(frozen=True)
class Do:
    """Complete the item's open task `element` as whoever may, with this data (or the data
    made from the item's current data)."""

    element: str
    data: dict[str, Any] | Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Wait:
    """Let time pass, and the timer worker fire what came due."""

    delta: timedelta


@dataclass(frozen=True)
class Send:
    """A message to the item, as an outside system sends it."""

    name: str
    data: dict[str, Any]


@dataclass(frozen=True)
class Cancel:
    reason: str


@dataclass(frozen=True)
class Scenario:
    folders: tuple[str, ...]
    process: str
    start: dict[str, Any]
    steps: tuple[Do | Wait | Send | Cancel, ...]


def _line(accepted: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda data: {"line": {**data["line"], "accepted": accepted}}


SCENARIOS = {
    # Scripts, a return loop, a non-interrupting timer (the reminder), parallel branches.
    "approval": Scenario(
        ("spiff", "camunda"),
        "approval",
        {},
        (
            Do("draft", {"summary": "Trồng nấm"}),
            Wait(4 * DAY),
            Do("review", {"decision": "return"}),
            Do("draft", {"summary": "Trồng nấm", "budget": 5}),
            Wait(HOUR),
            Do("review", {"decision": "approve"}),
            Do("check", {}),
            Do("sign", {}),
        ),
    ),
    "approval_cancelled": Scenario(
        ("spiff", "camunda"),
        "approval",
        {},
        (Do("draft", {"summary": "x"}), Wait(4 * DAY), Cancel("Không cần nữa")),
    ),
    # A sequential multi-instance task editing each line in place; pytz dates in the data.
    "invoice_lines": Scenario(
        ("spiff_arena_models",),
        "invoice_lines",
        {"issued_on": "2026-02-27"},
        (Do("check_line", _line(True)), Wait(HOUR), Do("check_line", _line(False))),
    ),
}


def _open(factory: Any, item: int) -> list[tuple[engine.TaskView, str]]:
    """The item's open tasks, each with someone who may act on it."""
    found: dict[str, tuple[engine.TaskView, str]] = {}
    with transaction(factory) as s:
        for who in PEOPLE:
            for task in engine.tasks_for(s, who):
                if task.instance_id == item:
                    found.setdefault(task.id, (task, who))
    return sorted(found.values(), key=lambda pair: (pair[0].element_id, pair[0].id))


def _rows(factory: Any) -> dict[str, list[tuple[Any, ...]]]:
    """What the actions wrote: items, task rows and candidates, audit events, waits."""
    tables = {
        "instances": "id",
        "human_tasks": "id",
        "task_candidates": "1, 2",
        "audit_events": "id",
        "audit_chain": "id",
        "waiting_events": "1, 2, 3",
        "external_tasks": "id",
        "search_documents": "1",
    }
    with transaction(factory) as s:
        return {
            name: [tuple(row) for row in s.execute(text(f"SELECT * FROM {name} ORDER BY {order}"))]
            for name, order in tables.items()
        }


@pytest.fixture
def other_url(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second empty database of the same kind as `db_url`."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    schema, url = new_schema()
    yield url
    drop_schema(schema)


def _run(
    url: str, scenario: Scenario, cache: LiveWorkflows, monkeypatch: Any, rehearse: bool = False
) -> list[Any]:
    """Drive one item through the scenario on a fresh database; the rows after each action.
    Spiff's task ids and clock are made repeatable, so that two runs can be compared.
    `rehearse`: each completion is first run in a read transaction, as the web's POST does."""
    counter = itertools.count(1)
    monkeypatch.setattr(SpiffWorkflow.task, "uuid4", lambda: uuid.UUID(int=next(counter)))
    clock = ManualClock(START)
    # Not a count of calls: a load makes every task anew, and each asks the time.
    monkeypatch.setattr(SpiffWorkflow.task.time, "time", lambda: clock().timestamp())
    monkeypatch.setattr(live_workflows, "LIVE", cache)
    db = engine.create_db_engine(url)
    try:
        engine.upgrade_database(db)
        factory = engine.session_factory(db)
        config = engine.EngineConfig(clock=clock)
        add_people(factory)
        with transaction(factory) as s:
            engine.deploy(s, fixture_files(*scenario.folders), clock)
        with transaction(factory) as s:
            item = engine.start_instance(s, config, scenario.process, "an", data=scenario.start)
        seen = [_rows(factory)]
        for step in scenario.steps:
            clock.advance(HOUR)
            if isinstance(step, Do):
                task, who = next(p for p in _open(factory, item) if p[0].element_id == step.element)
                data = step.data
                if callable(data):
                    with transaction(factory) as s:
                        data = data(engine.show_instance(s, item).data)
                rehearsal = _rehearsal(factory, config, task.id, who, data) if rehearse else None
                with transaction(factory) as s:
                    engine.complete_task(s, config, task.id, who, data=data, rehearsal=rehearsal)
            elif isinstance(step, Wait):
                clock.advance(step.delta)
                engine.run_due_timers(factory, config)
            elif isinstance(step, Send):
                with transaction(factory) as s:
                    engine.correlate_message(s, config, step.name, "root", data=step.data)
            else:
                with transaction(factory) as s:
                    engine.cancel_instance(s, config, item, "an", step.reason)
            seen.append(_rows(factory))
        return seen
    finally:
        db.dispose()


def _rehearsal(
    factory: Any, config: engine.EngineConfig, task_id: str, who: str, data: dict[str, Any]
) -> engine.Rehearsal:
    with transaction(factory, write=False) as s:
        found = engine.rehearse_completion(
            s, config, task_id, engine.get_identity(s, who), data=data
        )
    assert found is not None and found.error is None and found.workflow is not None
    return found


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_live__every_action_writes_the_same_rows_with_the_cache_as_without(
    name: str, db_url: str, other_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = SCENARIOS[name]
    cached = LiveWorkflows()
    with monkeypatch.context() as m:
        with_cache = _run(db_url, scenario, cached, m)
    with monkeypatch.context() as m:
        without = _run(other_url, scenario, LiveWorkflows(max_items=0), m)
    assert cached.hits >= len([s for s in scenario.steps if isinstance(s, Do)]) - 1
    assert len(with_cache) == len(without)
    for step, (mine, theirs) in enumerate(zip(with_cache, without, strict=True)):
        for table in mine:
            assert mine[table] == theirs[table], f"after step {step}: {table}"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_rehearsal__every_completion_writes_the_same_rows_rehearsed_as_run_under_the_lock(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite, where rehearsals run (see engine.rehearse_completion)."""
    scenario = SCENARIOS[name]
    with monkeypatch.context() as m:
        rehearsed = _run(f"sqlite:///{tmp_path / 'a.db'}", scenario, LiveWorkflows(), m, True)
    with monkeypatch.context() as m:
        plain = _run(f"sqlite:///{tmp_path / 'b.db'}", scenario, LiveWorkflows(max_items=0), m)
    assert len(rehearsed) == len(plain)
    for step, (mine, theirs) in enumerate(zip(rehearsed, plain, strict=True)):
        for table in mine:
            assert mine[table] == theirs[table], f"after step {step}: {table}"


# --- when the stored state is not what this process saved -------------------------------------


@pytest.fixture
def office(deployed: Any) -> Any:
    """The fixture diagrams deployed, the people added: the session factory."""
    return deployed


def _item_at_review(office: Any, config: engine.EngineConfig) -> tuple[int, str]:
    """An approval item whose draft is done: its review waits for binh."""
    with transaction(office) as s:
        item = engine.start_instance(s, config, "approval", "an")
    [(draft, _)] = _open(office, item)
    with transaction(office) as s:
        engine.complete_task(s, config, draft.id, "an", data={"summary": "Trồng nấm"})
    [(review, _)] = _open(office, item)
    return item, review.id


def _state(office: Any, item: int) -> str:
    with transaction(office) as s:
        return str(
            s.execute(text("SELECT state FROM instances WHERE id = :i"), {"i": item}).scalar()
        )


def test_live__an_action_takes_the_workflow_its_process_saved(
    office: Any, config: engine.EngineConfig, live: LiveWorkflows
) -> None:
    item, review = _item_at_review(office, config)
    assert (live.hits, len(live)) == (1, 1)  # the start's workflow served the draft
    with transaction(office) as s:
        engine.complete_task(s, config, review, "binh", data={"decision": "approve"})
    assert live.hits == 2
    assert {t.element_id for t, _ in _open(office, item)} == {"sign", "check"}


def test_live__a_state_written_behind_its_back_is_read_from_the_database(
    office: Any, config: engine.EngineConfig, live: LiveWorkflows
) -> None:
    item, review = _item_at_review(office, config)
    with transaction(office) as s:
        version = load_version(
            s, s.execute(text("SELECT process_version_id FROM instances")).scalar()
        )
    # A repair tool's direct UPDATE: the review's data corrected by hand.
    stored = _state(office, item)
    workflow = load_state("spiff", stored, version.spec, version.subprocess_specs)
    [task] = [t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "review"]
    task.data["summary"] = "Sửa tay"
    with transaction(office) as s:
        s.execute(
            text("UPDATE instances SET state = :s WHERE id = :i"),
            {"s": dump_state("spiff", workflow), "i": item},
        )
    hits = live.hits
    with transaction(office) as s:
        engine.complete_task(s, config, review, "binh", data={"decision": "approve"})
    assert live.hits == hits  # read from the database, not taken from the cache
    with transaction(office) as s:
        assert engine.show_instance(s, item).data["summary"] == "Sửa tay"


def test_live__a_failed_action_leaves_nothing_and_the_next_one_reads_the_stored_state(
    office: Any, config: engine.EngineConfig, live: LiveWorkflows, monkeypatch: pytest.MonkeyPatch
) -> None:
    item, review = _item_at_review(office, config)
    before = _state(office, item)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("the disk is full")

    # Fails after the review ran in Spiff (the workflow moved on) and its state was dumped.
    with monkeypatch.context() as m:
        m.setattr(engine.runtime, "sync_subscriptions", broken)
        with pytest.raises(RuntimeError), transaction(office) as s:
            engine.complete_task(s, config, review, "binh", data={"decision": "return"})
    assert len(live) == 0 and _state(office, item) == before
    hits = live.hits
    with transaction(office) as s:
        engine.complete_task(s, config, review, "binh", data={"decision": "approve"})
    assert live.hits == hits
    assert {t.element_id for t, _ in _open(office, item)} == {"sign", "check"}
    with transaction(office) as s:
        assert engine.show_instance(s, item).data["decision"] == "approve"


def test_live__an_action_in_a_rolled_back_savepoint_leaves_nothing(
    office: Any, config: engine.EngineConfig, live: LiveWorkflows
) -> None:
    item, review = _item_at_review(office, config)
    with transaction(office) as s:
        savepoint = s.begin_nested()
        engine.complete_task(s, config, review, "binh", data={"decision": "return"})
        savepoint.rollback()
    assert len(live) == 0
    with transaction(office) as s:
        engine.complete_task(s, config, review, "binh", data={"decision": "approve"})
    assert {t.element_id for t, _ in _open(office, item)} == {"sign", "check"}


def test_live__the_cache_keeps_the_most_recently_saved_within_its_bounds() -> None:
    cache = LiveWorkflows(max_items=2, max_chars=10)
    spec = object()

    def put(item: int, state: str) -> None:
        cache.put(item, Entry(object(), state, 1, spec, "v", "spiff"))

    put(1, "aaa")
    put(2, "bbb")
    put(3, "ccc")  # over two items: the first saved goes
    assert (len(cache), cache.chars) == (2, 6)
    assert cache.take(1, "aaa", 1, spec, "v") is None
    put(4, "dddddd")  # over ten characters: 2 goes, 3 stays
    assert (len(cache), cache.chars) == (2, 9)
    put(5, "x" * 11)  # a state over the whole bound is not kept
    assert len(cache) == 2
    # Another version, spec or serializer, or another text: not taken, and gone.
    assert cache.take(3, "ccc", 2, spec, "v") is None
    assert cache.take(4, "dddddd", 1, object(), "v") is None
    assert len(cache) == 0


def test_live__a_look_at_the_workflow_leaves_it_for_the_next_action(
    office: Any, config: engine.EngineConfig, live: LiveWorkflows
) -> None:
    item, review = _item_at_review(office, config)
    with transaction(office) as s:
        instance = s.get(engine.instances.InstanceModel, item)
        assert instance is not None
        version = load_version(s, instance.process_version_id)
        with engine.runtime.reading_workflow(instance, version, config) as workflow:
            assert [t.task_spec.bpmn_id for t in workflow.get_tasks(state=TaskState.READY)] == [
                "review"
            ]
    hits = live.hits
    with transaction(office) as s:
        engine.complete_task(s, config, review, "binh", data={"decision": "approve"})
    assert live.hits == hits + 1
