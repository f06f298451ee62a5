"""Forms from Camunda models: a start event's formData checks what an item starts with, an
embedded HTML form (camunda:formKey) and a Camunda Form (camunda:formRef) become the tasks'
fields and drive the gateways, read-only fields keep their value, and a form key that names no
deployed file is refused at deploy naming the file."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import InvalidData, InvalidDefinition, transaction
from tests.conftest import add_people, fixture_files
from tests.form_models import camunda_form_step

PURCHASE = "camunda_forms/purchase"
GOOD_START = {"amount": "1200000", "purpose": "Printer paper"}


@pytest.fixture
def purchases(factory: Any, clock: Any) -> Any:
    with transaction(factory) as s:
        engine.add_group(s, "purchase_reviewers", "Reviewers")
        engine.add_group(s, "purchase_payers", "Payers")
        engine.add_user(s, "an", display_name="An", groups=["purchase_reviewers"])
        engine.add_user(s, "binh", display_name="Bình", groups=["purchase_payers"])
        engine.deploy(s, fixture_files(PURCHASE), clock)
    return factory


def _start(factory: Any, config: Any, data: dict[str, Any] | None) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, "purchase_request", "an", data=data)


def _do(factory: Any, config: Any, item: int, who: str, data: dict[str, Any]) -> None:
    with transaction(factory) as s:
        (task,) = engine.open_tasks(s, item)
        engine.complete_task(s, config, task.id, who, data=data)


def _route(factory: Any, config: Any, item: int) -> list[str]:
    with transaction(factory) as s:
        return engine.instance_progress(s, config, item).completed


def test_camunda_forms__the_start_form_fills_its_defaults(purchases: Any, config: Any) -> None:
    item = _start(purchases, config, GOOD_START)
    with transaction(purchases) as s:
        data = engine.show_instance(s, item).data
    assert data["amount"] == 1200000  # a long, as the form says
    assert (data["category"], data["urgent"], data["channel"]) == ("office", False, "web")


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({"purpose": "Printer paper"}, "amount", "required"),
        (None, "amount", "required"),
        ({**GOOD_START, "amount": "0"}, "amount", "min"),
        ({**GOOD_START, "amount": "many"}, "amount", "type"),
        ({**GOOD_START, "purpose": "ab"}, "purpose", "min_length"),
        ({**GOOD_START, "category": "food"}, "category", "enum"),
        ({**GOOD_START, "urgent": "maybe"}, "urgent", "type"),
        ({**GOOD_START, "needed_by": "31/02/2026"}, "needed_by", "format"),
        ({**GOOD_START, "channel": "phone"}, "channel", "read_only"),
        ({**GOOD_START, "approved": True}, "approved", "unknown"),
    ],
)
def test_camunda_forms__start_data_is_checked_against_the_start_form(
    purchases: Any, config: Any, data: dict[str, Any] | None, field: str, code: str
) -> None:
    with pytest.raises(InvalidData) as refused:
        _start(purchases, config, data)
    assert refused.value.field_codes[field]["code"] == code


def test_camunda_forms__a_read_only_field_sent_unchanged_passes(
    purchases: Any, config: Any
) -> None:
    item = _start(purchases, config, {**GOOD_START, "channel": "web"})
    with transaction(purchases) as s:
        assert engine.show_instance(s, item).data["channel"] == "web"


def test_camunda_forms__the_forms_drive_the_gateways(purchases: Any, config: Any) -> None:
    item = _start(purchases, config, GOOD_START)
    with pytest.raises(InvalidData) as refused:
        _do(purchases, config, item, "an", {"approved": True})
    assert refused.value.field_codes["supplier"]["code"] == "required"
    _do(purchases, config, item, "an", {"supplier": "Hồng Hà", "quoted": 1100000, "approved": True})
    with pytest.raises(InvalidData) as refused:
        _do(purchases, config, item, "binh", {"invoice_no": "hd-12", "payment": "pay"})
    assert refused.value.field_codes["invoice_no"]["code"] == "invalid"  # the pattern
    with pytest.raises(InvalidData) as refused:
        pay = {"invoice_no": "HD-12", "payment": "pay", "budget_line": "B2"}
        _do(purchases, config, item, "binh", pay)
    assert refused.value.field_codes["budget_line"]["code"] == "read_only"
    _do(purchases, config, item, "binh", {"invoice_no": "HD-12", "payment": "pay"})
    route = _route(purchases, config, item)
    assert "paid" in route and "held" not in route and "rejected" not in route


def test_camunda_forms__a_rejection_ends_at_rejected(purchases: Any, config: Any) -> None:
    item = _start(purchases, config, GOOD_START)
    _do(purchases, config, item, "an", {"supplier": "Hồng Hà", "approved": False})
    route = _route(purchases, config, item)
    assert "rejected" in route and "pay" not in route


def test_camunda_forms__a_missing_form_is_refused_naming_the_file(factory: Any, clock: Any) -> None:
    with transaction(factory) as s, pytest.raises(InvalidDefinition) as refused:
        engine.deploy(s, fixture_files("camunda_forms/missing"), clock)
    details = refused.value.details
    assert details["reason"] == "form_missing" and details["form"] == "request.html"
    assert (details["file"], details["element_id"], details["line"]) == (
        "missing_form.bpmn",
        "fill_in",
        6,
    )
    assert "request.html" in str(refused.value)


def test_camunda_forms__check_reports_the_missing_form() -> None:
    report = engine.check_definitions(fixture_files("camunda_forms/missing"))
    (problem,) = report.problems
    assert problem.reason == "form_missing" and "request.html" in problem.message
    assert engine.check_definitions(fixture_files(PURCHASE)).problems == ()


def test_camunda_forms__a_read_only_date_keeps_its_default_written_day_first(
    factory: Any, clock: Any, config: Any
) -> None:
    """A read-only date on the start form with Camunda's default written dd/MM/yyyy: the item
    starts with that day, whether the starter leaves it out or sends it (either way written);
    another day is refused. It was refused as changed, so the process could not start."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
        ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">'
        '<bpmn:process id="kyc" isExecutable="true"><bpmn:startEvent id="s">'
        "<bpmn:extensionElements><camunda:formData>"
        '<camunda:formField id="dob" label="Ngày sinh" type="date" defaultValue="01/12/1985">'
        '<camunda:validation><camunda:constraint name="readonly" /></camunda:validation>'
        "</camunda:formField></camunda:formData></bpmn:extensionElements></bpmn:startEvent>"
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="check" />'
        '<bpmn:userTask id="check" camunda:assignee="an" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="e" /><bpmn:endEvent id="e" />'
        "</bpmn:process></bpmn:definitions>"
    )
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("kyc.bpmn", xml.encode())], clock)
    for sent in ({}, {"dob": "01/12/1985"}, {"dob": "1985-12-01"}):
        with transaction(factory) as s:
            item = engine.start_instance(s, config, "kyc", "an", data=sent)
            assert str(engine.show_instance(s, item).data["dob"]).startswith("1985-12-01")
    with pytest.raises(InvalidData) as refused, transaction(factory) as s:
        engine.start_instance(s, config, "kyc", "an", data={"dob": "02/12/1985"})
    assert refused.value.field_codes["dob"]["code"] == "read_only"


