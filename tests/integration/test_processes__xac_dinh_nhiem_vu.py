"""The yearly identification of provincial S&T tasks as one batch (TT 07/2014 Art. 23): a call
with its closing date, the year's list, the council scoring each proposal, one tờ trình, the
publication and a notice to every proposer. Time moves by the injected clock (Monday 2 March
2026, 08:00 in Hà Nội)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import MonitorFilter, transaction
from tests.office import Office
from workflows.catalog import may_start

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
PROCESS = "xac_dinh_nhiem_vu_nam"
THONG_BAO = {
    "trich_yeu_thong_bao": "Thông báo đề xuất nhiệm vụ KH&CN cấp tỉnh năm 2027",
    "nam_ke_hoach": 2027,
    "noi_dung_thong_bao": "Đề xuất nhiệm vụ phục vụ phát triển kinh tế - xã hội của tỉnh",
    "han_nop_de_xuat": "2026-03-13",  # Friday
}
NOI_BO = {
    "ten_nhiem_vu": "Ứng dụng công nghệ sinh học nhân giống lúa BG1",
    "nguon": "noi_bo",
    "don_vi_de_xuat": "Trung tâm Ứng dụng khoa học và công nghệ",
    "nguoi_de_xuat": "trungtam.cv1",
    "ma_ho_so_de_xuat": 17,
}
CONG_VAN = {
    "ten_nhiem_vu": "Xây dựng bản đồ số vùng trồng cam",
    "nguon": "cong_van_den",
    "don_vi_de_xuat": "UBND xã Hòa Bình",
    "so_den": 125,
    "ngay_den": "2026-03-05",
}
# The Director agrees to the council and its members; the văn thư numbers the decision.
HOI_DONG = {"thanh_vien_hoi_dong": "7 thành viên: …", "so_thanh_vien": 7}
QD_HOI_DONG = {"ngay_quyet_dinh_hoi_dong": "2026-03-16"}
DE_NGHI = {
    "so_thanh_vien_co_mat": 7,
    "phieu_cap_thiet": 7,
    "phieu_quan_trong": 6,
    "phieu_khong_trung_lap": 7,
    "phieu_nguon_luc": 5,
    "so_phieu_tan_thanh": 6,
    "ket_luan": "de_nghi",
    "phuong_thuc": "tuyen_chon",
}
APPROVAL = {
    "so_quyet_dinh_phe_duyet": "1234/QĐ-UBND",
    "ngay_quyet_dinh_phe_duyet": "2026-03-20",
    "pham_vi_phe_duyet": "toan_bo",
}
KHONG_DE_NGHI = {
    **DE_NGHI,
    "phieu_khong_trung_lap": 1,
    "so_phieu_tan_thanh": 2,
    "ket_luan": "khong_de_nghi",
    "phuong_thuc": None,
    "y_kien_hoi_dong": "Trùng với nhiệm vụ đang thực hiện",
}
del KHONG_DE_NGHI["phuong_thuc"]


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _called(office: Office, closing: str = THONG_BAO["han_nop_de_xuat"]) -> int:
    """The call for proposals, approved and issued: the list is open until `closing`."""
    item = office.start(PROCESS, "qlkh.cv1")
    office.do("qlkh.cv1", item, "soan_thong_bao", **{**THONG_BAO, "han_nop_de_xuat": closing})
    office.do("giamdoc", item, "duyet_thong_bao", decision="dong_y")
    issued = office.config.today().isoformat()  # issued the day it is recorded
    office.do("vp.vanthu", item, "phat_hanh_thong_bao", ngay_ban_hanh_thong_bao=issued)
    return item


def _closed_with_two(office: Office) -> int:
    item = _called(office)
    office.do("qlkh.cv1", item, "tiep_nhan_de_xuat", **NOI_BO)
    office.do("qlkh.cv2", item, "tiep_nhan_de_xuat", **CONG_VAN)
    office.tick(12)  # Saturday 14 March: the closing day is over
    return item


def _score(office: Office, item: int, **form: Any) -> None:
    """The secretary sends the council's result for the proposal whose turn it is, under the
    proposal's name the form shows filled in."""
    shown = office.show(item).data["xet_de_xuat"]
    office.do("hoidong", item, "danh_gia_de_xuat", xet_de_xuat=shown, **form)


