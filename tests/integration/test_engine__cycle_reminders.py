"""A non-interrupting timer cycle on a step (a reminder every day while the step waits): each
firing opens its own reminder, and what those reminders opened stays open after the step is
done, as in Camunda: completing the step cancels its timer, not the work the timer started."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import engine
from engine import ManualClock, SourceFile, transaction
from tests.conftest import add_people

XML = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="nhac" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="work" />
    <bpmn:userTask id="work" name="Làm việc" camunda:assignee="an" />
    <bpmn:boundaryEvent id="daily" attachedToRef="work" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeCycle>R/P1D</bpmn:timeCycle></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="daily" targetRef="remind" />
    <bpmn:userTask id="remind" name="Nhắc việc" camunda:assignee="binh" />
    <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="e2" />
    <bpmn:endEvent id="e2" />
    <bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="e1" />
    <bpmn:endEvent id="e1" />
  </bpmn:process>
</bpmn:definitions>"""


def _open(factory: Any, item: int) -> list[str]:
    with transaction(factory) as s:
        return sorted(t.element_id for t in engine.open_tasks(s, item))


def _days_later(
    factory: Any, clock: ManualClock, config: engine.EngineConfig, xml: str, days: int
) -> int:
    """The item of `xml`, started, after `days` days of the worker's rounds."""
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [SourceFile("nhac.bpmn", xml.encode())], clock)
        item = engine.start_instance(s, config, "nhac", "an")
    for _day in range(days):
        clock.advance(timedelta(days=1, minutes=1))
        engine.run_due_timers(factory, config)
    return item


def test_cycle_reminders__outlive_the_step_they_remind_of(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [SourceFile("nhac.bpmn", XML.encode())], clock)
        item = engine.start_instance(s, config, "nhac", "an")
    for _day in range(2):
        clock.advance(timedelta(days=1, minutes=1))
        assert engine.run_due_timers(factory, config) == 1
    assert _open(factory, item) == ["remind", "remind", "work"]
    with transaction(factory) as s:
        [work] = [t for t in engine.open_tasks(s, item) if t.element_id == "work"]
        engine.complete_task(s, config, work.id, "an")
    assert _open(factory, item) == ["remind", "remind"]
    clock.advance(timedelta(days=3))
    assert engine.run_due_timers(factory, config) == 0  # the step done, its timer is gone
    for _reminder in range(2):
        with transaction(factory) as s:
            reminder = engine.open_tasks(s, item)[0]
            engine.complete_task(s, config, reminder.id, "binh")
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed"


def test_cycle_reminders__a_counted_cycle_fires_its_count_only(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    item = _days_later(factory, clock, config, XML.replace("R/P1D", "R2/P1D"), 4)
    assert _open(factory, item) == ["remind", "remind", "work"]
    with transaction(factory) as s:
        history = engine.show_instance(s, item).history
    assert sum(1 for h in history if h.element_id == "daily") == 2  # each firing recorded


def test_cycle_reminders__an_interrupting_cycle_ends_the_step_at_its_first_time(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    interrupting = XML.replace('cancelActivity="false"', 'cancelActivity="true"')
    item = _days_later(factory, clock, config, interrupting, 3)
    assert _open(factory, item) == ["remind"]
