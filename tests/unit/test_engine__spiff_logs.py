"""SpiffWorkflow's INFO records (a line for every change of a task's state) stay out of the
logs a `pheduyet worker` writes at INFO, and an installation's own level for them is kept."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

import engine  # noqa: F401  (importing the engine sets the levels)
from engine.ready_tasks import ready_human_tasks, run_engine_steps
from engine.spiff_logs import SPIFF_LOGGER, quiet_spiff_logs

DIAGRAM = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    id="d" targetNamespace="http://example.org/logs">
  <bpmn:process id="logs" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="note"/>
    <bpmn:scriptTask id="note"><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="note" targetRef="ask"/>
    <bpmn:userTask id="ask"/>
    <bpmn:sequenceFlow id="f3" sourceRef="ask" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def _run_to_the_end(folder: Path) -> None:
    path = folder / "logs.bpmn"
    path.write_text(DIAGRAM, encoding="utf-8")
    parser = SpiffBpmnParser()
    parser.add_bpmn_file(str(path))
    workflow = BpmnWorkflow(parser.get_spec("logs"))
    run_engine_steps(workflow)
    ready_human_tasks(workflow)[0].run()
    run_engine_steps(workflow)
    assert workflow.completed


def test_a_worker_logging_at_info_writes_none_of_spiffs_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the root, as `pheduyet worker` sets it
    _run_to_the_end(tmp_path)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("spiff")] == []


@pytest.mark.parametrize("name", ["spiff.task", "spiff"])
def test_a_level_the_installation_sets_is_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    """Wanted: Spiff's records of each state change, asked for on one of its loggers or on
    their parent, after the engine was imported (and the engine imported again)."""
    chosen = logging.getLogger(name)
    before = chosen.level
    try:
        chosen.setLevel(logging.INFO)
        quiet_spiff_logs()
        caplog.set_level(logging.INFO)
        _run_to_the_end(tmp_path)
        changes = [r.getMessage() for r in caplog.records if r.name == "spiff.task"]
        assert "State changed to COMPLETED" in changes
    finally:
        chosen.setLevel(before)
    assert logging.getLogger(SPIFF_LOGGER).level == logging.WARNING
    assert logging.getLogger("spiff.task").level == logging.NOTSET
