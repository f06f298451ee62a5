"""Periodic tasks (hằng tháng, hằng quý, 6 tháng): each period is an occurrence of its own with
the period's deadline, opened on the period's first morning, judged on time or late by itself,
until the series' end or a leader stops it. The office's clock starts on Monday 2 March 2026."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.office import Office

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MONTHLY = {
    "section": "III.2",
    "noi_dung": "Báo cáo tình hình thực hiện kế hoạch",
    "don_vi_chu_tri": "phong_qlkhcn_cs",
    "don_vi_phoi_hop": [],
    "loai_han": "date",
    "gia_tri_han": "2026-03-25",
    "lap_lai": {"every": "month", "day": 25},
    "ket_thuc_chuoi": "2026-06-30",
}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _due(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=HANOI)


def _until(office: Office, day: date, hour: int = 9) -> None:
    """Move the clock to `hour` o'clock of `day`, firing the timers on the way."""
    target = datetime.combine(day, time(hour), tzinfo=HANOI)
    office.tick((target - office.clock()).total_seconds() / 86400)


def _finish(office: Office, item: int) -> None:
    """The lead reports, the leader accepts (reminders and chasers on the way are left)."""
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=100,
        noi_dung_cap_nhat="Đã tổng hợp",
        hoan_thanh=True,
    )
    office.do("cs.cv1", item, "bao_cao_ket_qua", so_bao_cao="01/BC", ket_qua="Báo cáo tháng")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")


def _lead_due(office: Office, item: int) -> datetime | None:
    tasks = [t for t in office.inbox("cs.cv1", item) if t.element_id == "cap_nhat_tien_do"]
    return tasks[0].due_at if tasks else None


def test_dinh_ky__a_monthly_task_reopens_each_month_until_the_series_ends(
    office: Office,
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **MONTHLY)
    assert _lead_due(office, item) == _due(date(2026, 3, 25))
    _finish(office, item)
    assert office.steps(item) == [] and office.show(item).status == "running"
    _until(office, date(2026, 3, 31))
    assert _lead_due(office, item) is None  # April's occurrence opens on 1 April
    # 25 April 2026 is a Saturday and Monday 27 April the day off for Giỗ Tổ Hùng Vương:
    # April's deadline moves to Tuesday 28 April.
    for opens, due in [
        (date(2026, 4, 1), date(2026, 4, 28)),
        (date(2026, 5, 1), date(2026, 5, 25)),
        (date(2026, 6, 1), date(2026, 6, 25)),
    ]:
        _until(office, opens)
        assert _lead_due(office, item) == _due(due)
        _finish(office, item)
    # The series ends with June (ket_thuc_chuoi 30 June): the item is done, no July task.
    view = office.show(item)
    assert view.status == "completed"
    assert [k["han_xu_ly"] for k in view.data["cac_ky"]] == [
        "2026-03-25",
        "2026-04-28",
        "2026-05-25",
        "2026-06-25",
    ]
    assert [k["bat_dau"] for k in view.data["cac_ky"]][1:] == [
        "2026-04-01",
        "2026-05-01",
        "2026-06-01",
    ]


def test_dinh_ky__a_late_occurrence_counts_late_and_the_next_is_on_time(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **MONTHLY)
    _until(office, date(2026, 3, 27))  # March's deadline (25th) has passed
    office.do("phogiamdoc", item, "don_doc", noi_dung_don_doc="Đề nghị báo cáo ngay")
    _finish(office, item)
    assert office.show(item).data["on_time"] is False
    _until(office, date(2026, 4, 1))
    _until(office, date(2026, 4, 20))
    _finish(office, item)
    data = office.show(item).data
    assert [(k["han_xu_ly"], k["on_time"]) for k in data["cac_ky"]] == [
        ("2026-03-25", False),
        ("2026-04-28", True),
    ]
    assert data["on_time"] is True


def test_dinh_ky__the_next_occurrence_waits_for_a_late_one_but_keeps_its_deadline(
    office: Office,
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **MONTHLY)
    _until(office, date(2026, 4, 3))  # April has begun, March is still open
    assert _lead_due(office, item) == _due(date(2026, 3, 25))
    office.do("phogiamdoc", item, "don_doc", noi_dung_don_doc="Đề nghị báo cáo ngay")
    _finish(office, item)
    assert _lead_due(office, item) == _due(date(2026, 4, 28))  # opened at once


