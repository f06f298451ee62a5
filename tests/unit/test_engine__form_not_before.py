"""A date field marked "x-not-before": "today" (a deadline) takes no day before the office's
today, which the engine hands in from its clock: yesterday is refused, with the form's own words
where it has them; today and later days pass. Without the marker a past date is just a date. A
caller that forgets the day gets a TypeError, never a form whose check was silently skipped."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import InvalidData, InvalidDefinition
from engine.form_safety import check_form_safety
from engine.forms import (
    NOT_BEFORE_START,
    NOT_BEFORE_TODAY,
    NOT_LATER_TODAY,
    json_schema_data,
    validate_form,
    validate_start,
)
from engine.task_meta import TaskMeta

META = TaskMeta("p", "t", "Task", 1, form_file="form.json")
FORMS = {
    "form.json": {
        "type": "object",
        "properties": {
            "han_xu_ly": {
                "type": "string",
                "format": "date",
                "x-not-before": "today",
                "errorMessages": {"x-not-before": "Hạn hoàn thành không được trước ngày hôm nay"},
            },
            "han_khac": {"type": "string", "format": "date", "x-not-before": "today"},
            "ngay_van_ban": {"type": "string", "format": "date"},
        },
    }
}
TODAY = date(2026, 3, 2)


@pytest.mark.parametrize("value", ["2026-03-02", "2026-03-03", "2030-12-31"])
def test_not_before__today_and_later_days_pass(value: str) -> None:
    data = {"han_xu_ly": value, "han_khac": value}
    assert validate_form(META, FORMS, data, today=TODAY) == data


@pytest.mark.parametrize("value", ["2026-03-01", "2025-09-01", "2020-01-01"])
def test_not_before__a_day_before_today_is_refused_in_the_forms_words(value: str) -> None:
    with pytest.raises(InvalidData) as refused:
        validate_form(META, FORMS, {"han_xu_ly": value, "han_khac": value}, today=TODAY)
    assert refused.value.fields == {
        "han_xu_ly": "Hạn hoàn thành không được trước ngày hôm nay",
        "han_khac": NOT_BEFORE_TODAY,
    }
    assert refused.value.field_codes["han_xu_ly"] == {"code": "not_before", "date": "2026-03-02"}


def test_not_before__the_day_is_the_one_handed_in() -> None:
    data = {"han_xu_ly": "2026-03-02"}
    assert validate_form(META, FORMS, data, today=date(2026, 3, 2)) == data
    with pytest.raises(InvalidData):
        validate_form(META, FORMS, data, today=date(2026, 3, 3))


def test_not_before__an_unmarked_date_may_lie_in_the_past() -> None:
    data = {"ngay_van_ban": "2020-01-01"}
    assert validate_form(META, FORMS, data, today=TODAY) == data


def test_not_before__a_text_that_is_no_date_is_the_format_checks_to_refuse() -> None:
    with pytest.raises(InvalidData) as refused:
        validate_form(META, FORMS, {"han_khac": "hôm qua"}, today=TODAY)
    assert refused.value.field_codes["han_khac"]["code"] == "format"


def test_not_before__a_caller_that_forgets_the_day_is_stopped_not_let_through() -> None:
    past = {"han_xu_ly": "2020-01-01"}
    with pytest.raises(TypeError, match="today"):
        validate_form(META, FORMS, past)
    with pytest.raises(TypeError, match="today"):
        validate_start(META, FORMS, past, checked=True)
    with pytest.raises(TypeError, match="today"):
        json_schema_data(FORMS["form.json"], past)
    # Given the day, the same start is refused as a task's form is.
    with pytest.raises(InvalidData) as refused:
        validate_start(META, FORMS, past, checked=True, today=TODAY)
    assert refused.value.field_codes["han_xu_ly"] == {"code": "not_before", "date": "2026-03-02"}


LATER_FORMS = {
    "form.json": {
        "type": "object",
        "properties": {
            "ngay_ban_hanh": {
                "type": "string",
                "format": "date",
                "x-not-later": "today",
                "errorMessages": {"x-not-later": "Ngày ban hành không thể sau hôm nay"},
            },
            "ngay_khac": {"type": "string", "format": "date", "x-not-later": "today"},
        },
    }
}


@pytest.mark.parametrize("value", ["2026-03-02", "2026-03-01", "2020-01-01"])
def test_not_later__today_and_earlier_days_pass(value: str) -> None:
    """The day a document was issued ("x-not-later": "today"): today or a day gone by."""
    data = {"ngay_ban_hanh": value, "ngay_khac": value}
    assert validate_form(META, LATER_FORMS, data, today=TODAY) == data


def test_not_later__a_day_to_come_is_refused_in_the_forms_words() -> None:
    with pytest.raises(InvalidData) as refused:
        validate_form(
            META,
            LATER_FORMS,
            {"ngay_ban_hanh": "2026-03-03", "ngay_khac": "2027-01-01"},
            today=TODAY,
        )
    assert refused.value.fields == {
        "ngay_ban_hanh": "Ngày ban hành không thể sau hôm nay",
        "ngay_khac": NOT_LATER_TODAY,
    }
    assert refused.value.field_codes["ngay_khac"] == {"code": "not_later", "date": "2026-03-02"}


def test_not_before__started_is_the_day_the_item_was_made() -> None:
    forms = {
        "form.json": {
            "type": "object",
            "properties": {"ngay": {"type": "string", "format": "date", "x-not-before": "started"}},
        }
    }
    started = date(2026, 2, 20)
    assert validate_form(META, forms, {"ngay": "2026-02-20"}, today=TODAY, started=started)
    with pytest.raises(InvalidData) as refused:
        validate_form(META, forms, {"ngay": "2026-02-19"}, today=TODAY, started=started)
    assert refused.value.fields == {"ngay": NOT_BEFORE_START}
    assert refused.value.field_codes["ngay"] == {"code": "before_start", "date": "2026-02-20"}


@pytest.mark.parametrize(
    ("rule", "day"), [("x-not-later", "todya"), ("x-not-later", "started"), ("x-not-before", 1)]
)
def test_day_rules__a_day_the_engine_does_not_know_is_refused_at_deploy(
    rule: str, day: object
) -> None:
    """A misspelt day would check nothing: the form is refused, naming the rule and where."""
    form = {
        "type": "object",
        "properties": {
            "ngay": {
                "type": "string",
                "format": "date",
                rule: day,
                "errorMessages": {rule: "Ngày không hợp lệ"},
            }
        },
    }
    with pytest.raises(InvalidDefinition) as refused:
        check_form_safety("phat_hanh.json", form)
    assert refused.value.details["reason"] == "form_day_rule"
    assert refused.value.details["at"] == "#/properties/ngay"
    good = {**form["properties"]["ngay"], rule: "today"}
    check_form_safety("phat_hanh.json", {**form, "properties": {"ngay": good}})
