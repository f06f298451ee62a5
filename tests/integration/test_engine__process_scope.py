"""A Camunda model's variables are one scope (engine/process_scope.py): reminders counted on a
repeating non-interrupting timer's path, and a status one parallel branch changed, reach the gateway
after the join whichever branch arrives last; a SpiffArena model keeps SpiffWorkflow's copies
per path. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people, fixture_files


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_scope"), clock)
    return factory


def _step(factory: Any, config: engine.EngineConfig, who: str, **data: Any) -> None:
    with transaction(factory) as s:
        [task] = engine.tasks_for(s, who)
        engine.complete_task(s, config, task.id, who, data=data)


def _waiting(factory: Any, item: int) -> list[str]:
    with transaction(factory) as s:
        return sorted(t.element_id for t in engine.show_instance(s, item).open_tasks)


@pytest.mark.parametrize("legal_first", [True, False], ids=["legal-first", "budget-first"])
def test_process_scope__what_one_path_writes_reaches_the_gateway_after_the_join(
    office: Any, config: engine.EngineConfig, clock: ManualClock, legal_first: bool
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "scope_paths", "an")
    for _ in range(2):  # the budget's daily reminder, twice: reminders = 2
        clock.advance(timedelta(days=1, minutes=1))
        assert engine.run_due_timers(office, config) == 1
    if legal_first:  # "checked" is written while the budget's step is open
        _step(office, config, "binh", legal_ok=True)
        _step(office, config, "an", amount=5)
    else:  # the legal branch arrives last, with the reminder counted on the other path
        _step(office, config, "an", amount=5)
        _step(office, config, "binh", legal_ok=True)
    assert _waiting(office, item) == ["sign"]  # not "fix": status, reminders and legal_ok seen
    with transaction(office) as s:
        data = engine.show_instance(s, item).data
    assert (data["status"], data["reminders"], data["amount"]) == ("checked", 2, 5)


def test_process_scope__a_condition_set_on_one_branch_stops_the_other(
    office: Any, config: engine.EngineConfig
) -> None:
    """A conditional boundary event on the draft sees what the head decided on the other
    branch: the draft stops and the item ends there (its condition read only its own copy)."""
    with transaction(office) as s:
        item = engine.start_instance(s, config, "scope_withdraw", "an", data={"stop": False})
    _step(office, config, "binh", stop=True)
    with transaction(office) as s:
        view = engine.show_instance(s, item)
    assert (view.status, view.open_tasks) == ("completed", [])
    assert "draft" not in [h.element_id for h in view.history if h.kind == "completed"]


def _vote(factory: Any, config: engine.EngineConfig, item: int, who: str, **data: Any) -> None:
    with transaction(factory) as s:
        [task] = [t for t in engine.tasks_for(s, who) if t.instance_id == item]
        engine.complete_task(s, config, task.id, who, data=data)


@pytest.mark.parametrize("process", ["board_vote_sequential", "board_vote_parallel"])
@pytest.mark.parametrize(
    ("votes", "then"),
    [
        ([("an", True), ("binh", True), ("dung", True)], "publish"),
        ([("an", True), ("binh", False)], "rework"),  # the completion condition: no more votes
    ],
    ids=["all-approve", "one-rejects"],
)
def test_process_scope__a_multi_instance_tasks_answers_reach_the_process(
    office: Any,
    config: engine.EngineConfig,
    process: str,
    votes: list[tuple[str, bool]],
    then: str,
) -> None:
    """Camunda sets what a task completes with in the process's scope (its element variable
    stays the instance's own): each vote is seen by the completion condition and the gateway
    after the loop, and the last one counts."""
    with transaction(office) as s:
        item = engine.start_instance(
            s, config, process, "an", data={"members": ["an", "binh", "dung"]}
        )
    for who, approved in votes:
        _vote(office, config, item, who, approved=approved, remark=f"{who}: {approved}")
    assert _waiting(office, item) == [then]
    with transaction(office) as s:
        data = engine.show_instance(s, item).data
    last_who, last_vote = votes[-1]
    assert (data["approved"], data["remark"]) == (last_vote, f"{last_who}: {last_vote}")
    assert data["members"] == ["an", "binh", "dung"]
    assert "member" not in data
