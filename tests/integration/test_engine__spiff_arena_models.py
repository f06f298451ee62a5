"""Shapes and script habits of SpiffArena's published example models, in our own model
(tests/fixtures/spiff_arena_models): dates parsed with `datetime.strptime` and formatted with
`strftime`, `pytz.timezone(...).localize(...)`, `time.sleep()` (returns at once), a sequential
multi-instance task whose input and output data items share one id (each line edited in place),
and a sequence flow left connected to nothing. Driven to its end on SQLite and PostgreSQL."""

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
        engine.deploy(s, fixture_files("spiff_arena_models"), clock)
    return factory


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


def test_spiff_arena_models__invoice_lines_run_to_the_end(
    office: Any, config: engine.EngineConfig
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(
            s, config, "invoice_lines", "an", data={"issued_on": "2026-02-27"}
        )
    data = _show(office, item).data
    assert data["due_text"] == "29/03/2026"
    assert data["received"] == "2026-03-02T09:30:00+07:00"
    checked = []
    for accepted in (True, False):
        view = _show(office, item)
        (task,) = view.open_tasks
        line = view.data["line"]
        checked.append(line["item"])
        with transaction(office) as s:
            engine.complete_task(
                s, config, task.id, "an", data={"line": {**line, "accepted": accepted}}
            )
    view = _show(office, item)
    assert checked == ["paper", "ink"]
    assert view.status == "completed"
    assert [line["accepted"] for line in view.data["lines"]] == [True, False]
    assert view.data["total"] == 120


def test_spiff_arena_models__check_passes_the_shapes_spiff_arena_writes() -> None:
    report = engine.check_definitions(fixture_files("spiff_arena_models"))
    assert not report.problems


def test_spiff_arena_models__a_script_still_cannot_import(
    office: Any, config: engine.EngineConfig, clock: ManualClock
) -> None:
    hostile = (
        fixture_files("spiff_arena_models/invoice_lines.bpmn")[0]
        .content.replace(b"time.sleep(1)", b"pytz.timezone('../../etc/passwd')")
        .replace(b'id="invoice_lines"', b'id="invoice_lines_bad"')
    )
    with transaction(office) as s:
        engine.deploy(
            s,
            [
                engine.SourceFile("bad.bpmn", hostile),
                *fixture_files("spiff_arena_models/check-line-schema.json"),
            ],
            clock,
        )
    with pytest.raises(engine.ScriptError) as refused, transaction(office) as s:
        engine.start_instance(
            s, config, "invoice_lines_bad", "an", data={"issued_on": "2026-02-27"}
        )
    assert "unknown time zone" in refused.value.message


def _room_task(office: Any, config: engine.EngineConfig, **data: Any) -> tuple[int, str]:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "book_room", "an", data=data)
    (task,) = _show(office, item).open_tasks
    return item, task.id


def test_spiff_arena_models__choices_come_from_the_items_data(
    office: Any, config: engine.EngineConfig
) -> None:
    item, task_id = _room_task(office, config, no_rooms=False)
    with transaction(office) as s:
        form = engine.task_form(s, task_id)
    assert form.schema is not None
    assert engine.schema_choices(form.schema["definitions"]["Room"]) == {
        "p201": "Phòng 201",
        "p305": "Phòng 305",
    }
    room = form.schema["properties"]["room"]  # its $ref inlined for the pages
    assert (room["type"], room["title"], len(room["oneOf"])) == ("string", "Phòng họp", 2)
    needs = form.schema["properties"]["needs"]["items"]
    assert engine.schema_choices(needs) == {"projector": "projector", "whiteboard": "whiteboard"}
    with pytest.raises(engine.InvalidData), transaction(office) as s:
        engine.complete_task(s, config, task_id, "an", data={"room": "p999"})
    with pytest.raises(engine.InvalidData), transaction(office) as s:
        engine.complete_task(s, config, task_id, "an", data={"room": "p201", "needs": ["fax"]})
    with transaction(office) as s:
        engine.complete_task(
            s, config, task_id, "an", data={"room": "p305", "needs": ["projector"]}
        )
    view = _show(office, item)
    assert (view.status, view.data["room"], view.data["needs"]) == (
        "completed",
        "p305",
        ["projector"],
    )


def test_spiff_arena_models__no_choices_in_the_data_is_said_not_waited_on(
    office: Any, config: engine.EngineConfig
) -> None:
    _, task_id = _room_task(office, config, no_rooms=True)
    with pytest.raises(engine.InvalidData) as refused, transaction(office) as s:
        engine.task_form(s, task_id)
    assert refused.value.details["reason"] == "form_options_missing"
    assert "'free_rooms'" in refused.value.message


def test_spiff_arena_models__a_message_start_as_the_modeler_writes_it(
    office: Any, config: engine.EngineConfig
) -> None:
    with pytest.raises(engine.InvalidData) as refused, transaction(office) as s:
        engine.correlate_message(s, config, "case_submitted", "an", data={"title": "x"})
    assert refused.value.details["reason"] == "message_data_missing"
    assert "case_no" in refused.value.message
    with transaction(office) as s:
        started = engine.correlate_message(s, config, "case_submitted", "an", data={"case_no": 7})
    (item,) = started.started
    with transaction(office) as s:  # the refusal left no half-started item behind
        mine = engine.my_items(s, engine.get_identity(s, "an")).rows
    assert [row.id for row in mine] == [item]
    view = _show(office, item)
    assert (view.status, view.data["filed_as"]) == ("completed", "HS-7")


def test_spiff_arena_models__older_helpers_and_tables(
    office: Any, config: engine.EngineConfig
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "sign_off", "an")
        (task,) = engine.show_instance(s, item).open_tasks
    with transaction(office) as s:
        engine.complete_task(s, config, task.id, "an")
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert (view.data["signed_by"], view.data["signer_groups"]) == ("an", ["staff"])
    assert view.data["summary"] == "| Item | Số lượng |\n| ---- | ---- |\n| giấy | 5 |\n"


def test_spiff_arena_models__a_function_only_spiff_arena_has_is_refused_at_deploy(
    factory: Any, clock: ManualClock
) -> None:
    diagram = fixture_files("spiff_arena_models/sign_off.bpmn")[0].content.replace(
        b"signed_by = get_user()", b"x = set_secret('k', 'v')"
    )
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("sign_off.bpmn", diagram)], clock)
    details = refused.value.details
    assert (details["reason"], details["element_id"]) == ("spiff_arena_function", "confirm")
    assert "set_secret()" in refused.value.message


def test_spiff_arena_models__a_loop_over_the_range_limit_is_refused_at_deploy(
    factory: Any, clock: ManualClock
) -> None:
    diagram = fixture_files("spiff_arena_models/sign_off.bpmn")[0].content.replace(
        b'summary = generate_markdown_table(["item"',
        b'for i in range(1000000):\n    pi = i\nsummary = generate_markdown_table(["item"',
    )
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("sign_off.bpmn", diagram)], clock)
    details = refused.value.details
    assert (details["element_id"], details["line"]) == ("summarize", 18)
    assert "range() of more than 100,000 items" in refused.value.message
