"""A Camunda 7 model written in JUEL, driven to its end through the engine: a gateway on
`${!approved && amount gt 1000}`, owners from `#{initiator}`, `${dept}` and a property, due
dates from `dateTime()`, a timer from `P${days}D`; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import START, add_people, fixture_files

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def juel_config(clock: ManualClock) -> engine.EngineConfig:
    return engine.EngineConfig(clock=clock, timezone=HANOI)


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.add_group(s, "buyers_heads", "Buyers")
        engine.deploy(s, fixture_files("camunda_juel"), clock)
    return factory


def _start(factory: Any, config: engine.EngineConfig, **data: Any) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, "juel_purchase", "an", data=data)


def _inbox(factory: Any, who: str) -> list[engine.TaskView]:
    with transaction(factory) as s:
        return engine.tasks_for(s, who)


def _complete(
    factory: Any, config: engine.EngineConfig, task_id: str, who: str, **data: Any
) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, who, data=data)


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


REQUEST = {"dept": "heads", "reminder_days": 2, "purchaser": {"name": "chi"}}


def test_juel__a_large_refusal_goes_back_to_the_initiator(office: Any, juel_config: Any) -> None:
    item = _start(office, juel_config, amount=5000, **REQUEST)
    [review] = _inbox(office, "binh")  # ${dept}: the heads
    assert review.candidate_groups == ["heads"] and _inbox(office, "an") == []
    # ${dateTime().plusWeeks(1).toDate()}: a week on from 08:00 in Hà Nội, stored in UTC.
    assert review.due_at == START + timedelta(weeks=1)
    assert review.due_at.astimezone(HANOI).hour == 8
    _complete(office, juel_config, review.id, "binh", approved=False)

    [appeal] = _inbox(office, "an")  # #{initiator}
    assert (appeal.element_id, appeal.assignee) == ("appeal", "an")
    assert appeal.due_at == START + timedelta(days=5)  # plusDays(amount div 1000)
    _complete(office, juel_config, appeal.id, "an")
    view = _show(office, item)
    assert view.status == "completed"
    done = [h.element_id for h in view.history if h.kind == "completed"]
    assert done == ["review", "appeal"]


@pytest.mark.parametrize(
    ("amount", "approved", "route"),
    [
        (500, False, []),  # small and refused: the default flow ends it
        (5000, True, ["order"]),  # #{approved and not empty purchaser}
        ("5000", "true", ["order"]),  # texts as EL coerces them
    ],
)
def test_juel__the_gateway_takes_the_route_juel_gives(
    office: Any, juel_config: Any, amount: Any, approved: Any, route: list[str]
) -> None:
    item = _start(office, juel_config, amount=amount, **REQUEST)
    [review] = _inbox(office, "dung")
    _complete(office, juel_config, review.id, "dung", approved=approved)
    view = _show(office, item)
    assert [t.element_id for t in view.open_tasks] == route
    if route:
        [order] = _inbox(office, "chi")  # ${purchaser.name}
        assert order.assignee == "chi"
        # "buyers_${dept}, ${purchaser['backup'] == null ? 'staff' : purchaser['backup']}"
        assert order.candidate_groups == ["buyers_heads", "staff"]
        _complete(office, juel_config, order.id, "chi")
    assert _show(office, item).status == "completed"


def test_juel__a_timer_from_text_and_an_owner_from_get_variable(
    office: Any, juel_config: Any, clock: ManualClock
) -> None:
    item = _start(office, juel_config, amount=10, **REQUEST)
    clock.advance(timedelta(days=2))  # P${reminder_days}D
    assert engine.run_due_timers(office, juel_config) == 1
    # execution.getVariable("starter"): camunda:initiator="starter" names the initiator.
    [chase] = _inbox(office, "an")
    assert (chase.element_id, chase.assignee) == ("chase", "an")
    view = _show(office, item)
    assert sorted(t.element_id for t in view.open_tasks) == ["chase", "review"]
    # The dossier shows who started it once, apart; not again as a field named `starter`.
    with transaction(office) as s:
        dossier = engine.item_with_dossier(s, item)[1]
    [start] = [section for section in dossier.sections if section.is_start]
    assert sorted(f.name for f in start.fields) == ["amount", "dept", "purchaser", "reminder_days"]


def test_juel__a_run_time_coercion_error_names_the_step(office: Any, juel_config: Any) -> None:
    item = _start(office, juel_config, amount="a lot", **REQUEST)
    [review] = _inbox(office, "binh")
    with pytest.raises(engine.ScriptError, match="a lot") as failed:
        _complete(office, juel_config, review.id, "binh", approved=False)
    # The message quotes the expression as the model has it.
    assert "${!approved && amount gt 1000}" in failed.value.message
    assert failed.value.details.get("element_id") in ("decide", "f_appeal")
    assert _show(office, item).open_tasks[0].element_id == "review"


def test_juel__the_due_date_follows_the_clock(office: Any, juel_config: Any, clock: Any) -> None:
    clock.set(datetime(2026, 1, 31, 3, 0, tzinfo=UTC))
    _start(office, juel_config, amount=5000, **REQUEST)
    [review] = _inbox(office, "binh")
    assert review.due_at == datetime(2026, 2, 7, 3, 0, tzinfo=UTC)


def test_juel__each_reviewer_of_a_collection_holds_their_own_step(
    office: Any, juel_config: Any
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(
            s,
            juel_config,
            "juel_reviews",
            "an",
            data={"reviewers": ["binh", "dung"], "copies": None},
        )
    [first] = _inbox(office, "binh")  # ${reviewer}, one at a time
    assert first.assignee == "binh" and _inbox(office, "dung") == []
    _complete(office, juel_config, first.id, "binh", verdict="ok")
    [second] = _inbox(office, "dung")
    _complete(office, juel_config, second.id, "dung", verdict="ok")
    [copy] = _inbox(office, "chi")  # ${empty copies ? 1 : copies}: copies is null
    _complete(office, juel_config, copy.id, "chi")
    assert _show(office, item).status == "completed"


def test_juel__a_variable_the_item_lacks_is_named_in_the_juel_written(
    office: Any, juel_config: Any
) -> None:
    """As Camunda ("Cannot resolve identifier 'amount'"): the error names the variable and
    quotes the expression as the model has it, not the Python it runs as."""
    item = _start(office, juel_config, **REQUEST)  # no amount
    [review] = _inbox(office, "binh")
    with pytest.raises(engine.ScriptError) as failed:
        _complete(office, juel_config, review.id, "binh", approved=False)
    said = str(failed.value)
    assert "the item has no variable 'amount'" in said
    assert "'${!approved && amount gt 1000}'" in said and "juel_" not in said
    # The element is named as an element (a gateway is no task), and the item's variables
    # named like it in words, never a Python list.
    assert said.startswith("element '") and "[" not in said.split("(in expression")[1]
    assert _show(office, item).status == "running"  # nothing recorded


def test_juel__camunda_multi_instance_variables_end_a_vote_and_pick_each_turn(
    office: Any, juel_config: Any
) -> None:
    """Camunda's nrOfInstances, nrOfActiveInstances, nrOfCompletedInstances and loopCounter:
    a parallel vote ends once half have voted (the rest leave their inboxes), and a sequential
    step gives its first turn to the initiator, its second to chi, and ends after two of
    three."""
    with transaction(office) as s:
        item = engine.start_instance(
            s, juel_config, "juel_quorum", "an", data={"voters": ["binh", "dung", "chi", "em"]}
        )
    [first] = _inbox(office, "binh")
    assert first.title == "Vote of binh"  # a JUEL name, as Camunda evaluates it
    _complete(office, juel_config, first.id, "binh", agree=True)
    assert [t.element_id for t in _inbox(office, "chi")] == ["vote"]  # 1 of 4: not yet
    [second] = _inbox(office, "dung")
    _complete(office, juel_config, second.id, "dung", agree=False)
    # 2 of 4: the vote is over; chi's and em's votes are withdrawn.
    assert _inbox(office, "em") == []
    [turn] = _inbox(office, "an")  # loopCounter 0: the initiator
    assert (turn.element_id, turn.assignee) == ("turns", "an")
    assert [t.element_id for t in _inbox(office, "chi")] == []
    _complete(office, juel_config, turn.id, "an")
    [turn] = _inbox(office, "chi")  # loopCounter 1
    assert turn.assignee == "chi"
    _complete(office, juel_config, turn.id, "chi")
    view = _show(office, item)
    assert view.status == "completed"  # two turns of three
    for name in ("nrOfInstances", "nrOfCompletedInstances", "loopCounter"):
        assert name not in view.data


def test_juel__a_named_step_keeps_its_name_in_the_dossier(office: Any, juel_config: Any) -> None:
    """What a JUEL name gave its task ("Vote of binh") is what the item's dossier and history
    call the step, not the diagram's "Vote of ${voter}"."""
    with transaction(office) as s:
        item = engine.start_instance(
            s, juel_config, "juel_quorum", "an", data={"voters": ["binh", "dung", "chi"]}
        )
    [vote] = _inbox(office, "binh")
    _complete(office, juel_config, vote.id, "binh", agree=True)
    with transaction(office) as s:
        view, dossier = engine.item_with_dossier(s, item)
    [done] = [h for h in view.history if h.kind == "completed"]
    assert dossier.by_task[vote.id].title == "Vote of binh"
    assert dossier.task_titles[vote.id] == "Vote of binh"
    assert dossier.task_titles[done.task_id or ""] == "Vote of binh"
    assert not any("${" in title for title in dossier.task_titles.values())