def _council(office: Office, item: int) -> None:
    """The list consolidated, the council's setting-up agreed and its decision issued."""
    office.do("qlkh.cv1", item, "tong_hop_danh_muc")
    office.do("giamdoc", item, "thanh_lap_hoi_dong", decision="thanh_lap", **HOI_DONG)
    office.do("vp.vanthu", item, "ban_hanh_quyet_dinh_hoi_dong", **QD_HOI_DONG)


def _scored(office: Office, second: dict[str, Any] = KHONG_DE_NGHI) -> int:
    """Two proposals in the list, the council set up, the first recommended, the second not
    (unless `second` says otherwise)."""
    item = _closed_with_two(office)
    _council(office, item)
    _score(office, item, **DE_NGHI)
    _score(office, item, **second)
    return item


def _approved(office: Office, item: int, **record: Any) -> None:
    """The UBND approves the list; the office records its decision, the whole list approved
    unless `record` says otherwise."""
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
    assert office.steps(item) == ["ghi_quyet_dinh_phe_duyet"]
    office.do("qlkh.cv1", item, "ghi_quyet_dinh_phe_duyet", **{**APPROVAL, **record})


def _approve_each(office: Office, item: int, verdict: str, reason: str | None = None) -> None:
    shown = office.show(item).data["xet_de_xuat"]
    given = {"ly_do_khong_phe_duyet": reason} if reason else {}
    office.do(
        "qlkh.cv1",
        item,
        "ghi_phe_duyet_de_xuat",
        xet_de_xuat=shown,
        ket_qua_phe_duyet=verdict,
        **given,
    )


def _due(office: Office, who: str, item: int, step: str) -> datetime | None:
    return office.task(who, item, step).due_at


def test_xac_dinh__a_whole_batch_one_approved_one_not(office: Office) -> None:
    item = _scored(office)
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    assert office.steps(item) == ["soan_to_trinh"]  # one tờ trình for the whole list
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
    # The office records the UBND's decision, filled in from the UBND's step.
    assert office.steps(item) == ["ghi_quyet_dinh_phe_duyet"]
    data = office.show(item).data
    assert (data["so_quyet_dinh_phe_duyet"], data["ngay_quyet_dinh_phe_duyet"]) == (
        "1234/QĐ-UBND",
        office.config.today().isoformat(),  # signed the day the UBND's step was done
    )
    assert data["danh_muc_trinh"].startswith("1 đề xuất: 1. " + NOI_BO["ten_nhiem_vu"])
    office.do("qlkh.cv1", item, "ghi_quyet_dinh_phe_duyet", **APPROVAL)
    assert office.steps(item) == ["cong_bo_danh_muc"]
    data = office.show(item).data
    approved, refused = data["danh_sach_de_xuat"]
    assert (approved["ket_qua"], approved["phuong_thuc"]) == ("duoc_phe_duyet", "tuyen_chon")
    assert approved["quyet_dinh_phe_duyet"] == "1234/QĐ-UBND"
    assert (refused["ket_qua"], refused["ly_do"]) == (
        "khong_duoc_phe_duyet",
        "Trùng với nhiệm vụ đang thực hiện",
    )
    notice = data["ket_qua_thong_bao"]
    assert "được phê duyệt, tuyển chọn" in notice
    assert "không được phê duyệt — lý do: Trùng với nhiệm vụ đang thực hiện" in notice
    assert "UBND xã Hòa Bình (Công văn đến số 125 ngày 05/03/2026)" in notice
    assert notice.startswith("Theo Quyết định số 1234/QĐ-UBND ngày 20/03/2026 của UBND tỉnh")
    office.do(
        "qlkh.cv1",
        item,
        "cong_bo_danh_muc",
        ngay_cong_bo="2026-03-20",
        noi_cong_bo="Trang thông tin điện tử của Sở",
    )
    data = office.show(item).data
    assert data["so_thong_bao"] == "01/TB-SKHCN"  # the call
    assert data["so_thong_bao_ket_qua"] == "02/TB-SKHCN"  # the notice, same register
    # The Sở's own proposer reads the notice in the inbox; the outside body has no inbox.
    assert office.steps(item) == ["nhan_thong_bao"]
    assert office.inbox("trungtam.cv1", item)
    assert not office.inbox("qlkh.cv1", item)
    office.do("trungtam.cv1", item, "nhan_thong_bao")
    assert office.show(item).status == "completed"


