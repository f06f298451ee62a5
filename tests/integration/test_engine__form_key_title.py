"""A user task whose `camunda:formKey` names no deployed file but which carries
`camunda:formData` (SpiffWorkflow's Camunda-flavoured examples write the key as the form's name,
"Get A Random Fun Fact"): the formData fields are its form and the item runs to its end. A key
naming a missing file with no formData is still refused (test_engine__camunda_forms)."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people, fixture_files


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("form_key_title"), clock)
    return factory


def test_form_key_title__the_form_data_is_the_form(
    office: Any, config: engine.EngineConfig
) -> None:
    assert not engine.check_definitions(fixture_files("form_key_title")).problems
    with transaction(office) as s:
        item = engine.start_instance(s, config, "leave_note", "an")
        (task,) = engine.show_instance(s, item).open_tasks
        form = engine.task_form(s, task.id)
    assert form.kind == "camunda"
    assert [f["id"] for f in form.fields] == ["kind"]
    with pytest.raises(engine.InvalidData), transaction(office) as s:
        engine.complete_task(s, config, task.id, "an", data={"kind": "holiday"})
    with transaction(office) as s:
        engine.complete_task(s, config, task.id, "an", data={"kind": "sick"})
        view = engine.show_instance(s, item)
    assert (view.status, view.data["note"]) == ("completed", "leave: sick")


def test_form_key_title__a_field_left_out_takes_its_default_value(
    office: Any, config: engine.EngineConfig
) -> None:
    """As Camunda's form field handler: a field not sent (or sent empty) takes its
    defaultValue, and the steps after read it."""
    with transaction(office) as s:
        item = engine.start_instance(s, config, "leave_note", "an")
        (task,) = engine.show_instance(s, item).open_tasks
        engine.complete_task(s, config, task.id, "an", data={})
        view = engine.show_instance(s, item)
    assert (view.data["kind"], view.data["note"]) == ("annual", "leave: annual")


def test_form_key_title__a_default_never_overrides_a_read_only_field_or_a_held_value() -> None:
    """The page never sends a read-only field: its default is not filled in (and then
    refused as changed); nor does a default replace what the item holds."""
    from engine.forms import _camunda

    status = {"id": "status", "default": "new", "readonly": True}
    note = {"id": "note", "default": "-"}
    assert _camunda((status, note), {}, current={"status": "approved", "note": "kept"}) == {}
    assert _camunda((note,), {}, current={}) == {"note": "-"}
