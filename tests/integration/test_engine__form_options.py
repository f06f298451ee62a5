"""A form field marked "x-options": "units" offers the units of the database as they are now:
when the form is shown, when it is checked and when the dossier names the choice."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

import engine
from engine import InvalidData, InvalidDefinition, SourceFile, transaction
from engine.form_options import resolve_one
from engine.forms import validate_form
from engine.task_meta import TaskMeta

FORM = Path(__file__).parents[1] / "fixtures" / "forms" / "units_choice.json"
TODAY = date(2026, 3, 2)  # the form marks no field "x-not-before"


def _schema() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(FORM.read_text(encoding="utf-8"))
    return loaded


def test_form_options__the_units_of_the_moment_are_the_choices(sqlite_factory: Any) -> None:
    with transaction(sqlite_factory) as s:
        engine.add_group(s, "phong_a", "Phòng A", unit=True)
        engine.add_group(s, "nhom_b", "Nhóm B")  # a group, not a unit
        first = engine.resolve_form(s, _schema())
        engine.add_group(s, "phong_c", "Phòng C", unit=True)
        second = engine.resolve_form(s, _schema())
    assert engine.schema_choices(first["properties"]["don_vi"]) == {"phong_a": "Phòng A"}
    assert engine.schema_choices(second["properties"]["don_vi"]) == {
        "phong_a": "Phòng A",
        "phong_c": "Phòng C",
    }
    items = second["properties"]["don_vi_phoi_hop"]["items"]
    assert set(engine.schema_choices(items)) == {"phong_a", "phong_c"}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"don_vi": "thanh_tra_so"}, "don_vi"),
        ({"don_vi": "nhom_b"}, "don_vi"),
        ({"don_vi": "phong_a", "don_vi_phoi_hop": ["phong_a", "khong_co"]}, "don_vi_phoi_hop"),
    ],
)
def test_form_options__a_value_that_is_not_a_unit_now_is_refused(
    sqlite_factory: Any, data: dict[str, Any], field: str
) -> None:
    with transaction(sqlite_factory) as s:
        engine.add_group(s, "phong_a", "Phòng A", unit=True)
        engine.add_group(s, "nhom_b", "Nhóm B")
        forms = resolve_one(s, {"f.json": _schema()}, "f.json")
    meta = TaskMeta("p", "t", "T", None, form_file="f.json")
    assert validate_form(
        meta, forms, {"don_vi": "phong_a", "don_vi_phoi_hop": ["phong_a"]}, today=TODAY
    )
    with pytest.raises(InvalidData) as refused:
        validate_form(meta, forms, data, today=TODAY)
    assert refused.value.fields[field] == "is not one of the current units"


def test_form_options__a_form_without_the_marker_costs_nothing(sqlite_factory: Any) -> None:
    plain = {"type": "object", "properties": {"x": {"type": "string"}}}
    forms = {"plain.json": plain}
    with transaction(sqlite_factory) as s:
        assert resolve_one(s, forms, "plain.json") is forms
        assert engine.resolve_form(s, plain) is plain


def test_form_options__an_unknown_source_is_refused_at_deploy(
    sqlite_factory: Any, clock: Any
) -> None:
    schema = _schema()
    schema["properties"]["don_vi"]["x-options"] = "people"
    bad = SourceFile("units_choice.json", json.dumps(schema).encode())
    with transaction(sqlite_factory) as s, pytest.raises(InvalidDefinition) as refused:
        engine.deploy(s, [bad], clock)
    assert "x-options" in refused.value.message
