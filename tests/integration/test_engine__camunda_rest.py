"""The smaller Camunda 7 constructs, driven through the engine on SQLite and PostgreSQL: a Quartz
cron timeCycle firing on working mornings in the office's zone, who may start a process
(candidateStarterGroups/Users), a data store reference deployed as documentation, the async
attributes accepted."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

import engine
from engine import ManualClock, transaction
from engine.instances import InstanceModel
from tests.conftest import add_people, fixture_files

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"


@pytest.fixture
def rest_config(clock: ManualClock) -> engine.EngineConfig:
    return engine.EngineConfig(clock=clock, timezone=HANOI)


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_rest"), clock)
    return factory


def _hanoi(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=HANOI)


def _next_timer(factory: Any, item: int) -> datetime | None:
    with transaction(factory) as s:
        return s.scalar(select(InstanceModel.next_timer_at).where(InstanceModel.id == item))


def _fired(factory: Any, item: int) -> int:
    with transaction(factory) as s:
        history = engine.show_instance(s, item).history
    return sum(1 for h in history if h.kind == "timer_fired")


def test_camunda_rest__a_cron_cycle_fires_on_working_mornings(
    office: Any, rest_config: Any, clock: ManualClock
) -> None:
    # START is Monday 2 March 08:00 in Hà Nội: `0 0 8 ? * MON-FRI` fires next on Tuesday.
    with transaction(office) as s:
        item = engine.start_instance(s, rest_config, "cron_reminder", "an")
    assert _next_timer(office, item) == _hanoi(3, 8)
    clock.set(_hanoi(3, 7, 59))
    assert engine.run_due_timers(office, rest_config) == 0
    clock.set(_hanoi(3, 8))
    assert engine.run_due_timers(office, rest_config) == 1
    assert (_fired(office, item), _next_timer(office, item)) == (1, _hanoi(4, 8))
    # Missed mornings (the worker was down from Wednesday to Saturday) fire once; the weekend
    # is skipped.
    clock.set(_hanoi(7, 10))
    assert engine.run_due_timers(office, rest_config) == 1
    assert (_fired(office, item), _next_timer(office, item)) == (2, _hanoi(9, 8))
    with transaction(office) as s:
        [task] = engine.tasks_for(s, "binh")
        engine.complete_task(s, rest_config, task.id, "binh", data={})
        view = engine.show_instance(s, item)
    assert view.status == "completed" and _next_timer(office, item) is None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [("an", True), ("chi", True), ("binh", True), ("dung", False), ("em", False)],
)
def test_camunda_rest__only_the_named_starters_start(
    office: Any, rest_config: Any, who: str, allowed: bool
) -> None:
    # candidateStarterGroups="staff" candidateStarterUsers="binh"
    if allowed:
        with transaction(office) as s:
            assert engine.start_instance(s, rest_config, "cron_reminder", who) > 0
        return
    with pytest.raises(engine.Forbidden) as refused, transaction(office) as s:
        engine.start_instance(s, rest_config, "cron_reminder", who)
    assert refused.value.details["reason"] == "not_a_starter"


def _diagram(body: str, extra_ns: str = "") -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" {extra_ns} id="d" targetNamespace="t">
{body}
</bpmn:definitions>""".encode()


TIMER = """  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition id="w">
      <bpmn:timeCycle>{cycle}</bpmn:timeCycle>
    </bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>"""


@pytest.mark.parametrize(
    ("cycle", "message"),
    [
        ("0/5 0/1 * 1/1 * ?", "fires several times a minute"),
        ("0 0 8 15W * ?", "is not supported"),
        ("0 0 25 * * ?", "outside 0 to 23"),
    ],
)
def test_camunda_rest__a_cron_out_of_bounds_is_refused_at_deploy(
    sqlite_factory: Any, clock: ManualClock, cycle: str, message: str
) -> None:
    source = engine.SourceFile("cron.bpmn", _diagram(TIMER.format(cycle=cycle)))
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(sqlite_factory) as s:
        engine.deploy(s, [source], clock)
    details = refused.value.details
    assert message in refused.value.message
    assert (details["file"], details["element_id"], details["line"]) == ("cron.bpmn", "wait", 7)


