"""The item's diagram as it opens in Chromium, before any button is pressed: on a laptop (1280 px)
the whole process fitted to its box; on a phone (390 px), where the whole process would be too
small to read, the item's current step readable inside the box, and the page no wider than the
phone. A new size of the box fits the diagram again, unless the reader has zoomed it.
Screenshots under test-output/screenshots/."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

import engine
from engine import transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.office import Office

LAPTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
TITLE = "Chuỗi liên kết sản xuất lúa gạo hữu cơ"
# A step's box is 100 units wide: drawn at 70 px or more, its 12 px name is read at 9 px or more.
READABLE_STEP = 70

# Where the diagram's box, the whole drawing and the current step are on the screen.
PLACES = """() => {
  const box = document.querySelector('#diagram');
  const rect = el => { const r = el.getBoundingClientRect();
    return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width}; };
  return {box: rect(box), drawing: rect(box.querySelector('svg .viewport')),
          current: rect(box.querySelector('g.djs-element.pd-current')),
          page: document.documentElement.scrollWidth};
}"""


def _council_step(live: dict[str, Any]) -> int:
    """A proposal reviewed by the science office, now at the advisory council: a step in the
    middle of the diagram, far from where a wide diagram starts."""
    from workflows import engine_config

    office = Office.__new__(Office)
    office.factory = live["app"].extensions["pheduyet.sessions"]
    office.clock = live["clock"]
    office.config = engine_config(live["clock"])
    with transaction(office.factory) as s:
        item = engine.start_instance(
            s, office.config, "de_xuat_nhiem_vu", "trungtam.cv1", title=TITLE
        )
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **{**PHIEU, "ten_nhiem_vu": TITLE})
    office.do("qlkh.cv1", item, "xem_xet_de_xuat", comment="Đủ hồ sơ", decision="dong_y")
    return item


def _opened(page: Any, url: str) -> dict[str, Any]:
    page.goto(url)
    expect(page.locator("#diagram[data-marked]")).to_have_count(1, timeout=10_000)
    page.locator("#diagram").scroll_into_view_if_needed()
    places: dict[str, Any] = page.evaluate(PLACES)
    return places


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["left"] >= outer["left"] - 1
        and inner["right"] <= outer["right"] + 1
        and inner["top"] >= outer["top"] - 1
        and inner["bottom"] <= outer["bottom"] + 1
    )


def _settled(page: Any, view: str) -> dict[str, Any]:
    """The places once the box's new size has been followed (the viewer waits 100 ms for the
    resizing to end) and the view is `view`."""
    expect(page.locator("#diagram")).to_have_attribute("data-view", view)
    page.wait_for_timeout(300)
    places: dict[str, Any] = page.evaluate(PLACES)
    return places


def test_browser__the_diagram_opens_whole_on_a_laptop_and_on_the_current_step_on_a_phone(
    people: Any, live: Any
) -> None:
    item = _council_step(live)
    starter = people("trungtam.cv1")
    page = starter.page
    url = f"{starter.base}/items/{item}"

    laptop = _opened(page, url)
    assert _inside(laptop["drawing"], laptop["box"]), laptop
    assert _inside(laptop["current"], laptop["box"]), laptop
    starter.shot("so-do-1280")

    page.set_viewport_size(PHONE)
    phone = _opened(page, url)
    assert _inside(phone["current"], phone["box"]), phone
    assert phone["current"]["width"] >= READABLE_STEP, phone
    assert phone["page"] <= PHONE["width"], phone
    starter.shot("so-do-390")

    page.get_by_role("button", name="Vừa khung").click()
    whole = page.evaluate(PLACES)
    assert _inside(whole["drawing"], whole["box"]), whole
    assert whole["page"] <= PHONE["width"], whole


def test_browser__a_resized_diagram_fits_again_unless_the_reader_zoomed(
    people: Any, live: Any
) -> None:
    item = _council_step(live)
    starter = people("trungtam.cv1")
    page = starter.page
    page.set_viewport_size(PHONE)
    _opened(page, f"{starter.base}/items/{item}")

    page.set_viewport_size(LAPTOP)
    wide = _settled(page, "whole")
    assert _inside(wide["drawing"], wide["box"]), wide

    page.get_by_role("button", name="Phóng to").click()
    zoomed = page.evaluate(PLACES)
    page.set_viewport_size(PHONE)
    kept = _settled(page, "own")
    assert kept["drawing"]["width"] == zoomed["drawing"]["width"], "the reader's zoom is kept"

    page.get_by_role("button", name="Vừa khung").click()
    page.set_viewport_size(LAPTOP)
    fitted = _settled(page, "whole")
    assert _inside(fitted["drawing"], fitted["box"]), fitted
    assert fitted["drawing"]["width"] > kept["box"]["width"], "fitted to the wider box"

    # Clicking a step (the viewer selects it) is no zoom of the reader's: a new size fits again.
    page.locator("#diagram g.djs-element.pd-current").first.click()
    page.set_viewport_size(PHONE)
    narrow = _settled(page, "whole")
    assert _inside(narrow["drawing"], narrow["box"]), narrow


def test_browser__a_model_without_its_drawing_says_so(people: Any, live: Any) -> None:
    """A model saved without its drawing (no BPMN DI: juel_quorum, written by hand) has no
    diagram to show: the item's page says that, not that something failed."""
    from tests.conftest import fixture_files
    from workflows import engine_config

    sessions = live["app"].extensions["pheduyet.sessions"]
    with transaction(sessions) as s:
        engine.add_group(s, "buyers_heads", "Buyers")
        engine.deploy(s, fixture_files("camunda_juel"), live["clock"], "quantri")
        item = engine.start_instance(
            s,
            engine_config(live["clock"]),
            "juel_quorum",
            "trungtam.cv1",
            data={"voters": ["trungtam.cv1", "qlkh.cv1"]},
        )
    starter = people("trungtam.cv1")
    starter.page.goto(f"{starter.base}/items/{item}")
    expect(starter.page.locator("#diagram.failed.no-drawing")).to_contain_text(
        "không kèm hình vẽ sơ đồ nên không có sơ đồ để xem"
    )
    starter.shot("khong-co-so-do")
