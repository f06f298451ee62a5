"""Cooperating units (phối hợp) of an assigned task: each of the Sở's cooperating units gets its
own task with a deadline before the lead's, in parallel with the lead's work, and its submission
lands in the lead's item. Time moves by the injected clock (Monday 2 March 2026)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import transaction
from tests.office import Office
from workflows.org_chart import CHART_2020_PATH, add_unit, read_org_chart, units_of
from workflows.plan_assign import start_assignments
from workflows.plan_import import Assignment, Deadline, DeadlineKind

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TASK = {
    "section": "II.3",
    "noi_dung": "Xây dựng cơ sở dữ liệu nhiệm vụ KH&CN",
    "don_vi_chu_tri": "phong_qlkhcn_cs",
    # Named as the plan words them, by key, an outside body and a vague wording.
    "don_vi_phoi_hop": [
        "phong_qlkh",
        "Sở Tài chính",
        "Các phòng, đơn vị trực thuộc Sở",
        "phong_khtc",
    ],
    "loai_han": "date",
    "gia_tri_han": "2026-06-30",
}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _finish_lead(office: Office, item: int) -> None:
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=100,
        hoan_thanh=True,
        noi_dung_cap_nhat="Đã xong",
    )
    office.do("cs.cv1", item, "bao_cao_ket_qua", so_bao_cao="20/BC-QLCS", ket_qua="Hoàn thành")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")


def test_phoi_hop__each_unit_gets_its_task_before_the_leads_deadline(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    assert office.steps(item) == ["cap_nhat_tien_do", "phoi_hop", "phoi_hop"]
    qlkh, khtc = (
        office.task("qlkh.cv1", item, "phoi_hop"),
        office.task("khtc.cv1", item, "phoi_hop"),
    )
    # Tuesday 30 June 2026 minus 5 working days: Tuesday 23 June.
    for task in (qlkh, khtc):
        assert task.due_at == datetime(2026, 6, 23, 23, 59, 59, tzinfo=HANOI)
    assert not [t for t in office.inbox("cs.cv1", item) if t.element_id == "phoi_hop"]
    # The lead works on without waiting.
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=30,
        hoan_thanh=False,
        noi_dung_cap_nhat="Đang khảo sát",
    )
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Danh mục nhiệm vụ 2021-2025")
    office.do("khtc.cv1", item, "phoi_hop", noi_dung_phoi_hop="Số liệu kinh phí")
    assert office.steps(item) == ["cap_nhat_tien_do"]
    with transaction(office.factory) as s:
        sections = engine.dossier(s, item).sections
    partners = {
        (x.actor, f.label, f.value)
        for x in sections
        if x.element_id == "phoi_hop"
        for f in x.fields
    }
    label = "Nội dung phối hợp (ý kiến, kết quả)"
    assert partners == {
        ("qlkh.cv1", label, "Danh mục nhiệm vụ 2021-2025"),
        ("khtc.cv1", label, "Số liệu kinh phí"),
    }
    _finish_lead(office, item)
    assert office.steps(item) == []
    assert office.show(item).data["han_xu_ly"] == "2026-06-30"


def test_phoi_hop__short_task_gives_at_least_three_working_days(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**TASK, "gia_tri_han": "2026-03-09"})
    task = office.task("qlkh.cv1", item, "phoi_hop")
    # Monday 2 March + 3 working days = Thursday 5 March (later than 9 March - 5 working days).
    assert task.due_at == datetime(2026, 3, 5, 23, 59, 59, tzinfo=HANOI)


def test_phoi_hop__the_lead_finishes_while_a_unit_is_late(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Ý kiến")
    _finish_lead(office, item)
    # The task is done: the late unit's task closes with the item.
    assert office.steps(item) == []
    assert not [t for t in office.inbox("khtc.cv1") if t.instance_id == item]
    view = office.show(item)
    assert view.status == "completed"
    data = view.data
    assert data["han_xu_ly"] == "2026-06-30"
    assert data["ket_qua_phan_loai"] == "hoan_thanh_dung_han"


def test_phoi_hop__no_cooperating_unit_no_task(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**TASK, "don_vi_phoi_hop": ["Sở Tài chính"]})
    assert office.steps(item) == ["cap_nhat_tien_do"]
    _finish_lead(office, item)
    assert office.steps(item) == []


def _unassigned(office: Office) -> int:
    """A task started without a lead unit or deadline: Phân công gives them."""
    return office.start(
        "giao_nhiem_vu",
        "vp.tp",
        **{**TASK, "don_vi_chu_tri": None, "loai_han": "none", "gia_tri_han": None},
    )


def test_phoi_hop__units_added_on_the_assignment_form_get_their_task(office: Office) -> None:
    item = _unassigned(office)
    office.do(
        "giamdoc",
        item,
        "phan_cong",
        don_vi_chu_tri="phong_qlkhcn_cs",
        han_xu_ly="2026-06-30",
        them_don_vi_phoi_hop=["thanh_tra_so"],
    )
    assert office.task("tt.cv1", item, "phoi_hop").due_at == datetime(
        2026, 6, 23, 23, 59, 59, tzinfo=HANOI
    )


def test_phoi_hop__the_lead_unit_is_not_also_a_cooperating_one(office: Office) -> None:
    """Ticked as both, the form says so and nothing is assigned (a walk once recorded the
    science office cooperating with itself, and no cooperation task was made)."""
    item = _unassigned(office)
    with pytest.raises(engine.InvalidData) as refused:
        office.do(
            "giamdoc",
            item,
            "phan_cong",
            don_vi_chu_tri="phong_qlkhcn_cs",
            han_xu_ly="2026-06-30",
            them_don_vi_phoi_hop=["thanh_tra_so", "phong_qlkhcn_cs"],
        )
    assert refused.value.field_codes["them_don_vi_phoi_hop"]["code"] == "excludes"
    assert "không đồng thời là đơn vị phối hợp" in refused.value.fields["them_don_vi_phoi_hop"]
    assert office.steps(item) == ["phan_cong"]


def test_phoi_hop__a_unit_added_in_quan_tri_and_named_by_a_plan_gets_its_task(
    office: Office,
) -> None:
    """The plan's cooperating units are read against the database's units (the chart's and
    those added in Quản trị), never the shipped chart alone."""
    with transaction(office.factory) as s:
        add_unit(s, "phong_ttkh", "Phòng Thông tin Khoa học")
        engine.add_user(s, "ttkh.cv1", display_name="Chuyên viên TTKH", unit="phong_ttkh")
        chart = replace(read_org_chart(CHART_2020_PATH), units=units_of(s))
        assignment = Assignment(
            section="II.5",
            summary="Số hóa hồ sơ nhiệm vụ KH&CN",
            lead_unit="Phòng Quản lý Khoa học",
            cooperating_units=("Phòng Thông tin Khoa học", "Thanh tra Sở", "Sở Tài chính"),
            deadline=Deadline(DeadlineKind.DATE, date(2026, 6, 30)),
            needs_decision=None,
        )
        [started] = start_assignments(s, office.config, [assignment], chart, "vp.tp")
    item = started.instance_id
    assert item is not None
    assert office.steps(item) == ["cap_nhat_tien_do", "phoi_hop", "phoi_hop"]
    assert office.task("ttkh.cv1", item, "phoi_hop").candidate_groups == ["phong_ttkh"]
    assert office.task("tt.cv1", item, "phoi_hop").candidate_groups == ["thanh_tra_so"]
