"""A deadline before today is refused where a leader or a drafter sets one ("x-not-before":
"today", by the office's calendar): the director's Phân công, the yearly call's Hạn nộp đề xuất.
Nothing changes on a refusal. A plan's deadline that has passed is not offered as the new one."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import engine
from engine import ManualClock, transaction
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.integration.test_processes__xac_dinh_nhiem_vu import THONG_BAO
from tests.web.conftest import post

UNASSIGNED = {**GIAO_TASK, "don_vi_chu_tri": None}  # the leadership names the unit and the day


def _start(office: Any, process_id: str, who: str, **data: Any) -> int:
    with transaction(office.factory) as s:
        return int(engine.start_instance(s, office.config, process_id, who, data=data))


def _error(html: str, field: str) -> str | None:
    found = re.search(rf'id="f-{field}-error">([^<]*)</p>', html)
    return found.group(1) if found else None


def test_past_deadlines__the_directors_assignment_refuses_yesterday_and_changes_nothing(
    office: Any, login: Any
) -> None:
    item = _start(office, "giao_nhiem_vu", "vp.tp", **UNASSIGNED)
    task = office.task("giamdoc", item, "phan_cong")
    before = office.show(item)
    client = login("giamdoc")
    url = f"/tasks/{task.id}"
    sent = {"don_vi_chu_tri": "phong_qlkh", "han_xu_ly": "01/03/2026"}  # today is 02/03/2026
    response = post(client, url, url, sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert _error(html, "han_xu_ly") == "Hạn hoàn thành không được trước ngày hôm nay"
    after = office.show(item)
    assert office.task("giamdoc", item, "phan_cong").id == task.id
    assert (after.data, after.version) == (before.data, before.version)
    assert post(client, url, url, {**sent, "han_xu_ly": "02/03/2026"}).status_code == 302
    assert office.show(item).data["han_xu_ly"] == "2026-03-02"


def test_past_deadlines__today_is_the_offices_day_not_utcs(
    office: Any, login: Any, web_clock: ManualClock
) -> None:
    item = _start(office, "giao_nhiem_vu", "vp.tp", **UNASSIGNED)
    web_clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # 01:00 on 03/03 in Hà Nội
    url = f"/tasks/{office.task('giamdoc', item, 'phan_cong').id}"
    client = login("giamdoc")
    sent = {"don_vi_chu_tri": "phong_qlkh", "han_xu_ly": "02/03/2026"}
    response = post(client, url, url, sent)
    assert response.status_code == 422
    assert _error(response.get_data(as_text=True), "han_xu_ly")


def test_past_deadlines__a_plans_passed_deadline_is_not_offered_again(
    office: Any, login: Any
) -> None:
    item = _start(office, "giao_nhiem_vu", "vp.tp", **{**UNASSIGNED, "gia_tri_han": "2025-09-01"})
    page = login("giamdoc").get(f"/tasks/{office.task('giamdoc', item, 'phan_cong').id}")
    field = re.search(r'<input[^>]*name="han_xu_ly"[^>]*>', page.get_data(as_text=True))
    assert field is not None and 'value="01/09/2025"' not in field.group(0)
    assert not office.show(item).data.get("han_xu_ly")
    # A deadline still ahead is offered as it was.
    later = _start(office, "giao_nhiem_vu", "vp.tp", **UNASSIGNED)
    assert office.show(later).data["han_xu_ly"] == GIAO_TASK["gia_tri_han"]


def test_past_deadlines__a_task_whose_plan_deadline_has_passed_goes_to_the_leadership_first(
    office: Any, login: Any
) -> None:
    """A plan imported late in its year names the unit and a day already past: the unit would
    receive its task overdue on day one, and the leaders told of it at once. The leadership
    sets a new day first, and its page says why."""
    item = _start(office, "giao_nhiem_vu", "vp.tp", **{**GIAO_TASK, "gia_tri_han": "2026-02-27"})
    assert office.steps(item) == ["phan_cong"]
    assert office.inbox("cs.cv1", item) == []
    page = login("giamdoc").get(f"/tasks/{office.task('giamdoc', item, 'phan_cong').id}")
    html = page.get_data(as_text=True)
    assert "Thời hạn trong kế hoạch đã qua khi giao nhiệm vụ" in html
    # The unit the plan named is chosen already: only the day is asked again.
    assert re.search(r'name="don_vi_chu_tri" value="phong_qlkhcn_cs" checked', html)
    office.do(
        "giamdoc", item, "phan_cong", don_vi_chu_tri="phong_qlkhcn_cs", han_xu_ly="2026-04-30"
    )
    [task] = office.inbox("cs.cv1", item)
    assert task.element_id == "cap_nhat_tien_do" and task.due_at is not None
    assert task.due_at.date().isoformat() == "2026-04-30"


def test_past_deadlines__a_call_for_proposals_cannot_close_before_today(
    office: Any, login: Any
) -> None:
    item = office.start_by_hand("xac_dinh_nhiem_vu_nam", "qlkh.cv1")
    task = office.task("qlkh.cv1", item, "soan_thong_bao")
    client = login("qlkh.cv1")
    url = f"/tasks/{task.id}"
    sent = {**THONG_BAO, "nam_ke_hoach": "2027", "han_nop_de_xuat": "15/05/2020"}
    response = post(client, url, url, sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert _error(html, "han_nop_de_xuat") == "Hạn nộp đề xuất không được trước ngày hôm nay"
    assert office.task("qlkh.cv1", item, "soan_thong_bao").id == task.id
    assert post(client, url, url, {**sent, "han_nop_de_xuat": "13/03/2026"}).status_code == 302