def test_xac_dinh__nothing_to_consolidate_before_the_closing_date(office: Office) -> None:
    item = _called(office)
    task = office.task("qlkh.cv1", item, "tiep_nhan_de_xuat")
    assert task.due_at == datetime(2026, 3, 13, 23, 59, 59, tzinfo=HANOI)
    office.do("qlkh.cv1", item, "tiep_nhan_de_xuat", **NOI_BO)
    office.tick(11)  # Friday 13 March, the closing day itself
    assert office.steps(item) == ["tiep_nhan_de_xuat"]  # open for the next proposal
    assert office.show(item).data["ten_nhiem_vu"] is None  # an empty form for it
    office.do("qlkh.cv1", item, "tiep_nhan_de_xuat", **CONG_VAN)
    office.tick(1)  # the day after: the list closes by itself
    assert office.steps(item) == ["tong_hop_danh_muc"]
    listed = office.show(item).data["danh_sach_de_xuat"]
    assert [(p["stt"], p["ten_nhiem_vu"], p["nguon"]) for p in listed] == [
        (1, NOI_BO["ten_nhiem_vu"], "noi_bo"),
        (2, CONG_VAN["ten_nhiem_vu"], "cong_van_den"),
    ]
    assert (listed[0]["nguoi_de_xuat"], listed[0]["ma_ho_so_de_xuat"]) == ("trungtam.cv1", 17)
    assert (listed[1]["so_den"], listed[1]["ngay_den"]) == (125, "2026-03-05")


def test_xac_dinh__an_incoming_letter_needs_its_number_and_date(office: Office) -> None:
    item = _called(office)
    letter = {k: v for k, v in CONG_VAN.items() if k not in ("so_den", "ngay_den")}
    with pytest.raises(engine.InvalidData) as refused:
        office.do("qlkh.cv1", item, "tiep_nhan_de_xuat", **letter)
    assert {"so_den", "ngay_den"} <= set(refused.value.fields)
    assert office.show(item).data["danh_sach_de_xuat"] == []


def test_xac_dinh__an_empty_list_goes_no_further(office: Office) -> None:
    item = _called(office)
    office.tick(12)
    assert office.steps(item) == ["danh_muc_trong"]  # no consolidation, no council
    with pytest.raises(engine.InvalidData):  # an extension needs its new closing date
        office.do("qlkh.cv1", item, "danh_muc_trong", decision="gia_han")
    office.do("qlkh.cv1", item, "danh_muc_trong", decision="gia_han", han_nop_moi="2026-03-20")
    assert office.steps(item) == ["tiep_nhan_de_xuat"]
    assert _due(office, "qlkh.cv1", item, "tiep_nhan_de_xuat") == datetime(
        2026, 3, 20, 23, 59, 59, tzinfo=HANOI
    )
    office.tick(7)
    assert office.steps(item) == ["danh_muc_trong"]
    office.do("qlkh.cv1", item, "danh_muc_trong", decision="ket_thuc", y_kien="Không có đề xuất")
    view = office.show(item)
    assert view.status == "completed"
    assert view.data["danh_sach_de_xuat"] == []


