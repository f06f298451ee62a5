"""A plain Python error raised inside the workflow library names the step it was working on."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

from engine.failures import failing_element
from engine.parsing import parse_bundle
from tests.conftest import fixture_files


def _library_step(my_task: Any) -> None:
    raise KeyError("missing")


def test_failures__the_innermost_task_of_the_traceback_is_named() -> None:
    [parsed] = parse_bundle(
        fixture_files("camunda_rest/cron_reminder.bpmn"),
        10_000_000,
        resolve=lambda ids: [],
        now=datetime(2026, 3, 2, tzinfo=UTC),
    )
    workflow = BpmnWorkflow(parsed.spec, parsed.subprocess_specs)
    task = next(t for t in workflow.get_tasks() if t.task_spec.bpmn_id == "start")
    with pytest.raises(KeyError) as raised:
        _library_step(task)
    assert failing_element(raised.value) == "start"
    assert failing_element(KeyError("no traceback")) is None