def test_camunda_forms__a_field_id_with_dots_or_dashes_names_its_variable(
    factory: Any, clock: Any, config: Any
) -> None:
    """Camunda keeps a form field's id as its variable's whole name (`applicant.address`,
    `document-number`): such fields are filled and stored under that name. They were taken
    at deploy, then every submission was refused as "not a valid field name"."""
    model = camunda_form_step(
        "kyc",
        '<camunda:formField id="applicant.address" label="Địa chỉ" type="string" />'
        '<camunda:formField id="document-number" label="Số giấy tờ" type="string" />'
        '<camunda:formField id="typename" type="string" />',
    )
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [model], clock)
        item = engine.start_instance(s, config, "kyc", "an")
        [task] = engine.open_tasks(s, item)
    sent = {"applicant.address": "12 Lê Lợi", "document-number": "0123-456"}
    for wrong in (
        {"applicant_address": "x"},
        {"applicant.city": "x"},
        {"_private": "x"},
        {"typename": "x"},
    ):
        with pytest.raises(InvalidData), transaction(factory) as s:
            engine.complete_task(s, config, task.id, "an", data=wrong)
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data=sent)
        data = engine.show_instance(s, item).data
    assert {k: data[k] for k in sent} == sent


def test_camunda_forms__a_label_written_with_juel_shows_its_text(
    factory: Any, clock: Any, config: Any
) -> None:
    """`label="${commentLabel}"` shows the item's text, a label mixing text and JUEL its
    sentence; one that cannot be computed shows the field's id, never the expression."""
    model = camunda_form_step(
        "nhan",
        '<camunda:formField id="comment" label="${commentLabel}" type="string" />'
        '<camunda:formField id="days" label="Số ngày của ${unit}" type="long" />'
        '<camunda:formField id="other" label="${missing}" type="string" />',
    )
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [model], clock)
        data = {"commentLabel": "Ý kiến thẩm định", "unit": "Phòng QLKH"}
        item = engine.start_instance(s, config, "nhan", "an", data=data)
        [task] = engine.open_tasks(s, item)
        form = engine.task_form(s, task.id)
    labels = {f["id"]: f["label"] for f in form.fields}
    assert labels == {
        "comment": "Ý kiến thẩm định",
        "days": "Số ngày của Phòng QLKH",
        "other": "other",
    }