def test_xac_dinh__the_council_scores_each_proposal(office: Office) -> None:
    item = _closed_with_two(office)
    _council(office, item)
    # One proposal at a time, its page naming it.
    assert office.steps(item) == ["danh_gia_de_xuat"]
    assert office.show(item).data["xet_de_xuat"].startswith("1. " + NOI_BO["ten_nhiem_vu"])
    with pytest.raises(engine.InvalidData) as refused:  # a recommendation names its method
        _score(office, item, **{**DE_NGHI, "phuong_thuc": None})
    assert "phuong_thuc" in refused.value.fields
    _score(office, item, **DE_NGHI)
    assert office.show(item).data["xet_de_xuat"].startswith("2. " + CONG_VAN["ten_nhiem_vu"])
    with pytest.raises(engine.InvalidData) as refused:  # a refusal gives its reason
        _score(office, item, **{**KHONG_DE_NGHI, "y_kien_hoi_dong": ""})
    assert "y_kien_hoi_dong" in refused.value.fields
    _score(office, item, **{**KHONG_DE_NGHI, "so_phieu_tan_thanh": 9})
    # The Sở reviews the council's work within 7 working days (TT 07/2014 Art. 23): from
    # Saturday 14 March, to the end of Tuesday 24 March.
    assert office.steps(item) == ["xem_xet_ket_qua_hoi_dong"]
    assert _due(office, "qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong") == datetime(
        2026, 3, 24, 23, 59, 59, tzinfo=HANOI
    )
    data = office.show(item).data
    first, second = (p["danh_gia"] for p in data["danh_sach_de_xuat"])
    assert (first["so_phieu_tan_thanh"], first["so_thanh_vien"], first["phuong_thuc"]) == (
        6,
        7,
        "tuyen_chon",
    )
    assert first["phieu_tieu_chi"]["phieu_nguon_luc"] == 5
    assert (second["ket_luan"], second["ly_do"]) == (
        "khong_de_nghi",
        "Trùng với nhiệm vụ đang thực hiện",
    )
    assert second["canh_bao"] == ["số phiếu tán thành (9) nhiều hơn số thành viên có mặt (7)"]
    assert "6/7 phiếu tán thành" in data["ket_qua_hoi_dong"]
    assert "CẦN KIỂM TRA" in data["ket_qua_hoi_dong"]
    assert "xet_de_xuat" not in data and "ket_qua_danh_gia" not in data
    # Each submission names its proposal in the dossier (and the item's history).
    with transaction(office.factory) as s:
        submitted = engine.dossier(s, item).by_task.values()
    scored = [
        {f.name: f.value for f in x.fields}
        for x in sorted(submitted, key=lambda x: x.at)
        if x.element_id == "danh_gia_de_xuat"
    ]
    assert [(x["xet_de_xuat"][:2], x["so_phieu_tan_thanh"]) for x in scored] == [
        ("1.", 6),
        ("2.", 9),
    ]
    # Returned to the council, it scores the whole list again.
    office.do(
        "qlkh.cv1",
        item,
        "xem_xet_ket_qua_hoi_dong",
        decision="tra_lai",
        y_kien="Số phiếu đề xuất 2 không hợp lý",
    )
    assert office.steps(item) == ["danh_gia_de_xuat"]
    _score(office, item, **DE_NGHI)
    _score(office, item, **KHONG_DE_NGHI)
    data = office.show(item).data
    assert [p["danh_gia"]["so_phieu_tan_thanh"] for p in data["danh_sach_de_xuat"]] == [6, 2]
    assert "CẦN KIỂM TRA" not in data["ket_qua_hoi_dong"]


def test_xac_dinh__the_notice_is_due_in_15_working_days(office: Office) -> None:
    item = _scored(office)
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
    approved_at = office.clock().astimezone(HANOI)
    office.tick(2)  # the decision recorded two days later: the 15 days run from the approval
    office.do("qlkh.cv1", item, "ghi_quyet_dinh_phe_duyet", **APPROVAL)
    due = _due(office, "qlkh.cv1", item, "cong_bo_danh_muc")
    assert due is not None
    last_day = office.config.add_working_days(approved_at, 15).date()
    assert due == datetime.combine(last_day, time(23, 59, 59), HANOI)  # to that day's end
    with transaction(office.factory) as s:
        late = engine.monitor(s, office.clock(), MonitorFilter(status="overdue")).rows
    assert not [r for r in late if r.instance_id == item]
    office.tick(20)  # three weeks and a day after the approval: 16 working days
    with transaction(office.factory) as s:
        late = engine.monitor(s, office.clock(), MonitorFilter(status="overdue")).rows
    assert [r.element_id for r in late if r.instance_id == item] == ["cong_bo_danh_muc"]


