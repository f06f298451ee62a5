"""A timer's date or time written without a zone is on the office's clock, as Camunda reads one
on its server's and as a task's due date already was: `2026-03-02T10:00:00` waits until ten in
the morning in Hà Nội (03:00 UTC), not until five in the afternoon; a date alone waits until
that day begins there. A time with its zone keeps it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import transaction
from tests.conftest import START, add_people

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="wait_until" name="Chờ đến hẹn" isExecutable="true">
    <bpmn:startEvent id="start">
      <bpmn:outgoing>f1</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:intermediateCatchEvent id="wait">
      <bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>${hen}</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:userTask id="after" name="Xử lý sau hẹn" camunda:assignee="an">
      <bpmn:incoming>f2</bpmn:incoming>
      <bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end">
      <bpmn:incoming>f3</bpmn:incoming>
    </bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="wait" />
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="after" />
    <bpmn:sequenceFlow id="f3" sourceRef="after" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>
"""


def _config(moment: datetime) -> engine.EngineConfig:
    return engine.EngineConfig(clock=engine.ManualClock(moment), timezone=HANOI)


@pytest.mark.parametrize(
    ("hen", "fires_at"),
    [
        ("2026-03-02T10:00:00", datetime(2026, 3, 2, 10, 0, tzinfo=HANOI)),
        ("2026-03-03", datetime(2026, 3, 3, 0, 0, tzinfo=HANOI)),
        ("2026-03-02T10:00:00Z", datetime(2026, 3, 2, 17, 0, tzinfo=HANOI)),
        ("2026-03-02T10:00:00+09:00", datetime(2026, 3, 2, 8, 0, tzinfo=HANOI)),
    ],
    ids=["time_without_zone", "date_alone", "utc", "another_zone"],
)
def test_timer_zones__a_time_without_a_zone_is_on_the_offices_clock(
    factory: Any, hen: str, fires_at: datetime
) -> None:
    add_people(factory)
    config = _config(START - timedelta(hours=2))  # 06:00 in Hà Nội on 2 March
    with transaction(factory) as s:
        engine.deploy(
            s, [engine.SourceFile("wait_until.bpmn", MODEL.encode())], config.clock, "binh"
        )
        item = engine.start_instance(s, config, "wait_until", "an", data={"hen": hen})

    assert engine.run_due_timers(factory, _config(fires_at - timedelta(minutes=1))) == 0
    with transaction(factory) as s:
        assert engine.open_tasks(s, item) == []
    assert engine.run_due_timers(factory, _config(fires_at)) == 1
    with transaction(factory) as s:
        assert [t.element_id for t in engine.open_tasks(s, item)] == ["after"]
