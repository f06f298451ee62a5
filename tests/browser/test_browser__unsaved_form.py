"""Leaving a half-filled form in Chromium: once something is typed into a task's form, the
language switch (or any way off the page but sending the form) asks the browser's own "leave
this page?"; staying keeps what was typed. Sending the form asks nothing, nor does the start
form, and a form sent back with errors asks again: what was typed is on it."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import start_proposal


def test_browser__a_half_filled_form_is_not_left_silently(people: Any) -> None:
    staff = people("trungtam.cv1")
    page = staff.page
    asked: list[str] = []

    def stay(dialog: Any) -> None:
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    start_proposal(staff)
    assert asked == []
    task_url = page.url

    name = page.get_by_label("Tên nhiệm vụ")
    name.fill("Chuỗi liên kết sản xuất lúa gạo BG1")
    page.get_by_role("button", name="English").click()
    assert asked == ["beforeunload"]
    assert page.url == task_url
    expect(name).to_have_value("Chuỗi liên kết sản xuất lúa gạo BG1")
    staff.shot("o-lai-trang")

    # Sent with a required field missing: the page comes back with what was typed, unsaved.
    page.get_by_role("button", name="Trình", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert")).to_be_visible()
    assert asked == ["beforeunload"]
    page.get_by_role("button", name="English").click()
    assert asked == ["beforeunload", "beforeunload"]
    expect(page.get_by_label("Tên nhiệm vụ")).to_have_value("Chuỗi liên kết sản xuất lúa gạo BG1")

    page.get_by_label("Nông nghiệp").check()
    page.get_by_label("Tính cấp thiết").fill("Nâng cao giá trị lúa gạo của tỉnh")
    page.get_by_label("Mục tiêu").fill("Xây dựng mô hình chuỗi liên kết 50 ha")
    page.get_by_label("Kết quả dự kiến").fill("Mô hình, quy trình kỹ thuật")
    page.get_by_label("Thời gian thực hiện (tháng)").fill("24")
    page.get_by_role("button", name="Trình", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".flash")).to_be_visible()
    assert len(asked) == 2
    staff.shot("da-trinh")
