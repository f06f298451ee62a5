"""A due date outside the years 1900 to 2200 is refused by the form, in Vietnamese, next to the
field; nothing moves (the item keeps waiting at the same step)."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.web.conftest import post


def test_date_window__a_due_date_in_year_one_is_refused_in_vietnamese(
    office: Any, login: Any
) -> None:
    with transaction(office.factory) as s:
        item = engine.start_instance(
            s, office.config, "giao_nhiem_vu", "vp.tp", data={**GIAO_TASK, "don_vi_chu_tri": None}
        )
    task = office.task("giamdoc", item, "phan_cong")
    client = login("giamdoc")
    url = f"/tasks/{task.id}"
    sent = {"don_vi_chu_tri": "phong_qlkh", "han_xu_ly": "0001-01-01"}
    response = post(client, url, url, sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-han_xu_ly-error">Hãy nhập một ngày từ năm 1900 đến năm 2200.</p>' in html
    assert office.task("giamdoc", item, "phan_cong").id == task.id
    assert post(client, url, url, {**sent, "han_xu_ly": "2026-06-30"}).status_code == 302
    assert [t for t in office.inbox("giamdoc", item) if t.element_id == "phan_cong"] == []