def test_camunda_rest__a_spiff_arena_data_store_is_refused_with_its_line(
    sqlite_factory: Any, clock: ManualClock
) -> None:
    body = """  <bpmn:dataStore id="ds" name="JSONDataStore" />
  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
  </bpmn:process>"""
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(sqlite_factory) as s:
        engine.deploy(s, [engine.SourceFile("ds.bpmn", _diagram(body))], clock)
    details = refused.value.details
    assert (details["file"], details["element_id"], details["line"]) == ("ds.bpmn", "ds", 3)
    assert "data store 'JSONDataStore'" in refused.value.message


def test_camunda_rest__only_mapped_variables_cross_a_call_activity(
    office: Any, rest_config: Any
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, rest_config, "mapped_caller", "an")
        [sign] = engine.tasks_for(s, "binh")  # camunda:assignee="${approver}", mapped from who
        inside = engine.show_instance(s, item).data
    assert (sign.element_id, sign.assignee) == ("sign", "binh")
    assert {k: inside.get(k) for k in ("sum", "doubled", "approver")} == {
        "sum": 1200,
        "doubled": 2400,
        "approver": "binh",
    }
    assert "secret" not in inside and "amount" not in inside

    with transaction(office) as s:
        engine.complete_task(s, rest_config, sign.id, "binh", data={})
        [archive] = engine.tasks_for(s, "chi")
        data = engine.show_instance(s, item).data
    # camunda:out: the verdict and an expression on the called process's end; nothing else.
    assert (data["decision"], data["after"], data["secret"]) == (
        "approved",
        1201,
        "not for the approval",
    )
    assert "inner" not in data and "sum" not in data
    # camunda:inputOutput: the archive task's input parameters, set when it opened.
    assert data["label"] == "Request approved"
    assert data["tags"] == ["archive", "approved"]
    assert data["meta"] == {"amount": 1200, "large": True}

    with transaction(office) as s:
        engine.complete_task(s, rest_config, archive.id, "chi", data={})
        view = engine.show_instance(s, item)
    assert view.status == "completed" and view.data["archived_note"] == "Request approved, filed"


def test_camunda_rest__an_out_mapping_of_a_missing_variable_names_it(
    factory: Any, clock: ManualClock, rest_config: Any
) -> None:
    """As Camunda ("Cannot resolve identifier"): the step refused, the variable named; it was an
    "unexpected error: AttributeError", the called process's end having no element id."""
    add_people(factory)
    files = fixture_files("camunda_rest")
    caller = next(f for f in files if f.name == "mapped_caller.bpmn")
    missing = caller.content.replace(b"${sum + 1}", b"${nothing_here}")
    files = [f if f is not caller else engine.SourceFile(f.name, missing) for f in files]
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
        item = engine.start_instance(s, rest_config, "mapped_caller", "an")
        [sign] = engine.tasks_for(s, "binh")
    with pytest.raises(engine.ScriptError) as refused, transaction(factory) as s:
        engine.complete_task(s, rest_config, sign.id, "binh", data={})
    assert "the item has no variable 'nothing_here'" in str(refused.value)
    with transaction(factory) as s:
        assert [t.element_id for t in engine.open_tasks(s, item)] == ["sign"]


def test_camunda_rest__a_script_parameter_is_refused_at_deploy(
    sqlite_factory: Any, clock: ManualClock
) -> None:
    body = """  <bpmn:process id="p" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="t" />
    <bpmn:userTask id="t"><bpmn:extensionElements><camunda:inputOutput>
      <camunda:inputParameter name="x">
        <camunda:script scriptFormat="python">1 + 1</camunda:script>
      </camunda:inputParameter>
    </camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>
    <bpmn:sequenceFlow id="f2" sourceRef="t" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>"""
    source = engine.SourceFile("io.bpmn", _diagram(body, f'xmlns:camunda="{CAMUNDA_NS}"'))
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(sqlite_factory) as s:
        engine.deploy(s, [source], clock)
    details = refused.value.details
    assert (details["file"], details["element_id"], details["line"]) == ("io.bpmn", "t", 8)
    assert "parameter 'x' is a script" in refused.value.message


def test_camunda_rest__a_repeating_reminder_is_no_deadline(
    office: Any, rest_config: Any, clock: ManualClock
) -> None:
    """The weekday-morning reminder on "Handle the request" gives the task no due date: it
    showed overdue from the first reminder on."""
    with transaction(office) as s:
        item = engine.start_instance(s, rest_config, "cron_reminder", "an")
        [task] = engine.show_instance(s, item).open_tasks
    assert task.due_at is None
