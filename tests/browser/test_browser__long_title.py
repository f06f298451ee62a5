"""A long item title on a 390 px phone: the heading of the task page and of the item page wraps
between words, never inside one, and nothing on either page runs off the right edge."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.browser.conftest import start_from_new

PHONE = {"width": 390, "height": 844}
TITLE = (
    "Ứng dụng khoa học và công nghệ xây dựng chuỗi liên kết sản xuất, chế biến và tiêu thụ "
    "lúa gạo chất lượng cao theo hướng hữu cơ tại các huyện Yên Dũng, Việt Yên, Lạng Giang "
    "giai đoạn 2026–2030"
)
ADDRESS = "skhcn.bacgiang.gov.vn/vanbanphapquy/quyetdinh1234qdubnd2026"
ADDRESS_TITLE = f"Báo cáo theo mẫu đăng tại {ADDRESS} của Sở"

# The characters of `el` that begin a rendered line after the first, each with the character
# before it: a line that starts inside a word has a letter there, not a space.
LINE_STARTS = """el => {
  const text = el.firstChild;
  const range = document.createRange();
  const starts = [];
  let top = null;
  for (let i = 0; i < text.length; i++) {
    if (/\\s/.test(text.data[i])) continue;
    range.setStart(text, i);
    range.setEnd(text, i + 1);
    const rect = range.getClientRects()[0];
    if (top !== null && rect.top > top + rect.height / 2) starts.push([i, text.data[i - 1]]);
    top = rect.top;
  }
  return starts;
}"""

# What shows past the page's right edge: elements (empty ones aside) whose right edge, once
# clipped by the ancestors that clip (a diagram's viewport), is past the page's width.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    let right = r.right;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (getComputedStyle(up).overflowX !== "visible") {
        right = Math.min(right, up.getBoundingClientRect().right);
      }
    }
    if (right > width + 0.5) out.push(el.tagName + " " + el.getAttribute("class") + " " + right);
  }
  return {scroll: document.documentElement.scrollWidth, width: width, out: out};
}"""


def _check(page: Any, title: str, token: str = "") -> None:
    """The page's heading is `title`, on several lines, each starting a word (or inside
    `token`, a run longer than the line), and nothing is past the right edge."""
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(title)
    starts = heading.evaluate(LINE_STARTS)
    assert len(starts) >= 2, "the title fits one line: it tests nothing"
    inside = range(title.find(token) + 1, title.find(token) + len(token)) if token else ()
    assert all(before == " " for i, before in starts if i not in inside), starts
    assert heading.evaluate("el => el.scrollWidth <= el.clientWidth")
    overflow = page.evaluate(OVERFLOW)
    assert overflow["scroll"] <= PHONE["width"], overflow
    assert overflow["out"] == [], overflow


def _item_page(page: Any) -> None:
    page.get_by_role("link", name="Xem toàn bộ hồ sơ").click()
    page.wait_for_load_state("networkidle")


def test_browser__a_long_title_wraps_between_words_on_a_phone(people: Any) -> None:
    staff = people("trungtam.cv1")
    page = staff.page
    page.set_viewport_size(PHONE)
    start_from_new(staff, "de_xuat_nhiem_vu", {"Tiêu đề": TITLE})
    expect(page.get_by_text("Lập phiếu đề xuất nhiệm vụ").first).to_be_visible()
    _check(page, TITLE)
    staff.shot("viec-390")
    _item_page(page)
    _check(page, TITLE)
    staff.shot("ho-so-390")

    # An address wider than the phone is broken inside, as it must be, and stays on the page.
    start_from_new(staff, "de_xuat_nhiem_vu", {"Tiêu đề": ADDRESS_TITLE})
    _check(page, ADDRESS_TITLE, ADDRESS)
    staff.shot("viec-dia-chi-390")
    _item_page(page)
    _check(page, ADDRESS_TITLE, ADDRESS)
    staff.shot("ho-so-dia-chi-390")
