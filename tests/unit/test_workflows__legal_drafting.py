"""The drafting process's legal limits as its diagram reads them: calendar days (Bộ luật Dân sự
2015 Art. 147-148), the portal period, the bodies required, the UBND's majority."""

from __future__ import annotations

from datetime import datetime

import pytest

from workflows.calendar import DEFAULT_ZONE, WorkCalendar
from workflows.legal_drafting import legal_drafting_helpers

H = legal_drafting_helpers(WorkCalendar())


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T09:00").replace(tzinfo=DEFAULT_ZONE)


@pytest.mark.parametrize(
    ("sent", "days", "due"),
    [
        ("2026-03-02", 7, "2026-03-09"),  # Monday + 7: Monday
        ("2026-03-04", 3, "2026-03-09"),  # Wednesday + 3 is Saturday: to Monday's end
        ("2026-02-10", 7, "2026-02-23"),  # + 7 falls in Tết 2026: the first working day after
    ],
)
def test_calendar_days__end_of_the_last_day_or_the_next_working_day(
    sent: str, days: int, due: str
) -> None:
    assert H["han_ngay_lich"](days, _at(sent)) == f"{due}T23:59:59+07:00"


def test_reply_days__seven_or_three_shortened() -> None:
    assert (H["so_ngay_gop_y"](False), H["so_ngay_gop_y"](True)) == (7, 3)


def test_posting__ten_whole_days_never_before_it_was_recorded() -> None:
    assert H["ket_thuc_dang_tai"]("2026-03-02", _at("2026-03-02")) == "2026-03-13T00:00:00+07:00"
    assert H["ket_thuc_dang_tai"]("2026-02-01", _at("2026-03-02")) == "2026-03-13T00:00:00+07:00"
    assert H["ket_thuc_dang_tai"]("2026-03-05", _at("2026-03-02")) == "2026-03-16T00:00:00+07:00"


def test_consultation__a_chairmans_decision_needs_the_three_bodies() -> None:
    assert "Sở Nội vụ" in H["loi_lay_y_kien"]("qd_chu_tich", ["so_tai_chinh", "so_tu_phap"], [])
    assert H["loi_lay_y_kien"]("qd_chu_tich", ["so_tai_chinh", "so_noi_vu", "so_tu_phap"], []) == ""
    assert H["loi_lay_y_kien"]("qd_ubnd", [], ["phong_qlkh"]) == ""
    assert "ít nhất một" in H["loi_lay_y_kien"]("qd_ubnd", [], [])
    assert H["co_quan_bat_buoc"]("qd_ubnd", []) == []
    assert H["noi_lay_y_kien"](["so_tu_phap"], ["phong_qlkh", "phong_qlkh"]) == [
        "so_tu_phap",
        "phong_qlkh",
    ]


@pytest.mark.parametrize(
    ("members", "for_it", "passed"),
    [(30, 16, True), (30, 15, False), (31, 16, True), (1, 0, False)],
)
def test_vote__more_than_half_of_all_members(members: int, for_it: int, passed: bool) -> None:
    assert H["bieu_quyet_thong_qua"](members, for_it) is passed
    assert H["loi_bieu_quyet"](members, for_it) == ""
    assert H["loi_bieu_quyet"](members, members + 1) != ""
