"""A timer refused at deploy names its reason (issue 12): Camunda's examples start a process by
a Quartz cron every five seconds; `pheduyet check --json` gives scripts `timer_bounds` with the
file, element and line, as every other refusal does. A model of our own in the Camunda
Modeler dialect."""

from __future__ import annotations

import engine
from tests.conftest import fixture_files


def test_timer_bounds__a_cron_every_few_seconds_is_refused_by_reason() -> None:
    report = engine.check_definitions(fixture_files("camunda_timer_bounds"))
    (problem,) = report.problems
    assert problem.reason == "timer_bounds"
    assert (problem.file, problem.element_id, problem.line) == ("nhac_viec.bpmn", "moi_5_giay", 11)
    assert "at least a minute" in problem.message
