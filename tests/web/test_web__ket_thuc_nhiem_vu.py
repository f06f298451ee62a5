"""A cooperating unit's task closed because the assigned task was done: its page says so and
the item page no longer lists it as waiting."""

from __future__ import annotations

from typing import Any

from tests.integration.test_processes__ket_thuc_nhiem_vu import PARTNERS, _accept


def test_ket_thuc__a_closed_cooperating_task_says_the_item_has_ended(
    office: Any, login: Any
) -> None:
    item = int(office.start("giao_nhiem_vu", "vp.tp", **PARTNERS))
    late = office.task("khtc.cv1", item, "phoi_hop")
    _accept(office, item)
    client = login("khtc.cv1")
    page = client.get(f"/tasks/{late.id}").get_data(as_text=True)
    assert "Việc này đã đóng vì hồ sơ đã kết thúc; không cần xử lý nữa." in page
    item_page = client.get(f"/items/{item}").get_data(as_text=True)
    assert "Không có bước nào đang chờ." in item_page
