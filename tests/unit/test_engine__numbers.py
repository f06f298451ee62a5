"""Numbers as people here write them: thousands grouped by dots, a decimal comma, no comma left
hanging when the decimals round away; a whole number below 10.000 (a year) bare where nothing
says it is an amount."""

from __future__ import annotations

import pytest

from engine import amount_text, number_vn


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (850_000_000, "850.000.000"),
        (1234.5, "1.234,5"),
        (-12345.67, "-12.345,67"),
        (2.999, "3"),
        (1234.004, "1.234"),
        (0.001, "0"),
        (2026, "2.026"),
        (float("inf"), "inf"),
    ],
)
def test_number_vn(value: float, written: str) -> None:
    assert number_vn(value) == written


@pytest.mark.parametrize(
    ("value", "written"),
    [(2026, "2026"), (9999.0, "9999"), (10_000, "10.000"), (2.5, "2,5"), (-12345, "-12.345")],
)
def test_amount_text(value: float, written: str) -> None:
    assert amount_text(value) == written
