"""A Camunda Modeler diagram that needed no `camunda:` attribute is still a Camunda model
(issue 12): its `${…}` conditions are JUEL (`gt`, `le`, `!`, `&&`, `true`), not Python. A model
of our own in the Camunda Modeler dialect, without the camunda namespace."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files


@pytest.mark.parametrize(
    ("days", "urgent", "signed"), [(8, False, True), (8, True, False), (2, False, False)]
)
def test_camunda_plain__juel_conditions_without_the_camunda_namespace(
    factory: Any, clock: Any, config: Any, days: int, urgent: bool, signed: bool
) -> None:
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(s, fixture_files("camunda_plain"), clock)
        item = engine.start_instance(
            s, config, "leave_plain", "an", data={"days": days, "urgent": urgent}
        )
        opened = engine.open_tasks(s, item)
    assert [t.element_id for t in opened] == (["head_signs"] if signed else [])
    for task in opened:
        with transaction(factory) as s:
            engine.complete_task(s, config, task.id, "an")
    with transaction(factory) as s:
        assert engine.show_instance(s, item).status == "completed"
