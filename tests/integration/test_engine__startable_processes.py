"""Which deployed processes people start by hand (engine.startable_processes), on SQLite and
PostgreSQL: a plain start event, not hidden by camunda:isStartableInTasklist="false", and a
process another one calls only when its model names starters or asks a start form."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, SourceFile, transaction

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs_{pid}" '
    'targetNamespace="http://bpmn.io/schema/bpmn">\n'
    '  <bpmn:message id="m_{pid}" name="tin_{pid}" />\n'
    '  <bpmn:signal id="s_{pid}" name="hieu_{pid}" />\n'
)
EVENTS = {
    "plain": "",
    "message": '<bpmn:messageEventDefinition messageRef="m_{pid}" />',
    "signal": '<bpmn:signalEventDefinition signalRef="s_{pid}" />',
    "timer": "<bpmn:timerEventDefinition><bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>"
    "</bpmn:timerEventDefinition>",
    "form": '<bpmn:extensionElements><camunda:formData><camunda:formField id="ten" '
    'label="Tên" type="string" /></camunda:formData></bpmn:extensionElements>',
}


def model(pid: str, *starts: str, attrs: str = "", calls: str | None = None) -> SourceFile:
    """A process with one start event per kind in `starts` (each leading to one user task), and
    a call activity before its end when `calls` names a process."""
    body = []
    for n, kind in enumerate(starts or ("plain",)):
        event = EVENTS[kind].format(pid=pid)
        body.append(
            f'<bpmn:startEvent id="start_{n}">{event}</bpmn:startEvent>'
            f'<bpmn:sequenceFlow id="f_start_{n}" sourceRef="start_{n}" targetRef="step" />'
        )
    after = "step"
    if calls:
        body.append(
            f'<bpmn:callActivity id="call" calledElement="{calls}" />'
            '<bpmn:sequenceFlow id="f_call" sourceRef="step" targetRef="call" />'
        )
        after = "call"
    body.append(
        '<bpmn:userTask id="step" name="Xử lý" camunda:assignee="${initiator}" />'
        f'<bpmn:sequenceFlow id="f_end" sourceRef="{after}" targetRef="end" />'
        '<bpmn:endEvent id="end" />'
    )
    xml = (
        HEAD.format(pid=pid)
        + f'  <bpmn:process id="{pid}" name="Quy trình {pid}" isExecutable="true" {attrs}>\n'
        + "\n".join(body)
        + "\n  </bpmn:process>\n</bpmn:definitions>\n"
    )
    return SourceFile(f"{pid}.bpmn", xml.encode("utf-8"))


def startable(factory: Any) -> dict[str, engine.StartableProcess]:
    with transaction(factory, write=False) as s:
        return {p.process_id: p for p in engine.startable_processes(s)}


def deploy(factory: Any, clock: ManualClock, *files: SourceFile) -> None:
    """Deployed by an administrator (a timer start event's items start in their name)."""
    with transaction(factory) as s:
        if not engine.user_exists(s, "root"):
            engine.add_user(s, "root", display_name="Quản trị")
        engine.deploy(s, files, clock, "root")


@pytest.mark.parametrize(
    ("starts", "attrs", "offered"),
    [
        (("plain",), "", True),
        (("form",), "", True),
        (("message",), "", False),
        (("signal",), "", False),
        (("timer",), "", False),
        (("message", "plain"), "", True),  # a person may start it as well
        (("plain",), 'camunda:isStartableInTasklist="false"', False),
    ],
)
def test_startable__people_start_a_plain_start_event(
    factory: Any, clock: ManualClock, starts: tuple[str, ...], attrs: str, offered: bool
) -> None:
    deploy(factory, clock, model("mot", *starts, attrs=attrs))
    assert ("mot" in startable(factory)) is offered


@pytest.mark.parametrize(
    ("starts", "attrs", "offered"),
    [
        (("plain",), "", False),  # a part of its caller, started with the caller's data
        (("plain",), 'camunda:candidateStarterUsers="an"', True),
        (("plain",), 'camunda:candidateStarterGroups="van_thu"', True),
        (("form",), "", True),
    ],
)
def test_startable__a_called_process_only_when_meant_for_people(
    factory: Any, clock: ManualClock, starts: tuple[str, ...], attrs: str, offered: bool
) -> None:
    deploy(factory, clock, model("con", *starts, attrs=attrs))
    assert "con" in startable(factory)
    deploy(factory, clock, model("cha", calls="con"))
    found = startable(factory)
    assert "cha" in found and ("con" in found) is offered


def test_startable__the_latest_version_decides_and_carries_its_name_and_starters(
    factory: Any, clock: ManualClock
) -> None:
    deploy(
        factory, clock, model("mot", attrs='camunda:candidateStarterGroups=" ke_toan , van_thu"')
    )
    found = startable(factory)["mot"]
    assert (found.name, found.version) == ("Quy trình mot", 1)
    assert found.starters == engine.Starters(groups=("ke_toan", "van_thu"))
    deploy(factory, clock, model("mot", "message"))
    assert "mot" not in startable(factory)
    deploy(factory, clock, model("mot"))
    assert startable(factory)["mot"].version == 3 and startable(factory)["mot"].starters.anyone
