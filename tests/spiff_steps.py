"""Driving a diagram step by step on raw SpiffWorkflow, with Spiff's own steps or the
engine's (`engine.ready_tasks`), recording every task's step and state after each round: what
the tests that compare the two, or watch what a run logs, share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from engine.ready_tasks import skip_idle_waits


def diagram(process_id: str, body: str) -> str:
    """A BPMN file of one executable process made of `body`'s elements (the tests' diagrams)."""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"\n'
        f'    id="d" targetNamespace="http://example.org/{process_id}">\n'
        f'  <bpmn:process id="{process_id}" isExecutable="true">\n'
        f"{body}"
        "  </bpmn:process>\n"
        "</bpmn:definitions>\n"
    )


# Parallel branches of different lengths, two people's steps at once, a join, a decision and a
# loop back: two rounds, then the end.
STEPS_BODY = """\
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="count"/>
    <bpmn:scriptTask id="count"><bpmn:script>rounds = rounds + 1 if 'rounds' in dir() else 1
</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="count" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="a"/>
    <bpmn:sequenceFlow id="f4" sourceRef="split" targetRef="b1"/>
    <bpmn:sequenceFlow id="f5" sourceRef="split" targetRef="c"/>
    <bpmn:scriptTask id="a"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:scriptTask id="b1"><bpmn:script>y = 2</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f6" sourceRef="b1" targetRef="b2"/>
    <bpmn:scriptTask id="b2"><bpmn:script>y = y + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:userTask id="c"/>
    <bpmn:sequenceFlow id="f7a" sourceRef="a" targetRef="d"/>
    <bpmn:userTask id="d"/>
    <bpmn:sequenceFlow id="f7" sourceRef="d" targetRef="join"/>
    <bpmn:sequenceFlow id="f8" sourceRef="b2" targetRef="join"/>
    <bpmn:sequenceFlow id="f9" sourceRef="c" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f10" sourceRef="join" targetRef="decide"/>
    <bpmn:exclusiveGateway id="decide" default="f12"/>
    <bpmn:sequenceFlow id="f11" sourceRef="decide" targetRef="count">
      <bpmn:conditionExpression>rounds &lt; 2</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f12" sourceRef="decide" targetRef="done"/>
    <bpmn:scriptTask id="done"><bpmn:script>total = x + y + rounds</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f13" sourceRef="done" targetRef="end"/>
    <bpmn:endEvent id="end"/>
"""
STEPS = diagram("steps", STEPS_BODY)


def parsed(folder: Path, text: str, process_id: str) -> tuple[Any, Any]:
    path = folder / f"{process_id}.bpmn"
    path.write_text(text, encoding="utf-8")
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    return parser.get_spec(process_id), parser.get_subprocess_specs(process_id)


def trace(workflow: Any) -> list[tuple[str, str]]:
    """Every task's step and state (a subprocess's too), the finished ones in the order they
    finished."""
    tasks = [t for flow in (workflow, *workflow.subprocesses.values()) for t in flow.get_tasks()]
    finished = sorted(
        (t for t in tasks if t.state == TaskState.COMPLETED), key=lambda t: t.last_state_change
    )
    rest = [t for t in tasks if t.state != TaskState.COMPLETED]
    return [(t.task_spec.name, TaskState.get_name(t.state)) for t in (*finished, *rest)]


def trace_with_data(workflow: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """Every task's step, state and data, in the walk's order (subprocesses after)."""
    tasks = [t for flow in (workflow, *workflow.subprocesses.values()) for t in flow.get_tasks()]
    return [(t.task_spec.name, TaskState.get_name(t.state), dict(t.data)) for t in tasks]


def drive(
    specs: tuple[Any, Any],
    steps: Any,
    people: Any,
    *,
    skipping: bool = False,
    record: Any = trace,
) -> tuple[list[Any], dict[str, Any]]:
    """Engine steps, then the first step waiting for a person completed, until none waits."""
    workflow = BpmnWorkflow(*specs)
    traces = []
    for _round in range(10):
        if skipping:  # as the engine does before each action: subprocesses made since too
            skip_idle_waits(workflow)
        steps(workflow)
        waiting = people(workflow)
        traces.append((record(workflow), [t.task_spec.name for t in waiting]))
        if not waiting:
            break
        waiting[0].run()
    return traces, dict(workflow.data)


def spiffs_people(workflow: Any) -> list[Any]:
    return list(workflow.get_tasks(state=TaskState.READY, manual=True))
