"""Proposing a provincial S&T task (plan II.4.2; TT 07/2014): every path through the diagram."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from tests.office import Office
from workflows import event_listeners

PHIEU = {
    "ten_nhiem_vu": "Ứng dụng KH&CN xây dựng chuỗi liên kết lúa gạo BG1",
    "linh_vuc": "nong_nghiep",
    "tinh_cap_thiet": "Nâng cao giá trị lúa gạo của tỉnh",
    "muc_tieu": "Xây dựng mô hình chuỗi liên kết",
    "ket_qua_du_kien": "Mô hình 50 ha",
    "thoi_gian_thang": 24,
    "kinh_phi_du_kien": 1_500_000_000,
}
HOI_DONG = {
    "ket_luan": "de_nghi",
    "tc_cap_thiet": True,
    "tc_quan_trong": True,
    "tc_khong_trung_lap": True,
    "tc_nguon_luc": True,
    "so_bien_ban": "12/BB-HĐTV",
}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _proposed(office: Office, who: str = "trungtam.cv1") -> int:
    item = office.start("de_xuat_nhiem_vu", who)
    assert office.steps(item) == ["lap_phieu_de_xuat"]
    assert not office.inbox("trungtam.tp", item)  # the proposer's own desk
    office.do(who, item, "lap_phieu_de_xuat", **PHIEU)
    return item


def _to_director(office: Office, item: int) -> None:
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    office.do("hoidong", item, "danh_gia_hoi_dong", **HOI_DONG)


def _through_ubnd(office: Office, item: int, decision: dict[str, Any]) -> None:
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", decision)


def test_de_xuat__approved_by_the_chairman(sqlite_factory: Any, clock: Any) -> None:
    office = Office(engine.bind_listeners(sqlite_factory, event_listeners()), clock)
    item = _proposed(office)
    _to_director(office, item)
    office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="phe_duyet")
    assert office.steps(item) == ["soan_to_trinh"]  # inside the trinh_ubnd call activity
    _through_ubnd(office, item, {"decision": "phe_duyet"})
    view = office.show(item)
    assert view.status == "completed"
    assert view.data["trang_thai"] == "da_phe_duyet"
    assert view.data["ten_nhiem_vu"] == PHIEU["ten_nhiem_vu"]
    assert view.data["so_ky_hieu"] == "01/TTr-SKHCN"  # the first tờ trình of the year
    # The proposer is told how it ended (TT 07/2014 Art. 23), as its end event names it.
    assert view.history[-1].outcome == "Danh mục được phê duyệt"
    with engine.transaction(office.factory) as s:
        told = engine.notifications_for(s, "trungtam.cv1").rows
    assert [(n.event, n.reason) for n in told if n.event == "finished"] == [
        ("finished", "Danh mục được phê duyệt")
    ]


def test_de_xuat__the_science_office_returns_it_with_a_reason(office: Office) -> None:
    item = _proposed(office)
    office.do(
        "qlkh.cv2", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Thiếu dự toán kinh phí"
    )
    assert office.steps(item) == ["lap_phieu_de_xuat"]
    assert office.inbox("trungtam.cv1", item)[0].element_id == "lap_phieu_de_xuat"
    assert office.show(item).data["y_kien"] == "Thiếu dự toán kinh phí"
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    assert office.steps(item) == ["xem_xet_de_xuat"]


@pytest.mark.parametrize(
    ("step", "who"),
    [
        ("lap_phieu_de_xuat", "trungtam.cv1"),
        ("xem_xet_de_xuat", "qlkh.cv1"),
        ("danh_gia_hoi_dong", "hoidong"),
    ],
)
def test_de_xuat__the_director_returns_it_to_the_step_he_names(
    office: Office, step: str, who: str
) -> None:
    item = _proposed(office)
    _to_director(office, item)
    office.do(
        "giamdoc",
        item,
        "quyet_dinh_giam_doc",
        decision="tra_lai",
        buoc_tra_lai=step,
        y_kien="Làm rõ tính cấp thiết",
    )
    assert office.steps(item) == [step]
    assert office.inbox(who, item)


def test_de_xuat__the_chairman_returns_it_to_the_director(office: Office) -> None:
    item = _proposed(office)
    _to_director(office, item)
    office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="phe_duyet")
    _through_ubnd(
        office,
        item,
        {"decision": "tra_lai", "buoc_tra_lai": "ho_so", "y_kien_chi_dao": "Cân nhắc kinh phí"},
    )
    assert office.steps(item) == ["quyet_dinh_giam_doc"]
    assert office.show(item).data["y_kien_chi_dao"] == "Cân nhắc kinh phí"


def test_de_xuat__the_director_rejects_it(office: Office) -> None:
    item = _proposed(office)
    _to_director(office, item)
    with pytest.raises(engine.InvalidData):
        office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="khong_phe_duyet")
    office.do(
        "giamdoc",
        item,
        "quyet_dinh_giam_doc",
        decision="khong_phe_duyet",
        y_kien="Trùng với nhiệm vụ đang thực hiện",
    )
    view = office.show(item)
    assert (view.status, view.data["trang_thai"]) == ("completed", "khong_phe_duyet")
    assert view.history[-1].outcome == "Không trình UBND tỉnh"


def test_de_xuat__the_council_records_the_four_criteria(office: Office) -> None:
    item = _proposed(office)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    with pytest.raises(engine.InvalidData) as refused:
        office.do("hoidong", item, "danh_gia_hoi_dong", ket_luan="de_nghi")
    assert {
        "tc_cap_thiet",
        "tc_quan_trong",
        "tc_khong_trung_lap",
        "tc_nguon_luc",
        "so_bien_ban",
    } <= set(refused.value.fields)
    # Recommended only when every criterion is met; not recommending takes any.
    unmet = {**HOI_DONG, "tc_khong_trung_lap": False, "tc_nguon_luc": False}
    with pytest.raises(engine.InvalidData) as refused:
        office.do("hoidong", item, "danh_gia_hoi_dong", **unmet)
    assert set(refused.value.fields) == {"tc_khong_trung_lap", "tc_nguon_luc"}
    assert "đạt đủ 4 tiêu chí" in refused.value.fields["tc_nguon_luc"]
    office.do("hoidong", item, "danh_gia_hoi_dong", **HOI_DONG)
    decided = [h for h in office.show(item).history if h.element_id == "danh_gia_hoi_dong"]
    assert decided[-1].decision == "de_nghi"


def test_de_xuat__cancelled_by_the_proposer(office: Office) -> None:
    item = _proposed(office)
    office.cancel(item, "trungtam.cv1", "Đơn vị rút đề xuất")
    assert office.show(item).status == "cancelled"
