"""The process xac_dinh_nhiem_vu_nam: the yearly identification of provincial S&T tasks as one
batch (a call for proposals, the year's list, the advisory council, one tờ trình, publication
and notices). The single proposal (de_xuat_nhiem_vu) stays the path for urgent proposals."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from tools.bpmn_builder import BPMN, SPIFF, Diagram
from tools.diagrams.common import (
    DECIDED,
    ISSUED_COPY_DOC,
    ISSUED_COPY_DONE,
    choice,
    decision_form,
    require_when,
    simple_form,
    text,
    whole_number,
)

PROCESS_ID = "xac_dinh_nhiem_vu_nam"
# TT 07/2014/TT-BKHCN Art. 23: the Sở reviews the council's work within 7 working days; the
# approved list is published and every proposer notified within 15 working days.
REVIEW_WORKING_DAYS = 7
NOTICE_WORKING_DAYS = 15
# The office's own working days for the other steps (no legal figure retrieved: change here).
OFFICE_DAYS = {"duyet_thong_bao": 3, "phat_hanh_thong_bao": 1, "tong_hop_danh_muc": 5}
OFFICE_DAYS.update(thanh_lap_hoi_dong=5, danh_muc_trong=3, ban_hanh_quyet_dinh_hoi_dong=1)
OFFICE_DAYS.update(ghi_quyet_dinh_phe_duyet=2)

LIMITS_DOC = (
    " Thời hạn: Sở xem xét kết quả làm việc của Hội đồng trong 7 ngày làm việc; công bố danh "
    "mục được phê duyệt và thông báo cho tổ chức, cá nhân đề xuất trong 15 ngày làm việc kể từ "
    "khi UBND tỉnh phê duyệt (Thông tư 07/2014/TT-BKHCN, Điều 23; Luật Khoa học, Công nghệ và "
    "Đổi mới sáng tạo 93/2025/QH15 là luật hiện hành; văn bản thay thế TT 07/2014 chưa được "
    "xác minh). Hạn nộp đề xuất do thông báo của Sở ấn định. Thời hạn các bước khác là quy định "
    "của cơ quan, sửa được (tools/diagrams/xac_dinh_nhiem_vu.py: OFFICE_DAYS); tỷ lệ phiếu cần "
    "để Hội đồng đề nghị thực hiện chưa được xác minh: Hội đồng ghi kết luận và số phiếu, hệ "
    "thống chỉ cảnh báo số phiếu không hợp lý (nhiều hơn số thành viên)."
)
NOTICE_DOC = (
    " Thông báo kết quả: bước «Công bố danh mục, thông báo kết quả» liệt kê mọi đề xuất với kết "
    "quả (được phê duyệt và phương thức; không được phê duyệt và lý do); thông báo được cấp số "
    "trong sổ thông báo (…/TB-SKHCN) và công bố. Người đề xuất trong Sở có ghi tên đăng nhập "
    "nhận thông báo trong «Việc cần xử lý» và xác nhận đã nhận; tổ chức ngoài Sở được thông báo "
    "bằng văn bản đã phát hành."
)

DE_XUAT_FIELDS = (
    "ten_nhiem_vu",
    "nguon",
    "don_vi_de_xuat",
    "nguoi_de_xuat",
    "so_den",
    "ngay_den",
    "ma_ho_so_de_xuat",
    "tom_tat_de_xuat",
)
COUNCIL_FIELDS = (
    "so_thanh_vien_co_mat",
    "phieu_cap_thiet",
    "phieu_quan_trong",
    "phieu_khong_trung_lap",
    "phieu_nguon_luc",
    "so_phieu_tan_thanh",
    "ket_luan",
    "phuong_thuc",
    "y_kien_hoi_dong",
)


def _date(title: str) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "date",
        "title": title,
        "errorMessages": {
            "required": f"Hãy nhập {title[:1].lower()}{title[1:]}",
            "format": "Ngày không hợp lệ",
        },
    }


def _deadline(title: str) -> dict[str, Any]:
    """A date set as a deadline now: not before today (engine/forms.py's "x-not-before")."""
    field = _date(title)
    messages = field.pop("errorMessages")
    return {
        **field,
        "x-not-before": "today",
        "errorMessages": {**messages, "x-not-before": f"{title} không được trước ngày hôm nay"},
    }


def _count(title: str, minimum: int = 0) -> dict[str, Any]:
    required = "Hãy nhập số phiếu" if minimum == 0 else "Hãy nhập số thành viên"
    return whole_number(title, minimum, 1000, required)


def _shown(title: str) -> dict[str, Any]:
    """A value the process computed, shown on the step's page (never typed)."""
    return {"type": "string", "title": title, "readOnly": True}


def _register(title: str, key: str = "TB", summary: str | None = None) -> dict[str, Any]:
    """A number the engine takes from the Sở's register `key` when the step is completed;
    `summary`: the field whose words the register keeps as the document's trích yếu."""
    marker = {"key": key, "suffix": f"/{key}-SKHCN"}
    return {
        "type": "string",
        "title": title,
        "readOnly": True,
        "x-register": marker if summary is None else {**marker, "summary": summary},
    }


def _approval_form() -> dict[str, Any]:
    form = decision_form(
        "Kết quả phê duyệt của UBND tỉnh đối với đề xuất",
        [
            ("duoc_phe_duyet", "Được phê duyệt"),
            ("khong_duoc_phe_duyet", "Không được phê duyệt"),
        ],
        ["khong_duoc_phe_duyet"],
        field="ket_qua_phe_duyet",
        label="Kết quả phê duyệt",
        extra={
            # Filled in from the proposal whose turn it is (as on the council's form).
            "xet_de_xuat": {**text("Đề xuất (ghi sẵn theo danh mục trình)"), "maxLength": 2000},
        },
        required=("xet_de_xuat",),
        reason_field="ly_do_khong_phe_duyet",
        reason_title="Lý do không được phê duyệt (theo quyết định của UBND tỉnh)",
    )
    form["properties"]["ly_do_khong_phe_duyet"]["errorMessages"] = {
        "required": "Hãy nêu lý do không được phê duyệt",
        "minLength": "Hãy nêu lý do không được phê duyệt",
    }
    return form


FORMS: dict[str, dict[str, Any]] = {
    "dot_thong_bao.json": simple_form(
        "Thông báo đề xuất nhiệm vụ khoa học và công nghệ cấp tỉnh",
        {
            "trich_yeu_thong_bao": text("Trích yếu thông báo"),
            "nam_ke_hoach": whole_number("Năm thực hiện nhiệm vụ", 2000, 2100, "Hãy nhập năm"),
            "noi_dung_thong_bao": text("Nội dung thông báo (định hướng, yêu cầu)", long=True),
            "han_nop_de_xuat": _deadline("Hạn nộp đề xuất"),
        },
        ["trich_yeu_thong_bao", "nam_ke_hoach", "noi_dung_thong_bao", "han_nop_de_xuat"],
    ),
    "dot_phat_hanh_thong_bao.json": simple_form(
        "Cấp số, phát hành thông báo",
        {
            "so_thong_bao": _register("Số, ký hiệu thông báo", summary="trich_yeu_thong_bao"),
            "ngay_ban_hanh_thong_bao": {
                **_date("Ngày ban hành"),
                "x-not-before": "started",
                "x-not-later": "today",
                "errorMessages": {
                    **_date("Ngày ban hành")["errorMessages"],
                    "x-not-before": "Ngày ban hành không thể trước ngày lập hồ sơ",
                    "x-not-later": "Ngày ban hành không thể sau hôm nay",
                },
            },
        },
        ["ngay_ban_hanh_thong_bao"],
    ),
    "dot_tiep_nhan.json": require_when(
        simple_form(
            "Tiếp nhận đề xuất nhiệm vụ",
            {
                "ten_nhiem_vu": text("Tên nhiệm vụ đề xuất"),
                "nguon": choice(
                    "Nguồn đề xuất",
                    [
                        ("noi_bo", "Đơn vị, cá nhân trong Sở"),
                        ("cong_van_den", "Công văn đến của cơ quan, tổ chức ngoài Sở"),
                    ],
                    "Hãy chọn nguồn đề xuất",
                ),
                "don_vi_de_xuat": text("Đơn vị, tổ chức, cá nhân đề xuất"),
                "nguoi_de_xuat": {
                    **text("Tên đăng nhập của người đề xuất trong Sở", required=False),
                    "maxLength": 100,
                },
                "so_den": {
                    "type": "integer",
                    "title": "Số đến (công văn đến)",
                    "minimum": 1,
                    "errorMessages": {"required": "Hãy nhập số đến", "minimum": "Số đến từ 1"},
                },
                "ngay_den": _date("Ngày đến"),
                "ma_ho_so_de_xuat": {
                    "type": "integer",
                    "title": "Số hồ sơ «Đề xuất nhiệm vụ» trên hệ thống (nếu có)",
                    "minimum": 1,
                },
                "tom_tat_de_xuat": text("Tóm tắt đề xuất", long=True, required=False),
            },
            ["ten_nhiem_vu", "nguon", "don_vi_de_xuat"],
        ),
        "nguon",
        "cong_van_den",
        ["so_den", "ngay_den"],
    ),
    "dot_danh_muc_trong.json": require_when(
        decision_form(
            "Danh mục chưa có đề xuất",
            [("gia_han", "Gia hạn nhận đề xuất"), ("ket_thuc", "Kết thúc đợt")],
            ["ket_thuc"],
            extra={"han_nop_moi": _date("Hạn nộp đề xuất mới")},
        ),
        "decision",
        "gia_han",
        ["han_nop_moi"],
    ),
    "dot_tong_hop.json": simple_form(
        "Tổng hợp danh mục đề xuất",
        {
            "danh_sach_tiep_nhan": _shown("Các đề xuất đã tiếp nhận"),
            "ghi_chu_tong_hop": text("Ghi chú tổng hợp", long=True, required=False),
        },
        [],
    ),
    "dot_thanh_lap_hoi_dong.json": require_when(
        decision_form(
            "Thành lập Hội đồng tư vấn xác định nhiệm vụ",
            [("thanh_lap", "Đồng ý thành lập Hội đồng"), ("tra_lai", "Trả lại")],
            ["tra_lai"],
            extra={
                "danh_sach_tiep_nhan": _shown("Danh mục đề xuất"),
                "thanh_vien_hoi_dong": text(
                    "Thành viên Hội đồng (họ tên, chức danh)", long=True, required=False
                ),
                "so_thanh_vien": _count("Tổng số thành viên Hội đồng", minimum=1),
            },
        ),
        "decision",
        "thanh_lap",
        ["thanh_vien_hoi_dong", "so_thanh_vien"],
    ),
    "dot_quyet_dinh_hoi_dong.json": simple_form(
        "Cấp số, ban hành quyết định thành lập Hội đồng",
        {
            "thanh_vien_hoi_dong": _shown("Thành viên Hội đồng"),
            "so_quyet_dinh_hoi_dong": _register("Số, ký hiệu quyết định", key="QĐ"),
            "ngay_quyet_dinh_hoi_dong": _date("Ngày ký quyết định"),
        },
        ["ngay_quyet_dinh_hoi_dong"],
    ),
    "dot_danh_gia.json": require_when(
        decision_form(
            "Kết quả đánh giá của Hội đồng đối với đề xuất",
            [("de_nghi", "Đề nghị thực hiện"), ("khong_de_nghi", "Không đề nghị thực hiện")],
            ["khong_de_nghi"],
            field="ket_luan",
            label="Kết luận của Hội đồng",
            extra={
                # Filled in from the proposal whose turn it is and sent back with the scores,
                # so each submission in the dossier and the history names its proposal (a
                # read-only field would show the item's value of the moment: the next one's).
                "xet_de_xuat": {
                    **text("Đề xuất được đánh giá (ghi sẵn theo danh mục)"),
                    "maxLength": 2000,
                },
                "so_thanh_vien_co_mat": _count("Số thành viên có mặt, bỏ phiếu", minimum=1),
                "phieu_cap_thiet": _count("Số phiếu đạt tiêu chí: tính cấp thiết"),
                "phieu_quan_trong": _count("Số phiếu đạt tiêu chí: tầm quan trọng liên ngành"),
                "phieu_khong_trung_lap": _count("Số phiếu đạt tiêu chí: không trùng lặp"),
                "phieu_nguon_luc": _count("Số phiếu đạt tiêu chí: cần nguồn lực của tỉnh"),
                "so_phieu_tan_thanh": _count("Số phiếu đề nghị thực hiện (tán thành)"),
                "phuong_thuc": choice(
                    "Phương thức thực hiện đề nghị",
                    [("tuyen_chon", "Tuyển chọn"), ("giao_truc_tiep", "Giao trực tiếp")],
                    "Hãy chọn phương thức",
                ),
            },
            required=(
                "xet_de_xuat",
                "so_thanh_vien_co_mat",
                "phieu_cap_thiet",
                "phieu_quan_trong",
                "phieu_khong_trung_lap",
                "phieu_nguon_luc",
                "so_phieu_tan_thanh",
            ),
            reason_field="y_kien_hoi_dong",
            # One box whatever the conclusion (it is the button pressed): the hint and the
            # error say a "Không đề nghị thực hiện" must give its reason here. It is the
            # step's comment too: the secretary writes the council's opinion once.
            reason_title="Ý kiến của Hội đồng",
            reason_is_comment=True,
        ),
        "ket_luan",
        "de_nghi",
        ["phuong_thuc"],
    ),
    "dot_xem_xet_hoi_dong.json": decision_form(
        "Xem xét kết quả làm việc của Hội đồng, lập danh mục trình",
        [
            ("dat", "Đạt, lập danh mục trình UBND tỉnh"),
            ("tra_lai", "Trả lại Hội đồng đánh giá lại"),
        ],
        ["tra_lai"],
        extra={
            "ket_qua_hoi_dong": _shown("Kết quả đánh giá của Hội đồng"),
            "y_kien_chi_dao": _shown("Ý kiến chỉ đạo của UBND tỉnh"),
        },
    ),
    "dot_quyet_dinh_phe_duyet.json": decision_form(
        "Ghi quyết định phê duyệt danh mục của UBND tỉnh",
        [
            ("toan_bo", "Phê duyệt toàn bộ danh mục trình"),
            ("mot_phan", "Ghi từng đề xuất (có đề xuất không được phê duyệt)"),
        ],
        [],
        field="pham_vi_phe_duyet",
        label="Phạm vi phê duyệt",
        extra={
            "danh_muc_trinh": _shown("Danh mục đã trình UBND tỉnh"),
            "so_quyet_dinh_phe_duyet": {
                **text("Số, ký hiệu quyết định phê duyệt của UBND tỉnh"),
                "maxLength": 100,
                "errorMessages": {
                    "required": "Hãy nhập số quyết định",
                    "minLength": "Hãy nhập số quyết định",
                },
                "minLength": 1,
            },
            "ngay_quyet_dinh_phe_duyet": _date("Ngày ký quyết định"),
        },
        required=("so_quyet_dinh_phe_duyet", "ngay_quyet_dinh_phe_duyet"),
    ),
    "dot_phe_duyet_de_xuat.json": _approval_form(),
    "dot_cong_bo.json": simple_form(
        "Công bố danh mục, thông báo kết quả cho người đề xuất",
        {
            "ket_qua_thong_bao": _shown("Kết quả của từng đề xuất"),
            "so_thong_bao_ket_qua": _register("Số, ký hiệu thông báo kết quả"),
            "ngay_cong_bo": _date("Ngày công bố"),
            "noi_cong_bo": text("Nơi công bố (Cổng/Trang thông tin điện tử)"),
        },
        ["ngay_cong_bo", "noi_cong_bo"],
    ),
    "dot_nhan_thong_bao.json": simple_form(
        "Thông báo kết quả xác định nhiệm vụ",
        {
            "so_thong_bao_ket_qua": _shown("Số thông báo"),
            "ket_qua_thong_bao": _shown("Kết quả của các đề xuất"),
        },
        [],
    ),
}


class _BatchDiagram(Diagram):
    """The builder's diagram, with the scripts of named multi-instance tasks run on each
    instance (SpiffWorkflow runs them once on the whole task unless told so)."""

    scripts_on_instances: tuple[str, ...] = ()
    # Flows back into a step from what its own boundary timer started: the builder's layout
    # cannot see them as returns (it would push the step right for ever), so they are laid out
    # as returns here.
    returns_from_boundary: tuple[tuple[str, str], ...] = ()

    def _columns(self) -> dict[str, int]:
        kept = self.flows
        self.flows = [f for f in kept if (f.source, f.target) not in self.returns_from_boundary]
        try:
            columns = super()._columns()
        finally:
            self.flows = kept
        self.back_edges |= set(self.returns_from_boundary)
        return columns

    def to_xml(self) -> bytes:
        root = ET.fromstring(super().to_xml())
        for element in root.iter(f"{{{BPMN}}}userTask"):
            if element.get("id") in self.scripts_on_instances:
                loop = element.find(f"{{{BPMN}}}multiInstanceLoopCharacteristics")
                assert loop is not None
                loop.set(f"{{{SPIFF}}}scriptsOnInstances", "true")
        ET.indent(root, "  ")
        body = ET.tostring(root, encoding="unicode")
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")


def _reset(fields: tuple[str, ...]) -> str:
    return "\n".join(f"{name} = None" for name in fields)


def xac_dinh_nhiem_vu_nam() -> Diagram:
    d = _BatchDiagram(
        PROCESS_ID,
        "Xác định nhiệm vụ khoa học và công nghệ cấp tỉnh hằng năm",
        doc="Xác định danh mục nhiệm vụ KH&CN cấp tỉnh theo đợt hằng năm: Sở thông báo đề xuất "
        "với hạn nộp; tiếp nhận đề xuất của đơn vị, cá nhân trong Sở và công văn đến của cơ quan, "
        "tổ chức ngoài Sở vào danh mục của năm đến hết hạn nộp; tổng hợp danh mục; Giám đốc Sở "
        "quyết định thành lập Hội đồng tư vấn; Hội đồng đánh giá từng đề xuất theo 4 tiêu chí, "
        "ghi số phiếu và kiến nghị phương thức (tuyển chọn / giao trực tiếp); Sở xem xét kết "
        "quả của Hội đồng, trình UBND tỉnh một tờ trình cho cả danh mục; công bố danh mục được "
        "phê duyệt và thông báo cho từng người đề xuất (được hoặc không được phê duyệt, nêu lý "
        "do). Đề xuất đột xuất vẫn theo quy trình «Đề xuất nhiệm vụ khoa học và công nghệ»."
        + LIMITS_DOC
        + NOTICE_DOC,
    )
    qlkh, leaders, office, council, proposers = (
        "Phòng Quản lý Khoa học",
        "Lãnh đạo Sở",
        "Văn phòng Sở",
        "Hội đồng tư vấn xác định nhiệm vụ",
        "Người đề xuất",
    )
    d.lanes(qlkh, leaders, office, council, proposers)
    d.start("bat_dau", "Đợt xác định nhiệm vụ của năm", qlkh)
    d.user(
        "soan_thong_bao",
        "Soạn thông báo đề xuất nhiệm vụ",
        qlkh,
        form="dot_thong_bao.json",
        submitLabel="Trình Giám đốc",
        doneMessage="Đã trình thông báo đề xuất nhiệm vụ năm {nam_ke_hoach}",
        doc="Soạn thông báo đề xuất (đặt hàng) nhiệm vụ KH&CN cấp tỉnh của năm: định hướng, yêu "
        "cầu và hạn nộp đề xuất; đính kèm dự thảo thông báo và mẫu phiếu đề xuất.",
    )
    d.user(
        "duyet_thong_bao",
        "Giám đốc Sở duyệt thông báo",
        leaders,
        form="duyet.json",
        dueInWorkingDays=str(OFFICE_DAYS["duyet_thong_bao"]),
        doneMessage="Đã cho ý kiến về thông báo",
        doc="Xem dự thảo thông báo và hạn nộp đề xuất; duyệt để phát hành hoặc trả lại, nêu rõ "
        "nội dung cần sửa.",
    )
    d.xor("gw_duyet_thong_bao", "Duyệt thông báo?", leaders)
    d.user(
        "phat_hanh_thong_bao",
        "Văn thư cấp số, phát hành thông báo",
        office,
        form="dot_phat_hanh_thong_bao.json",
        dueInWorkingDays=str(OFFICE_DAYS["phat_hanh_thong_bao"]),
        submitLabel="Phát hành",
        doneMessage="Đã phát hành thông báo số {so_thong_bao}. " + ISSUED_COPY_DONE,
        doc="Hệ thống cấp số tiếp theo trong sổ thông báo của năm (dạng 05/TB-SKHCN; không nhập "
        "số). Nhập ngày ban hành. "
        + ISSUED_COPY_DOC
        + " Đăng trên trang thông tin điện tử của Sở và gửi các cơ quan, đơn vị. (Căn cứ: Điều "
        "15-18 Nghị định 30/2020/NĐ-CP.)",
    )
    d.script(
        "mo_tiep_nhan",
        "Mở danh mục đề xuất của năm",
        qlkh,
        "danh_sach_de_xuat = []\n"
        "danh_sach_tiep_nhan = bang_de_xuat(danh_sach_de_xuat)\n" + _reset(DE_XUAT_FIELDS),
    )
    d.user(
        "tiep_nhan_de_xuat",
        "Tiếp nhận đề xuất vào danh mục",
        qlkh,
        form="dot_tiep_nhan.json",
        dueDate="${han_nop_de_xuat}",
        submitLabel="Đưa vào danh mục",
        doneMessage="Đã đưa đề xuất «{ten_nhiem_vu}» vào danh mục",
        doc="Mỗi đề xuất nhận được (phiếu của đơn vị, cá nhân trong Sở; công văn đến của cơ "
        "quan, tổ chức ngoài Sở, ghi số đến và ngày đến) nhập một lần rồi «Đưa vào danh mục»; "
        "bước này mở lại cho đề xuất tiếp theo đến hết hạn nộp, rồi tự chuyển sang tổng hợp "
        "(chưa đến hạn nộp thì chưa tổng hợp được). Đề xuất của người trong Sở: ghi tên đăng "
        "nhập để người đó nhận thông báo kết quả. Đề xuất đã lập trên hệ thống (quy trình Đề "
        "xuất nhiệm vụ): ghi số hồ sơ. Đính kèm phiếu đề xuất.",
    )
    d.timer_on(
        "het_han_nop",
        "Hết hạn nộp đề xuất",
        "tiep_nhan_de_xuat",
        "het_han(han_nop_de_xuat)",
        kind="timeDate",
        cancel=True,
    )
    d.script(
        "ghi_de_xuat",
        "Ghi đề xuất vào danh mục",
        qlkh,
        "danh_sach_de_xuat = them_de_xuat(danh_sach_de_xuat, now(), "
        + ", ".join(f"{name}={name}" for name in DE_XUAT_FIELDS)
        + ")\n"
        "danh_sach_tiep_nhan = bang_de_xuat(danh_sach_de_xuat)\n"
        # The next proposal starts from an empty form.
         + _reset(DE_XUAT_FIELDS),
    )
    d.xor("gw_tiep_nhan", "Nhận tiếp đến hạn nộp", qlkh)
    d.xor("gw_co_de_xuat", "Có đề xuất?", qlkh)
    d.user(
        "danh_muc_trong",
        "Danh mục chưa có đề xuất: gia hạn hoặc kết thúc",
        qlkh,
        form="dot_danh_muc_trong.json",
        dueInWorkingDays=str(OFFICE_DAYS["danh_muc_trong"]),
        doneMessage="Đã xử lý danh mục chưa có đề xuất",
        doc="Đã hết hạn nộp mà chưa có đề xuất nào: danh mục trống không thể tổng hợp, lập Hội "
        "đồng hay trình. Gia hạn nhận đề xuất (nhập hạn nộp mới; nên thông báo lại hạn mới) "
        "hoặc kết thúc đợt (nêu lý do).",
    )
    d.xor("gw_danh_muc_trong", "Gia hạn?", qlkh)
    d.script(
        "gia_han_nop", "Ghi hạn nộp mới", qlkh, "han_nop_de_xuat = han_nop_moi\nhan_nop_moi = None"
    )
    d.end("ket_thuc_khong_de_xuat", "Kết thúc đợt: không có đề xuất", qlkh)
    d.user(
        "tong_hop_danh_muc",
        "Tổng hợp danh mục đề xuất",
        qlkh,
        form="dot_tong_hop.json",
        dueInWorkingDays=str(OFFICE_DAYS["tong_hop_danh_muc"]),
        submitLabel="Trình Giám đốc thành lập Hội đồng",
        doneMessage="Đã trình danh mục đề xuất",
        doc="Kiểm tra các đề xuất đã tiếp nhận (đủ thông tin, không trùng nhiệm vụ đã có), lập "
        "danh mục tổng hợp, đính kèm danh mục và dự thảo quyết định thành lập Hội đồng.",
    )
    d.user(
        "thanh_lap_hoi_dong",
        "Giám đốc Sở quyết định thành lập Hội đồng tư vấn",
        leaders,
        form="dot_thanh_lap_hoi_dong.json",
        dueInWorkingDays=str(OFFICE_DAYS["thanh_lap_hoi_dong"]),
        doneMessage="Đã cho ý kiến về việc thành lập Hội đồng",
        doc="Xem danh mục tổng hợp và dự thảo quyết định; đồng ý thành lập Hội đồng tư vấn xác "
        "định nhiệm vụ (ghi thành viên và tổng số thành viên) để văn thư cấp số, ban hành quyết "
        "định, hoặc trả lại Phòng Quản lý Khoa học, nêu lý do (trả lại thì không cấp số).",
    )
    d.xor("gw_thanh_lap", "Thành lập Hội đồng?", leaders)
    d.user(
        "ban_hanh_quyet_dinh_hoi_dong",
        "Văn thư cấp số, ban hành quyết định thành lập Hội đồng",
        office,
        form="dot_quyet_dinh_hoi_dong.json",
        dueInWorkingDays=str(OFFICE_DAYS["ban_hanh_quyet_dinh_hoi_dong"]),
        submitLabel="Phát hành",
        doneMessage="Đã ban hành quyết định thành lập Hội đồng số {so_quyet_dinh_hoi_dong}. "
        + ISSUED_COPY_DONE,
        doc="Hệ thống cấp số tiếp theo trong sổ quyết định của năm (dạng 05/QĐ-SKHCN; không "
        "nhập số). Nhập ngày Giám đốc ký. "
        + ISSUED_COPY_DOC
        + " Gửi các thành viên Hội đồng. (Căn cứ: Điều 15-18 Nghị định 30/2020/NĐ-CP.)",
    )
    d.script(
        "chuan_bi_danh_gia",
        "Chuẩn bị phiếu đánh giá",
        council,
        # Each proposal's form starts empty; the fields a conclusion leaves out exist.
        _reset(COUNCIL_FIELDS),
    )
    council_task = d.user(
        "danh_gia_de_xuat",
        "Hội đồng đánh giá đề xuất",
        council,
        form="dot_danh_gia.json",
        decisionField="ket_luan",
        submitLabel="Gửi kết quả đánh giá",
        doneMessage="Đã gửi kết quả đánh giá đề xuất",
        # One after another in the list's order: the page of the open one shows its proposal.
        multi={
            "collection": "danh_sach_de_xuat",
            "element": "de_xuat",
            "output": "ket_qua_danh_gia",
            "output_item": "danh_gia",
            "sequential": True,
        },
        post_script="danh_gia = ghi_danh_gia(de_xuat, so_thanh_vien, "
        + ", ".join(f"{name}={name}" for name in COUNCIL_FIELDS)
        + ")",
        doc="Thư ký Hội đồng ghi kết quả họp cho từng đề xuất (đề xuất đang đánh giá ghi ở đầu "
        "phiếu; các đề xuất lần lượt theo danh mục): số thành viên có mặt, số phiếu đạt từng "
        "tiêu chí (tính cấp thiết; tầm quan trọng liên ngành; không trùng lặp; cần nguồn lực "
        "của tỉnh), số phiếu đề nghị thực hiện, kết luận và phương thức kiến nghị (tuyển chọn "
        "hoặc giao trực tiếp); không đề nghị thì nêu lý do. Đính kèm biên bản họp và phiếu "
        "đánh giá. (Căn cứ: Thông tư 07/2014/TT-BKHCN.)",
    )
    council_task.pre_script = "xet_de_xuat = mo_ta_de_xuat(de_xuat)"
    d.scripts_on_instances = ("danh_gia_de_xuat", "ghi_phe_duyet_de_xuat")
    d.returns_from_boundary = (("gia_han_nop", "tiep_nhan_de_xuat"),)
    d.script(
        "tong_hop_hoi_dong",
        "Tổng hợp kết quả của Hội đồng",
        council,
        "danh_sach_de_xuat = gop_danh_gia(danh_sach_de_xuat, ket_qua_danh_gia)\n"
        # A second round (the council's work returned) collects afresh.
        "del ket_qua_danh_gia\n"
        "ket_qua_hoi_dong = bang_hoi_dong(danh_sach_de_xuat)\n"
        "danh_muc_de_nghi = de_xuat_duoc_de_nghi(danh_sach_de_xuat)",
    )
    d.user(
        "xem_xet_ket_qua_hoi_dong",
        "Xem xét kết quả của Hội đồng, lập danh mục trình",
        qlkh,
        form="dot_xem_xet_hoi_dong.json",
        dueInWorkingDays=str(REVIEW_WORKING_DAYS),
        doneMessage="Đã xem xét kết quả làm việc của Hội đồng",
        doc="Xem xét kết quả làm việc của Hội đồng (số phiếu, kết luận, phương thức của từng đề "
        "xuất; dòng «CẦN KIỂM TRA» nêu số phiếu không hợp lý) trong 7 ngày làm việc (Thông tư "
        "07/2014/TT-BKHCN, Điều 23). Đạt: các đề xuất được Hội đồng đề nghị lập thành danh mục "
        "trình UBND tỉnh (nếu không đề xuất nào được đề nghị thì chuyển thẳng sang thông báo "
        "kết quả). Chưa đạt: trả lại Hội đồng đánh giá lại, nêu lý do. UBND tỉnh trả lại danh "
        "mục thì ý kiến chỉ đạo ghi ở đầu trang.",
    )
    d.xor("gw_xem_xet", "Kết quả xem xét?", qlkh)
    d.script(
        "chuan_bi_trinh",
        "Chuẩn bị hồ sơ trình danh mục",
        leaders,
        'don_vi_soan_thao = "phong_qlkh"\n'
        # The UBND's record of its decision (number, date) exists whichever way it decides.
        "so_quyet_dinh = None\nngay_ky = None\n"
        'trich_yeu = f"Về việc phê duyệt danh mục nhiệm vụ khoa học và công nghệ cấp tỉnh '
        'năm {nam_ke_hoach}"',
    )
    d.call(
        "trinh_ubnd",
        "Trình UBND tỉnh phê duyệt danh mục",
        leaders,
        "trinh_ubnd",
        doc="Một tờ trình (…/TTr-SKHCN) cho cả danh mục các đề xuất được Hội đồng đề nghị; Chủ "
        "tịch UBND tỉnh phê duyệt danh mục bằng quyết định, hoặc trả lại.",
    )
    d.xor("gw_ubnd", "Kết quả trình?", leaders)
    d.script(
        "chuan_bi_ghi_phe_duyet",
        "Chuẩn bị ghi quyết định phê duyệt",
        qlkh,
        # The number and date the UBND's step recorded, if any, fill the form in; the notice's
        # 15 working days run from the approval, not from its recording.
        f"han_cong_bo = working_day_after({NOTICE_WORKING_DAYS})\n"
        "so_quyet_dinh_phe_duyet = so_quyet_dinh\n"
        "ngay_quyet_dinh_phe_duyet = ngay_ky\n"
        "danh_muc_trinh = bang_de_xuat(danh_muc_de_nghi)\n"
        "danh_sach_phe_duyet = []\n"
        "ket_qua_phe_duyet = None\n"
        "ly_do_khong_phe_duyet = None",
    )
    d.user(
        "ghi_quyet_dinh_phe_duyet",
        "Ghi quyết định phê duyệt danh mục của UBND tỉnh",
        qlkh,
        form="dot_quyet_dinh_phe_duyet.json",
        decisionField="pham_vi_phe_duyet",
        dueInWorkingDays=str(OFFICE_DAYS["ghi_quyet_dinh_phe_duyet"]),
        doneMessage="Đã ghi quyết định phê duyệt số {so_quyet_dinh_phe_duyet}",
        doc="UBND tỉnh phê duyệt hoặc trả lại cả danh mục; quyết định phê duyệt có thể không phê "
        "duyệt một số đề xuất. Ghi số, ngày ký quyết định (đính kèm quyết định). Quyết định phê "
        "duyệt mọi đề xuất đã trình: «Phê duyệt toàn bộ danh mục trình». Có đề xuất không được "
        "phê duyệt: ghi từng đề xuất (được / không được phê duyệt, nêu lý do theo quyết định); "
        "thông báo kết quả dùng kết quả này.",
    )
    d.xor("gw_pham_vi", "Phê duyệt toàn bộ?", qlkh)
    approval_task = d.user(
        "ghi_phe_duyet_de_xuat",
        "Ghi kết quả phê duyệt từng đề xuất",
        qlkh,
        form="dot_phe_duyet_de_xuat.json",
        decisionField="ket_qua_phe_duyet",
        doneMessage="Đã ghi kết quả phê duyệt đề xuất",
        multi={
            "collection": "danh_muc_de_nghi",
            "element": "de_xuat_trinh",
            "output": "danh_sach_phe_duyet",
            "output_item": "phe_duyet",
            "sequential": True,
        },
        post_script="phe_duyet = ghi_phe_duyet(de_xuat_trinh, ket_qua_phe_duyet, "
        "ly_do_khong_phe_duyet)",
        doc="Lần lượt từng đề xuất đã trình (ghi ở đầu phiếu): được phê duyệt, hoặc không được "
        "phê duyệt và lý do ghi trong quyết định của UBND tỉnh (Chủ tịch UBND tỉnh loại khỏi "
        "danh mục). Người đề xuất nhận thông báo với lý do này.",
    )
    approval_task.pre_script = "xet_de_xuat = mo_ta_de_xuat(de_xuat_trinh)"
    d.script(
        "khong_trinh",
        "Không có đề xuất được đề nghị",
        qlkh,
        f"han_cong_bo = working_day_after({NOTICE_WORKING_DAYS})\n"
        "so_quyet_dinh_phe_duyet = None\nngay_quyet_dinh_phe_duyet = None\n"
        "danh_sach_phe_duyet = []",
    )
    d.script(
        "ghi_ket_qua",
        "Ghi kết quả của từng đề xuất",
        qlkh,
        "danh_sach_de_xuat = ket_qua_xac_dinh(danh_sach_de_xuat, so_quyet_dinh_phe_duyet, "
        "danh_sach_phe_duyet, ngay_quyet_dinh_phe_duyet)\n"
        "ket_qua_thong_bao = bang_ket_qua(danh_sach_de_xuat)\n"
        "nguoi_nhan = nguoi_nhan_thong_bao(danh_sach_de_xuat)",
    )
    d.user(
        "cong_bo_danh_muc",
        "Công bố danh mục, thông báo kết quả cho người đề xuất",
        qlkh,
        form="dot_cong_bo.json",
        dueDate="${han_cong_bo}",
        submitLabel="Công bố, thông báo",
        doneMessage="Đã công bố danh mục, thông báo kết quả số {so_thong_bao_ket_qua}. "
        + ISSUED_COPY_DONE,
        doc="Công bố danh mục được phê duyệt và thông báo kết quả cho mọi tổ chức, cá nhân đề "
        "xuất (được phê duyệt, phương thức; không được phê duyệt, lý do) trong 15 ngày làm việc "
        "kể từ khi UBND tỉnh phê duyệt (Thông tư 07/2014/TT-BKHCN, Điều 23). Hệ thống cấp số "
        "thông báo (…/TB-SKHCN); nhập ngày và nơi công bố. "
        + ISSUED_COPY_DOC.replace("«Phát hành»", "«Công bố, thông báo»")
        + NOTICE_DOC,
    )
    d.xor("gw_nguoi_nhan", "Có người đề xuất trong Sở?", qlkh)
    d.user(
        "nhan_thong_bao",
        "Nhận thông báo kết quả xác định nhiệm vụ",
        proposers,
        form="dot_nhan_thong_bao.json",
        candidateUsers="${nguoi_nhan_nay}",
        multi={"collection": "nguoi_nhan", "element": "nguoi_nhan_nay"},
        submitLabel="Đã nhận thông báo",
        doneMessage="Đã xác nhận nhận thông báo kết quả",
        doc="Thông báo kết quả xét các đề xuất nhiệm vụ KH&CN cấp tỉnh của năm (đề xuất của "
        "anh/chị có trong danh sách, cùng kết quả và lý do). Đọc rồi xác nhận đã nhận.",
    )
    d.end("ket_thuc", "Đã công bố, thông báo kết quả", qlkh)
    d.end("ket_thuc_thong_bao", "Người đề xuất đã nhận thông báo", proposers)

    d.chain("bat_dau", "soan_thong_bao", "duyet_thong_bao", "gw_duyet_thong_bao")
    d.flow("gw_duyet_thong_bao", "phat_hanh_thong_bao", "Duyệt", default=True)
    d.flow("gw_duyet_thong_bao", "soan_thong_bao", "Trả lại", DECIDED.format("tra_lai"))
    d.chain("phat_hanh_thong_bao", "mo_tiep_nhan", "tiep_nhan_de_xuat", "ghi_de_xuat")
    d.flow("ghi_de_xuat", "gw_tiep_nhan")
    d.flow("gw_tiep_nhan", "tiep_nhan_de_xuat", "Đề xuất tiếp theo", default=True)
    d.flow("het_han_nop", "gw_co_de_xuat")
    d.flow("gw_co_de_xuat", "tong_hop_danh_muc", "Có đề xuất", default=True)
    d.flow("gw_co_de_xuat", "danh_muc_trong", "Danh mục trống", "len(danh_sach_de_xuat) == 0")
    d.flow("danh_muc_trong", "gw_danh_muc_trong")
    d.flow("gw_danh_muc_trong", "gia_han_nop", "Gia hạn", default=True)
    d.flow("gw_danh_muc_trong", "ket_thuc_khong_de_xuat", "Kết thúc", DECIDED.format("ket_thuc"))
    d.flow("gia_han_nop", "tiep_nhan_de_xuat")
    d.chain("tong_hop_danh_muc", "thanh_lap_hoi_dong", "gw_thanh_lap")
    d.flow("gw_thanh_lap", "ban_hanh_quyet_dinh_hoi_dong", "Thành lập", default=True)
    d.flow("ban_hanh_quyet_dinh_hoi_dong", "chuan_bi_danh_gia")
    d.flow("gw_thanh_lap", "tong_hop_danh_muc", "Trả lại", DECIDED.format("tra_lai"))
    d.chain("chuan_bi_danh_gia", "danh_gia_de_xuat", "tong_hop_hoi_dong")
    d.chain("tong_hop_hoi_dong", "xem_xet_ket_qua_hoi_dong", "gw_xem_xet")
    d.flow("gw_xem_xet", "chuan_bi_trinh", "Trình danh mục", default=True)
    d.flow(
        "gw_xem_xet",
        "khong_trinh",
        "Không có đề xuất được đề nghị",
        'decision == "dat" and len(danh_muc_de_nghi) == 0',
    )
    d.flow("gw_xem_xet", "chuan_bi_danh_gia", "Trả lại Hội đồng", DECIDED.format("tra_lai"))
    d.chain("chuan_bi_trinh", "trinh_ubnd", "gw_ubnd")
    d.flow("gw_ubnd", "chuan_bi_ghi_phe_duyet", "Phê duyệt", default=True)
    d.chain("chuan_bi_ghi_phe_duyet", "ghi_quyet_dinh_phe_duyet", "gw_pham_vi")
    d.flow("gw_pham_vi", "ghi_ket_qua", "Toàn bộ", default=True)
    d.flow("gw_pham_vi", "ghi_phe_duyet_de_xuat", "Từng đề xuất", 'pham_vi_phe_duyet == "mot_phan"')
    d.flow("ghi_phe_duyet_de_xuat", "ghi_ket_qua")
    d.flow("gw_ubnd", "xem_xet_ket_qua_hoi_dong", "Trả lại", 'ket_qua_trinh == "tra_lai"')
    d.flow("khong_trinh", "ghi_ket_qua")
    d.chain("ghi_ket_qua", "cong_bo_danh_muc", "gw_nguoi_nhan")
    d.flow("gw_nguoi_nhan", "ket_thuc", "Không", default=True)
    d.flow("gw_nguoi_nhan", "nhan_thong_bao", "Có", "len(nguoi_nhan) > 0")
    d.flow("nhan_thong_bao", "ket_thuc_thong_bao")
    return d
