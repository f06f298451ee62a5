"""Camunda's `errorCodeVariable` / `errorMessageVariable` on the events that catch a BPMN error
thrown by an error end event: a catch-all boundary event on an embedded subprocess puts the
code of the error that ended it in the variable it names, so the next step knows which, and
the error's `camunda:errorMessage` (read in the data of the path that threw it; null for an
error without one); an event subprocess's error start event does the same. On SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people, fixture_files
from tests.integration.test_engine__event_subprocesses import _wrapped


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_error_variables"), clock)
    return factory


def _step(factory: Any, config: engine.EngineConfig, who: str, **data: Any) -> engine.TaskView:
    with transaction(factory) as s:
        [task] = engine.tasks_for(s, who)
        engine.complete_task(s, config, task.id, who, data=data)
        return task


def _data(factory: Any, item: int) -> tuple[list[str], dict[str, Any]]:
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    return sorted(t.element_id for t in view.open_tasks), view.data


@pytest.mark.parametrize(
    ("problem", "code", "message"),
    [("stock", "NO_STOCK", "Hết hàng (stock)"), ("price", "PRICE", None)],
)
def test_error_variables__the_boundary_event_names_the_error_that_ended_the_subprocess(
    office: Any, config: engine.EngineConfig, problem: str, code: str, message: str | None
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "checked_purchase", "an")
    _step(office, config, "an", problem=problem)
    steps, data = _data(office, item)
    assert steps == ["resolve"]
    assert data["failure"] == code
    assert "failure_text" in data and data["failure_text"] == message


def test_error_variables__each_error_caught_names_its_own_code(
    office: Any, config: engine.EngineConfig
) -> None:
    """Checked again once resolved, the order is caught a second time for another problem:
    the variable names the second (the first error's data, which the catch kept, brought the
    first code back)."""
    with transaction(office) as s:
        item = engine.start_instance(s, config, "checked_purchase", "an")
    _step(office, config, "an", problem="stock")
    assert _data(office, item)[1]["failure"] == "NO_STOCK"
    _step(office, config, "binh")
    _step(office, config, "an", problem="price")
    steps, data = _data(office, item)
    assert steps == ["resolve"] and data["failure"] == "PRICE"
    _step(office, config, "binh")
    _step(office, config, "an", problem="none")
    assert _data(office, item)[0] == ["buy"]


def test_error_variables__none_without_an_error(office: Any, config: engine.EngineConfig) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "checked_purchase", "an")
    _step(office, config, "an", problem="none")
    steps, data = _data(office, item)
    assert steps == ["buy"] and "failure" not in data


def test_error_variables__an_event_subprocess_start_names_the_error(
    office: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    source = _wrapped(
        '<bpmn:errorEventDefinition id="budget_start_def" errorRef="err_budget" '
        'camunda:errorCodeVariable="overrun_code" />'
    )
    with transaction(office) as s:
        engine.deploy(s, [source], clock)
        item = engine.start_instance(s, config, "wrapped_budget", "an")
    _step(office, config, "an", over=True)
    steps, data = _data(office, item)
    assert steps == ["handle"] and data["overrun_code"] == "BUDGET"


@pytest.mark.parametrize(("verdict", "then"), [("ok", "file"), ("bad", "correct")])
def test_error_variables__a_called_processs_own_variables_stay_its_own(
    office: Any, config: engine.EngineConfig, verdict: str, then: str
) -> None:
    """A called process refuses the document with an error end event: the caller gets the
    error's code, never the called process's own variables (its copy of the document, the
    reviewer's note), as when it ends normally and passes back only what camunda:out names."""
    with transaction(office) as s:
        item = engine.start_instance(s, config, "submission", "an", data={"doc": "D-1"})
    _step(office, config, "binh", verdict=verdict, reviewer_note="trang 3 thiếu chữ ký")
    steps, data = _data(office, item)
    assert steps == [then]
    assert data["doc"] == "D-1"
    assert "document" not in data and "reviewer_note" not in data and "verdict" not in data
    assert data.get("refusal") == ("BAD_DOCUMENT" if verdict == "bad" else None)
