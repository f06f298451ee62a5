"""The dossier in front of every decision: what the proposer typed at "Tạo mới" reaches the
reviewer, the council, the Director and the Chairman; each decision-maker also reads what the
steps before said (the council's minutes number, the tờ trình's number), and the history shows
what each step reported."""

from __future__ import annotations

from html import escape
from io import BytesIO
from typing import Any

from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.web.conftest import post
from tests.web.test_web__inbox import PATHS, _page, _proposal, _start, _url

PROPOSAL_STEPS = PATHS["de_xuat_nhiem_vu"][2]


def _walk_until(office: Any, item: int, step: str) -> None:
    """Do the steps of the proposal path that are still before `step`."""
    names = [name for _who, name, _data in PROPOSAL_STEPS]
    for who, name, data in PROPOSAL_STEPS[1 : names.index(step)]:
        if name in office.steps(item):
            office.do(who, item, name, **data)


def test_dossier__the_proposal_reaches_every_decision_maker(office: Any, login: Any) -> None:
    item = _proposal(office)
    # What the proposer typed, on each later page, with its form's label.
    proposal = PROPOSAL_STEPS[0][2]
    for who, step in [
        ("qlkh.cv2", "xem_xet_de_xuat"),
        ("hoidong", "danh_gia_hoi_dong"),
        ("giamdoc", "quyet_dinh_giam_doc"),
        ("chutich", "chi_dao"),
    ]:
        _walk_until(office, item, step)
        page = _page(login(who), _url(office, who, item, step))
        assert "Nội dung hồ sơ" in page, who
        assert "<dt>Tính cấp thiết</dt>" in page, who
        assert escape(proposal["tinh_cap_thiet"]) in page, who
        assert escape(proposal["muc_tieu"]) in page, who
        # Money with dots, a choice by its title, never the key.
        assert "1.500.000.000" in page and "Nông nghiệp" in page, who
        assert "nong_nghiep" not in page.split('class="card dossier"')[1].split("</section>")[0]
        if step == "quyet_dinh_giam_doc":
            assert "12/BB-HĐTV" in page  # the council's minutes
            assert "Đề nghị thực hiện" in page or "de_nghi" not in page
        if step == "chi_dao":
            assert "01/TTr-SKHCN" in page  # the tờ trình's number, a leading zero under 10
            assert escape(PATHS["de_xuat_nhiem_vu"][2][4][2]["trich_yeu"]) in page
            assert "02/03/2026" in page  # its date, as people write it
            assert "Đồng ý trình UBND tỉnh" in page  # the Director's decision, by its title


def test_dossier__the_item_page_shows_the_content_and_what_each_step_reported(
    office: Any, login: Any
) -> None:
    item = _proposal(office)
    _walk_until(office, item, "quyet_dinh_giam_doc")
    page = _page(login("trungtam.cv1"), f"/items/{item}")
    dossier = page.split('class="card dossier"')[1].split('class="card part-diagram"')[0]
    assert "Tên nhiệm vụ" in dossier and escape(PROPOSAL_STEPS[0][2]["ten_nhiem_vu"]) in dossier
    assert "12/BB-HĐTV" in dossier
    history = page.split('id="qua-trinh"')[1]
    assert "Nội dung đã gửi" in history and "12/BB-HĐTV" in history


