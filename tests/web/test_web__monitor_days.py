"""Số ngày on Theo dõi: whole days ("24", never "24,0"), tenths only under a day; the export
writes the same number the page shows."""

from __future__ import annotations

import pytest
from flask import Flask

from web.monitor import _age_text, shown_age


@pytest.mark.parametrize(
    ("age", "number", "text"),
    [
        (0.0, 0.0, "0"),
        (0.4, 0.4, "0,4"),
        (0.9, 0.9, "0,9"),
        (1.0, 1.0, "1"),
        (1.4, 1.0, "1"),
        (1.5, 2.0, "2"),
        (8.0, 8.0, "8"),
        (23.6, 24.0, "24"),
        (24.0, 24.0, "24"),
    ],
)
def test_monitor_days__an_age_is_whole_days_tenths_under_one(
    app: Flask, age: float, number: float, text: str
) -> None:
    assert shown_age(age) == number
    with app.test_request_context("/"):
        assert _age_text(age) == text
