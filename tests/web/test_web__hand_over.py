"""Handing over a person's open steps (engine.hand_over): locking out someone who holds steps
warns the administrator, whose page of that person lists the steps and gives them all to
another active person; the taker finds them in the inbox and may act, each item's history
records who handed what to whom, and the taker is told. Nobody but an administrator may."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from tests.web.conftest import post

ADMIN = "quantri"
HOLDER, TAKER = "trungtam.cv1", "trungtam.tp"
PAGE = f"/admin/users/{HOLDER}"


def _held_item(office: Any) -> tuple[int, str]:
    item = int(office.start("de_xuat_nhiem_vu", HOLDER))
    task = office.task(HOLDER, item, "lap_phieu_de_xuat")
    assert task.assignee == HOLDER
    return item, task.id


def test_hand_over__a_locked_person_s_steps_go_to_a_colleague(
    app: Any, login: Any, office: Any
) -> None:
    item, task_id = _held_item(office)
    admin = login(ADMIN)
    locked = post(
        admin,
        PAGE,
        PAGE,
        {"display_name": "Hà Thị Linh", "unit": "trung_tam_ud", "groups": [], "active": ""},
        follow_redirects=True,
    )
    page = locked.get_data(as_text=True)
    assert "đã bị khóa nhưng còn giữ 1 việc chưa xử lý" in page
    assert "Việc đang giữ" in page and f"Hồ sơ số {item}" in page
    assert f'<option value="{TAKER}">' in page and f'<option value="{HOLDER}">' not in page
    # Only the Sở's own people of the unit: not another organisation, nor the administrator.
    for stranger in ("tuphap", "chutich", ADMIN, "qlkh.cv1"):
        assert f'<option value="{stranger}">' not in page

    done = post(admin, PAGE, f"{PAGE}/hand-over", {"to": TAKER, "note": "Nghỉ phép dài ngày"})
    assert done.status_code == 302
    flashed = admin.get(PAGE).get_data(as_text=True)
    assert "Đã bàn giao 1 việc của Hà Thị Linh cho Tạ Văn Sơn (Giám đốc Trung tâm)." in flashed
    assert "không giữ việc nào" in admin.get(PAGE).get_data(as_text=True)

    taker = office.task(TAKER, item, "lap_phieu_de_xuat")
    assert (taker.id, taker.assignee) == (task_id, TAKER)
    view = office.show(item)
    handed = [h for h in view.history if h.kind == "assigned"][-1]
    assert (handed.actor, handed.comment) == (ADMIN, "Nghỉ phép dài ngày")
    shown = admin.get(f"/items/{item}").get_data(as_text=True)
    assert "Chuyển xử lý" in shown and "Nghỉ phép dài ngày" in shown
    assert "cho Tạ Văn Sơn (Giám đốc Trung tâm)" in shown  # to whom, not only that it moved
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        told = engine.notifications_for(s, TAKER)
    assert any(n.instance_id == item for n in told.rows)


def test_hand_over__only_to_an_active_other_person_and_only_by_an_administrator(
    login: Any, office: Any
) -> None:
    item, _task_id = _held_item(office)
    admin = login(ADMIN)
    for to in ("", HOLDER, "khong.co.ai"):
        post(admin, PAGE, f"{PAGE}/hand-over", {"to": to})
    assert office.task(HOLDER, item, "lap_phieu_de_xuat").assignee == HOLDER
    said = admin.get(PAGE).get_data(as_text=True)
    assert "Người nhận phải là một người dùng khác, đang hoạt động." in said
    post(admin, PAGE, f"{PAGE}/hand-over", {"to": "tuphap"})  # of another organisation
    assert office.task(HOLDER, item, "lap_phieu_de_xuat").assignee == HOLDER
    said = admin.get(PAGE).get_data(as_text=True)
    assert "Chỉ bàn giao được cho người cùng đơn vị, lãnh đạo đơn vị hoặc người cùng nhóm" in said
    stranger = login(TAKER)  # with a valid form token, from a page of their own
    refused = post(stranger, "/", f"{PAGE}/hand-over", {"to": TAKER})
    assert refused.status_code == 403
    assert office.task(HOLDER, item, "lap_phieu_de_xuat").assignee == HOLDER


def test_hand_over__the_director_s_steps_go_to_the_leadership_only(office: Any) -> None:
    """Someone of no unit (the Director) hands over to the members of their own groups (the
    deputy), never to every unit's staff, whom a head forwards to but who cannot decide for
    the Director."""
    with transaction(office.factory) as s:
        takers = [t.username for t in engine.hand_over_takers(s, office.config, "giamdoc")]
    assert takers == ["phogiamdoc"]


def test_hand_over__a_person_holding_steps_moves_unit_only_after_handing_them_over(
    app: Any, login: Any, office: Any
) -> None:
    """The steps are the old unit's: moving their holder would take them (and Theo dõi's
    figures) to the new unit, whose people could carry them on."""
    item, _task_id = _held_item(office)
    admin = login(ADMIN)
    moved = {"display_name": "Hà Thị Linh", "unit": "van_phong_so", "groups": [], "active": "1"}
    refused = post(admin, PAGE, PAGE, moved)
    said = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "đang giữ 1 việc của đơn vị hiện tại: hãy bàn giao cho đồng nghiệp" in said
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        person = next(u for u in engine.list_users(s) if u.username == HOLDER)
    assert person.unit == "trung_tam_ud"
    assert post(admin, PAGE, f"{PAGE}/hand-over", {"to": TAKER}).status_code == 302
    assert post(admin, PAGE, PAGE, moved).status_code == 302
    assert office.task(TAKER, item, "lap_phieu_de_xuat").assignee == TAKER


def test_hand_over__a_leader_moved_to_another_unit_is_told_they_still_lead_the_old_one(
    login: Any,
) -> None:
    admin = login(ADMIN)
    page = f"/admin/users/{TAKER}"
    with_groups = {"display_name": "Tạ Văn Sơn", "unit": "van_phong_so", "active": "1"}
    done = post(
        admin,
        page,
        page,
        {**with_groups, "groups": ["trung_tam_ud.lanh_dao"]},
        follow_redirects=True,
    )
    assert "vẫn thuộc nhóm lãnh đạo của Trung tâm" in done.get_data(as_text=True)
