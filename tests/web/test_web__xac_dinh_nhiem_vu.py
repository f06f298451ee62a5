"""The yearly identification through the web: offered to Phòng Quản lý Khoa học and the
leadership, run to its end through the forms (the clock moved to close the list), the council's
page naming the proposal whose turn it is, the review and the proposer's notice showing every
result, the diagram rendered on the item and monitor pages."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest

import engine
from tests.integration.test_processes__xac_dinh_nhiem_vu import (
    CONG_VAN,
    DE_NGHI,
    HOI_DONG,
    KHONG_DE_NGHI,
    NOI_BO,
    PROCESS,
    QD_HOI_DONG,
    THONG_BAO,
    _scored,
    returned_by_ubnd,
)
from tests.office import DECISION_RECORD, TO_TRINH
from tests.web.conftest import post, with_draft


def _text(response: Any) -> str:
    return unescape(str(response.get_data(as_text=True)))


def _prefilled(page: str, name: str) -> str | None:
    """What the form shows filled in for `name` (a text box or a text area), as a browser
    sends it back."""
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page) or re.search(
        rf'<textarea[^>]*name="{name}"[^>]*>([^<]*)</textarea>', page
    )
    return found.group(1).strip() if found else None


def _sent(data: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in data.items() if v is not None}


@pytest.mark.parametrize(
    ("username", "offered"),
    [("qlkh.cv1", True), ("giamdoc", True), ("trungtam.cv1", False), ("hoidong", False)],
)
def test_xac_dinh__offered_to_the_science_office_and_the_leadership(
    login: Any, username: str, offered: bool
) -> None:
    page = login(username).get("/items/new")
    actions = set(re.findall(r'action="/items/new/([a-z_]+)"', _text(page)))
    assert (PROCESS in actions) is offered


def test_xac_dinh__a_batch_through_the_forms(office: Any, login: Any) -> None:
    clients: dict[str, Any] = {}

    def act(who: str, step: str, values: dict[str, Any], item: int) -> str:
        client = clients.get(who) or clients.setdefault(who, login(who))
        url = f"/tasks/{office.task(who, item, step).id}"
        page = _text(client.get(url))
        shown = _prefilled(page, "xet_de_xuat")
        sent = _sent({**values, "xet_de_xuat": shown})
        response = post(client, url, url, **with_draft(page, sent))
        assert response.status_code == 302, (step, _text(response)[-2000:])
        return page

    qlkh = clients.setdefault("qlkh.cv1", login("qlkh.cv1"))
    started = post(qlkh, "/items/new", f"/items/new/{PROCESS}", {"tieu_de": ""})
    assert started.status_code == 303
    item = int(office.inbox("qlkh.cv1")[0].instance_id)
    act("qlkh.cv1", "soan_thong_bao", THONG_BAO, item)
    assert office.show(item).title == THONG_BAO["trich_yeu_thong_bao"]
    act("giamdoc", "duyet_thong_bao", {"decision": "dong_y"}, item)
    act("vp.vanthu", "phat_hanh_thong_bao", {"ngay_ban_hanh_thong_bao": "02/03/2026"}, item)
    act("qlkh.cv1", "tiep_nhan_de_xuat", NOI_BO, item)
    page = act("qlkh.cv2", "tiep_nhan_de_xuat", CONG_VAN, item)
    assert 'value="' + NOI_BO["ten_nhiem_vu"] not in page  # the next proposal: an empty form
    office.tick(12)
    page = act("qlkh.cv1", "tong_hop_danh_muc", {}, item)
    assert "2 đề xuất: 1. " + NOI_BO["ten_nhiem_vu"] in page
    act("giamdoc", "thanh_lap_hoi_dong", {"decision": "thanh_lap", **HOI_DONG}, item)
    issued = act(
        "vp.vanthu",
        "ban_hanh_quyet_dinh_hoi_dong",
        {"ngay_quyet_dinh_hoi_dong": "16/03/2026"},
        item,
    )
    assert "cấp tự động" in issued and 'name="so_quyet_dinh_hoi_dong"' not in issued
    assert office.show(item).data["so_quyet_dinh_hoi_dong"] == "01/QĐ-SKHCN"
    assert (
        QD_HOI_DONG["ngay_quyet_dinh_hoi_dong"]
        == office.show(item).data["ngay_quyet_dinh_hoi_dong"]
    )
    first = act("hoidong", "danh_gia_de_xuat", DE_NGHI, item)
    # The page names the proposal whose turn it is.
    assert (_prefilled(first, "xet_de_xuat") or "").startswith("1. " + NOI_BO["ten_nhiem_vu"])
    second = act("hoidong", "danh_gia_de_xuat", KHONG_DE_NGHI, item)
    assert (_prefilled(second, "xet_de_xuat") or "").startswith("2. " + CONG_VAN["ten_nhiem_vu"])
    review = act("qlkh.cv1", "xem_xet_ket_qua_hoi_dong", {"decision": "dat"}, item)
    assert "đề nghị thực hiện, tuyển chọn, 6/7 phiếu tán thành" in review
    act("qlkh.cv1", "soan_to_trinh", TO_TRINH, item)
    act("qlkh.tp", "kiem_tra_noi_dung", {"decision": "dong_y"}, item)
    act("vp.vanthu", "kiem_tra_the_thuc", {"decision": "dong_y"}, item)
    act("giamdoc", "ky_to_trinh", {"decision": "ky"}, item)
    issued = office.config.today().strftime("%d/%m/%Y")  # not before the signature
    act("vp.vanthu", "phat_hanh", {"ngay_ban_hanh": issued}, item)
    act("vp.vanthu", "gui_van_ban", {}, item)
    act("vpubnd", "tiep_nhan", {"so_den": 4410}, item)
    act("vpubnd", "tham_tra_ho_so", {"decision": "du_ho_so"}, item)
    act("chutich", "chi_dao", {"decision": "phe_duyet", **DECISION_RECORD, "ngay_ky": issued}, item)
    # The office records the UBND's decision: filled in from the UBND's step; one proposal
    # was put to the UBND, and it is approved.
    record = act(
        "qlkh.cv1",
        "ghi_quyet_dinh_phe_duyet",
        {"pham_vi_phe_duyet": "toan_bo", "so_quyet_dinh_phe_duyet": "1234/QĐ-UBND"}
        | {"ngay_quyet_dinh_phe_duyet": "20/03/2026"},
        item,
    )
    assert _prefilled(record, "so_quyet_dinh_phe_duyet") == DECISION_RECORD["so_quyet_dinh"]
    assert "Phê duyệt toàn bộ danh mục trình" in record
    notice = act(
        "qlkh.cv1",
        "cong_bo_danh_muc",
        {"ngay_cong_bo": "20/03/2026", "noi_cong_bo": "Trang thông tin điện tử của Sở"},
        item,
    )
    assert "không được phê duyệt — lý do: Trùng với nhiệm vụ đang thực hiện" in notice
    read = act("trungtam.cv1", "nhan_thong_bao", {}, item)
    assert "02/TB-SKHCN" in read and "được phê duyệt, tuyển chọn" in read
    assert office.show(item).status == "completed"
    # The item's page and the process's monitor page carry its diagram.
    viewer = clients["qlkh.cv1"]
    assert viewer.get(f"/items/{item}").status_code == 200
    diagram = viewer.get(f"/items/{item}/diagram.xml")
    assert diagram.status_code == 200 and f'id="{PROCESS}"' in _text(diagram)
    monitor = login("tt.tp").get(f"/monitor/processes/{PROCESS}")
    assert monitor.status_code == 200


def test_xac_dinh__the_ubnds_direction_is_shown_once_it_returns_the_list(
    office: Any, login: Any
) -> None:
    """The review's «Ý kiến chỉ đạo của UBND tỉnh» is a plain name: the line is on the page
    only when the UBND has returned the list with its direction, so no "(khi trả lại)", and
    it shows that direction (it was shown empty: its name is a comment field's)."""
    item = _scored(office)
    reviewer = login("qlkh.cv1")
    url = f"/tasks/{office.task('qlkh.cv1', item, 'xem_xet_ket_qua_hoi_dong').id}"
    assert "Ý kiến chỉ đạo của UBND tỉnh" not in _text(reviewer.get(url))  # nothing yet
    returned_by_ubnd(office, item)
    url = f"/tasks/{office.task('qlkh.cv1', item, 'xem_xet_ket_qua_hoi_dong').id}"
    page = _text(reviewer.get(url))
    shown = re.search(
        r'<span class="label">([^<]*)</span>\s*<span class="value">Rà soát kinh phí</span>', page
    )
    assert shown is not None and shown.group(1) == "Ý kiến chỉ đạo của UBND tỉnh"
    assert "(khi trả lại)" not in page


def test_xac_dinh__the_dossier_shows_the_direction_only_under_the_review_done_after_it(
    office: Any,
) -> None:
    """A read-only field that another step types (the UBND's direction, shown on the review
    form) appears under a step done after it was written, not under the review done before
    the UBND returned the list."""
    item = _scored(office)
    returned_by_ubnd(office, item)

    def reviews() -> list[list[str]]:
        with engine.transaction(office.factory) as s:
            dossier = engine.dossier(s, item)
        return [
            [str(f.value) for f in section.fields if f.name == "y_kien_chi_dao"]
            for section in dossier.by_task.values()
            if section.element_id == "xem_xet_ket_qua_hoi_dong"
        ]

    assert reviews() == [[]]  # done before the direction was written
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    assert reviews() == [[], ["Rà soát kinh phí"]]