DIRECTION = "Rà soát kinh phí"


def returned_by_ubnd(office: Office, item: int) -> None:
    """The scored list reviewed and sent to the UBND, which returns it with its direction."""
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    office.submit_to_ubnd(
        item,
        "qlkh.cv1",
        "qlkh.tp",
        {"decision": "tra_lai", "buoc_tra_lai": "ho_so", "y_kien_chi_dao": DIRECTION},
    )


def test_xac_dinh__the_ubnd_returns_the_list(office: Office) -> None:
    item = _scored(office)
    returned_by_ubnd(office, item)
    assert office.steps(item) == ["xem_xet_ket_qua_hoi_dong"]  # back to the list
    assert office.show(item).data["y_kien_chi_dao"] == "Rà soát kinh phí"
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    assert office.steps(item) == ["soan_to_trinh"]


def test_xac_dinh__nothing_recommended_goes_straight_to_the_notice(office: Office) -> None:
    item = _closed_with_two(office)
    _council(office, item)
    _score(office, item, **KHONG_DE_NGHI)
    _score(office, item, **KHONG_DE_NGHI)
    office.do("qlkh.cv1", item, "xem_xet_ket_qua_hoi_dong", decision="dat")
    assert office.steps(item) == ["cong_bo_danh_muc"]  # no tờ trình for an empty list
    due = _due(office, "qlkh.cv1", item, "cong_bo_danh_muc")
    last_day = office.config.add_working_days(office.clock().astimezone(HANOI), 15).date()
    assert due == datetime.combine(last_day, time(23, 59, 59), HANOI)
    listed = office.show(item).data["danh_sach_de_xuat"]
    assert {p["ket_qua"] for p in listed} == {"khong_duoc_phe_duyet"}


def test_xac_dinh__the_director_returns_the_call_and_the_list(office: Office) -> None:
    item = office.start(PROCESS, "qlkh.cv1")
    office.do("qlkh.cv1", item, "soan_thong_bao", **THONG_BAO)
    office.do("giamdoc", item, "duyet_thong_bao", decision="tra_lai", y_kien="Lùi hạn nộp")
    assert office.steps(item) == ["soan_thong_bao"]


@pytest.mark.parametrize(
    ("groups", "unit", "allowed"),
    [
        ((), "phong_qlkh", True),
        (("lanh_dao_so",), None, True),
        ((), "trung_tam_ud", False),
        (("hoi_dong_tu_van",), None, False),
    ],
)
def test_xac_dinh__started_by_the_science_office_or_the_leadership(
    groups: tuple[str, ...], unit: str | None, allowed: bool
) -> None:
    assert may_start(PROCESS, groups, unit) is allowed


