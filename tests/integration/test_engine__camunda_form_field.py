"""Camunda 7.0's and 7.1's embedded forms (issue 12): inputs marked `form-field` with the
variable as their `name` and its type as `type`, radio buttons of one variable, AngularJS's
`ng-maxlength`; read as the later `cam-variable-name` forms are, checked at the start and on
the task. A model and forms of our own in the Camunda Modeler dialect, on SQLite and
PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import InvalidData, transaction
from tests.conftest import fixture_files

PROCESS = "de_nghi_tam_ung"
GOOD = {"hinh_thuc": "chuyen_khoan", "so_tien": 2000000, "muc_do": "gap", "ly_do": "Công tác"}


@pytest.fixture
def office(factory: Any, clock: Any) -> Any:
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(s, fixture_files("camunda_form_field"), clock)
    return factory


def test_camunda_form_field__the_start_form_is_read_and_checked(office: Any, config: Any) -> None:
    with transaction(office, write=False) as s:
        form = engine.start_form(s, PROCESS)
    assert form is not None and form.schema is not None
    fields = form.schema["properties"]
    assert set(fields) == {"hinh_thuc", "so_tien", "muc_do", "ly_do"}
    assert [o["const"] for o in fields["hinh_thuc"]["oneOf"]] == ["tien_mat", "chuyen_khoan"]
    assert [(o["const"], o["title"]) for o in fields["muc_do"]["oneOf"]] == [
        ("thuong", "Thường"),
        ("gap", "Gấp"),
    ]
    assert (fields["so_tien"]["type"], fields["so_tien"]["maximum"]) == ("number", 50000000)
    assert fields["ly_do"]["maxLength"] == 200
    with pytest.raises(InvalidData) as refused, transaction(office) as s:
        engine.start_instance(s, config, PROCESS, "an", data={**GOOD, "so_tien": 10})
    assert refused.value.field_codes["so_tien"]["code"] == "min"
    with pytest.raises(InvalidData) as refused, transaction(office) as s:
        engine.start_instance(s, config, PROCESS, "an", data={"so_tien": 200000})
    assert {"hinh_thuc", "ly_do"} <= set(refused.value.field_codes)


def test_camunda_form_field__an_item_runs_to_its_end(office: Any, config: Any) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, PROCESS, "an", data=GOOD)
        (task,) = engine.open_tasks(s, item)
        schema = engine.task_form(s, task.id).schema
    assert schema is not None and schema["properties"]["dong_y"]["type"] == "boolean"
    with transaction(office) as s:
        engine.complete_task(s, config, task.id, "an", data={"dong_y": True})
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert view.data["muc_do"] == "gap" and view.data["dong_y"] is True
