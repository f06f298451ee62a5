"""Whom a step nobody has taken waits for: one rule (web.wording.waiting_for) for the pages'
«Người xử lý» and the message after an action («Hồ sơ đang ở bước …, chờ … nhận xử lý»), in the
engine's order (engine.effective_candidates): its groups and people, else its lane, else the
item's starter, so no step is ever named without whom it waits for."""

from __future__ import annotations

import pytest

from web.wording import waiting_for


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
