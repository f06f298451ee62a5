"""A date field marked "x-not-before": "today" without a message of its own is refused in
Vietnamese that says why (the day has passed) and from when, not as a date of the wrong shape."""

from __future__ import annotations

from datetime import date

from flask import Flask

import engine
from engine.forms import validate_form
from engine.task_meta import TaskMeta
from web.form_fields import errors_in_vietnamese

SCHEMA = {
    "type": "object",
    "properties": {"han": {"type": "string", "format": "date", "x-not-before": "today"}},
}


def test_not_before_words__a_past_day_is_said_to_have_passed(app: Flask) -> None:
    view = engine.FormView("jsonschema", SCHEMA, [], "decision", None)
    try:
        meta = TaskMeta("p", "t", "Task", 1, form_file="f.json")
        validate_form(meta, {"f.json": SCHEMA}, {"han": "2026-03-01"}, today=date(2026, 3, 2))
    except engine.InvalidData as refused:
        problems, codes = refused.fields, refused.field_codes
    else:
        raise AssertionError("a day before today was accepted")
    with app.test_request_context("/"):
        words = errors_in_vietnamese(view, problems, codes)
    assert words == {"han": "Ngày này đã qua; hãy nhập từ hôm nay (02/03/2026) trở đi."}
