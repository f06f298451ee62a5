"""A step's button with the item's values: the words the diagram gives, filled; none when it
names a value the item lacks (the page then says "Hoàn thành", never "…")."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from web.step_words import button


def _form(label: str | None) -> engine.FormView:
    return engine.FormView("jsonschema", None, [], "decision", None, submit_label=label)


@pytest.mark.parametrize(
    ("label", "data", "shown"),
    [
        ("Gửi ý kiến", {}, "Gửi ý kiến"),
        ("{nut}", {"nut": "Trình Giám đốc Sở"}, "Trình Giám đốc Sở"),
        ("{nut}", {}, None),
        (None, {"nut": "x"}, None),
        ("  ", {}, None),
    ],
)
def test_step_words__a_button_is_filled_from_the_item_or_left_to_the_page(
    label: str | None, data: dict[str, Any], shown: str | None
) -> None:
    assert button(_form(label), data) == shown
