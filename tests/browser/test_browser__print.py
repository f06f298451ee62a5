"""Reading and printing in Chromium: an item page and a task page printed to PDF (A4) hold the
item's title, its dossier and its history, and none of the menu or the buttons; the diagram's
zoom buttons change the zoom; both pages looked at on a laptop and on a phone (screenshots under
test-output/screenshots/)."""

from __future__ import annotations

import io
import re
import unicodedata
from typing import Any

from playwright.sync_api import expect
from pypdf import PdfReader

import engine
from engine import transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.office import Office

TITLE = "Chuỗi liên kết sản xuất lúa gạo hữu cơ"
REVIEW = "Hồ sơ đầy đủ, đề nghị đưa ra hội đồng"
PHONE = {"width": 390, "height": 844}


def _office(live: dict[str, Any]) -> Office:
    from workflows import engine_config

    office = Office.__new__(Office)
    office.factory = live["app"].extensions["pheduyet.sessions"]
    office.clock = live["clock"]
    office.config = engine_config(live["clock"])
    return office


def _reviewed(live: dict[str, Any]) -> tuple[Office, int]:
    """A proposal reviewed by the science office, waiting for the advisory council."""
    office = _office(live)
    with transaction(office.factory) as s:
        item = engine.start_instance(
            s, office.config, "de_xuat_nhiem_vu", "trungtam.cv1", title=TITLE
        )
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **{**PHIEU, "ten_nhiem_vu": TITLE})
    office.do("qlkh.cv1", item, "xem_xet_de_xuat", comment=REVIEW, decision="dong_y")
    return office, item


