"""Handing over a locked person's steps (engine.hand_over), on SQLite and PostgreSQL: a step the
process gave them and a step only they could take are both listed and both go to the taker,
who holds them as the process gave them (a release does not send one back to the person gone);
a note past a comment's length is refused; only an administrator may, and only to someone who
shares a unit or a group with the person (never an administrator); nothing else moves."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, SourceFile, transaction
from tests.conftest import add_people

XML = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
    ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">'
    '<bpmn:process id="pair" isExecutable="true"><bpmn:startEvent id="s" />'
    '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split" />'
    '<bpmn:parallelGateway id="split" />'
    '<bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="given" />'
    '<bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="only_chi" />'
    '<bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="shared" />'
    '<bpmn:userTask id="given" camunda:assignee="chi" />'
    '<bpmn:userTask id="only_chi" camunda:candidateUsers="chi" />'
    '<bpmn:userTask id="shared" camunda:candidateUsers="chi,an" />'
    '<bpmn:sequenceFlow id="f5" sourceRef="given" targetRef="join" />'
    '<bpmn:sequenceFlow id="f6" sourceRef="only_chi" targetRef="join" />'
    '<bpmn:sequenceFlow id="f7" sourceRef="shared" targetRef="join" />'
    '<bpmn:parallelGateway id="join" /><bpmn:sequenceFlow id="f8" sourceRef="join" targetRef="e" />'
    '<bpmn:endEvent id="e" /></bpmn:process></bpmn:definitions>'
)


@pytest.fixture
def item(factory: Any, clock: ManualClock, config: engine.EngineConfig) -> int:
    add_people(factory)
    with transaction(factory) as s:
        engine.add_user(s, "giang", display_name="Đỗ Giang", groups=["staff"])
        engine.deploy(s, [SourceFile("pair.bpmn", XML.encode())], clock)
        started = engine.start_instance(s, config, "pair", "an")
        engine.set_active(s, "chi", False)
    return started


def _mine(factory: Any, who: str) -> dict[str, engine.TaskView]:
    with transaction(factory) as s:
        return {t.element_id: t for t in engine.tasks_for(s, who)}


def test_hand_over__what_waits_for_the_person_alone_goes_to_the_taker(
    factory: Any, config: engine.EngineConfig, item: int
) -> None:
    with transaction(factory) as s:
        held = engine.held_steps(s, "chi")
        assert sorted(h.title for h in held) == ["given", "only_chi"]  # not the shared one
        takers = engine.hand_over_takers(s, config, "chi")  # chi is locked: still asked
        assert [t.username for t in takers] == ["an", "giang"]  # staff, as chi; no admin
        assert engine.hand_over_steps(s, config, "chi", "giang", "root", note="Nghỉ hưu") == 2
    taken = _mine(factory, "giang")
    assert sorted(taken) == ["given", "only_chi"]
    for task in taken.values():  # held as the process gave them: nothing to give back
        with pytest.raises(engine.Conflict), transaction(factory) as s:
            engine.unclaim_task(s, config, task.id, "giang")
    with transaction(factory) as s:
        assert engine.held_steps(s, "chi") == []
        history = engine.show_instance(s, item).history
    assert [(h.actor, h.comment) for h in history if h.kind == "assigned"] == [
        ("root", "Nghỉ hưu"),
        ("root", "Nghỉ hưu"),
    ]
    assert "shared" in _mine(factory, "an")


def test_hand_over__refused_for_a_long_note_a_locked_taker_or_someone_not_admin(
    factory: Any, config: engine.EngineConfig, item: int
) -> None:
    cases = [
        ("root", "giang", "x" * 10_001, engine.InvalidInput, "comment_too_long"),
        ("root", "chi", None, engine.InvalidInput, "same_person"),
        ("root", "binh", None, engine.InvalidInput, "not_a_colleague"),  # another group
        ("root", "root", None, engine.InvalidInput, "not_a_colleague"),  # an administrator
        ("binh", "giang", None, engine.Forbidden, None),
    ]
    for actor, taker, note, refusal, reason in cases:
        with pytest.raises(refusal) as refused, transaction(factory) as s:
            engine.hand_over_steps(s, config, "chi", taker, actor, note=note)
        assert refused.value.details.get("reason") == reason
    with transaction(factory) as s:
        assert len(engine.held_steps(s, "chi")) == 2
