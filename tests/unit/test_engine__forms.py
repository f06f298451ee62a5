"""Which names a JSON Schema form takes: those it declares anywhere (its properties and those of
its allOf/anyOf/oneOf, if/then/else and dependentSchemas parts); others only when the form
itself admits them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.errors import InvalidData
from engine.forms import NO_SUCH_FIELD, validate_form, validate_start
from engine.task_meta import TaskMeta

META = TaskMeta("p", "t", "Task", 1, form_file="form.json")
TODAY = date(2026, 3, 2)  # none of these forms marks a field "x-not-before"
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
        assert validate_form(META, forms, data, today=TODAY) == data
    else:
        with pytest.raises(InvalidData) as refused:
            validate_form(META, forms, data, today=TODAY)
        assert refused.value.fields == {"note": NO_SUCH_FIELD}


def test_forms__a_forged_key_is_named_beside_the_forms_own_errors() -> None:
    form = {**BASE, "required": ["decision"], "properties": {"decision": {"type": "string"}}}
    with pytest.raises(InvalidData) as refused:
        validate_form(META, {"form.json": form}, {"trang_thai": "da_phe_duyet"}, today=TODAY)
    assert refused.value.fields == {
        "trang_thai": NO_SUCH_FIELD,
        "decision": "this field is required",
    }


def test_forms__a_task_without_a_form_takes_no_field_and_a_start_takes_its_data() -> None:
    bare = TaskMeta("p", "t", "Task", 1)
    assert validate_form(bare, {}, {}, today=TODAY) == {}
    with pytest.raises(InvalidData) as refused:
        validate_form(bare, {}, {"decision": "approve"}, today=TODAY)
    assert refused.value.fields == {"decision": NO_SUCH_FIELD}
    # A start without a form checked by the engine takes the data its caller composed.
    start = validate_start(None, {}, {"loai_han": "date"}, checked=False, today=TODAY)
    assert start == {"loai_han": "date"}


CODED: dict[str, Any] = {
    "type": "object",
    "required": ["title"],
    "properties": {
        "title": {"type": "string", "maxLength": 5},
        "count": {"type": "integer", "minimum": 1, "maximum": 9},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "day": {"type": "string", "format": "date"},
        "number": {"type": "string", "readOnly": True},
        "items": {"type": "array", "minItems": 1},
    },
}


@pytest.mark.parametrize(
    ("data", "field", "code"),
    [
        ({}, "title", {"code": "required"}),
        ({"title": "a long one"}, "title", {"code": "max_length", "limit": 5}),
        ({"title": "ok", "count": 0}, "count", {"code": "min", "limit": 1}),
        ({"title": "ok", "count": 10}, "count", {"code": "max", "limit": 9}),
        ({"title": "ok", "count": "x"}, "count", {"code": "type", "expected": "integer"}),
        ({"title": "ok", "kind": "c"}, "kind", {"code": "enum"}),
        ({"title": "ok", "day": "31/02"}, "day", {"code": "format", "expected": "date"}),
        (
            {"title": "ok", "day": "0001-01-01"},
            "day",
            {"code": "date_window", "first": 1900, "last": 2200},
        ),
        ({"title": "ok", "number": "01"}, "number", {"code": "read_only"}),
        ({"title": "ok", "items": []}, "items", {"code": "min_items", "limit": 1}),
        ({"title": "ok", "forged": 1}, "forged", {"code": "unknown"}),
    ],
)
def test_forms__each_refused_field_has_a_code_and_its_parameters(
    data: dict[str, Any], field: str, code: dict[str, Any]
) -> None:
    """What a caller translates (the web, the CLI's --json): never the English words."""
    with pytest.raises(InvalidData) as refused:
        validate_form(META, {"form.json": CODED}, data, today=TODAY)
    assert refused.value.field_codes[field] == code
    assert refused.value.to_dict()["field_codes"][field] == code


@pytest.mark.parametrize(
    ("spec", "value", "code"),
    [
        ({"type": "long", "constraints": {"min": 2}}, "1", {"code": "min", "limit": 2}),
        ({"type": "long"}, "x", {"code": "type", "expected": "integer"}),
        ({"type": "long"}, "9" * 350, {"code": "too_large"}),
        ({"type": "long"}, "-" + "9" * 5000, {"code": "too_large"}),  # never given to int()
        ({"type": "long"}, "0" * 5000 + "1" * 401, {"code": "too_large"}),
        (
            {"type": "long", "constraints": {"max": 9}},
            "0" * 5000 + "12",
            {"code": "max", "limit": 9},
        ),
        ({"type": "boolean"}, "maybe", {"code": "type", "expected": "boolean"}),
        ({"type": "enum", "options": [{"id": "a"}]}, "b", {"code": "enum"}),
        (
            {"type": "string", "constraints": {"maxlength": 3}},
            "abcd",
            {"code": "max_length", "limit": 3},
        ),
        ({"type": "date"}, "soon", {"code": "format", "expected": "date"}),
    ],
)
def test_forms__a_camunda_field_refused_has_its_code(
    spec: dict[str, Any], value: str, code: dict[str, Any]
) -> None:
    meta = TaskMeta("p", "t", "Task", 1, form_fields=({"id": "f", **spec},))
    with pytest.raises(InvalidData) as refused:
        validate_form(meta, {}, {"f": value}, today=TODAY)
    assert refused.value.field_codes == {"f": code}


def test_forms__a_refusal_repeats_the_refused_value_only_in_part() -> None:
    """A text far past its limit is named in a few words, not repeated whole (an integrator's
    900 kB comment came back twice in a 1.8 MB answer)."""
    form = {**BASE, "properties": {"y_kien": {"type": "string", "maxLength": 10}}}
    with pytest.raises(InvalidData) as refused:
        validate_form(META, {"form.json": form}, {"y_kien": "a" * 900_000}, today=TODAY)
    said = refused.value.fields["y_kien"]
    assert said.startswith("'aaaa") and said.endswith("… is too long")
    assert len(said) < 100
    assert len(str(refused.value)) < 300