def _printed(page: Any) -> str:
    """The text of the page printed on A4, in one line, as a reader would search it."""
    reader = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    text = " ".join(p.extract_text() or "" for p in reader.pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def _diagram_ready(page: Any) -> None:
    expect(page.locator("#diagram g.djs-element.pd-current").first).to_be_visible(timeout=10_000)
    expect(page.locator("#diagram[data-marked]")).to_have_count(1)


def test_browser__an_item_prints_as_a_clean_page(people: Any, live: Any) -> None:
    _office, item = _reviewed(live)
    starter = people("trungtam.cv1")
    page = starter.page
    page.goto(f"{starter.base}/items/{item}")
    _diagram_ready(page)
    starter.shot("ho-so-1280")
    text = _printed(page)
    assert TITLE in text
    assert "Quá trình xử lý" in text and REVIEW in text
    assert "Nội dung hồ sơ" in text and PHIEU["tinh_cap_thiet"] in text  # the dossier
    assert "người lập" in text.lower() and "lãnh đạo duyệt" in text.lower()  # signatures
    assert re.search(r"Ngày in: \d\d/\d\d/\d{4} \d\d:\d\d", text)
    for screen_only in ("Việc cần xử lý", "Đăng xuất", "Đính kèm", "Hủy hồ sơ", "Phóng to"):
        assert screen_only not in text, screen_only
    # On screen the signatures block is not there.
    expect(page.get_by_text("Lãnh đạo duyệt")).to_be_hidden()
    page.set_viewport_size(PHONE)
    page.reload()
    _diagram_ready(page)
    starter.shot("ho-so-390")


def test_browser__a_task_prints_without_its_form(people: Any, live: Any) -> None:
    office, item = _reviewed(live)
    council = people("hoidong")
    page = council.page
    page.goto(f"{council.base}/tasks/{office.task('hoidong', item, 'danh_gia_hoi_dong').id}")
    expect(page.get_by_text("Chọn tệp…")).to_be_visible()
    expect(page.get_by_text("Chưa chọn tệp")).to_be_visible()
    council.shot("viec-1280")
    text = _printed(page)
    assert TITLE in text and PHIEU["muc_tieu"] in text  # the dossier the council decides on
    assert "người lập" in text.lower() and "lãnh đạo duyệt" in text.lower()  # signatures
    for screen_only in (
        "Việc cần xử lý",
        "Đăng xuất",
        "Đề nghị thực hiện",
        "Chọn tệp",
        "Nhận xử lý",
    ):
        assert screen_only not in text, screen_only
    page.set_viewport_size(PHONE)
    page.reload()
    council.shot("viec-390")


def test_browser__the_file_picker_names_the_chosen_files(people: Any, live: Any) -> None:
    office, item = _reviewed(live)
    council = people("hoidong")
    page = council.page
    page.goto(f"{council.base}/tasks/{office.task('hoidong', item, 'danh_gia_hoi_dong').id}")
    page.locator("#f-_files").set_input_files(
        [
            {"name": "bien_ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"},
            {"name": "phieu_cham.docx", "mimeType": "application/octet-stream", "buffer": b"x"},
        ]
    )
    expect(page.locator(".file-names")).to_have_text("bien_ban.pdf, phieu_cham.docx")


def _zoom(page: Any) -> float:
    return float(page.locator("#diagram").get_attribute("data-zoom") or 0)


def _scale(page: Any) -> float:
    """The scale the viewer really draws at, read from its SVG viewport."""
    return float(
        page.evaluate(
            "() => document.querySelector('#diagram svg .viewport').transform.baseVal"
            ".consolidate().matrix.a"
        )
    )


def test_browser__the_diagram_zooms_in_and_out_and_fits(people: Any, live: Any) -> None:
    _office, item = _reviewed(live)
    starter = people("trungtam.cv1")
    page = starter.page
    page.goto(f"{starter.base}/items/{item}")
    _diagram_ready(page)
    first = _scale(page)  # the whole diagram, fitted (test_browser__diagram_view)
    page.get_by_role("button", name="Phóng to").click()
    assert _scale(page) > first and abs(_zoom(page) - _scale(page)) < 0.01
    page.get_by_role("button", name="Thu nhỏ").click()
    page.get_by_role("button", name="Thu nhỏ").click()
    assert _scale(page) < first
    page.get_by_role("button", name="Vừa khung").click()
    whole = page.evaluate(
        "() => { const box = document.querySelector('#diagram');"
        " const r = box.getBoundingClientRect();"
        " const d = box.querySelector('svg .viewport').getBoundingClientRect();"
        " return d.left >= r.left - 1 && d.right <= r.right + 1"
        " && d.top >= r.top - 1 && d.bottom <= r.bottom + 1; }"
    )
    assert whole, "Vừa khung shows the whole diagram"
    starter.shot("so-do-vua-khung")


def _pressed_until_it_stops(page: Any, name: str) -> float:
    """The scale "Phóng to"/"Thu nhỏ" stops at: pressed until a press changes nothing."""
    scale = _scale(page)
    for _ in range(40):
        page.get_by_role("button", name=name).click()
        now = _scale(page)
        if abs(now - scale) < 1e-6:
            return now
        scale = now
    raise AssertionError(f"«{name}» never stops")


def _wheeled_until_it_stops(page: Any, dy: int) -> float:
    """The scale the viewer's own Ctrl + mouse-wheel zoom stops at: turned until three turns
    in a row change nothing (Playwright does not wait for the page to handle a turn)."""
    page.locator("#diagram").scroll_into_view_if_needed()
    box = page.locator("#diagram").bounding_box()
    seen = page.viewport_size or {"height": 720}
    bottom = min(box["y"] + box["height"], seen["height"])  # the wheel turns where it is seen
    page.mouse.move(box["x"] + box["width"] / 2, (max(box["y"], 0) + bottom) / 2)
    page.keyboard.down("Control")
    try:
        scale, still = _scale(page), 0
        for _ in range(80):
            page.mouse.wheel(0, dy)
            page.wait_for_timeout(100)
            now = _scale(page)
            still = still + 1 if abs(now - scale) < 1e-6 else 0
            if still == 3:
                return now
            scale = now
    finally:
        page.keyboard.up("Control")
    raise AssertionError("the wheel never stops")


def test_browser__the_zoom_buttons_stop_where_the_wheel_does(people: Any, live: Any) -> None:
    """The buttons «Thu nhỏ» and «Phóng to» keep to the viewer's own wheel range: neither goes
    where the wheel cannot, and the wheel's floor and ceiling are theirs."""
    _office, item = _reviewed(live)
    starter = people("trungtam.cv1")
    page = starter.page
    page.goto(f"{starter.base}/items/{item}")
    _diagram_ready(page)
    floor = _pressed_until_it_stops(page, "Thu nhỏ")
    assert abs(floor - _zoom(page)) < 0.01
    assert abs(_wheeled_until_it_stops(page, 400) - floor) < 0.001  # the wheel: no lower
    ceiling = _pressed_until_it_stops(page, "Phóng to")
    assert abs(_wheeled_until_it_stops(page, -400) - ceiling) < 0.001  # nor higher
    page.get_by_role("button", name="Vừa khung").click()
    assert abs(_wheeled_until_it_stops(page, 400) - floor) < 0.001  # the wheel's own floor
    assert abs(_wheeled_until_it_stops(page, -400) - ceiling) < 0.001
    assert (round(floor, 3), round(ceiling, 3)) == (0.2, 4.0)
    # On a phone the whole process fits below the floor: "Thu nhỏ" leaves it, never jumps up.
    page.set_viewport_size(PHONE)
    page.reload()
    _diagram_ready(page)
    page.get_by_role("button", name="Vừa khung").click()
    fitted = _scale(page)
    assert fitted < floor
    page.get_by_role("button", name="Thu nhỏ").click()
    assert abs(_scale(page) - fitted) < 1e-6
    page.get_by_role("button", name="Phóng to").click()
    assert _scale(page) > fitted
