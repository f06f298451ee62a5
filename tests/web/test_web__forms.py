"""Forms that read the same in every browser: dates typed and shown dd/mm/yyyy (never the
browser's own date control, which writes mm/dd/yyyy in an English browser), a file picker with
our own words, required fields marked; and the print stylesheet that turns an item or a task
into a clean page."""

from __future__ import annotations

import re
from typing import Any

import pytest

import engine
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.office import TO_TRINH
from tests.web.conftest import post

RETURN_TO_DRAFT = {
    "decision": "tra_lai",
    "buoc_tra_lai": "soan_to_trinh",
    "y_kien_chi_dao": "Bổ sung căn cứ pháp lý",
}


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def _at_issuing(office: Any) -> tuple[int, str]:
    """A tờ trình waiting for the văn thư to number and issue it; the url of that task."""
    item = int(office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh"))
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    return item, f"/tasks/{office.task('vp.vanthu', item, 'phat_hanh').id}"


def _proposal(office: Any) -> int:
    """A proposal by trungtam.cv1, waiting for review: its page offers to add files."""
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item


def _input(html: str, name: str) -> str:
    found = re.search(rf'<input[^>]*\bname="{name}"[^>]*>', html)
    assert found, f"no input named {name}"
    return found.group(0)


def test_forms__the_number_is_given_at_issue_not_typed(office: Any, login: Any) -> None:
    item, url = _at_issuing(office)
    clerk = login("vp.vanthu")
    html = _page(clerk, url)
    assert 'name="so_ky_hieu"' not in html
    assert re.search(
        r"Số, ký hiệu</span>\s*<span class=\"value\">\(cấp tự động khi hoàn thành bước này\)", html
    )
    response = post(clerk, url, url, {"ngay_ban_hanh": "02/03/2026"})
    assert response.status_code == 302
    assert "Đã cấp số 01/TTr-SKHCN" in _page(clerk, response.headers["Location"])
    assert office.show(item).data["so_ky_hieu"] == "01/TTr-SKHCN"


def test_forms__a_date_is_a_text_field_typed_dd_mm_yyyy(office: Any, login: Any) -> None:
    _item, url = _at_issuing(office)
    html = _page(login("vp.vanthu"), url)
    field = _input(html, "ngay_ban_hanh")
    assert 'type="text"' in field and 'type="date"' not in html
    assert 'placeholder="dd/mm/yyyy"' in field and 'inputmode="numeric"' in field
    assert 'pattern="[0-9]{1,2}/[0-9]{1,2}/[0-9]{4}"' in field
    assert 'aria-required="true"' in field


def test_forms__a_date_typed_dd_mm_yyyy_is_stored_iso_and_shown_back_dd_mm_yyyy(
    office: Any, login: Any
) -> None:
    item, url = _at_issuing(office)
    clerk = login("vp.vanthu")
    response = post(clerk, url, url, {"ngay_ban_hanh": "02/03/2026"})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert office.show(item).data["ngay_ban_hanh"] == "2026-03-02"
    # The chairman sends it back to be drafted again: the second issuing shows the stored date
    # as people write it.
    office.do("vp.vanthu", item, "gui_van_ban")
    office.do("vpubnd", item, "tiep_nhan", so_den=4410)
    office.do("vpubnd", item, "tham_tra_ho_so", decision="du_ho_so")
    office.do("chutich", item, "chi_dao", **RETURN_TO_DRAFT)
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    again = f"/tasks/{office.task('vp.vanthu', item, 'phat_hanh').id}"
    assert 'value="02/03/2026"' in _input(_page(clerk, again), "ngay_ban_hanh")


@pytest.mark.parametrize("typed", ["2026-03-03", "3/3/2026"])
def test_forms__a_date_kept_after_an_error_reads_dd_mm_yyyy_or_as_typed(
    office: Any, login: Any, typed: str
) -> None:
    item, url = _at_issuing(office)
    clerk = login("vp.vanthu")
    # The comment is too long: the form comes back with the date as it was typed.
    response = post(clerk, url, url, {"ngay_ban_hanh": typed, "y_kien": "x" * 4001})
    assert response.status_code == 422
    shown = _input(response.get_data(as_text=True), "ngay_ban_hanh")
    assert 'value="03/03/2026"' in shown if typed == "2026-03-03" else f'value="{typed}"' in shown
    assert office.steps(item) == ["phat_hanh"]


def test_forms__an_issue_date_to_come_or_before_the_item_is_refused_in_vietnamese(
    office: Any, login: Any
) -> None:
    """The walk issued a tờ trình dated in days to come; the day it was issued is today at
    the latest (today is 02/03/2026 here)."""
    item, url = _at_issuing(office)
    response = post(login("vp.vanthu"), url, url, {"ngay_ban_hanh": "03/03/2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-ngay_ban_hanh-error">Ngày ban hành không thể sau hôm nay</p>' in html
    # Nor before the item was made (it was on 02/03/2026): the walk's 01/01/2020 went through.
    response = post(login("vp.vanthu"), url, url, {"ngay_ban_hanh": "01/01/2020"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-ngay_ban_hanh-error">Ngày ban hành không thể trước ngày lập hồ sơ</p>' in html
    assert office.steps(item) == ["phat_hanh"]


def test_forms__a_date_not_a_date_is_refused_in_vietnamese(office: Any, login: Any) -> None:
    item, url = _at_issuing(office)
    response = post(login("vp.vanthu"), url, url, {"ngay_ban_hanh": "31/02/2026"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-ngay_ban_hanh-error">Ngày không hợp lệ</p>' in html
    assert 'value="31/02/2026"' in _input(html, "ngay_ban_hanh")
    assert office.steps(item) == ["phat_hanh"]


def test_forms__required_fields_are_marked_with_a_legend(office: Any, login: Any) -> None:
    _item, url = _at_issuing(office)
    html = _page(login("vp.vanthu"), url)
    assert (
        '<p class="required-legend"><span class="req" aria-hidden="true">*</span> bắt buộc</p>'
        in html
    )
    assert html.index("required-legend") < html.index('name="ngay_ban_hanh"')
    label = html[html.index('<label for="f-ngay_ban_hanh">') :]
    assert label.index('class="req"') < label.index("</label>")
    assert 'aria-required="true"' in _input(html, "ngay_ban_hanh")
    # An optional field carries no mark.
    optional = html[html.index('<label for="f-y_kien">') :]
    assert "req" not in optional[: optional.index("</label>")]


def test_forms__the_file_picker_speaks_vietnamese(office: Any, login: Any) -> None:
    _item, url = _at_issuing(office)
    task_page = _page(login("vp.vanthu"), url)
    item_page = _page(login("trungtam.cv1"), f"/items/{_proposal(office)}")
    for html, input_id in ((task_page, "f-_files"), (item_page, "tep")):
        picker = html[html.index("data-file-picker") :][:800]
        assert f'<input type="file" id="{input_id}"' in picker
        assert (
            f'<label for="{input_id}" class="button file-button" aria-hidden="true">'
            "Chọn tệp…</label>" in picker
        )
        assert '<span class="file-names" aria-live="polite">Chưa chọn tệp</span>' in picker


def test_forms__the_print_stylesheet_is_linked_and_hides_what_is_not_for_paper(
    office: Any, login: Any
) -> None:
    _item, url = _at_issuing(office)
    client = login("trungtam.cv1")
    for page in (_page(client, f"/items/{_proposal(office)}"), _page(login("vp.vanthu"), url)):
        assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page
        footer = page[page.index('<div class="print-footer" hidden>') :]
        assert "Ngày in: " in footer and "Người lập" in footer and "Lãnh đạo duyệt" in footer
        assert re.search(r"Ngày in: \d\d/\d\d/\d{4} \d\d:\d\d", footer)
    with client.get("/static/css/print.css") as css:  # closes the streamed file
        assert css.status_code == 200
        rules = css.get_data(as_text=True)
    hidden_block = rules[: rules.index("{ display: none !important; }")]
    hidden_block = hidden_block[hidden_block.rindex("*/") + 2 :]
    hidden = {selector.strip() for selector in hidden_block.split(",")}
    for selector in (
        "header.top",
        "nav",
        ".flash",
        "button",
        ".button",
        "form",
        ".file-picker",
        ".diagram-tools",
        ".task-form",
        ".side-actions",
    ):
        assert selector in hidden, selector
    assert "@page { size: A4" in rules
    assert ".print-footer[hidden] { display: block !important;" in rules
    assert "a[href]::after" not in rules  # links print as text, without their address


def test_forms__a_field_required_by_a_button_names_the_button(office: Any, login: Any) -> None:
    """The progress form's extension fields say which button makes them required, never
    "True"; the form has a button for each action (update progress, ask for an extension)."""
    with engine.transaction(office.factory) as s:
        item = engine.start_instance(s, office.config, "giao_nhiem_vu", "vp.tp", data=GIAO_TASK)
    page = _page(login("cs.cv1"), f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}")
    assert "Bắt buộc khi chọn: Gửi đề nghị gia hạn" in page
    assert 'value="cap_nhat"' in page and 'value="gia_han"' in page
    assert "True" not in page
