"""A read-only field shows what the item holds, whatever its name, in both kinds of form: a
name that is a comment's or a decision's elsewhere (the UBND's direction, y_kien_chi_dao) is
a person's own only where they type it, and was shown empty."""

from __future__ import annotations

from flask import Flask

import engine
from web.form_fields import build_form

DIRECTION = "Rà soát kinh phí"


def _value(view: engine.FormView, name: str) -> object:
    [field] = [f for f in build_form(view).fields if f.name == name]
    assert field.widget == "readonly"
    return field.value


def test_read_only__a_json_schema_form_shows_what_the_item_holds(app: Flask) -> None:
    schema = {
        "type": "object",
        "properties": {"y_kien_chi_dao": {"type": "string", "readOnly": True}},
    }
    view = engine.FormView(
        "jsonschema", schema, [], "decision", None, {"y_kien_chi_dao": DIRECTION}
    )
    with app.test_request_context("/"):
        assert _value(view, "y_kien_chi_dao") == DIRECTION


def test_read_only__a_camunda_form_shows_what_the_item_holds(app: Flask) -> None:
    fields = [
        {"id": "y_kien_chi_dao", "label": "Ý kiến chỉ đạo", "type": "string", "readonly": True},
        {"id": "decision", "label": "Kết quả", "type": "string", "readonly": True},
    ]
    data = {"y_kien_chi_dao": DIRECTION, "decision": "tra_lai"}
    view = engine.FormView("camunda", None, fields, "decision", None, data)
    with app.test_request_context("/"):
        assert _value(view, "y_kien_chi_dao") == DIRECTION
        assert _value(view, "decision") == "tra_lai"
