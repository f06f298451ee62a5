"""Business errors from external workers (Camunda's handleBpmnError) and what a worker fetches.

Our own model under tests/fixtures/external_errors: an external task inside a subprocess, with
an error boundary event for the code MST_KHONG_CO (its camunda:errorCodeVariable and
errorMessageVariable named) and, on the subprocess, one that catches every code. A code the
task's own event catches takes the item there; another code is caught around it; with no
event to catch it (tests/fixtures/external) the item is parked in error, as in Camunda. The
worker fetches the task's input parameters (camunda:inputParameter) with the item's data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import engine
from engine import EngineConfig, ManualClock, transaction
from tests.conftest import FIXTURES, add_people, fixture_files

TOPIC = "tra-cuu-mst-loi"


@pytest.fixture
def deployed(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("external_errors"), clock, services=())
        engine.deploy(s, fixture_files("external"), clock, services=())
    return factory


def _fetched(factory: Any, clock: ManualClock, process: str, topic: str) -> Any:
    config = EngineConfig(clock=clock)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, process, "an", data={"mst": "0101"})
    with transaction(factory) as s:
        (locked,) = engine.fetch_and_lock(s, "w1", [topic], 10, 60, clock())
    return item, locked


def _error(factory: Any, clock: ManualClock, task_id: str, code: str, **kw: Any) -> str:
    with transaction(factory) as s:
        outcome, _item = engine.bpmn_error_external(
            s, EngineConfig(clock=clock), task_id, "w1", code, kw.get("message"), kw.get("data")
        )
    return outcome


def test_external_errors__the_worker_gets_the_tasks_input_parameters(
    deployed: Any, clock: ManualClock
) -> None:
    _item, locked = _fetched(deployed, clock, "tax_lookup_errors", TOPIC)
    assert locked.variables["mst"] == "0101"  # the item's data
    assert locked.variables["kenh"] == "api"  # and the task's inputs: text, expression, list
    assert locked.variables["ma_tra_cuu"] == "0101"
    assert locked.variables["nguon"] == ["tong_cuc_thue", "dang_ky_kinh_doanh"]


def test_external_errors__the_tasks_own_error_event_catches_its_code(
    deployed: Any, clock: ManualClock
) -> None:
    item, locked = _fetched(deployed, clock, "tax_lookup_errors", TOPIC)
    outcome = _error(
        deployed, clock, locked.task.id, "MST_KHONG_CO", message="Không tìm thấy", data={"x": 1}
    )
    assert outcome == "caught"
    with transaction(deployed) as s:
        (task,) = engine.open_tasks(s, item)
        view = engine.show_instance(s, item)
        assert engine.list_external_tasks(s, item_id=item) == []
    assert task.element_id == "review" and view.status == "running"
    assert (view.data["ma_loi"], view.data["thong_bao_loi"], view.data["x"]) == (
        "MST_KHONG_CO",
        "Không tìm thấy",
        1,
    )
    (event,) = [h for h in view.history if h.kind == "external_bpmn_error"]
    assert event.element_id == "lookup"


def test_external_errors__another_code_is_caught_around_the_task(
    deployed: Any, clock: ManualClock
) -> None:
    item, locked = _fetched(deployed, clock, "tax_lookup_errors", TOPIC)
    assert _error(deployed, clock, locked.task.id, "DICH_VU_NGUNG") == "caught"
    with transaction(deployed) as s:
        (task,) = engine.open_tasks(s, item)
        data = engine.show_instance(s, item).data
    assert task.element_id == "escalate" and data["ma_loi_khac"] == "DICH_VU_NGUNG"


def test_external_errors__uncaught_the_item_waits_in_error_and_a_retry_waits_again(
    deployed: Any, clock: ManualClock
) -> None:
    item, locked = _fetched(deployed, clock, "camunda_external", "tra-cuu-mst")
    assert _error(deployed, clock, locked.task.id, "MST_KHONG_CO", message="Không có") == (
        "incident"
    )
    with transaction(deployed) as s:
        view = engine.show_instance(s, item)
    assert view.status == "error" and "MST_KHONG_CO" in (view.error or "")
    with transaction(deployed) as s:
        engine.retry_instance(s, EngineConfig(clock=clock), item, None)
    with transaction(deployed) as s:
        (again,) = engine.list_external_tasks(s, item_id=item)
    assert again.element_id == "lookup"


@pytest.mark.parametrize("code", ["", " ", "x" * 201])
def test_external_errors__a_code_is_needed_and_nothing_changes(
    deployed: Any, clock: ManualClock, code: str
) -> None:
    item, locked = _fetched(deployed, clock, "tax_lookup_errors", TOPIC)
    with pytest.raises(engine.InvalidInput):
        _error(deployed, clock, locked.task.id, code)
    with transaction(deployed) as s:
        (still,) = engine.list_external_tasks(s, item_id=item)
    assert still.worker_id == "w1"


def _parallel(factory: Any, clock: ManualClock) -> tuple[int, dict[str, Any]]:
    config = EngineConfig(clock=clock)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "tax_lookup_parallel", "an")
    with transaction(factory) as s:
        locked = engine.fetch_and_lock(s, "w1", ["thue", "dkkd"], 10, 60, clock())
    return item, {t.task.topic: t for t in locked}


def test_external_errors__the_event_naming_the_code_wins_and_cancelled_tasks_go(
    deployed: Any, clock: ManualClock
) -> None:
    """On the tax lookup a catch-all event stands first in the file, the one naming
    DA_GIAI_THE second: the named one takes the error (as Camunda chooses), its path throws
    the error again, the subprocess's event catches it, and the other lookup, cancelled with
    the subprocess, is no longer there for a worker. A date input reaches the worker as text."""
    item, locked = _parallel(deployed, clock)
    assert isinstance(locked["thue"].variables["luc"], str)  # ${now()}: stored as text
    assert _error(deployed, clock, locked["thue"].task.id, "DA_GIAI_THE") == "caught"
    with transaction(deployed) as s:
        (archive,) = engine.open_tasks(s, item)
        assert engine.list_external_tasks(s, item_id=item) == []
    assert archive.element_id == "archive"
    clock.advance(timedelta(minutes=5))
    with transaction(deployed) as s:
        assert engine.fetch_and_lock(s, "w2", ["thue", "dkkd"], 10, 60, clock()) == []


def test_external_errors__another_code_goes_to_the_catch_all(
    deployed: Any, clock: ManualClock
) -> None:
    item, locked = _parallel(deployed, clock)
    assert _error(deployed, clock, locked["thue"].task.id, "MAT_KET_NOI") == "caught"
    with transaction(deployed) as s:
        (review,) = engine.open_tasks(s, item)
        (still,) = engine.list_external_tasks(s, item_id=item)  # the other branch goes on
    assert review.element_id == "tax_review" and still.topic == "dkkd"


@pytest.mark.parametrize(("code", "message"), [("C\x001", None), ("C1", "sai\x00")])
def test_external_errors__a_nul_character_is_refused(
    deployed: Any, clock: ManualClock, code: str, message: str | None
) -> None:
    _item, locked = _fetched(deployed, clock, "tax_lookup_errors", TOPIC)
    with pytest.raises(engine.InvalidData):
        _error(deployed, clock, locked.task.id, code, message=message)


def test_external_errors__a_non_interrupting_error_event_is_refused(
    factory: Any, clock: ManualClock
) -> None:
    text = (FIXTURES / "external_errors" / "tax_lookup_errors.bpmn").read_text()
    text = text.replace('attachedToRef="lookup">', 'attachedToRef="lookup" cancelActivity="false">')
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("loi.bpmn", text.encode())], clock, services=())
    assert refused.value.details["reason"] == "error_boundary_not_interrupting"
    assert refused.value.details["element_id"] == "no_code"
