"""engine.ready_tasks runs the steps SpiffWorkflow's do_engine_steps runs, in the same order,
leaving the same state, and lists the steps waiting for a person as Spiff does: on a diagram
with parallel branches of different lengths, two people's steps at once, a join, a decision and
a loop back."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from SpiffWorkflow.workflow import Workflow

from engine.ready_tasks import ready_human_tasks, run_engine_steps
from tests.spiff_steps import (
    STEPS,
    STEPS_BODY,
    diagram,
    drive,
    parsed,
    spiffs_people,
    trace_with_data,
)

# The same steps inside an embedded subprocess, whose tasks sit in a table of their own.
NESTED = diagram(
    "outer",
    '<bpmn:startEvent id="o_start"/>'
    '<bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="inner"/>'
    f'<bpmn:subProcess id="inner">{STEPS_BODY}</bpmn:subProcess>'
    '<bpmn:sequenceFlow id="o2" sourceRef="inner" targetRef="o_end"/>'
    '<bpmn:endEvent id="o_end"/>\n',
)


@pytest.fixture(scope="module")
def specs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Any]:
    return parsed(Path(tmp_path_factory.mktemp("steps")), STEPS, "steps")


def test_the_same_steps_in_the_same_order_as_spiff(specs: tuple[Any, Any]) -> None:
    theirs = drive(specs, lambda workflow: workflow.do_engine_steps(), spiffs_people)
    ours = drive(specs, run_engine_steps, ready_human_tasks)
    assert ours == theirs
    traces, data = ours
    # Each round: d and c wait together (d first, in the walk's order), then c alone; then the end.
    assert [waiting for _trace, waiting in traces] == [["d", "c"], ["c"], ["d", "c"], ["c"], []]
    assert data == {"rounds": 2, "x": 1, "y": 3, "total": 6}
    names = [name for name, _state in traces[-1][0]]
    assert names.count("b2") == 2 and names.index("b1") < names.index("b2")


def test_skipping_idle_waits_changes_nothing(specs: tuple[Any, Any]) -> None:
    """The join waits (a WAITING task to update) in some rounds and not in others: with the
    update left out where none waits, every round ends as Spiff's own."""
    theirs = drive(specs, lambda workflow: workflow.do_engine_steps(), spiffs_people)
    ours = drive(specs, run_engine_steps, ready_human_tasks, skipping=True)
    assert ours == theirs