def test_xac_dinh__the_ubnd_strikes_out_a_recommended_proposal(office: Office) -> None:
    """The UBND approves or returns the whole list; its decision may still leave a proposal
    out: the office records it, and that proposer's notice says why."""
    item = _scored(office, second={**DE_NGHI, "phuong_thuc": "giao_truc_tiep"})
    _approved(office, item, pham_vi_phe_duyet="mot_phan")
    assert office.steps(item) == ["ghi_phe_duyet_de_xuat"]  # one proposal at a time
    assert office.show(item).data["xet_de_xuat"].startswith("1. " + NOI_BO["ten_nhiem_vu"])
    with pytest.raises(engine.InvalidData) as refused:  # a proposal struck out needs a reason
        _approve_each(office, item, "khong_duoc_phe_duyet")
    assert "ly_do_khong_phe_duyet" in refused.value.fields
    reason = "Đã được hỗ trợ từ nguồn vốn khuyến nông"
    _approve_each(office, item, "khong_duoc_phe_duyet", reason)
    assert office.show(item).data["xet_de_xuat"].startswith("2. " + CONG_VAN["ten_nhiem_vu"])
    _approve_each(office, item, "duoc_phe_duyet")
    assert office.steps(item) == ["cong_bo_danh_muc"]
    data = office.show(item).data
    struck, approved = data["danh_sach_de_xuat"]
    assert (struck["ket_qua"], struck["ly_do"], struck["phuong_thuc"]) == (
        "khong_duoc_phe_duyet",
        reason,
        None,
    )
    assert (approved["ket_qua"], approved["phuong_thuc"]) == ("duoc_phe_duyet", "giao_truc_tiep")
    assert [(a["stt"], a["ket_qua"]) for a in data["danh_sach_phe_duyet"]] == [
        (1, "khong_duoc_phe_duyet"),
        (2, "duoc_phe_duyet"),
    ]
    office.do(
        "qlkh.cv1",
        item,
        "cong_bo_danh_muc",
        ngay_cong_bo="2026-03-23",
        noi_cong_bo="Trang thông tin điện tử của Sở",
    )
    # The struck-out proposer, in the Sở, reads the notice with the UBND's reason.
    task = office.task("trungtam.cv1", item, "nhan_thong_bao")
    with transaction(office.factory) as s:
        form = engine.task_form(s, task.id)
    notice = form.data["ket_qua_thong_bao"]
    assert (
        f"1. {NOI_BO['ten_nhiem_vu']} — {NOI_BO['don_vi_de_xuat']} (Trong Sở), người đề xuất "
        f"trungtam.cv1: không được phê duyệt — lý do: {reason}"
    ) in notice
    assert "giao trực tiếp" in notice


def test_xac_dinh__the_council_decision_is_numbered_when_issued(office: Office) -> None:
    """NĐ 30/2020: the văn thư issues the council's decision with the register's next number;
    the Director's return takes none."""
    first = _closed_with_two(office)
    office.do("qlkh.cv1", first, "tong_hop_danh_muc")
    office.do("giamdoc", first, "thanh_lap_hoi_dong", decision="tra_lai", y_kien="Bổ sung")
    assert office.steps(first) == ["tong_hop_danh_muc"]
    with transaction(office.factory) as s:
        assert engine.register_entries(s, "QĐ", 2026) == []
    office.do("qlkh.cv1", first, "tong_hop_danh_muc")
    with pytest.raises(engine.InvalidData):  # the number is never typed
        office.do(
            "giamdoc",
            first,
            "thanh_lap_hoi_dong",
            decision="thanh_lap",
            so_quyet_dinh_hoi_dong="45/QĐ-SKHCN",
            **HOI_DONG,
        )
    office.do("giamdoc", first, "thanh_lap_hoi_dong", decision="thanh_lap", **HOI_DONG)
    with transaction(office.factory) as s:  # agreed, not yet issued: still no number
        assert engine.register_entries(s, "QĐ", 2026) == []
    office.do("vp.vanthu", first, "ban_hanh_quyet_dinh_hoi_dong", **QD_HOI_DONG)
    assert office.show(first).data["so_quyet_dinh_hoi_dong"] == "01/QĐ-SKHCN"
    assert office.steps(first) == ["danh_gia_de_xuat"]
    second = _called(office, closing="2026-03-31")  # a later batch
    office.do("qlkh.cv1", second, "tiep_nhan_de_xuat", **NOI_BO)
    office.tick(20)  # Friday 3 April
    _council(office, second)
    data = office.show(second).data
    assert (data["so_quyet_dinh_hoi_dong"], data["ngay_quyet_dinh_hoi_dong"]) == (
        "02/QĐ-SKHCN",
        "2026-03-16",
    )
    with transaction(office.factory) as s:
        entries = engine.register_entries(s, "QĐ", 2026)
    assert [(e.text, e.instance_id, e.element_id) for e in entries] == [
        ("01/QĐ-SKHCN", first, "ban_hanh_quyet_dinh_hoi_dong"),
        ("02/QĐ-SKHCN", second, "ban_hanh_quyet_dinh_hoi_dong"),
    ]
