"""Chuyển xử lý within reason: a task goes to the holder's unit, its leaders and, for a leader,
the units they lead; never to another organisation's people, administrators, the inactive or
oneself. The engine offers exactly that list and refuses anything else, changing nothing."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.office import TO_TRINH, Office
from workflows.org_chart import CHART_2020_PATH, add_unit, leaders_group, read_org_chart

# People of other organisations, the advisory council and the administrator: never offered.
NEVER = {"chutich", "vpubnd", "tuphap", "hoidong", "quantri"}


@pytest.fixture
def office(factory: Any, clock: Any) -> Office:
    return Office(factory, clock)


def _at_review(office: Office) -> int:
    """A proposal waiting at Phòng Quản lý Khoa học's review."""
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item


def _at_director(office: Office) -> int:
    item = _at_review(office)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    office.do("hoidong", item, "danh_gia_hoi_dong", **HOI_DONG)
    return item


def _to_ubnd(office: Office, item: int) -> None:
    """From the Director's approval to the tờ trình's arrival at Văn phòng UBND tỉnh."""
    office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="phe_duyet")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    office.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh="2026-03-02")
    office.do("vp.vanthu", item, "gui_van_ban")


def _offered(office: Office, who: str, task_id: str) -> list[str]:
    with transaction(office.factory) as s:
        return [c.username for c in engine.forward_candidates(s, office.config, task_id, who)]


def _forward(office: Office, task_id: str, who: str, to: str) -> None:
    with transaction(office.factory) as s:
        engine.assign_task(s, office.config, task_id, who, to, comment="Nhờ xem giúp")


def test_forwarding__a_chuyen_vien_reaches_their_unit_and_its_leader(office: Office) -> None:
    item = _at_review(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    assert sorted(_offered(office, "qlkh.cv1", task.id)) == ["qlkh.cv2", "qlkh.tp"]
    with transaction(office.factory) as s:
        [head] = [
            c
            for c in engine.forward_candidates(s, office.config, task.id, "qlkh.cv1")
            if c.username == "qlkh.tp"
        ]
    assert (head.display_name, head.unit_name) == (
        "Trần Văn Hải (Trưởng phòng)",
        "Phòng Quản lý Khoa học",
    )


def test_forwarding__a_head_reaches_the_units_they_lead(office: Office) -> None:
    item = _at_review(office)
    task = office.task("qlkh.tp", item, "xem_xet_de_xuat")
    assert sorted(_offered(office, "qlkh.tp", task.id)) == ["qlkh.cv1", "qlkh.cv2"]
    # Put in charge of a second unit as well (kiêm nhiệm), he reaches its people too.
    with transaction(office.factory) as s:
        engine.add_user(s, "qlkh.tp", groups=[leaders_group("phong_qlkhcn_cs")])
    assert sorted(_offered(office, "qlkh.tp", task.id)) == [
        "cs.cv1",
        "cs.tp",
        "qlkh.cv1",
        "qlkh.cv2",
    ]


def test_forwarding__the_director_reaches_every_unit_of_the_department(office: Office) -> None:
    item = _at_director(office)
    task = office.task("giamdoc", item, "quyet_dinh_giam_doc")
    offered = _offered(office, "giamdoc", task.id)
    chart = read_org_chart(CHART_2020_PATH)
    units = {u.key for u in chart.units}
    department = {p.username for p in chart.people if p.unit in units} - {"quantri"}
    assert set(offered) == department | {"phogiamdoc"}
    assert offered[0] == "phogiamdoc"  # the deputies first, then unit by unit
    assert not NEVER & set(offered) and "giamdoc" not in offered


@pytest.mark.parametrize(
    ("who", "step"),
    [("hoidong", "danh_gia_hoi_dong"), ("vpubnd", "tiep_nhan"), ("chutich", "chi_dao")],
)
def test_forwarding__outside_actors_have_nobody_to_forward_to(
    office: Office, who: str, step: str
) -> None:
    item = _at_review(office)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    if step != "danh_gia_hoi_dong":
        office.do("hoidong", item, "danh_gia_hoi_dong", **HOI_DONG)
        _to_ubnd(office, item)
        if step == "chi_dao":
            office.do("vpubnd", item, "tiep_nhan", so_den=4410)
            office.do("vpubnd", item, "tham_tra_ho_so", decision="du_ho_so")
    task = office.task(who, item, step)
    assert _offered(office, who, task.id) == []
    before = office.show(item)
    with pytest.raises(engine.Forbidden):
        _forward(office, task.id, who, "giamdoc")
    assert office.show(item) == before


def test_forwarding__the_office_never_offers_its_administrator(office: Office) -> None:
    with transaction(office.factory) as s:  # an administrator who is also of Văn phòng Sở
        engine.add_user(
            s, "vp.quantri", display_name="Quản trị", unit="van_phong_so", groups=["admin"]
        )
    item = _at_director(office)
    office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="phe_duyet")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    task = office.task("vp.vanthu", item, "kiem_tra_the_thuc")
    # Administrators never take a case, even one of a unit they belong to.
    assert sorted(_offered(office, "vp.vanthu", task.id)) == ["vp.cv2", "vp.tp"]


