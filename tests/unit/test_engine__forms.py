"""Which names a JSON Schema form takes: those it declares anywhere (its properties and those of
its allOf/anyOf/oneOf, if/then/else and dependentSchemas parts); others only when the form
itself admits them."""

from __future__ import annotations

from typing import Any

import pytest

from engine.errors import InvalidData
from engine.forms import NO_SUCH_FIELD, validate_form
from engine.task_meta import TaskMeta

META = TaskMeta("p", "t", "Task", 1, form_file="form.json")
BASE: dict[str, Any] = {"type": "object", "properties": {"decision": {"type": "string"}}}


@pytest.mark.parametrize(
    ("extra", "accepted"),
    [
        ({}, False),
        ({"allOf": [{"if": {}, "then": {"properties": {"note": {"type": "string"}}}}]}, True),
        ({"anyOf": [{"properties": {"note": {}}}, {"properties": {"other": {}}}]}, True),
        ({"dependentSchemas": {"decision": {"properties": {"note": {}}}}}, True),
        ({"additionalProperties": False}, False),
        ({"additionalProperties": True}, True),
        ({"additionalProperties": {"type": "string"}}, True),
        ({"patternProperties": {"^n": {"type": "string"}}}, True),
        ({"additionalProperties": False, "patternProperties": {"^n": {}}}, True),
        ({"additionalProperties": False, "patternProperties": {"^x": {}}}, False),
        ({"not": {"required": ["other"], "properties": {"note": {}}}}, False),
    ],
)
def test_forms__a_name_is_taken_only_where_the_form_declares_or_admits_it(
    extra: dict[str, Any], accepted: bool
) -> None:
    forms = {"form.json": {**BASE, **extra}}
    data = {"decision": "ok", "note": "hi"}
    if accepted:
        assert validate_form(META, forms, data) == data
    else:
        with pytest.raises(InvalidData) as refused:
            validate_form(META, forms, data)
        assert refused.value.fields == {"note": NO_SUCH_FIELD}


def test_forms__a_forged_key_is_named_beside_the_forms_own_errors() -> None:
    form = {**BASE, "required": ["decision"], "properties": {"decision": {"type": "string"}}}
    with pytest.raises(InvalidData) as refused:
        validate_form(META, {"form.json": form}, {"trang_thai": "da_phe_duyet"})
    assert refused.value.fields == {
        "trang_thai": NO_SUCH_FIELD,
        "decision": "this field is required",
    }


def test_forms__a_task_without_a_form_takes_no_field_and_a_start_takes_its_data() -> None:
    bare = TaskMeta("p", "t", "Task", 1)
    assert validate_form(bare, {}, {}) == {}
    with pytest.raises(InvalidData) as refused:
        validate_form(bare, {}, {"decision": "approve"})
    assert refused.value.fields == {"decision": NO_SUCH_FIELD}
    assert validate_form(None, {}, {"loai_han": "date"}) == {"loai_han": "date"}
