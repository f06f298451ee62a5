"""A date typed into a form lies between the years 1900 and 2200: year 1 or 9999 would break the
arithmetic of due dates and reminders later on. JSON Schema `format: date` fields and Camunda
date fields alike; the web shows the refusal in Vietnamese."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.errors import InvalidData
from engine.forms import DATE_WINDOW, validate_form
from engine.task_meta import TaskMeta

SCHEMA_META = TaskMeta("p", "t", "Task", 1, form_file="form.json")
TODAY = date(2026, 3, 2)  # none of these forms marks a field "x-not-before"
FORMS = {
    "form.json": {
        "type": "object",
        "properties": {
            "han_xu_ly": {
                "type": "string",
                "format": "date",
                "errorMessages": {"format": "Ngày không hợp lệ"},
            },
            "ghi_chu": {"type": "string"},
        },
    }
}
CAMUNDA_META = TaskMeta(
    "p",
    "t",
    "Task",
    1,
    form_fields=({"id": "han_xu_ly", "type": "date", "required": False, "constraints": {}},),
)

DATES = [
    ("0001-01-01", False),
    ("1899-12-31", False),
    ("1900-01-01", True),
    ("2026-06-30", True),
    ("2200-12-31", True),
    ("2201-01-01", False),
    ("9999-12-31", False),
]


@pytest.mark.parametrize(("value", "accepted"), DATES)
def test_form_dates__a_schema_date_lies_between_1900_and_2200(value: str, accepted: bool) -> None:
    data = {"han_xu_ly": value, "ghi_chu": "0001-01-01 is only text here"}
    if accepted:
        assert validate_form(SCHEMA_META, FORMS, data, today=TODAY) == data
        return
    with pytest.raises(InvalidData) as refused:
        validate_form(SCHEMA_META, FORMS, data, today=TODAY)
    assert refused.value.fields == {"han_xu_ly": DATE_WINDOW}
    assert DATE_WINDOW == "a date between the years 1900 and 2200 is expected"


@pytest.mark.parametrize(("value", "accepted"), DATES)
def test_form_dates__a_camunda_date_lies_between_1900_and_2200(value: str, accepted: bool) -> None:
    typed = "/".join(reversed(value.split("-")))  # as a person types it: dd/mm/yyyy
    for sent in (value, typed):
        if accepted:
            assert validate_form(CAMUNDA_META, {}, {"han_xu_ly": sent}, today=TODAY) == {
                "han_xu_ly": value
            }
            continue
        with pytest.raises(InvalidData) as refused:
            validate_form(CAMUNDA_META, {}, {"han_xu_ly": sent}, today=TODAY)
        assert refused.value.fields == {"han_xu_ly": DATE_WINDOW}


@pytest.mark.parametrize("value", ["mai", "2026-02-30", 20260630])
def test_form_dates__what_is_no_date_at_all_keeps_its_own_message(value: Any) -> None:
    with pytest.raises(InvalidData) as refused:
        validate_form(SCHEMA_META, FORMS, {"han_xu_ly": value}, today=TODAY)
    assert refused.value.fields["han_xu_ly"] != DATE_WINDOW
