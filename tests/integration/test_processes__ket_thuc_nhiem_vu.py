"""Side steps of an assigned task (the chaser `don_doc`, a cooperating unit's `phoi_hop`) never
hold the task open nor speak for it: when the leadership accepts the lead's result, the item's
data (what Theo dõi, the four-state report, search and the dossier read) is the lead's verdict;
the item's end closes a late cooperating task and an open chaser; a periodic occurrence's
chaser closes when that occurrence is accepted; cooperating units are reminded before their
own deadline. The office's clock starts on Monday 2 March 2026."""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import ManualClock, report_period, transaction
from engine.instances import InstanceModel
from tests.office import Office
from workflows.task_report import ASSIGNED_TASKS

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
CS = "phong_qlkhcn_cs"
TASK = {
    "section": "II.5",
    "noi_dung": "Tổng hợp số liệu thống kê KH&CN",
    "don_vi_chu_tri": CS,
    "don_vi_phoi_hop": ["Sở Tài chính"],  # an outside body: no task of its own
    "loai_han": "date",
    "gia_tri_han": "2026-03-13",  # a Friday
}
PARTNERS = {**TASK, "don_vi_phoi_hop": ["phong_qlkh", "phong_khtc"], "gia_tri_han": "2026-06-30"}
MONTHLY = {
    **TASK,
    "gia_tri_han": "2026-03-25",
    "lap_lai": {"every": "month", "day": 25},
    "ket_thuc_chuoi": "2026-04-30",
}


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Office:
    return Office(factory, clock)


def _until(office: Office, day: date, hour: int = 9) -> None:
    target = datetime.combine(day, time(hour), tzinfo=HANOI)
    office.tick((target - office.clock()).total_seconds() / 86400)


def _progress(office: Office, item: int, percent: int) -> None:
    office.do(
        "cs.cv1",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=percent,
        noi_dung_cap_nhat=f"Đã làm {percent}%",
        hoan_thanh=percent == 100,
    )


def _accept(office: Office, item: int) -> None:
    """The lead reports and the leader accepts; no side step is touched on the way."""
    _progress(office, item, 100)
    office.do("cs.cv1", item, "bao_cao_ket_qua", so_bao_cao="07/BC-QLCS", ket_qua="Xong")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")


def _counts(office: Office, code: str, today: date) -> tuple[int, int, int, int]:
    with transaction(office.factory) as s:
        report = engine.task_report(s, ASSIGNED_TASKS, report_period(code, 2026), today)
    row = next(r for r in report.rows if r.unit == CS)
    return (row.done_on_time, row.done_late, row.open_within, row.open_overdue)


def _status(office: Office, task_id: str) -> str:
    with transaction(office.factory) as s:
        return engine.get_task(s, task_id).status


def test_ket_thuc__a_chaser_open_when_the_leader_accepts_is_closed(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    _until(office, date(2026, 3, 16))  # the deadline (Friday 13 March) has passed
    chaser = office.task("phogiamdoc", item, "don_doc")
    _accept(office, item)
    view = office.show(item)
    assert (view.status, view.open_tasks) == ("completed", [])
    assert _status(office, chaser.id) == "cancelled"
    assert not [t for t in office.inbox("phogiamdoc") if t.instance_id == item]
    assert view.data["on_time"] is False
    assert view.data["ket_qua_phan_loai"] == "hoan_thanh_qua_han"
    assert [k["han_xu_ly"] for k in view.data["cac_ky"]] == ["2026-03-13"]
    assert _counts(office, "q1", date(2026, 3, 16)) == (0, 1, 0, 0)


def test_ket_thuc__a_late_cooperating_unit_is_closed_when_the_task_is_done(
    office: Office,
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **PARTNERS)
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Ý kiến")
    late = office.task("khtc.cv1", item, "phoi_hop")
    _accept(office, item)
    view = office.show(item)
    assert (view.status, view.open_tasks) == ("completed", [])
    assert _status(office, late.id) == "cancelled"
    assert (view.data["on_time"], view.data["han_xu_ly"]) == (True, "2026-06-30")
    assert _counts(office, "q2", date(2026, 4, 1)) == (1, 0, 0, 0)
    with pytest.raises(engine.Conflict), transaction(office.factory) as s:
        engine.complete_task(
            s, office.config, late.id, "khtc.cv1", data={"noi_dung_phoi_hop": "Muộn"}
        )
    # What qlkh sent stays in the dossier.
    with transaction(office.factory) as s:
        sections = engine.dossier(s, item).sections
    assert [x.actor for x in sections if x.element_id == "phoi_hop"] == ["qlkh.cv1"]


def test_ket_thuc__a_periodic_occurrence_accepted_with_its_chaser_open(office: Office) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **MONTHLY)
    _until(office, date(2026, 3, 27))  # March's deadline (25th) has passed
    chaser = office.task("phogiamdoc", item, "don_doc")
    _accept(office, item)
    # The occurrence is accepted: its chaser closes, the item waits for April.
    assert office.steps(item) == []
    assert _status(office, chaser.id) == "cancelled"
    view = office.show(item)
    assert view.status == "running"
    assert view.data["on_time"] is False
    assert [(k["han_xu_ly"], k["on_time"]) for k in view.data["cac_ky"]] == [("2026-03-25", False)]
    assert _counts(office, "m3", date(2026, 3, 27)) == (0, 1, 0, 0)
    _until(office, date(2026, 4, 1))
    assert office.steps(item) == ["cap_nhat_tien_do"]


