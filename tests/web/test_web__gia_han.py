"""An extension asked for after the deadline is not forwarded: the unit's page says why, in
Vietnamese, and no leader gets a request to decide."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.test_processes__gia_han import _ask
from tests.integration.test_processes__giao_nhiem_vu import TASK
from tests.web.conftest import post


def test_gia_han__a_late_request_is_refused_on_the_units_page(office: Any, login: Any) -> None:
    item = int(office.start("giao_nhiem_vu", "vp.tp", **TASK))
    office.tick(25)  # the deadline, Friday 20 March 2026, has passed
    url = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    unit = login("cs.cv1")
    revision = re.search(r'name="_revision" value="(\d+)"', unit.get(url).get_data(as_text=True))
    response = post(
        unit,
        url,
        url,
        {
            "ty_le_hoan_thanh": "40",
            "noi_dung_cap_nhat": "Đang hoàn thiện dự thảo",
            "hanh_dong": "gia_han",
            "han_de_nghi": "30/04/2026",
            "ly_do_gia_han": "Chờ ý kiến của Sở Tư pháp",
            "_revision": revision.group(1) if revision else "",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert (
        "Không gửi được đề nghị gia hạn: nhiệm vụ đã quá hạn 20/03/2026; đề nghị gia hạn phải "
        "gửi trước thời hạn." in page
    )
    assert "xet_gia_han" not in office.steps(item)
    assert office.show(item).data["ty_le_hoan_thanh"] == 40


@pytest.mark.parametrize(
    ("field", "label", "when", "gone"),
    [
        ("y_kien_gia_han", "Ý kiến của lãnh đạo", "Không đồng ý gia hạn", "bắt buộc khi không"),
        ("han_gia_han", "Hạn mới", "Đồng ý gia hạn", "(khi đồng ý)"),
    ],
)
def test_gia_han__a_box_is_named_plainly_and_its_hint_says_when_it_is_needed(
    office: Any, login: Any, field: str, label: str, when: str, gone: str
) -> None:
    """The label names the box; when it is required is said once, by the hint under it."""
    item = int(office.start("giao_nhiem_vu", "vp.tp", **TASK))
    _ask(office, item)
    url = f"/tasks/{office.task('giamdoc', item, 'xet_gia_han').id}"
    page = login("giamdoc").get(url).get_data(as_text=True)
    start = page.index(f'<label for="f-{field}">')
    box = page[start : page.index("</div>", start)]
    assert f'<label for="f-{field}">{label}</label>' in box
    assert f"Bắt buộc khi chọn: {when}</" in box
    assert gone not in page.lower()


def test_gia_han__the_new_deadline_starts_at_the_date_asked_for(office: Any, login: Any) -> None:
    """The leader decides on the unit's request: "Hạn mới" shows the date it asked for, not a
    date left from an earlier extension."""
    item = int(office.start("giao_nhiem_vu", "vp.tp", **TASK))
    _ask(office, item, until="2026-04-30")
    url = f"/tasks/{office.task('giamdoc', item, 'xet_gia_han').id}"
    page = login("giamdoc").get(url).get_data(as_text=True)
    box = page[page.index('id="f-han_gia_han"') - 200 : page.index('id="f-han_gia_han"') + 300]
    assert "30/04/2026" in box, box
