"""Extensions, timeliness and reminders of an assigned task (the province's tracking rules):
the lead unit asks for more time before the deadline and the leader decides; on time is
judged at the report's date; the reminder's lead time follows the task. Time moves by the
injected clock (the office's clock starts on Monday 2 March 2026)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import transaction
from engine.monitor_sql import DONE_LATE, DONE_ON_TIME, MonitorFilter
from engine.monitoring import monitor_rows
from tests.office import Office

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TASK = {
    "section": "II.2",
    "noi_dung": "Tham mưu ban hành quy định về thông tin báo cáo hoạt động KH&CN",
    "don_vi_chu_tri": "phong_qlkhcn_cs",
    "don_vi_phoi_hop": [],
    "loai_han": "date",
    "gia_tri_han": "2026-03-20",
}
PROGRESS = {"ty_le_hoan_thanh": 50, "noi_dung_cap_nhat": "Đã lấy ý kiến các sở"}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _ask(office: Office, item: int, until: str = "2026-04-30") -> None:
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        **PROGRESS,
        hoan_thanh=False,
        hanh_dong="gia_han",
        han_de_nghi=until,
        ly_do_gia_han="Chờ ý kiến thẩm định của Sở Tư pháp",
    )


def _report(office: Office, item: int) -> None:
    office.do("cs.cv1", item, "cap_nhat_tien_do", **PROGRESS, hoan_thanh=True)
    office.do("cs.cv1", item, "bao_cao_ket_qua", so_bao_cao="15/BC-QLCS", ket_qua="Hoàn thành")


def _finished_status(office: Office, item: int) -> str:
    with transaction(office.factory) as s:
        rows, _ = monitor_rows(s, office.clock(), MonitorFilter(status=DONE_ON_TIME), limit=100)
        late, _ = monitor_rows(s, office.clock(), MonitorFilter(status=DONE_LATE), limit=100)
    [status] = [r.status for r in [*rows, *late] if r.instance_id == item]
    return status


def test_gia_han__approved_gives_the_new_deadline_and_keeps_history(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _ask(office, item)
    assert office.steps(item) == ["xet_gia_han"]
    office.do("giamdoc", item, "xet_gia_han", decision="dong_y", han_gia_han="2026-04-30")
    [task] = office.inbox("cs.cv1", item)
    assert task.element_id == "cap_nhat_tien_do"
    assert task.due_at == datetime(2026, 4, 30, 23, 59, 59, tzinfo=HANOI)
    data = office.show(item).data
    assert data["han_xu_ly"] == "2026-04-30"
    [entry] = data["lich_su_gia_han"]
    assert (entry["han_cu"], entry["han_moi"], entry["ket_qua"]) == (
        "2026-03-20",
        "2026-04-30",
        "Đồng ý gia hạn",
    )
    assert entry["ly_do"] == "Chờ ý kiến thẩm định của Sở Tư pháp"
    # The old deadline passes: no escalation; the overdue timer follows the new deadline.
    office.tick(25)  # 27 March
    assert office.steps(item) == ["cap_nhat_tien_do"]
    office.tick(40)  # 6 May
    assert office.steps(item) == ["cap_nhat_tien_do", "don_doc"]


def test_gia_han__an_extension_does_not_stop_another_items_chasing(office: Office) -> None:
    """Approving B's extension stops B's chasing (a signal inside B); A, overdue, is still
    chased: a SpiffArena model's signals stay in their item (a Camunda model's reach others)."""
    late = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    other = office.start("giao_nhiem_vu", "vp.tp", **{**TASK, "gia_tri_han": "2026-05-29"})
    office.tick(19)  # 21 March: the first item's deadline has passed
    assert office.steps(late) == ["cap_nhat_tien_do", "don_doc"]
    _ask(office, other, until="2026-06-30")
    office.do("giamdoc", other, "xet_gia_han", decision="dong_y", han_gia_han="2026-06-30")
    assert office.steps(late) == ["cap_nhat_tien_do", "don_doc"]


def test_gia_han__after_an_extension_the_next_update_passes(office: Office) -> None:
    """The request's date, sent back unchanged with an ordinary update once it became the
    deadline, is no new request: not refused as "not after the deadline"."""
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _ask(office, item)
    office.do("giamdoc", item, "xet_gia_han", decision="dong_y", han_gia_han="2026-04-30")
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        **PROGRESS,
        hoan_thanh=False,
        hanh_dong="cap_nhat",
        han_de_nghi="2026-04-30",
    )
    assert office.show(item).data["han_xu_ly"] == "2026-04-30"


def test_gia_han__refused_keeps_the_deadline(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _ask(office, item)
    office.do(
        "giamdoc",
        item,
        "xet_gia_han",
        decision="khong_dong_y",
        y_kien_gia_han="Đề nghị hoàn thành đúng hạn",
    )
    [task] = office.inbox("cs.cv1", item)
    assert task.due_at == datetime(2026, 3, 20, 23, 59, 59, tzinfo=HANOI)
    data = office.show(item).data
    assert data["han_xu_ly"] == "2026-03-20"
    assert (
        data["thong_bao_gia_han"] == "Lãnh đạo Sở không đồng ý gia hạn: Đề nghị hoàn thành đúng hạn"
    )
    [entry] = data["lich_su_gia_han"]
    assert (entry["han_moi"], entry["ket_qua"]) == ("2026-03-20", "Không đồng ý gia hạn")


def test_gia_han__refusing_needs_a_reason_and_approving_a_date(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    with pytest.raises(engine.InvalidData):  # the unit's request needs its reason and date
        office.do(
            "cs.cv1", item, "cap_nhat_tien_do", **PROGRESS, hoan_thanh=False, hanh_dong="gia_han"
        )
    _ask(office, item)
    with pytest.raises(engine.InvalidData):
        office.do("giamdoc", item, "xet_gia_han", decision="khong_dong_y")
    with pytest.raises(engine.InvalidData):
        office.do("giamdoc", item, "xet_gia_han", decision="dong_y")


@pytest.mark.parametrize("step", ["cap_nhat_tien_do", "xet_gia_han"])
def test_gia_han__a_date_on_or_before_the_deadline_is_refused(office: Office, step: str) -> None:
    """Neither the unit's request nor the leader's approval can shorten the deadline (20/03):
    the form says why, and nothing is recorded (an approval of 10/03 once set it earlier)."""
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    if step == "xet_gia_han":
        _ask(office, item)
    with pytest.raises(engine.InvalidData) as refused:
        if step == "xet_gia_han":
            office.do("giamdoc", item, step, decision="dong_y", han_gia_han="2026-03-10")
        else:
            _ask(office, item, until="2026-03-20")
    field = "han_gia_han" if step == "xet_gia_han" else "han_de_nghi"
    assert refused.value.field_codes[field] == {"code": "not_after", "date": "2026-03-20"}
    assert "sau hạn xử lý hiện tại" in refused.value.fields[field]
    assert office.show(item).data["han_xu_ly"] == "2026-03-20"
    assert office.show(item).data["lich_su_gia_han"] == []


def test_gia_han__a_request_after_the_deadline_is_not_sent(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    office.tick(19)  # 21 March: the deadline has passed
    _ask(office, item)
    assert office.steps(item) == ["cap_nhat_tien_do", "don_doc"]
    data = office.show(item).data
    assert data["thong_bao_gia_han"] == (
        "Không gửi được đề nghị gia hạn: nhiệm vụ đã quá hạn 20/03/2026; đề nghị gia hạn phải "
        "gửi trước thời hạn."
    )
    assert data["han_xu_ly"] == "2026-03-20" and data["lich_su_gia_han"] == []


def test_gia_han__a_closed_task_cannot_ask_for_more_time(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _report(office, item)
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    assert office.show(item).status == "completed"
    with pytest.raises(AssertionError, match="has no 'cap_nhat_tien_do'"):
        _ask(office, item)


def test_gia_han__on_time_is_judged_at_the_report_date(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    office.tick(17)  # Thursday 19 March: reported before the deadline
    _report(office, item)
    office.tick(10)  # accepted on 29 March, after the deadline
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    view = office.show(item)
    assert view.data["ngay_bao_cao"].startswith("2026-03-19")
    assert view.data["ket_qua_phan_loai"] == "hoan_thanh_dung_han"
    assert _finished_status(office, item) == DONE_ON_TIME


def test_gia_han__a_report_after_the_deadline_is_late(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    office.tick(22)  # 24 March
    _report(office, item)
    office.do("phogiamdoc", item, "don_doc", noi_dung_don_doc="Đề nghị báo cáo ngay")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    assert office.show(item).data["ket_qua_phan_loai"] == "hoan_thanh_qua_han"
    assert _finished_status(office, item) == DONE_LATE


def test_gia_han__a_report_within_the_extended_deadline_is_on_time(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _ask(office, item)
    office.do("giamdoc", item, "xet_gia_han", decision="dong_y", han_gia_han="2026-04-30")
    office.tick(30)  # 1 April: past the first deadline, within the new one
    _report(office, item)
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    assert office.show(item).data["ket_qua_phan_loai"] == "hoan_thanh_dung_han"


def _reminded(office: Office, item: int) -> bool:
    return any(h.element_id == "nhac_han" for h in office.show(item).history)


@pytest.mark.parametrize(
    ("extra", "quiet_days", "reminded_by"),
    [
        # 18 days to a Friday deadline: short, 1 working day ahead (Thursday 19 March).
        ({}, 16.5, 17.2),
        # Over a month (to Friday 29 May): 3 working days ahead (Tuesday 26 May).
        ({"gia_tri_han": "2026-05-29"}, 84.5, 85.2),
        # The task's own lead time: 5 working days before 20 March is Friday 13 March.
        ({"so_ngay_nhac": 5}, 10.5, 11.2),
    ],
)
def test_gia_han__reminder_lead_time(
    office: Office, extra: dict[str, Any], quiet_days: float, reminded_by: float
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**TASK, **extra})
    office.tick(quiet_days)
    assert not _reminded(office, item)
    office.tick(reminded_by - quiet_days)
    assert _reminded(office, item)