def test_ket_thuc__a_periodic_task_waits_for_its_next_period_with_a_late_partner(
    office: Office,
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **{**MONTHLY, "don_vi_phoi_hop": ["phong_qlkh"]})
    _accept(office, item)
    # March is accepted; the cooperating unit has not answered: its task alone is open.
    assert office.steps(item) == ["phoi_hop"]
    data = office.show(item).data
    assert data["on_time"] is True
    assert [k["han_xu_ly"] for k in data["cac_ky"]] == ["2026-03-25"]
    assert _counts(office, "m3", date(2026, 3, 10)) == (1, 0, 0, 0)
    # No chaser caught the signal the acceptance threw: it is not kept in the stored state.
    with transaction(office.factory) as s:
        assert json.loads(s.get(InstanceModel, item).state)["bpmn_events"] == []
    late = office.task("qlkh.cv1", item, "phoi_hop")
    _until(office, date(2026, 4, 1))
    # April gives the unit its task of the period; March's, unanswered, stays open beside it.
    assert sorted(office.steps(item)) == ["cap_nhat_tien_do", "phoi_hop", "phoi_hop"]
    april = next(
        t for t in office.inbox("qlkh.cv1", item) if t.element_id == "phoi_hop" and t.id != late.id
    )
    _progress(office, item, 60)
    assert office.show(item).data["ty_le_hoan_thanh"] == 60
    _until(office, date(2026, 4, 29))  # April's deadline (28th) has passed: chased
    chaser = office.task("phogiamdoc", item, "don_doc")
    _accept(office, item)  # April, the series' last period
    view = office.show(item)
    assert (view.status, view.open_tasks) == ("completed", [])
    assert [_status(office, t) for t in (late.id, april.id, chaser.id)] == ["cancelled"] * 3
    assert [k["han_xu_ly"] for k in view.data["cac_ky"]] == ["2026-03-25", "2026-04-28"]
    assert _counts(office, "m4", date(2026, 4, 30)) == (0, 1, 0, 0)


def test_ket_thuc__a_chaser_opened_after_a_progress_update_does_not_hide_it(
    office: Office,
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **MONTHLY)
    _accept(office, item)
    _until(office, date(2026, 4, 1))  # April's occurrence starts from 0%
    _progress(office, item, 50)
    _until(office, date(2026, 4, 29))  # April's deadline (28th) has passed: chased
    assert office.steps(item) == ["cap_nhat_tien_do", "don_doc"]
    data = office.show(item).data
    assert (data["ty_le_hoan_thanh"], data["noi_dung_cap_nhat"]) == (50, "Đã làm 50%")
    assert _counts(office, "m4", date(2026, 4, 29)) == (0, 0, 0, 1)


def test_ket_thuc__cooperating_units_are_reminded_before_their_deadline(
    office: Office,
) -> None:
    item = office.start("giao_nhiem_vu", "vp.tp", **PARTNERS)
    # Their deadline is Tuesday 23 June; a task this long is reminded 3 working days before:
    # the morning of Thursday 18 June.
    _until(office, date(2026, 6, 17), hour=12)
    fired = [h.element_id for h in office.show(item).history if h.kind == "timer_fired"]
    assert "nhac_han_phoi_hop" not in fired
    _until(office, date(2026, 6, 18), hour=12)
    fired = [h for h in office.show(item).history if h.kind == "timer_fired"]
    assert [h.element_id for h in fired] == ["nhac_han_phoi_hop"]
    assert office.steps(item) == ["cap_nhat_tien_do", "phoi_hop", "phoi_hop"]
    _until(office, date(2026, 6, 26))
    fired = [h.element_id for h in office.show(item).history if h.kind == "timer_fired"]
    assert fired.count("nhac_han_phoi_hop") == 1  # once, for all units


def test_ket_thuc__accepting_a_period_closes_its_chaser_not_its_partners_task(
    office: Office,
) -> None:
    series = {**MONTHLY, "don_vi_phoi_hop": ["phong_qlkh"], "ket_thuc_chuoi": "2026-05-31"}
    item = office.start("giao_nhiem_vu", "vp.tp", **series)
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Ý kiến tháng 3")
    _accept(office, item)
    _until(office, date(2026, 4, 1))
    _until(office, date(2026, 4, 29))  # April's deadline (28th) has passed: chased
    april = office.task("qlkh.cv1", item, "phoi_hop")
    assert april.due_at == datetime(2026, 4, 20, 23, 59, 59, tzinfo=HANOI)
    chaser = office.task("phogiamdoc", item, "don_doc")
    _accept(office, item)
    # The stop-chasing signal of the accepted period reaches the chaser only: the unit's
    # task of April stays open; it can still send.
    assert [_status(office, t) for t in (chaser.id, april.id)] == ["cancelled", "open"]
    assert office.steps(item) == ["phoi_hop"]
    office.do("qlkh.cv1", item, "phoi_hop", noi_dung_phoi_hop="Ý kiến tháng 4")
    assert office.show(item).data["cac_ky"][-1]["han_xu_ly"] == "2026-04-28"
    _until(office, date(2026, 5, 4))
    assert sorted(office.steps(item)) == ["cap_nhat_tien_do", "phoi_hop"]
    _accept(office, item)  # May, the last period: the item ends with the unit's May task
    view = office.show(item)
    assert (view.status, view.open_tasks) == ("completed", [])