def test_forwarding__people_no_longer_active_are_neither_offered_nor_accepted(
    office: Office,
) -> None:
    item = _at_review(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    with transaction(office.factory) as s:
        engine.set_active(s, "qlkh.cv2", False)
    assert _offered(office, "qlkh.cv1", task.id) == ["qlkh.tp"]
    before = office.show(item)
    with pytest.raises(engine.Forbidden) as refused:
        _forward(office, task.id, "qlkh.cv1", "qlkh.cv2")
    assert refused.value.details["reason"] == "not_a_colleague"
    assert office.show(item) == before


def test_forwarding__units_are_data_a_new_unit_joins_and_outsiders_stay_out(
    office: Office,
) -> None:
    with transaction(office.factory) as s:
        add_unit(s, "phong_moi", "Phòng Thông tin và Thống kê")
        engine.add_user(s, "moi.cv1", display_name="Người mới", unit="phong_moi")
        engine.add_group(s, "so_tai_chinh", "Sở Tài chính")  # another organisation
        engine.add_user(s, "taichinh", display_name="Cán bộ Sở Tài chính", groups=["so_tai_chinh"])
    item = _at_director(office)
    offered = _offered(office, "giamdoc", office.task("giamdoc", item, "quyet_dinh_giam_doc").id)
    assert "moi.cv1" in offered and "taichinh" not in offered


@pytest.mark.parametrize(
    "target",
    [
        "chutich",  # the Chairman: another organisation
        "tuphap",  # Sở Tư pháp
        "hoidong",  # the advisory council
        "quantri",  # the administrator
        "giamdoc",  # not the unit's leader: no skipping the trưởng phòng
        "cs.cv1",  # another unit
        "qlkh.cv1",  # oneself
        "khong_co_ai",  # nobody
        "",
    ],
)
def test_forwarding__anyone_else_is_refused_and_nothing_changes(
    office: Office, target: str
) -> None:
    item = _at_review(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    with transaction(office.factory) as s:
        engine.claim_task(s, office.config, task.id, "qlkh.cv1")
    before = office.show(item)
    with pytest.raises(engine.Forbidden) as refused:
        _forward(office, task.id, "qlkh.cv1", target)
    assert refused.value.code == "forbidden"
    assert refused.value.details == {"reason": "not_a_colleague", "to": target}
    after = office.show(item)
    assert after == before  # the same holder, the same history (audit chain included)
    assert [t.assignee for t in after.open_tasks] == ["qlkh.cv1"]
    with transaction(office.factory) as s:
        assert engine.verify_audit(s, item) == (1, [])


def test_forwarding__a_colleague_is_accepted_and_recorded(office: Office) -> None:
    item = _at_review(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    _forward(office, task.id, "qlkh.cv1", "qlkh.tp")
    assert office.task("qlkh.tp", item, "xem_xet_de_xuat").assignee == "qlkh.tp"
    last = office.show(item).history[-1]
    assert (last.kind, last.actor, last.comment) == ("assigned", "qlkh.cv1", "Nhờ xem giúp")
    # Now his: he forwards on within his unit, and the one who gave it away no longer can.
    assert sorted(_offered(office, "qlkh.tp", task.id)) == ["qlkh.cv1", "qlkh.cv2"]
    with pytest.raises(engine.Forbidden), transaction(office.factory) as s:
        engine.forward_candidates(s, office.config, task.id, "qlkh.cv1")


def test_forwarding__a_handled_task_offers_nobody(office: Office) -> None:
    item = _at_review(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    office.do("qlkh.cv1", item, "xem_xet_de_xuat", decision="dong_y")
    with pytest.raises(engine.Conflict), transaction(office.factory) as s:
        engine.forward_candidates(s, office.config, task.id, "qlkh.cv1")
