"""A date field marked "x-not-before": "today" (a deadline) takes no day before the office's
today, which the engine hands in from its clock: yesterday is refused, with the form's own words
where it has them; today and later days pass. Without the marker a past date is just a date. A
caller that forgets the day gets a TypeError, never a form whose check was silently skipped."""

from __future__ import annotations

from datetime import date

import pytest

from engine.errors import InvalidData
from engine.forms import NOT_BEFORE_TODAY, json_schema_data, validate_form, validate_start
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
