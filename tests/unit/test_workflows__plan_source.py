"""The document that assigns a plan's tasks, read from the plan's header and carried into each
item's start data; what the header leaves blank stays empty for a person to fill."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from workflows.org_chart import read_org_chart
from workflows.plan_assign import start_data
from workflows.plan_import import find_assignments
from workflows.plan_source import SourceDocument, read_source

PLANS = Path(__file__).parents[1] / "fixtures" / "plan"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # The department's plan leaves its number and its day blank ("Số: /KH-KHCN", "ngày
        # tháng 5 năm 2020") and has no issuer's lines above them.
        (
            "ke_hoach_2020.txt",
            SourceDocument(
                None,
                None,
                None,
                "Triển khai thực hiện Kết luận của Phó Chủ tịch UBND tỉnh Lê Ánh Dương tại buổi "
                "làm việc với Sở Khoa học và Công nghệ ngày 15/5/2020",
                2020,
            ),
        ),
        (
            "so_khcn_2022.txt",
            SourceDocument(
                "05/KH-KHCN",
                date(2022, 1, 10),
                "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
                "Công tác năm 2022 của Sở Khoa học và Công nghệ",
                2022,
            ),
        ),
        # The plan it cites ("Kế hoạch số 45/KH-UBND ngày 10/3/2021") is not the plan itself.
        (
            "ubnd_tinh_2021.txt",
            SourceDocument(
                "112/KH-UBND",
                date(2021, 3, 25),
                "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG",
                "Thực hiện Chương trình phát triển thị trường khoa học và công nghệ tỉnh Bắc "
                "Giang năm 2021",
                2021,
            ),
        ),
    ],
)
def test_plan_source__read_from_the_header(name: str, expected: SourceDocument) -> None:
    assert read_source((PLANS / name).read_text(encoding="utf-8")) == expected


def test_plan_source__every_item_of_the_plan_starts_with_it() -> None:
    assignments = find_assignments((PLANS / "so_khcn_2022.txt").read_text(encoding="utf-8"))
    data = start_data(assignments[0], read_org_chart(), 2022, date(2022, 1, 15))
    assert {k: data[k] for k in SourceDocument().to_data()} == {
        "so_ky_hieu_van_ban": "05/KH-KHCN",
        "ngay_van_ban": "2022-01-10",
        "co_quan_ban_hanh": "SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        "trich_yeu_van_ban": "Công tác năm 2022 của Sở Khoa học và Công nghệ",
    }


@pytest.mark.parametrize(
    ("lines", "issuer"),
    [
        (["ỦY BAN NHÂN DÂN", "TỈNH BẮC GIANG"], "ỦY BAN NHÂN DÂN TỈNH BẮC GIANG"),
        (["ỦY BAN NHÂN DÂN", "HUYỆN LỤC NAM"], "ỦY BAN NHÂN DÂN HUYỆN LỤC NAM"),
        (["UBND TỈNH BẮC GIANG", "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"], "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG"),
        (["SỞ KHOA HỌC VÀ CÔNG NGHỆ"], "SỞ KHOA HỌC VÀ CÔNG NGHỆ"),
    ],
)
def test_plan_source__the_issuer_is_the_body_with_its_place(lines: list[str], issuer: str) -> None:
    header = "\n\n".join([*lines, "Số: 45/KH-UBND", "KẾ HOẠCH", "Về việc X"])
    assert read_source(header).issuer == issuer


def test_plan_source__a_blank_number_is_left_empty() -> None:
    text = "Số: /KH-KHCN\n\nBắc Giang, ngày   tháng 5 năm 2020\n\nKẾ HOẠCH\n\nVề việc X\n"
    assert read_source(text) == SourceDocument(None, None, None, "Về việc X", 2020)