def test_skipping_idle_waits_inside_a_subprocess_changes_nothing(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """The same with the steps inside an embedded subprocess: its table is looked at, as the
    top workflow's is, once the subprocess exists."""
    nested = parsed(Path(tmp_path_factory.mktemp("nested")), NESTED, "outer")
    theirs = drive(nested, lambda workflow: workflow.do_engine_steps(), spiffs_people)
    ours = drive(nested, run_engine_steps, ready_human_tasks, skipping=True)
    assert ours == theirs
    assert theirs[1]["total"] == 6


# Two subprocesses side by side, one with a subprocess of its own: a person's step in each at
# once (several READY tasks: the walk's order), then one at a time, two levels down.
BRANCHES = diagram(
    "branches",
    """\
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="left"/>
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="right"/>
    <bpmn:subProcess id="left">
      <bpmn:startEvent id="l_start"/>
      <bpmn:sequenceFlow id="l1" sourceRef="l_start" targetRef="l_note"/>
      <bpmn:scriptTask id="l_note"><bpmn:script>left = 1</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="l2" sourceRef="l_note" targetRef="l_ask"/>
      <bpmn:userTask id="l_ask"/>
      <bpmn:sequenceFlow id="l3" sourceRef="l_ask" targetRef="l_end"/>
      <bpmn:endEvent id="l_end"/>
    </bpmn:subProcess>
    <bpmn:subProcess id="right">
      <bpmn:startEvent id="r_start"/>
      <bpmn:sequenceFlow id="r1" sourceRef="r_start" targetRef="r_ask"/>
      <bpmn:userTask id="r_ask"/>
      <bpmn:sequenceFlow id="r2" sourceRef="r_ask" targetRef="deep"/>
      <bpmn:subProcess id="deep">
        <bpmn:startEvent id="d_start"/>
        <bpmn:sequenceFlow id="d1" sourceRef="d_start" targetRef="d_note"/>
        <bpmn:scriptTask id="d_note"><bpmn:script>deep = 2</bpmn:script></bpmn:scriptTask>
        <bpmn:sequenceFlow id="d2" sourceRef="d_note" targetRef="d_ask"/>
        <bpmn:userTask id="d_ask"/>
        <bpmn:sequenceFlow id="d3" sourceRef="d_ask" targetRef="d_end"/>
        <bpmn:endEvent id="d_end"/>
      </bpmn:subProcess>
      <bpmn:sequenceFlow id="r3" sourceRef="deep" targetRef="r_end"/>
      <bpmn:endEvent id="r_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f4" sourceRef="left" targetRef="join"/>
    <bpmn:sequenceFlow id="f5" sourceRef="right" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="last"/>
    <bpmn:userTask id="last"/>
    <bpmn:sequenceFlow id="f7" sourceRef="last" targetRef="sum"/>
    <bpmn:scriptTask id="sum"><bpmn:script>total = left + deep</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f8" sourceRef="sum" targetRef="end"/>
    <bpmn:endEvent id="end"/>
""",
)


def test_subprocesses_side_by_side_and_nested_as_spiff(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Steps inside two subprocesses at once and a subprocess two levels down: the same steps,
    order and state as Spiff's; the tables answer most of the questions (none READY, or one),
    the walk those where several are READY at once."""
    branches = parsed(Path(tmp_path_factory.mktemp("branches")), BRANCHES, "branches")
    walks = [0]
    spiffs_iterator = BpmnBaseWorkflow.get_tasks_iterator

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("state") == TaskState.READY:  # a search for READY tasks, not a join's
            walks[0] += 1
        return spiffs_iterator(self, *args, **kwargs)

    def walks_in(run: Any) -> Any:
        def measured(workflow: Any) -> Any:
            with monkeypatch.context() as patch:
                patch.setattr(BpmnBaseWorkflow, "get_tasks_iterator", counted)
                return run(workflow)

        return measured

    theirs = drive(
        branches, walks_in(lambda workflow: workflow.do_engine_steps()), walks_in(spiffs_people)
    )
    spiffs_walks, walks[0] = walks[0], 0
    ours = drive(branches, walks_in(run_engine_steps), walks_in(ready_human_tasks), skipping=True)
    assert ours == theirs
    traces, data = ours
    assert [waiting for _trace, waiting in traces] == [
        ["l_ask", "r_ask"],
        ["r_ask"],
        ["d_ask"],
        ["last"],
        [],
    ]
    assert data["total"] == 3
    # Spiff walks a tree (the top's or a subprocess's) for READY tasks at every update of a
    # pass and at every listing (44 here); the tables leave it the questions where two tables
    # each hold one at once (8: both subprocesses starting, and a step of each waiting).
    assert 0 < walks[0] < spiffs_walks / 4


def test_a_subprocess_whose_task_cannot_be_found_is_left_to_the_walk(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Where the task a subprocess belongs to cannot be found, whether the walk reaches the
    subprocess's READY step is the walk's to say: the listing is Spiff's, without an error."""
    branches = parsed(Path(tmp_path_factory.mktemp("lost")), BRANCHES, "branches")
    workflow = BpmnWorkflow(*branches)
    run_engine_steps(workflow)
    next(t for t in ready_human_tasks(workflow) if t.task_spec.name == "l_ask").run()
    run_engine_steps(workflow)
    right = next(t for t in workflow.get_tasks() if t.task_spec.name == "right")
    workflow.subprocesses[right.id].parent_task_id = uuid4()  # its task: nowhere
    waiting = ready_human_tasks(workflow)
    assert waiting == spiffs_people(workflow)
    assert [t.task_spec.name for t in waiting] == ["r_ask"]


# A subprocess run three times at once: three tables at the same depth, a step waiting in each.
EACH = diagram(
    "each",
    """\
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="round"/>
    <bpmn:subProcess id="round">
      <bpmn:multiInstanceLoopCharacteristics>
        <bpmn:loopCardinality>3</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
      <bpmn:startEvent id="r_start"/>
      <bpmn:sequenceFlow id="r1" sourceRef="r_start" targetRef="r_note"/>
      <bpmn:scriptTask id="r_note"><bpmn:script>seen = 1</bpmn:script></bpmn:scriptTask>
      <bpmn:sequenceFlow id="r2" sourceRef="r_note" targetRef="r_ask"/>
      <bpmn:userTask id="r_ask"/>
      <bpmn:sequenceFlow id="r3" sourceRef="r_ask" targetRef="r_end"/>
      <bpmn:endEvent id="r_end"/>
    </bpmn:subProcess>
    <bpmn:sequenceFlow id="f2" sourceRef="round" targetRef="done"/>
    <bpmn:scriptTask id="done"><bpmn:script>finished = True</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="done" targetRef="end"/>
    <bpmn:endEvent id="end"/>
""",
)


def test_a_subprocess_run_three_times_at_once_as_spiff(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    each = parsed(Path(tmp_path_factory.mktemp("each")), EACH, "each")
    theirs = drive(each, lambda workflow: workflow.do_engine_steps(), spiffs_people)
    ours = drive(each, run_engine_steps, ready_human_tasks, skipping=True)
    assert ours == theirs
    traces, data = ours
    assert [waiting for _trace, waiting in traces] == [["r_ask"] * 3, ["r_ask"] * 2, ["r_ask"], []]
    assert data["finished"] is True


def _step_with_deadline(step: str, *, days: int) -> str:
    """A person's step with a timer on its boundary (`<step>_late`), leading to an end of its
    own."""
    return f"""\
    <bpmn:userTask id="{step}"/>
    <bpmn:boundaryEvent id="{step}_late" attachedToRef="{step}">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P{days}D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="{step}_f" sourceRef="{step}_late" targetRef="{step}_end"/>
    <bpmn:endEvent id="{step}_end"/>
"""


# A step with a deadline (a timer on its boundary), then two steps at once, one with a deadline
# and the other beside a timer of its own: one event waiting, then two, then one again.
DEADLINES = diagram(
    "deadlines",
    """\
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="note"/>
    <bpmn:scriptTask id="note"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="note" targetRef="ask"/>
"""
    + _step_with_deadline("ask", days=1)
    + """\
    <bpmn:sequenceFlow id="f4" sourceRef="ask" targetRef="more"/>
    <bpmn:scriptTask id="more"><bpmn:script>x = x + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="more" targetRef="split"/>
    <bpmn:parallelGateway id="split"/>
    <bpmn:sequenceFlow id="f6" sourceRef="split" targetRef="check"/>
    <bpmn:sequenceFlow id="f7" sourceRef="split" targetRef="pause"/>
"""
    + _step_with_deadline("check", days=2)
    + """\
    <bpmn:sequenceFlow id="f9" sourceRef="check" targetRef="sign"/>
    <bpmn:userTask id="sign"/>
    <bpmn:sequenceFlow id="f10" sourceRef="sign" targetRef="join"/>
    <bpmn:intermediateCatchEvent id="pause">
      <bpmn:timerEventDefinition><bpmn:timeDuration>"P3D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f11" sourceRef="pause" targetRef="join"/>
    <bpmn:parallelGateway id="join"/>
    <bpmn:sequenceFlow id="f12" sourceRef="join" targetRef="end"/>
    <bpmn:endEvent id="end"/>
""",
)


def test_a_lone_waiting_task_is_updated_as_spiffs_walk_updates_it(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where one task waits (a step's deadline, a join, the end), it is updated without the
    walk; where several do, the walk updates them: every task's step, state and data as
    Spiff leaves them, on every diagram here."""
    walks = [0]
    spiffs_walk = Workflow.update_waiting_tasks

    def counted(self: Any) -> None:
        walks[0] += 1
        spiffs_walk(self)

    monkeypatch.setattr(Workflow, "update_waiting_tasks", counted)
    folder = Path(tmp_path_factory.mktemp("waits"))
    for text, process in (
        (DEADLINES, "deadlines"),
        (STEPS, "steps"),
        (NESTED, "outer"),
        (BRANCHES, "branches"),
        (EACH, "each"),
    ):
        specs = parsed(folder, text, process)
        walks[0] = 0
        theirs = drive(specs, lambda w: w.do_engine_steps(), spiffs_people, record=trace_with_data)
        spiffs_walks, walks[0] = walks[0], 0
        ours = drive(
            specs, run_engine_steps, ready_human_tasks, skipping=True, record=trace_with_data
        )
        assert ours == theirs, process
        assert walks[0] < spiffs_walks, process
        if process == "deadlines":
            traces, data = ours
            assert [waiting for _trace, waiting in traces] == [["ask"], ["check"], ["sign"], []]
            assert data == {}  # the pause never ends: the item waits for it
            assert [d for n, _state, d in traces[-1][0] if n == "sign"] == [{"x": 2}]
            waits = [[n for n, state, _d in trace if state == "WAITING"] for trace, _w in traces]
            assert waits == [["ask_late"], ["check_late", "pause"], ["pause"], ["join", "pause"]]
            # The walk is left only where two tasks wait at once.
            assert 0 < walks[0] < spiffs_walks / 2
