"""A Camunda model deployed besides the department's processes, started through "Tạo mới" in
Chromium by a person its candidateStarterGroups names: the start form opens under "Lập hồ sơ",
a missing required field is said first, then the item lands on its first task."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

import engine
from engine import transaction
from tests.conftest import fixture_files

TITLE = "Đề nghị cấp thiết bị văn phòng"


def test_browser__a_deployed_model_started_from_tao_moi(people: Any, live: Any) -> None:
    with transaction(live["app"].extensions["pheduyet.sessions"]) as s:
        engine.deploy(s, fixture_files("migrated_starts"), live["clock"], "quantri")
    staff = people("qlkh.cv1")
    page = staff.page
    page.goto(f"{staff.base}/items/new")
    expect(page.get_by_role("heading", name="Quy trình đã triển khai thêm")).to_be_visible()
    card = page.locator("li.card", has=page.get_by_role("heading", name=TITLE))
    card.get_by_text("Lập hồ sơ").click()
    staff.shot("tao-moi-mo-phieu")
    card.get_by_label("Số lượng").fill("2")
    card.get_by_role("button", name="Tạo hồ sơ").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("alert")).to_contain_text("Thiết bị cần cấp: Mục này bắt buộc nhập.")
    staff.shot("thieu-muc-bat-buoc")

    card = page.locator("li.card", has=page.get_by_role("heading", name=TITLE))
    expect(card.get_by_label("Số lượng")).to_have_value("2")
    card.get_by_label("Thiết bị cần cấp").fill("Máy in laser")
    card.get_by_role("button", name="Tạo hồ sơ").click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".flash")).to_contain_text(f"Đã tạo hồ sơ số 1: {TITLE}")
    assert "/tasks/" in page.url  # the starter's first step: "Hoàn thiện đề nghị"
    expect(page.get_by_text("Hoàn thiện đề nghị").first).to_be_visible()
    staff.shot("buoc-dau")
