"""The bell in a real browser: a proposal sent to review shows as "Thông báo 1" in the reviewer's
header; clicking it, then the notification, opens the task and the count is gone; the profile
page fits a 390 px phone and saves a choice."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.office import Office
from workflows import engine_config

pytestmark = pytest.mark.browser


def _office(live: dict[str, Any]) -> Office:
    office = Office.__new__(Office)
    office.factory = live["app"].extensions["pheduyet.sessions"]
    office.clock = live["clock"]
    office.config = engine_config(live["clock"])
    return office


def test_bell__a_new_task_is_rung_opened_and_read(live: dict[str, Any], people: Any) -> None:
    office = _office(live)
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    task = office.task("qlkh.cv2", item, "xem_xet_de_xuat")
    reviewer = people("qlkh.cv2")
    page = reviewer.page
    bell = page.locator("header a.bell")
    assert bell.inner_text().split() == ["Thông", "báo", "1"]
    bell.click()
    page.wait_for_load_state("networkidle")
    reviewer.shot("thong-bao")
    page.locator("li.notice.unread button.notice-title").click()
    page.wait_for_load_state("networkidle")
    assert page.url.endswith(f"/tasks/{task.id}")
    assert page.locator("header a.bell .count").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    page.locator("header a.me").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    reviewer.shot("thong-tin-ca-nhan-390")
    page.get_by_label("Địa chỉ thư điện tử").fill("cv2@skhcn.gov.vn")
    page.locator("#event_reminder").get_by_label("Gộp vào thư tổng hợp hằng ngày").check()
    page.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state("networkidle")
    assert "Đã lưu thông tin cá nhân." in page.inner_text("main")
    assert page.locator("#event_reminder input[value=digest]").is_checked()
    assert page.get_by_label("Địa chỉ thư điện tử").input_value() == "cv2@skhcn.gov.vn"
