"""The process de_xuat_nhiem_vu: its diagram and its forms."""

from __future__ import annotations

from typing import Any

from tools.bpmn_builder import Diagram
from tools.diagrams.common import (
    ATTACHMENT_REQUIRED,
    DECIDED,
    ReturnChoice,
    ReturnTarget,
    choice,
    decision_form,
    simple_form,
    text,
    whole_number,
)

GIAM_DOC_RETURNS = ReturnChoice(
    (
        ReturnTarget(
            "lap_phieu_de_xuat",
            "Đơn vị đề xuất hoàn thiện phiếu",
            "lap_phieu_de_xuat",
            "Về đơn vị đề xuất",
        ),
        ReturnTarget(
            "xem_xet_de_xuat",
            "Phòng Quản lý Khoa học xem xét lại",
            "xem_xet_de_xuat",
            "Về Phòng QLKH",
        ),
        ReturnTarget(
            "danh_gia_hoi_dong",
            "Hội đồng tư vấn đánh giá lại",
            "danh_gia_hoi_dong",
            "Về Hội đồng",
        ),
    ),
)


# The council's four criteria (Thông tư 07/2014/TT-BKHCN, Điều 3): a task is recommended only
# when it meets them all. Named for what is met, so that "Không" reads as not met.
CRITERIA = (
    ("tc_cap_thiet", "Đạt tiêu chí: có tính cấp thiết"),
    ("tc_quan_trong", "Đạt tiêu chí: quan trọng đối với nhiều ngành"),
    ("tc_khong_trung_lap", "Đạt tiêu chí: không trùng lặp"),
    ("tc_nguon_luc", "Đạt tiêu chí: cần nguồn lực của tỉnh"),
)


def _all_criteria_to_recommend(form: dict[str, Any]) -> dict[str, Any]:
    """ "Đề nghị thực hiện" only with every criterion ticked: a walk recommended a proposal
    that met none."""
    rule = {
        "if": {"properties": {"ket_luan": {"const": "de_nghi"}}, "required": ["ket_luan"]},
        "then": {"properties": {name: {"const": True} for name, _title in CRITERIA}},
    }
    for name, _title in CRITERIA:
        form["properties"][name]["errorMessages"] = {
            "const": "Đề nghị thực hiện khi nhiệm vụ đạt đủ 4 tiêu chí; tiêu chí này chưa đạt"
        }
    return {**form, "allOf": [*form.get("allOf", []), rule]}


FORMS: dict[str, dict[str, Any]] = {
    # A specialist checks and passes on; approving is the leaders' (their forms say "Duyệt").
    "xem_xet_de_xuat.json": decision_form(
        "Kết quả xem xét",
        [("dong_y", "Đạt, trình Hội đồng"), ("tra_lai", "Trả lại")],
        ["tra_lai"],
    ),
    "phieu_de_xuat.json": simple_form(
        "Phiếu đề xuất nhiệm vụ khoa học và công nghệ",
        {
            "ten_nhiem_vu": text("Tên nhiệm vụ"),
            "linh_vuc": choice(
                "Lĩnh vực",
                [
                    ("nong_nghiep", "Nông nghiệp"),
                    ("cong_nghiep", "Công nghiệp"),
                    ("y_duoc", "Y dược"),
                    ("xa_hoi", "Khoa học xã hội và nhân văn"),
                    ("tu_nhien", "Khoa học tự nhiên"),
                    ("ky_thuat", "Kỹ thuật và công nghệ"),
                ],
                "Hãy chọn lĩnh vực",
            ),
            "tinh_cap_thiet": text("Tính cấp thiết", long=True),
            "muc_tieu": text("Mục tiêu", long=True),
            "ket_qua_du_kien": text("Kết quả dự kiến", long=True),
            "thoi_gian_thang": whole_number("Thời gian thực hiện (tháng)", 1, 60),
            "kinh_phi_du_kien": {
                "type": "integer",
                "title": "Kinh phí dự kiến (đồng)",
                "minimum": 0,
                "errorMessages": {
                    "minimum": "Kinh phí không thể âm",
                    "type": "Nhập số tiền (đồng)",
                },
            },
        },
        ["ten_nhiem_vu", "linh_vuc", "tinh_cap_thiet", "muc_tieu", "ket_qua_du_kien"],
    ),
    "hoi_dong.json": {
        **_all_criteria_to_recommend(
            decision_form(
                "Kết luận của Hội đồng tư vấn xác định nhiệm vụ",
                [("de_nghi", "Đề nghị thực hiện"), ("khong_de_nghi", "Không đề nghị thực hiện")],
                ["khong_de_nghi"],
                field="ket_luan",
                label="Kết luận",
                extra={
                    **{name: {"type": "boolean", "title": title} for name, title in CRITERIA},
                    "so_bien_ban": text("Số biên bản họp hội đồng"),
                },
                required=(*(name for name, _title in CRITERIA), "so_bien_ban"),
            )
        ),
        # The Director decides on the council's minutes: the step waits for them.
        ATTACHMENT_REQUIRED: "Hãy đính kèm biên bản họp Hội đồng",
    },
    "quyet_dinh_giam_doc.json": decision_form(
        "Ý kiến của Giám đốc Sở",
        [
            ("phe_duyet", "Đồng ý trình UBND tỉnh"),
            ("tra_lai", "Trả lại"),
            ("khong_phe_duyet", "Không trình UBND tỉnh"),
        ],
        ["tra_lai", "khong_phe_duyet"],
        return_to=GIAM_DOC_RETURNS,
    ),
}


