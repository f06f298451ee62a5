"""A Camunda 7 user task with no form whose next choice reads variables (issue 12): Camunda's
Tasklist (its generic form) or REST `complete` passes them; here the task's form is those
variables, read from the conditions after it: a choice of the texts they are compared with, a
number, a yes/no. Variables a form of the diagram declares (the start form's amount) are not
asked again. A model of our own in the Camunda Modeler dialect, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files

PROCESS = "duyet_chi_phi"


def _start(factory: Any, clock: Any, config: Any, amount: int) -> tuple[int, str]:
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(s, fixture_files("camunda_generic"), clock)
        item = engine.start_instance(s, config, PROCESS, "an", data={"so_tien": amount})
        [task] = engine.open_tasks(s, item)
    return item, task.id


def _fields(factory: Any, task_id: str) -> dict[str, dict[str, Any]]:
    with transaction(factory, write=False) as s:
        form = engine.task_form(s, task_id)
    return {
        f["id"]: {"type": f["type"], "options": [o["id"] for o in f["options"]]}
        for f in form.fields
    }


def test_camunda_generic__the_choice_after_a_formless_task_is_its_form(
    factory: Any, clock: Any, config: Any
) -> None:
    item, task = _start(factory, clock, config, 1200)
    fields = _fields(factory, task)
    assert fields == {
        "quyet_dinh": {"type": "enum", "options": ["dong_y", "tu_choi"]},
        "so_lan": {"type": "long", "options": []},
    }  # so_tien is the start form's: not asked again
    with pytest.raises(engine.InvalidData) as refused, transaction(factory) as s:
        engine.complete_task(s, config, task, "an", data={"quyet_dinh": "co_le"})
    assert refused.value.field_codes["quyet_dinh"]["code"] == "enum"
    with pytest.raises(engine.InvalidData), transaction(factory) as s:
        engine.complete_task(s, config, task, "an", data={"ghi_chu": "forged"})
    with transaction(factory) as s:
        engine.complete_task(s, config, task, "an", data={"quyet_dinh": "dong_y", "so_lan": "1"})
        [sign] = engine.open_tasks(s, item)
    assert sign.element_id == "ky"
    assert _fields(factory, sign.id) == {"khan": {"type": "boolean", "options": []}}
    with transaction(factory) as s:
        engine.complete_task(s, config, sign.id, "an", data={"khan": True})
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert view.data["quyet_dinh"] == "dong_y" and view.data["so_lan"] == 1


def test_camunda_generic__an_empty_field_leaves_the_item_as_it_was(
    factory: Any, clock: Any, config: Any
) -> None:
    item, task = _start(factory, clock, config, 9000)
    with transaction(factory) as s:
        engine.complete_task(s, config, task, "an", data={"quyet_dinh": "tu_choi", "so_lan": ""})
        view = engine.show_instance(s, item)
    assert view.status == "completed" and "so_lan" not in view.data  # refused: no signing
    assert [h.element_id for h in view.history if h.kind == "completed"] == ["xem_xet"]
