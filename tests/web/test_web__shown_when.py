"""A field for some cases only ("x-shown-when") is not put before people in the others: on
Phân công, a periodic task's own fields are wrapped to show only while the choice is periodic
(app.js; without it they show); on the evaluation, "Dừng theo dõi định kỳ" is offered only for a
periodic task, as the item's data says."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.web.conftest import post

PERIODIC = "month quarter half_year year"


def _at_phan_cong(office: Any) -> int:
    with transaction(office.factory) as s:
        data = {**GIAO_TASK, "don_vi_chu_tri": None}
        return int(engine.start_instance(s, office.config, "giao_nhiem_vu", "vp.tp", data=data))


def _at_evaluation(office: Any, period: str) -> int:
    item = _at_phan_cong(office)
    assigned = {"don_vi_chu_tri": "phong_qlkh", "han_xu_ly": "2026-06-30", "dinh_ky": period}
    office.do("giamdoc", item, "phan_cong", **assigned)
    done = {"ty_le_hoan_thanh": 100, "hoan_thanh": True, "noi_dung_cap_nhat": "Đã xong"}
    office.do("qlkh.cv1", item, "cap_nhat_tien_do", **done)
    office.do("qlkh.cv1", item, "bao_cao_ket_qua", so_bao_cao="15/BC", ket_qua="Hoàn thành")
    return item


def _page(office: Any, login: Any, item: int, step: str) -> str:
    task = office.task("giamdoc", item, step)
    return str(login("giamdoc").get(f"/tasks/{task.id}").get_data(as_text=True))


def test_shown_when__the_periodic_fields_wait_for_a_periodic_choice(
    office: Any, login: Any
) -> None:
    page = _page(office, login, _at_phan_cong(office), "phan_cong")
    for name in ("ngay_trong_ky", "ket_thuc_chuoi"):
        box = page[: page.index(f'name="{name}"')].rsplit('<div class="shown-when"', 1)[1]
        assert f'data-shown-when="dinh_ky" data-shown-for="{PERIODIC}"' in box, name
    assert 'name="dinh_ky" value="khong" checked' in page


def test_shown_when__stopping_the_periods_is_offered_for_a_periodic_task_only(
    office: Any, login: Any
) -> None:
    once = _page(office, login, _at_evaluation(office, "khong"), "danh_gia_ket_qua")
    monthly = _page(office, login, _at_evaluation(office, "month"), "danh_gia_ket_qua")
    assert "Dừng theo dõi định kỳ" not in once and "Chấp nhận kết quả" in once
    assert "Dừng theo dõi định kỳ" in monthly


def test_shown_when__a_periodic_field_sent_for_a_one_off_task_is_not_kept(
    office: Any, login: Any
) -> None:
    """Without the script (or through a forged form) the field still arrives: it is dropped."""
    item = _at_phan_cong(office)
    task = office.task("giamdoc", item, "phan_cong")
    client = login("giamdoc")
    url = f"/tasks/{task.id}"
    sent = {
        "don_vi_chu_tri": "phong_qlkh",
        "han_xu_ly": "30/06/2026",
        "dinh_ky": "khong",
        "ngay_trong_ky": "25",
    }
    assert post(client, url, url, sent).status_code == 302
    assert office.show(item).data.get("ngay_trong_ky") != 25
