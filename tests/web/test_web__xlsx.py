"""web.xlsx: a workbook of one sheet or several, each streamed in turn, read back by openpyxl
(what Excel sees: names, order, titles, headers, values, dates)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from web.xlsx import DATE, SheetLayout, write_workbook, write_xlsx


def _layout(name: str, headers: Sequence[str]) -> SheetLayout:
    return SheetLayout(
        name=name,
        title=f"Tiêu đề {name}",
        headers=headers,
        widths=[12] * len(headers),
        formats=[None] * (len(headers) - 1) + [DATE],
    )


def test_xlsx__several_sheets_in_order_each_with_its_rows() -> None:
    read: list[str] = []

    def second() -> Iterator[Sequence[Any]]:
        read.append("second")  # not read before the first sheet is written
        yield ("b", datetime(2026, 3, 16))
        yield ("=SUM(A1)", None)

    out = BytesIO()
    counts = write_workbook(
        out,
        [
            (_layout("Tổng hợp", ["Đơn vị", "Số", "Ngày"]), [("x", 3, datetime(2026, 1, 2))]),
            (_layout("Danh sách nhiệm vụ", ["Tên", "Hạn"]), second()),
            (_layout("Trống", ["A", "B"]), []),
        ],
    )
    assert counts == [1, 2, 0] and read == ["second"]
    book = load_workbook(BytesIO(out.getvalue()))
    assert book.sheetnames == ["Tổng hợp", "Danh sách nhiệm vụ", "Trống"]
    first = [list(r) for r in book["Tổng hợp"].iter_rows(values_only=True)]
    assert first == [
        ["Tiêu đề Tổng hợp", None, None],
        ["Đơn vị", "Số", "Ngày"],
        ["x", 3, datetime(2026, 1, 2)],
    ]
    tasks = [list(r) for r in book["Danh sách nhiệm vụ"].iter_rows(values_only=True)]
    assert tasks[1:] == [["Tên", "Hạn"], ["b", datetime(2026, 3, 16)], ["=SUM(A1)", None]]
    assert book["Danh sách nhiệm vụ"]["B3"].number_format == "dd/mm/yyyy"
    assert book["Danh sách nhiệm vụ"].freeze_panes == "A3"
    assert [list(r) for r in book["Trống"].iter_rows(values_only=True)][1] == ["A", "B"]


def test_xlsx__one_sheet_as_before() -> None:
    out = BytesIO()
    assert write_xlsx(out, _layout("Một", ["A", "B"]), [("a", None)]) == 1
    book = load_workbook(BytesIO(out.getvalue()))
    assert book.sheetnames == ["Một"]


def test_xlsx__no_sheet_or_the_same_name_twice_is_refused() -> None:
    with pytest.raises(ValueError):
        write_workbook(BytesIO(), [])
    with pytest.raises(ValueError):
        write_workbook(BytesIO(), [(_layout("A", ["x"]), []), (_layout("a", ["y"]), [])])
