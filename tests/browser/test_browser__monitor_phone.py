"""Theo dõi on a 390 px phone: the list of items comes on the first screen, the counts by step
and unit after it, and the filters folded while none is set (open when one is, and always on a
wide screen). Before, the list began some 3,900 px down, below the filters and the counts."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import start_proposal

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}
TOP = "el => el.getBoundingClientRect().top + window.scrollY"


def test_browser__theo_doi_puts_the_list_first_on_a_phone(people: Any) -> None:
    staff = people("trungtam.cv1")
    start_proposal(staff, "Chuỗi liên kết lúa gạo")
    start_proposal(staff, "Giống chè hữu cơ")
    leader = people("giamdoc")
    page = leader.page
    page.set_viewport_size(PHONE)
    page.goto(f"{leader.base}/monitor/")
    filters = page.locator("details.monitor-filter-box")
    assert filters.evaluate("el => el.open") is False
    listed = page.get_by_role("heading", name="Danh sách hồ sơ").evaluate(TOP)
    by_step = page.get_by_role("heading", name="Theo bước").evaluate(TOP)
    assert listed < PHONE["height"] < by_step
    leader.shot("theo-doi-390")

    page.locator("details.monitor-filter-box > summary").click()
    page.get_by_label("Quy trình").select_option("de_xuat_nhiem_vu")
    page.get_by_role("button", name="Lọc", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("details.monitor-filter-box").evaluate("el => el.open") is True
    assert page.get_by_text("(đang lọc)").is_visible()

    page.set_viewport_size(WIDE)
    page.goto(f"{leader.base}/monitor/")
    assert page.locator("details.monitor-filter-box").evaluate("el => el.open") is True
    leader.shot("theo-doi-1280")
