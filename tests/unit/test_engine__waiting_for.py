"""Whom a step nobody has taken waits for: one rule (engine.waiting_for) for the candidate rows
(engine.effective_candidates, by key) and for the pages' «Người xử lý» and the message after an
action («Hồ sơ đang ở bước …, chờ … nhận xử lý», by name): its groups and people, else its
lane, else the item's starter, so no step is ever named without whom it waits for."""

from __future__ import annotations

import pytest

from engine import effective_candidates, waiting_for


@pytest.mark.parametrize(
    ("groups", "people", "lane", "expected"),
    [
        (
            ["Phòng Quản lý Khoa học"],
            ["Trần Văn Bình"],
            "Lãnh đạo Sở",
            (["Phòng Quản lý Khoa học"], ["Trần Văn Bình"]),
        ),
        ([], ["Trần Văn Bình"], "Lãnh đạo Sở", ([], ["Trần Văn Bình"])),
        ([], [], "Lãnh đạo Sở", (["Lãnh đạo Sở"], [])),
        ([], [], None, ([], ["Nguyễn Thị Hoa"])),
    ],
)
def test_waiting_for__groups_and_people_else_the_lane_else_the_starter(
    groups: list[str], people: list[str], lane: str | None, expected: tuple[list[str], list[str]]
) -> None:
    assert waiting_for(groups, people, lane, "Nguyễn Thị Hoa") == expected


def test_waiting_for__the_candidate_rows_follow_the_same_rule() -> None:
    assert effective_candidates(["Phong_QLKH"], ["Binh"], "lanh_dao", "hoa") == [
        ("group", "phong_qlkh"),
        ("user", "binh"),
    ]
    assert effective_candidates([], [], " lanh_dao ", "hoa") == [("group", "lanh_dao")]
    assert effective_candidates([], [], None, "Hoa") == [("user", "hoa")]