def test_wording__buttons_and_messages_say_what_the_step_does(office: Any, login: Any) -> None:
    item = _proposal(office)
    _walk_until(office, item, "danh_gia_hoi_dong")
    council = login("hoidong")
    url = _url(office, "hoidong", item, "danh_gia_hoi_dong")
    sent = {k: ("on" if v is True else str(v)) for k, v in PROPOSAL_STEPS[2][2].items()}
    minutes = [(BytesIO(b"%PDF-1.4\n"), "bien-ban.pdf")]  # the step asks for the minutes
    post(council, url, url, {**sent, "_files": minutes}, content_type="multipart/form-data")
    flashed = _page(council, "/")
    assert "Đã gửi kết luận của Hội đồng: «Đề nghị thực hiện»" in flashed
    assert "Đã duyệt" not in flashed  # a vote is not an approval
    _walk_until(office, item, "phat_hanh")
    clerk = login("vp.vanthu")
    url = _url(office, "vp.vanthu", item, "phat_hanh")
    page = _page(clerk, url)
    assert '<button type="submit" class="primary">Cấp số</button>' in page
    assert 'placeholder="dd/mm/yyyy"' in page  # the date is typed as people write it
    post(clerk, url, url, {"ngay_ban_hanh": "02/03/2026"})
    flashed = _page(clerk, "/")
    assert "Đã cấp số 01/TTr-SKHCN. Ghi số, ngày lên tờ trình" in flashed  # by the register
    assert f'<a href="/items/{item}">Hồ sơ số {item}</a>' in flashed  # the item, one click away
    # The copy that bears the number and the Sở's signature is what goes out: the step that
    # sends it waits for it, and shows the number to write on it.
    url = _url(office, "vp.vanthu", item, "gui_van_ban")
    page = _page(clerk, url)
    assert '<button type="submit" class="primary">Phát hành</button>' in page
    assert "01/TTr-SKHCN" in page and "02/03/2026" in page  # the date as people write it
    refused = post(clerk, url, url, {})
    assert refused.status_code == 422
    assert "Hãy đính kèm bản tờ trình đã ghi số, ngày và ký số của cơ quan" in refused.get_data(
        as_text=True
    )
    issued = [(BytesIO(b"%PDF-1.4\n"), "01-TTr-SKHCN.pdf")]
    sent = post(clerk, url, url, {"_files": issued}, content_type="multipart/form-data")
    assert sent.status_code == 302
    assert "Đã phát hành văn bản số 01/TTr-SKHCN đến Văn phòng UBND tỉnh" in _page(clerk, "/")
    item_page = f"/items/{item}"
    assert "01-TTr-SKHCN.pdf" in _page(login("vpubnd"), item_page)  # what the UBND receives
    # The clerk holds no step of the item any more: a colleague may not add to it either.
    other = login("qlkh.cv1")
    refused = post(other, "/", f"{item_page}/attachments", {"tep": []})
    assert refused.status_code in (403, 404)
    history = _page(login("trungtam.cv1"), f"/items/{item}").split('id="qua-trinh"')[1]
    assert "Đề nghị thực hiện" in history and "Số, ký hiệu" in history
    assert "01/TTr-SKHCN" in history  # the number, with the step that gave it


def test_dossier__progress_updates_are_history_each_with_what_was_reported(
    office: Any, login: Any
) -> None:
    item = _start(office, "giao_nhiem_vu", "vp.tp", **{**GIAO_TASK, "don_vi_chu_tri": None})
    office.do("giamdoc", item, "phan_cong", don_vi_chu_tri="phong_qlkh", han_xu_ly="2026-06-30")
    for percent, done in ((40, "Đã khảo sát 8 đơn vị"), (70, "Đã có dự thảo hướng dẫn")):
        office.do(
            "qlkh.cv1",
            item,
            "cap_nhat_tien_do",
            ty_le_hoan_thanh=percent,
            hoan_thanh=False,
            noi_dung_cap_nhat=done,
        )
    page = _page(login("giamdoc"), f"/items/{item}")
    history = page.split('id="qua-trinh"')[1]
    assert "Đã khảo sát 8 đơn vị" in history and "Đã có dự thảo hướng dẫn" in history
    assert history.index("Đã khảo sát 8 đơn vị") < history.index("Đã có dự thảo hướng dẫn")
    assert ">40<" in history and ">70<" in history
    assert "True" not in page and "False" not in page  # a yes/no reads Có/Không
    assert '<details class="reported" open>' in history  # a step done again: each one open
