"""A form sent back with errors opens where its list of corrections is, not at the page's top:
on a phone the list sits far below the item's dossier, and a person who saw only the top of the
page would not know the step was not sent. The list is focused, so a screen reader reads it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import start_proposal


def test_browser__a_refused_step_shows_its_corrections(people: Any) -> None:
    staff = people("trungtam.cv1")
    page = staff.page
    page.set_viewport_size({"width": 390, "height": 800})
    start_proposal(staff)

    page.get_by_label("Tên nhiệm vụ").fill("Chuỗi liên kết sản xuất lúa gạo BG1")
    page.get_by_role("button", name="Trình", exact=True).click()
    page.wait_for_load_state("networkidle")
    summary = page.locator(".error-summary")
    expect(summary).to_contain_text("Chưa gửi được. Hãy sửa các chỗ sau:")
    expect(summary).to_be_in_viewport()
    expect(summary).to_be_focused()
    assert page.evaluate("window.scrollY") > 0  # the page moved to it
    staff.shot("sua-cac-cho-sau")
