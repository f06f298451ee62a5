"""Drafting a regulation (plan II.4.1, II.4.2): consultation in parallel, appraisal by Sở Tư
pháp, the director's approval and the submission to the UBND tỉnh."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from tests.office import Office

GIAO = {
    "ten_du_thao": "Quy định định mức xây dựng, phân bổ dự toán kinh phí nhiệm vụ KH&CN",
    "don_vi_soan_thao": "phong_khtc",
    "don_vi_lay_y_kien": ["phong_qlkh", "van_phong_so", "chi_cuc_tdc"],
    "han_gop_y_ngay": 7,
}
CONSULTED = {"phong_qlkh": "qlkh.cv1", "van_phong_so": "vp.cv2", "chi_cuc_tdc": "chicuc.cv1"}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _consulted(office: Office) -> int:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **GIAO)
    office.do("khtc.cv1", item, "soan_du_thao", tom_tat_du_thao="Dự thảo gồm 3 chương, 15 điều")
    assert office.steps(item) == ["gop_y"] * 3
    for unit, person in CONSULTED.items():
        [task] = office.inbox(person, item)
        assert task.candidate_groups == [unit]
        assert task.due_at is not None  # each unit replies within its deadline
        if unit == "chi_cuc_tdc":
            office.do(
                person,
                item,
                "gop_y",
                ket_qua_gop_y="co_y_kien",
                y_kien="Đề nghị bổ sung định mức thử nghiệm",
            )
        else:
            office.do(person, item, "gop_y", ket_qua_gop_y="thong_nhat")
    assert office.steps(item) == ["tong_hop_y_kien"]
    replies = [(h.actor, h.decision) for h in office.show(item).history if h.element_id == "gop_y"]
    assert sorted(replies) == [
        ("chicuc.cv1", "co_y_kien"),
        ("qlkh.cv1", "thong_nhat"),
        ("vp.cv2", "thong_nhat"),
    ]
    return item


def test_quy_dinh__from_assignment_to_issue(office: Office) -> None:
    item = _consulted(office)
    office.do("khtc.cv1", item, "tong_hop_y_kien", bao_cao_tong_hop="Tiếp thu 1 ý kiến")
    office.do(
        "tuphap",
        item,
        "tham_dinh",
        ket_luan_tham_dinh="du_dieu_kien",
        so_bao_cao_tham_dinh="45/BC-STP",
    )
    office.do("khtc.tp", item, "giai_trinh", bao_cao_giai_trinh="Đã tiếp thu")
    office.do("giamdoc", item, "duyet_giam_doc", decision="dong_y")
    office.submit_to_ubnd(
        item,
        "khtc.cv1",
        "khtc.tp",
        {"decision": "phe_duyet"},
        signer="phogiamdoc",
        sign="kt_giam_doc",
    )
    view = office.show(item)
    assert (view.status, view.data["trang_thai"]) == ("completed", "da_ban_hanh")
    assert view.data["hinh_thuc_ky"] == "kt_giam_doc"


def test_quy_dinh__consulted_units_act_only_on_their_own_reply(office: Office) -> None:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **GIAO)
    office.do("khtc.cv1", item, "soan_du_thao", tom_tat_du_thao="Dự thảo")
    assert len(office.inbox("qlkh.cv1", item)) == 1
    assert office.inbox("cs.cv1", item) == []
    with pytest.raises(engine.InvalidData):
        office.do("chicuc.cv1", item, "gop_y", ket_qua_gop_y="co_y_kien")  # needs its content


def test_quy_dinh__appraisal_not_passed_goes_round_again(office: Office) -> None:
    item = _consulted(office)
    office.do("khtc.cv1", item, "tong_hop_y_kien", bao_cao_tong_hop="Tiếp thu")
    office.do(
        "tuphap",
        item,
        "tham_dinh",
        ket_luan_tham_dinh="chua_du_dieu_kien",
        so_bao_cao_tham_dinh="46/BC-STP",
        y_kien="Thiếu đánh giá tác động",
    )
    office.do("khtc.cv1", item, "giai_trinh", bao_cao_giai_trinh="Bổ sung đánh giá tác động")
    assert office.steps(item) == ["tham_dinh"]
    assert office.show(item).data["y_kien"] == "Thiếu đánh giá tác động"


@pytest.mark.parametrize("where", ["giam_doc", "ubnd"])
def test_quy_dinh__returns_go_back_to_revision(office: Office, where: str) -> None:
    item = _consulted(office)
    office.do("khtc.cv1", item, "tong_hop_y_kien", bao_cao_tong_hop="Tiếp thu")
    office.do(
        "tuphap",
        item,
        "tham_dinh",
        ket_luan_tham_dinh="du_dieu_kien",
        so_bao_cao_tham_dinh="47/BC-STP",
    )
    office.do("khtc.cv1", item, "giai_trinh", bao_cao_giai_trinh="Đã chỉnh lý")
    if where == "giam_doc":
        office.do("giamdoc", item, "duyet_giam_doc", decision="tra_lai", y_kien="Sửa Điều 5")
    else:
        office.do("giamdoc", item, "duyet_giam_doc", decision="dong_y")
        office.submit_to_ubnd(
            item,
            "khtc.cv1",
            "khtc.tp",
            {
                "decision": "tra_lai",
                "buoc_tra_lai": "ho_so",
                "y_kien_chi_dao": "Rà soát lại định mức",
            },
        )
    assert office.steps(item) == ["giai_trinh"]


def test_quy_dinh__cancel_during_consultation(office: Office) -> None:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **GIAO)
    office.do("khtc.cv1", item, "soan_du_thao", tom_tat_du_thao="Dự thảo")
    office.cancel(item, "giamdoc", "Dừng xây dựng theo chỉ đạo")
    view = office.show(item)
    assert view.status == "cancelled" and view.open_tasks == []
