"""A form's rules against the item's own values: a date of something done that follows another
("x-on-or-after": a decision signed on or after the day its tờ trình was issued, and after the
vote when there was one) and a count bounded by another field ("x-at-most": the members who
approved, of all members). Refused in the form's words, with codes a page translates."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from engine.errors import InvalidData
from engine.forms import validate_form
from tests.unit.test_engine__form_not_before import META

FORMS = {
    "form.json": {
        "type": "object",
        "properties": {
            "ngay_ky": {
                "type": "string",
                "format": "date",
                "x-on-or-after": ["ngay_ban_hanh", "ngay_bieu_quyet"],
                "errorMessages": {"x-on-or-after": "Ngày ký không thể trước ngày ban hành"},
            },
            "so_thanh_vien": {"type": "integer"},
            "so_tan_thanh": {"type": "integer", "x-at-most": "so_thanh_vien"},
        },
    }
}
TODAY = date(2026, 3, 20)
ISSUED = {"ngay_ban_hanh": "2026-03-05"}


def _check(data: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    return validate_form(META, FORMS, data, today=TODAY, current=current)


@pytest.mark.parametrize(
    ("current", "signed", "refused_before"),
    [
        (ISSUED, "2026-03-04", "2026-03-05"),
        (ISSUED, "2026-03-05", None),  # the same day passes
        ({**ISSUED, "ngay_bieu_quyet": "2026-03-12"}, "2026-03-10", "2026-03-12"),  # the latest
        ({**ISSUED, "ngay_bieu_quyet": "2026-03-12T09:00:00+07:00"}, "2026-03-12", None),
        ({}, "2020-01-01", None),  # nothing held: nothing to follow
    ],
)
def test_relative__a_date_on_or_after_the_items_dates(
    current: dict[str, Any], signed: str, refused_before: str | None
) -> None:
    if refused_before is None:
        assert _check({"ngay_ky": signed}, current) == {"ngay_ky": signed}
        return
    with pytest.raises(InvalidData) as refused:
        _check({"ngay_ky": signed}, current)
    assert refused.value.fields == {"ngay_ky": "Ngày ký không thể trước ngày ban hành"}
    assert refused.value.field_codes["ngay_ky"] == {
        "code": "not_before_date",
        "date": refused_before,
    }


@pytest.mark.parametrize(
    ("data", "current", "over"),
    [
        ({"so_thanh_vien": 15, "so_tan_thanh": 16}, {}, 15),
        ({"so_tan_thanh": 31}, {"so_thanh_vien": 30}, 30),  # as the item holds it
        ({"so_thanh_vien": 15, "so_tan_thanh": 15}, {}, None),
        ({"so_tan_thanh": 3}, {}, None),  # nothing to compare with
    ],
)
def test_relative__a_count_at_most_another(
    data: dict[str, Any], current: dict[str, Any], over: int | None
) -> None:
    if over is None:
        assert _check(data, current) == data
        return
    with pytest.raises(InvalidData) as refused:
        _check(data, current)
    assert refused.value.field_codes["so_tan_thanh"] == {
        "code": "at_most",
        "field": "so_thanh_vien",
        "limit": over,
    }