def de_xuat_nhiem_vu() -> Diagram:
    d = Diagram(
        "de_xuat_nhiem_vu",
        "Đề xuất nhiệm vụ khoa học và công nghệ cấp tỉnh",
        doc="Kế hoạch mục II.4.2; Thông tư 07/2014/TT-BKHCN (sửa đổi bởi TT 03/2017) và quy định "
        "của tỉnh: đơn vị lập phiếu đề xuất, Phòng Quản lý Khoa học xem xét, Hội đồng tư vấn "
        "đánh giá theo 4 tiêu chí, Giám đốc Sở quyết định, Sở trình UBND tỉnh phê duyệt danh mục.",
    )
    unit, qlkh, council, leaders = (
        "Đơn vị đề xuất",
        "Phòng Quản lý Khoa học",
        "Hội đồng tư vấn xác định nhiệm vụ",
        "Lãnh đạo Sở",
    )
    d.lanes(unit, qlkh, council, leaders)
    d.start("bat_dau", "Có đề xuất nhiệm vụ", unit)
    d.user(
        "lap_phieu_de_xuat",
        "Lập phiếu đề xuất nhiệm vụ",
        unit,
        form="phieu_de_xuat.json",
        assignee="${initiator}",
        submitLabel="Trình",
        doneMessage="Đã trình phiếu đề xuất đến Phòng Quản lý Khoa học",
        doc="Điền phiếu cho một nhiệm vụ (mỗi nhiệm vụ một phiếu), đính kèm phiếu đã ký nếu có, "
        "rồi trình Phòng Quản lý Khoa học.",
    )
    d.user(
        "xem_xet_de_xuat",
        "Xem xét, tổng hợp đề xuất",
        qlkh,
        form="xem_xet_de_xuat.json",
        dueInWorkingDays="10",
        doneMessage="Đã xem xét đề xuất",
        doc="Kiểm tra phiếu (đủ thông tin, không trùng nhiệm vụ đã có) và tổng hợp vào danh mục. "
        "Phiếu chưa đạt: trả lại, nêu rõ nội dung cần bổ sung.",
    )
    d.xor("gw_xem_xet", "Phiếu đạt?", qlkh)
    d.user(
        "danh_gia_hoi_dong",
        "Hội đồng tư vấn đánh giá theo 4 tiêu chí",
        council,
        form="hoi_dong.json",
        decisionField="ket_luan",
        dueInWorkingDays="15",
        submitLabel="Gửi ý kiến",
        doneMessage="Đã gửi kết luận của Hội đồng",
        doc="Thư ký Hội đồng ghi kết quả họp: đánh dấu các tiêu chí đạt (tính cấp thiết; tầm "
        "quan trọng liên ngành; không trùng lặp; cần nguồn lực của tỉnh), nhập số biên bản, chọn "
        "kết luận và đính kèm biên bản họp.",
    )
    d.user(
        "quyet_dinh_giam_doc",
        "Giám đốc Sở xem xét, quyết định trình",
        leaders,
        form="quyet_dinh_giam_doc.json",
        dueInWorkingDays="5",
        doneMessage="Đã cho ý kiến",
        doc="Xem phiếu đề xuất, kết luận và biên bản của Hội đồng; đồng ý trình UBND tỉnh, trả "
        "lại (chọn bước cần làm lại, nêu lý do) hoặc không trình (nêu lý do).",
    )
    d.xor("gw_giam_doc", "Quyết định của Giám đốc?", leaders)
    d.script(
        "chuan_bi_trinh",
        "Chuẩn bị hồ sơ trình",
        leaders,
        'don_vi_soan_thao = "phong_qlkh"\ntrich_yeu_goc = ten_nhiem_vu',
    )
    d.call(
        "trinh_ubnd",
        "Trình UBND tỉnh phê duyệt danh mục",
        leaders,
        "trinh_ubnd",
        doc="Sở gửi tờ trình (…/TTr-SKHCN); Chủ tịch UBND tỉnh phê duyệt danh mục bằng quyết "
        "định, hoặc trả lại.",
    )
    d.xor("gw_ubnd", "Kết quả trình?", leaders)
    d.script(
        "ghi_danh_muc", "Ghi nhận danh mục được phê duyệt", leaders, 'trang_thai = "da_phe_duyet"'
    )
    d.end("ket_thuc_phe_duyet", "Danh mục được phê duyệt", leaders)
    d.script(
        "ghi_khong_phe_duyet",
        "Ghi nhận: không phê duyệt",
        leaders,
        'trang_thai = "khong_phe_duyet"',
    )
    d.end("ket_thuc_khong_phe_duyet", "Không trình UBND tỉnh", leaders)

    d.chain("bat_dau", "lap_phieu_de_xuat", "xem_xet_de_xuat", "gw_xem_xet")
    d.flow("gw_xem_xet", "danh_gia_hoi_dong", "Đồng ý", default=True)
    d.flow("gw_xem_xet", "lap_phieu_de_xuat", "Trả lại", DECIDED.format("tra_lai"))
    d.chain("danh_gia_hoi_dong", "quyet_dinh_giam_doc", "gw_giam_doc")
    d.flow("gw_giam_doc", "chuan_bi_trinh", "Trình UBND tỉnh", default=True)
    GIAM_DOC_RETURNS.flows(d, "gw_giam_doc")
    d.flow("gw_giam_doc", "ghi_khong_phe_duyet", "Không trình", DECIDED.format("khong_phe_duyet"))
    d.flow("ghi_khong_phe_duyet", "ket_thuc_khong_phe_duyet")
    d.chain("chuan_bi_trinh", "trinh_ubnd", "gw_ubnd")
    d.flow("gw_ubnd", "ghi_danh_muc", "Phê duyệt", default=True)
    d.flow("gw_ubnd", "quyet_dinh_giam_doc", "Trả lại", 'ket_qua_trinh == "tra_lai"')
    d.flow("ghi_danh_muc", "ket_thuc_phe_duyet")
    return d
