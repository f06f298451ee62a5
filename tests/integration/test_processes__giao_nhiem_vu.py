"""A task the plan assigns (QĐ 42/2014): carry out, report, accept; a reminder before the
deadline and an escalation once overdue, fired by moving the clock; yearly tasks reopen."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import transaction
from tests.office import Office

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TASK = {
    "section": "II.2",
    "noi_dung": "Tham mưu ban hành quy định về thông tin báo cáo hoạt động KH&CN",
    "don_vi_chu_tri": "phong_qlkhcn_cs",
    "don_vi_phoi_hop": ["Các phòng, đơn vị trực thuộc Sở"],
    "loai_han": "date",
    "gia_tri_han": "2026-03-20",
}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _report(office: Office, item: int, who: str = "cs.cv1") -> None:
    office.do(
        who,
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=100,
        noi_dung_cap_nhat="Đã trình dự thảo quy định",
        hoan_thanh=True,
    )
    office.do(who, item, "bao_cao_ket_qua", so_bao_cao="15/BC-QLCS", ket_qua="Hoàn thành")


def test_giao__done_on_time(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    [task] = office.inbox("cs.cv1", item)
    assert task.element_id == "cap_nhat_tien_do"
    assert task.candidate_groups == ["phong_qlkhcn_cs"]
    assert task.due_at == datetime(2026, 3, 20, 23, 59, 59, tzinfo=HANOI)
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=40,
        noi_dung_cap_nhat="Đã khảo sát các sở, ngành",
        hoan_thanh=False,
    )
    assert office.steps(item) == ["cap_nhat_tien_do"]  # progress updates loop
    _report(office, item)
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    view = office.show(item)
    assert view.status == "completed"
    assert view.data["ket_qua_phan_loai"] == "hoan_thanh_dung_han"
    assert view.data["ty_le_hoan_thanh"] == 100


def test_giao__reminder_before_and_escalation_after_the_deadline(office: Office) -> None:
    # This task sets its own reminder lead time: 3 working days.
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK, so_ngay_nhac=3)
    assert office.tick(1) == 0
    office.tick(13)  # Monday 16 March: 3 working days before Friday 20 March is the 17th
    assert not [h for h in office.show(item).history if h.kind == "timer_fired"]
    office.tick(1.1)
    fired = [h.element_id for h in office.show(item).history if h.kind == "timer_fired"]
    assert fired == ["nhac_han"]
    assert office.steps(item) == ["cap_nhat_tien_do"]
    office.tick(4)  # past the end of 20 March
    fired = [h.element_id for h in office.show(item).history if h.kind == "timer_fired"]
    assert fired == ["nhac_han", "qua_han"]
    assert office.steps(item) == ["cap_nhat_tien_do", "don_doc"]
    [chase] = office.inbox("phogiamdoc", item)
    assert chase.element_id == "don_doc"
    office.do("phogiamdoc", item, "don_doc", noi_dung_don_doc="Đề nghị hoàn thành trước 25/3")
    assert office.tick(30) == 0  # each timer fires once
    _report(office, item)
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    view = office.show(item)
    assert (view.status, view.data["ket_qua_phan_loai"]) == ("completed", "hoan_thanh_qua_han")


def test_giao__the_officer_the_head_handed_it_to_keeps_it(office: Office) -> None:
    """The head hands the unit's task down; each later update, the report and a return for
    more reach that officer, not the whole unit again (anyone may still forward it on)."""
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    [task] = office.inbox("cs.tp", item)
    assert task.assignee is None and task.candidate_groups == ["phong_qlkhcn_cs"]
    with transaction(office.factory) as s:
        engine.assign_task(s, office.config, task.id, "cs.tp", "cs.cv1")
    progress = {"noi_dung_cap_nhat": "Đã khảo sát", "hoan_thanh": False}
    office.do("cs.cv1", item, "cap_nhat_tien_do", ty_le_hoan_thanh=40, **progress)
    [task] = office.inbox("cs.cv1", item)
    assert (task.element_id, task.assignee) == ("cap_nhat_tien_do", "cs.cv1")
    _report(office, item)
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="yeu_cau_bo_sung", y_kien="Bổ sung")
    [task] = office.inbox("cs.cv1", item)
    assert (task.element_id, task.assignee) == ("cap_nhat_tien_do", "cs.cv1")


def test_giao__the_leader_asks_for_more_with_a_reason(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _report(office, item)
    office.do(
        "giamdoc",
        item,
        "danh_gia_ket_qua",
        decision="yeu_cau_bo_sung",
        y_kien="Bổ sung số liệu các huyện",
    )
    assert office.steps(item) == ["cap_nhat_tien_do"]
    assert office.show(item).data["y_kien"] == "Bổ sung số liệu các huyện"


@pytest.mark.parametrize(
    "missing", [{"don_vi_chu_tri": None}, {"loai_han": "none", "gia_tri_han": None}]
)
def test_giao__a_person_decides_what_the_plan_left_open(
    office: Office, missing: dict[str, Any]
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**TASK, **missing})
    assert office.steps(item) == ["phan_cong"]
    office.do("giamdoc", item, "phan_cong", don_vi_chu_tri="phong_qlkh", han_xu_ly="2026-06-30")
    [task] = office.inbox("qlkh.cv1", item)
    assert task.due_at == datetime(2026, 6, 30, 23, 59, 59, tzinfo=HANOI)


def test_giao__a_yearly_task_reopens_next_year(office: Office) -> None:
    item = office.start(
        "giao_nhiem_vu",
        "vp.tp",
        **{**TASK, "don_vi_chu_tri": "van_phong_so", "loai_han": "recurring", "gia_tri_han": None},
    )
    [task] = office.inbox("vp.cv2", item)
    assert task.due_at == datetime(2026, 12, 31, 23, 59, 59, tzinfo=HANOI)
    _report(office, item, "vp.cv2")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    assert office.steps(item) == [] and office.show(item).status == "running"
    office.tick(310)  # into January 2027
    [again] = office.inbox("vp.cv2", item)
    assert again.due_at == datetime(2027, 12, 31, 23, 59, 59, tzinfo=HANOI)


def test_giao__cancel(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    office.cancel(item, "vp.tp", "Nhiệm vụ được điều chỉnh")
    assert office.show(item).status == "cancelled"
