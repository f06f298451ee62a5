"""In Chromium, Phân công shows a periodic task's own fields (the day of each period, the end of
the series) only once the director chooses a period, and leaves them out of the sending again
when they choose "Không định kỳ"."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import start_from_new

TASK = "Báo cáo tình hình ứng dụng khoa học hằng tháng"


def test_browser__the_periodic_fields_follow_the_choice(people: Any) -> None:
    office = people("vp.tp")
    start_from_new(office, "giao_nhiem_vu", {"Nội dung nhiệm vụ": TASK})

    director = people("giamdoc")
    page = director.page
    page.goto(f"{director.base}/")
    page.get_by_role("link", name=TASK).first.click()
    page.wait_for_load_state("networkidle")
    day = page.get_by_label("Hạn mỗi kỳ", exact=False)
    until = page.get_by_label("Theo dõi định kỳ đến ngày", exact=False)
    expect(day).to_be_hidden()
    expect(until).to_be_hidden()
    page.get_by_label("Hằng tháng").check()
    expect(day).to_be_visible()
    expect(day).to_be_enabled()
    director.shot("hang-thang")
    page.get_by_label("Không định kỳ").check()
    expect(day).to_be_hidden()
    expect(day).to_be_disabled()