@pytest.mark.parametrize(
    ("every", "first", "later"),
    [
        # 30 June and 30 September 2026 are working days (Tuesday, Wednesday).
        # (31 December 2026 is a Thursday.)
        ("quarter", "2026-03-31", [date(2026, 6, 30), date(2026, 9, 30), date(2026, 12, 31)]),
        ("half_year", "2026-06-30", [date(2026, 12, 31)]),
    ],
)
def test_dinh_ky__quarterly_and_half_yearly_tasks_reopen_by_their_period(
    office: Office, every: str, first: str, later: list[date]
) -> None:
    item = office.start(
        "giao_nhiem_vu",
        "vp.tp",
        **{
            **MONTHLY,
            "gia_tri_han": first,
            "lap_lai": {"every": every, "day": None},
            "ket_thuc_chuoi": "2026-12-31",
        },
    )
    assert _lead_due(office, item) == _due(date.fromisoformat(first))
    for due in later:
        _finish(office, item)
        months = 3 if every == "quarter" else 6
        _until(office, date(due.year, due.month - months + 1, 1))
        assert _lead_due(office, item) == _due(due)
    _finish(office, item)
    assert office.show(item).status == "completed"


def test_dinh_ky__a_leader_stops_the_series(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**MONTHLY, "ket_thuc_chuoi": None})
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=100,
        noi_dung_cap_nhat="Đã tổng hợp",
        hoan_thanh=True,
    )
    office.do("cs.cv1", item, "bao_cao_ket_qua", so_bao_cao="01/BC", ket_qua="Báo cáo tháng")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan", dung_dinh_ky=True)
    view = office.show(item)
    assert view.status == "completed" and len(view.data["cac_ky"]) == 1


def test_dinh_ky__a_manual_start_chooses_a_periodic_kind(office: Office) -> None:
    item = office.start_by_hand("giao_nhiem_vu", "vp.tp")
    office.do(
        "giamdoc",
        item,
        "phan_cong",
        don_vi_chu_tri="phong_qlkhcn_cs",
        han_xu_ly="2026-03-20",
        dinh_ky="month",
        ngay_trong_ky=20,
        ket_thuc_chuoi="2026-04-30",
    )
    assert _lead_due(office, item) == _due(date(2026, 3, 20))
    _finish(office, item)
    _until(office, date(2026, 4, 1))
    assert _lead_due(office, item) == _due(date(2026, 4, 20))
    _finish(office, item)
    assert office.show(item).status == "completed"


def test_dinh_ky__cooperating_units_get_their_task_again_each_period(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**MONTHLY, "don_vi_phoi_hop": ["phong_qlkh"]})
    # March: 25 March minus 5 working days is Wednesday 18 March.
    assert office.task("qlkh.cv1", item, "phoi_hop").due_at == _due(date(2026, 3, 18))
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Số liệu tháng 3")
    _finish(office, item)
    assert office.steps(item) == []
    _until(office, date(2026, 4, 1))
    # April's lead deadline is Tuesday 28 April (27 April is Giỗ Tổ): five working days before
    # it is Monday 20 April.
    assert sorted(office.steps(item)) == ["cap_nhat_tien_do", "phoi_hop"]
    april = office.task("qlkh.cv1", item, "phoi_hop")
    assert april.due_at == _due(date(2026, 4, 20))
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Số liệu tháng 4")
    assert office.show(item).data["han_xu_ly"] == "2026-04-28"  # the lead's data, not the side's
    _finish(office, item)
    _until(office, date(2026, 5, 1))
    assert office.task("qlkh.cv1", item, "phoi_hop").due_at == _due(date(2026, 5, 18))


@pytest.mark.parametrize(("plan_year", "due"), [(2027, date(2027, 12, 31)), (None, None)])
def test_dinh_ky__next_years_plan_given_early_is_due_in_its_own_year(
    office: Office, plan_year: int | None, due: date | None
) -> None:
    """Thường xuyên work of next year's plan, given before that year begins, is due at the end
    of the plan's year, not of the year it was given in."""
    yearly = {
        **{k: v for k, v in MONTHLY.items() if k not in ("lap_lai", "ket_thuc_chuoi")},
        "loai_han": "recurring",
        "gia_tri_han": None,
    }
    if plan_year is not None:
        yearly["nam_ke_hoach"] = plan_year
    item = office.start("giao_nhiem_vu", "vp.tp", **yearly)
    assert _lead_due(office, item) == _due(due or date(2026, 12, 31))
