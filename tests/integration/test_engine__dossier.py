"""The dossier: what each step submitted, labelled by its form, in the order of the steps; the
start data labelled by the start event's form; fields private to their step hidden from others;
values the process computed shown where a later form declares them read-only; every submission
kept for the history."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import add_people, fixture_files
from tests.office import Office
from tests.statements import counted

DRAFT = {
    "summary": "Dòng một\nDòng hai",
    "budget": 1_500_000,
    "urgent": True,
    "field": "nong_nghiep",
    "serial": 5,
    "note": "chỉ người soạn đọc",
}


@pytest.fixture
def office(factory: Any, clock: Any) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [*fixture_files("dossier"), *fixture_files("camunda")], clock)
    return factory


def _do(factory: Any, config: Any, who: str, item: int, **data: Any) -> None:
    with transaction(factory) as s:
        [task] = [t for t in engine.tasks_for(s, who) if t.instance_id == item]
        engine.complete_task(s, config, task.id, who, data=data, comment=data.pop("_c", None))


def _dossier(factory: Any, item: int, **kwargs: Any) -> engine.Dossier:
    with transaction(factory) as s:
        return engine.dossier(s, item, **kwargs)


def _fields(section: engine.DossierSection) -> dict[str, tuple[str, Any]]:
    return {f.name: (f.label, f.value) for f in section.fields}


def test_dossier__steps_in_order_with_labels_choices_and_computed_values(
    office: Any, config: Any
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(
            s, config, "dossier", "an", data={"noi_dung": "Toàn văn nhiệm vụ", "han": "2026-06-10"}
        )
    _do(office, config, "an", item, **DRAFT)
    _do(office, config, "binh", item, decision="dong_y", y_kien="Đồng ý")
    start, draft, decided = _dossier(office, item).sections
    assert start.is_start and start.title == "Task from the plan"
    assert _fields(start) == {
        "noi_dung": ("Nội dung nhiệm vụ", "Toàn văn nhiệm vụ"),
        "han": ("Thời hạn hoàn thành", "2026-06-10"),
    }
    assert [f.kind for f in start.fields] == ["longtext", "date"]
    assert (draft.title, draft.actor) == ("Write the draft", "an")
    assert _fields(draft)["field"] == ("Lĩnh vực", "Nông nghiệp")  # a choice by its title
    assert _fields(draft)["summary"] == ("Tóm tắt", "Dòng một\nDòng hai")
    assert "note" not in _fields(draft)  # private to its step
    assert decided.decision == "Đồng ý trình UBND tỉnh" and decided.decision_value == "dong_y"
    assert _fields(decided) == {
        "ref": ("Số, ký hiệu", "05/TTr"),
        "y_kien": ("Ý kiến xử lý", "Đồng ý"),
    }


def test_dossier__a_private_field_is_read_by_its_author_only(office: Any, config: Any) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "dossier", "an")
    _do(office, config, "an", item, **{**DRAFT, "_c": DRAFT["note"]})
    for reader, shown in (("an", True), ("binh", False), (None, False)):
        [draft] = [x for x in _dossier(office, item, reader=reader).sections if not x.is_start]
        assert ("note" in _fields(draft)) is shown, reader
        # The same text given as the comment beside the form is not shown either.
        assert (draft.comment, draft.hidden_comment) == (None, not shown), reader


def test_dossier__a_step_done_again_shows_its_latest_and_history_keeps_both(
    office: Any, config: Any
) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "dossier", "an")
    _do(office, config, "an", item, **DRAFT)
    _do(office, config, "binh", item, decision="tra_lai", y_kien="Bổ sung kinh phí")
    _do(office, config, "an", item, **{**DRAFT, "budget": 2_000_000})
    found = _dossier(office, item)
    draft, decided = found.sections  # no start form data given: no start section
    assert _fields(draft)["budget"] == ("Kinh phí (đồng)", 2_000_000)
    assert decided.decision == "Trả lại"
    budgets = [_fields(s).get("budget") for s in found.by_task.values() if s.element_id == "write"]
    assert budgets == [("Kinh phí (đồng)", 1_500_000), ("Kinh phí (đồng)", 2_000_000)]
    with transaction(office) as s:
        history = engine.show_instance(s, item).history
    assert [h.task_id in found.by_task for h in history if h.kind == "completed"] == [True] * 3


def test_dossier__camunda_fields_by_label_and_option_name(office: Any, config: Any) -> None:
    with transaction(office) as s:
        item = engine.start_instance(
            s,
            config,
            "unit_task",
            "an",
            data={"lead_unit": "staff", "leader": "binh", "deadline": "2026-04-01"},
        )
    _do(office, config, "an", item, progress="40", report_date="2026-03-05", done="false")
    _do(office, config, "binh", item, decision="more", _c="Thiếu số liệu")
    sections = _dossier(office, item).sections
    start, carried, accepted = sections
    assert [f.name for f in start.fields] == [
        "lead_unit",
        "leader",
        "deadline",
    ]  # no start form: keys
    assert _fields(carried)["progress"][0] == "Progress (%)"
    assert {f.name: f.kind for f in carried.fields}["report_date"] == "date"
    assert accepted.decision == "Ask for more" and accepted.comment == "Thiếu số liệu"


def test_dossier__an_item_that_does_not_exist(office: Any) -> None:
    with transaction(office) as s, pytest.raises(engine.NotFound):
        engine.dossier(s, 999)


def test_dossier__a_read_only_field_is_never_typed(office: Any, config: Any) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "dossier", "an")
    _do(office, config, "an", item, **DRAFT)
    with transaction(office) as s:
        [task] = engine.tasks_for(s, "binh")
        with pytest.raises(engine.InvalidData) as refused:
            engine.complete_task(
                s, config, task.id, "binh", data={"decision": "dong_y", "ref": "1"}
            )
    assert refused.value.details["fields"] == {"ref": "this field is read-only"}
    with transaction(office) as s:
        assert engine.show_instance(s, item).data["ref"] == "05/TTr"


def test_dossier__a_private_field_does_not_make_the_item_findable(office: Any, config: Any) -> None:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "dossier", "an")
    _do(office, config, "an", item, **DRAFT)
    with transaction(office) as s:
        who = engine.get_identity(s, "an")
        assert [h.id for h in engine.search_items(s, who, "dong hai")] == [item]
        assert engine.search_items(s, who, "chi nguoi soan doc") == []


def test_dossier__a_step_only_claimed_reads_no_form(factory: Any, clock: Any) -> None:
    """The dossier shows what was submitted: the form of a step someone took but has not
    done (here one whose choices are the units of the moment) is not read."""
    office = Office(factory, clock)
    item = office.start("xay_dung_quy_dinh", "giamdoc")

    def read() -> list[str]:
        with transaction(factory) as s, counted(factory, with_begin=False) as statements:
            engine.item_with_dossier(s, item, reader="giamdoc")
        return statements

    before = read()
    [task] = office.inbox("giamdoc", item)
    with transaction(factory) as s:
        engine.claim_task(s, office.config, task.id, "giamdoc")
    assert len(read()) == len(before)


ROUNDS_OF_OPINIONS = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://example.org/opinions">
  <bpmn:process id="opinions" name="Opinions in rounds" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="setup"/>
    <bpmn:scriptTask id="setup"><bpmn:script>rounds = 0</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f2" sourceRef="setup" targetRef="consult"/>
    <bpmn:userTask id="consult" name="Give the unit's opinion">
      <bpmn:multiInstanceLoopCharacteristics isSequential="true">
        <bpmn:loopCardinality>2</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="f3" sourceRef="consult" targetRef="conclude"/>
    <bpmn:userTask id="conclude" name="Conclude"/>
    <bpmn:sequenceFlow id="f4" sourceRef="conclude" targetRef="count"/>
    <bpmn:scriptTask id="count"><bpmn:script>rounds = rounds + 1</bpmn:script></bpmn:scriptTask>
    <bpmn:sequenceFlow id="f5" sourceRef="count" targetRef="again"/>
    <bpmn:exclusiveGateway id="again" default="f7"/>
    <bpmn:sequenceFlow id="f6" sourceRef="again" targetRef="consult">
      <bpmn:conditionExpression>rounds &lt; 2</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f7" sourceRef="again" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""


def test_dossier__a_step_done_for_each_item_shows_every_one_of_its_latest_run(
    factory: Any, config: Any, clock: Any
) -> None:
    """A step done once for each item of a collection (a council's evaluation of each
    proposal) is in the dossier once for each, not only its last; when the process comes
    back to it, the new run takes the place of the old, as a step done again does."""
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("opinions.bpmn", ROUNDS_OF_OPINIONS)], clock)
        item = engine.start_instance(s, config, "opinions", "an")

    def steps() -> list[str | None]:
        return [section.element_id for section in _dossier(factory, item).sections]

    for _ in range(2):
        _do(factory, config, "an", item)
    assert steps() == ["consult", "consult"]
    _do(factory, config, "an", item)  # conclude: the process comes back for a second round
    _do(factory, config, "an", item)
    first_of_second = list(_dossier(factory, item).by_task)[-1]
    _do(factory, config, "an", item)
    _do(factory, config, "an", item)  # conclude again: the end
    found = _dossier(factory, item)
    assert [s.element_id for s in found.sections] == ["consult", "consult", "conclude"]
    assert found.sections[0].task_id == first_of_second
    assert len([s for s in found.by_task.values() if s.element_id == "consult"]) == 4
