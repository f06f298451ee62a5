"""A Camunda 7 user task with no form whose variables are read further on than the gateway
right after it (issue 12): by its own output parameters (`hop_le` copies `dat_yeu_cau`) and by a
second gateway (`muc_do`). Camunda's generic form or REST `complete` passes them; here they are
the task's form. What the task's outputs set (`hop_le`, `trang_thai`) and what is read only
after a service task (`so_hieu`, which the service sets) are not asked. A model of our own in
the Camunda Modeler dialect, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files

PROCESS = "tham_dinh_ho_so"
SERVICE = "vn.gov.LuuHoSo"


def _archive(call: engine.ServiceCall) -> dict[str, Any]:
    return {"so_hieu": "HS-01"}


@pytest.fixture
def setup(factory: Any, clock: Any) -> Any:
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(s, fixture_files("camunda_generic_downstream"), clock, services=[SERVICE])
    return engine.EngineConfig(clock=clock, services={SERVICE: _archive})


def _only_task(factory: Any, item: int) -> engine.TaskView:
    with transaction(factory) as s:
        (task,) = engine.open_tasks(s, item)
    return task


def _fields(factory: Any, task_id: str) -> dict[str, tuple[str, list[str]]]:
    with transaction(factory, write=False) as s:
        form = engine.task_form(s, task_id)
    return {f["id"]: (f["type"], [o["id"] for o in f["options"]]) for f in form.fields}


def _complete(factory: Any, config: Any, task_id: str, **data: Any) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, "an", data=data)


def test_camunda_generic_downstream__variables_read_further_on_are_the_form(
    factory: Any, setup: Any
) -> None:
    with transaction(factory) as s:
        item = engine.start_instance(s, setup, PROCESS, "an")
    check = _only_task(factory, item)
    assert _fields(factory, check.id) == {
        "dat_yeu_cau": ("boolean", []),  # read by the output parameter, tested as hop_le
        "muc_do": ("enum", ["cao", "thap"]),  # read by the second gateway
    }
    _complete(factory, setup, check.id, dat_yeu_cau=True, muc_do="cao")
    sign = _only_task(factory, item)
    assert sign.element_id == "lanh_dao_duyet"
    assert _fields(factory, sign.id) == {"dong_y": ("boolean", [])}
    _complete(factory, setup, sign.id, dong_y=True)
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert view.data["hop_le"] is True and view.data["trang_thai"] == "Đã kiểm tra"
    assert [h.element_id for h in view.history if h.kind == "completed"][-1] == "lanh_dao_duyet"


def test_camunda_generic_downstream__what_a_service_sets_is_not_asked(
    factory: Any, setup: Any
) -> None:
    with transaction(factory) as s:
        item = engine.start_instance(s, setup, PROCESS, "an")
    check = _only_task(factory, item)
    _complete(factory, setup, check.id, dat_yeu_cau=True, muc_do="thap")
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed" and view.data["so_hieu"] == "HS-01"