@pytest.mark.parametrize(
    ("constraint", "words"),
    [
        ('name="validator" config="com.example.NationalIdValidator"', "'validator'"),
        ('name="email"', "'email'"),
    ],
)
def test_camunda_forms__a_constraint_not_checked_here_is_refused(
    factory: Any, clock: Any, constraint: str, words: str
) -> None:
    """A validator runs a Java class in Camunda 7: taken and never run, any value would pass
    unseen. Refused at deploy and by `check`, naming the field; nothing stored."""
    model = camunda_form_step(
        "kyc",
        '<camunda:formField id="cccd" label="Số CCCD" type="string">'
        f"<camunda:validation><camunda:constraint {constraint} /></camunda:validation>"
        "</camunda:formField>",
    )
    files = [model]
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, files, clock)
    error = refused.value
    assert words in error.message and "the form field 'cccd'" in error.message
    assert (error.details["reason"], error.details["element_id"]) == (
        "form_constraint_unsupported",
        "check",
    )
    (problem,) = engine.check_definitions(files).problems
    assert problem.reason == "form_constraint_unsupported"
    with transaction(factory) as s:
        assert engine.list_processes(s) == []


def test_camunda_forms__an_input_without_a_type_takes_its_variable_s(
    purchases: Any, config: Any
) -> None:
    """review.html's "amount" input names no cam-variable-type: bound to the item's number,
    it asks for a number and keeps it one (it stored the number as text), under the label
    written before its own element (Bootstrap's form group, as Camunda's examples write it)."""
    item = _start(purchases, config, GOOD_START)
    with transaction(purchases) as s:
        (task,) = engine.open_tasks(s, item)
        form = engine.task_form(s, task.id)
    assert form.schema is not None
    assert form.schema["properties"]["amount"]["type"] == "integer"
    assert form.schema["properties"]["amount"]["title"] == "Amount"
    with pytest.raises(InvalidData) as refused:
        _do(purchases, config, item, "an", {"supplier": "Hồng Hà", "amount": "nhiều"})
    assert refused.value.field_codes["amount"]["code"] == "type"
    _do(
        purchases, config, item, "an", {"supplier": "Hồng Hà", "amount": 1300000, "approved": False}
    )
    with transaction(purchases) as s:
        assert engine.show_instance(s, item).data["amount"] == 1300000
