"""A SpiffArena model that calls SpiffArena's script helpers and assigns its lanes through
`lane_owners`, driven to its end through the engine; on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import START, add_people, fixture_files

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@pytest.fixture
def arena_config(clock: ManualClock) -> engine.EngineConfig:
    return engine.EngineConfig(clock=clock, timezone=HANOI)


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("spiff_helpers"), clock)
    return factory


def _inbox(factory: Any, who: str) -> list[engine.TaskView]:
    with transaction(factory) as s:
        return engine.tasks_for(s, who)


def _complete(factory: Any, config: engine.EngineConfig, task_id: str, who: str) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, who, data={})


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


def test_spiff_helpers__a_spiff_arena_model_runs_to_its_end(office: Any, arena_config: Any) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, arena_config, "arena_helpers", "an")
    data = _show(office, item).data
    assert data["initiator_user"] == {
        "username": "an",
        "display_name": "Nguyễn Văn An",
        "email": None,
        "unit": None,
    }
    assert (data["starter"], data["started_by"]) == ("an", "an")
    assert data["heads"] == ["binh", "dung"]
    assert data["due"] == "2026-03-03T01:30:00"
    assert (data["local_hour"], data["office_hour"]) == (8, 8)
    assert (data["total"], data["today"], data["item"]) == ("3.30", "2026-03-01", item)
    assert data["stamp"] == int(START.timestamp())
    assert data["same_info"] is True

    # lane_owners: the Reviewers lane goes to dung alone, not to the lane's group.
    assert _inbox(office, "binh") == []
    [review] = _inbox(office, "dung")
    assert (review.element_id, review.candidate_users) == ("review", ["dung"])
    _complete(office, arena_config, review.id, "dung")
    assert _show(office, item).data["reviewer"] == "dung"  # get_current_user() in the action

    [confirm] = _inbox(office, "an")
    assert _inbox(office, "chi") == []  # Requester: the starter only
    _complete(office, arena_config, confirm.id, "an")
    view = _show(office, item)
    assert view.status == "completed"
    assert (view.data["last_reviewer"], view.data["nobody_yet"]) == ("dung", None)


def test_spiff_helpers__nobody_is_the_current_user_when_a_timer_fires(
    office: Any, arena_config: Any, clock: ManualClock
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, arena_config, "arena_timer_user", "chi")
    clock.set(START + timedelta(hours=1))
    assert engine.run_due_timers(office, arena_config) == 1
    view = _show(office, item)
    assert (view.data["acting_user"], view.data["starter"]) == (None, "chi")


@pytest.mark.parametrize(
    ("script", "message"),
    [
        ("x = time.sleep('a while')", "time.sleep() takes a number of seconds"),
        ("x = pytz.timezone('Mars/Olympus')", "unknown time zone"),
        ("x = pytz.timezone('UTC').localize('noon')", "localize() takes a datetime"),
        ("x = get_localtime(datetime.datetime(2026, 1, 1), 'Mars/Olympus')", "unknown time zone"),
        ("x = time._clock", "_clock"),
        ("x = datetime.datetime.__subclasses__()", "__subclasses__"),
    ],
)
def test_spiff_helpers__the_wrappers_stay_closed(
    factory: Any, clock: ManualClock, arena_config: Any, script: str, message: str
) -> None:
    add_people(factory)
    diagram = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d" targetNamespace="t">
  <bpmn:process id="closed" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run" />
    <bpmn:scriptTask id="run"><bpmn:script>{script}</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
    with pytest.raises(engine.EngineError) as raised, transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("closed.bpmn", diagram.encode())], clock)
        engine.start_instance(s, arena_config, "closed", "an")
    assert message in str(raised.value)


@pytest.mark.parametrize(
    "task",
    ['<bpmn:scriptTask id="run" />', '<bpmn:scriptTask id="run"><bpmn:script /></bpmn:scriptTask>'],
)
def test_spiff_helpers__a_script_task_without_a_script_does_nothing(
    factory: Any, clock: ManualClock, arena_config: Any, task: str
) -> None:
    add_people(factory)
    diagram = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d" targetNamespace="t">
  <bpmn:process id="empty" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run" />
    {task}
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("empty.bpmn", diagram.encode())], clock)
        item = engine.start_instance(s, arena_config, "empty", "an")
        assert engine.show_instance(s, item).status == "completed"


def test_spiff_helpers__a_spiff_arena_function_not_offered_is_refused_at_deploy(
    sqlite_factory: Any, clock: ManualClock
) -> None:
    diagram = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" id="d" targetNamespace="t">
  <bpmn:process id="secret" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="run" />
    <bpmn:scriptTask id="run"><bpmn:script>user = get_current_user()
token = get_secret("api_token")</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="run" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>"""
    source = engine.SourceFile("secret.bpmn", diagram.encode())
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(sqlite_factory) as s:
        engine.deploy(s, [source], clock)
    details = refused.value.details
    assert (details["element_id"], details["line"], details["reason"]) == (
        "run",
        7,
        "spiff_arena_function",
    )
    assert "get_secret() is one of SpiffArena's own functions" in refused.value.message
