"""Several flows leaving a task or an event, as Camunda 7 runs them (issue 12): unconditional
flows out of a start event all taken (a parallel split), conditional flows out of a user task
each taken when its condition holds, the task's `default` flow only when none does, and a take
listener on one of them run when it is taken. A model of our own in the Camunda Modeler
dialect."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files


@pytest.mark.parametrize(
    ("route", "checks", "legal"),
    [
        ("legal", ["legal_check"], True),
        ("both", ["legal_check", "tech_check"], True),
        ("tech", ["tech_check"], False),
        ("none", [], False),
    ],
)
def test_camunda_forks__flows_out_of_a_task_split_as_in_camunda(
    factory: Any, clock: Any, config: Any, route: str, checks: list[str], legal: bool
) -> None:
    with transaction(factory) as s:
        engine.add_group(s, "clerks", "Clerks")
        engine.add_user(s, "an", display_name="An", groups=["clerks"])
        engine.deploy(s, fixture_files("camunda_forks"), clock)
        item = engine.start_instance(s, config, "complaint_routing", "an")
        opened = engine.open_tasks(s, item)
    assert sorted(t.element_id for t in opened) == ["acknowledge", "triage"]
    triage = next(t for t in opened if t.element_id == "triage")
    with transaction(factory) as s:
        engine.complete_task(s, config, triage.id, "an", data={"route": route})
        following = engine.open_tasks(s, item)
        data = engine.show_instance(s, item).data
    assert sorted(t.element_id for t in following) == sorted(["acknowledge", *checks])
    assert data.get("sent_to_legal", False) is legal
    for task in following:
        with transaction(factory) as s:
            engine.complete_task(s, config, task.id, "an")
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert not any("__split" in (h.element_id or "") for h in view.history)
