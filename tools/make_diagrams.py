"""Writes the department's processes to bpmn/ and their forms to bpmn/forms/.

Run: .venv/bin/python -m tools.make_diagrams   (then review the diff and deploy)

Sources: the plan (shared/plan), DOMAIN.md. Lane names are the display names of the org chart's
groups (workflows/data/org_chart.json); a lane that stands for "the unit chosen for this item"
has no group of its own, so its tasks name their owners with an expression on the item's data.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.bpmn_builder import Diagram
from workflows.urgency import URGENCY_LEVELS

ROOT = Path(__file__).resolve().parents[1]
BPMN_DIR = ROOT / "bpmn"
FORMS_DIR = BPMN_DIR / "forms"

Y_KIEN = {"type": "string", "title": "Ý kiến xử lý", "maxLength": 4000}
REASON_MESSAGES = {"required": "Trả lại phải nêu lý do", "minLength": "Trả lại phải nêu lý do"}


def _choice(title: str, options: list[tuple[str, str]], message: str) -> dict[str, Any]:
    return {
        "type": "string",
        "title": title,
        "oneOf": [{"const": key, "title": label} for key, label in options],
        "errorMessages": {"required": message, "oneOf": message},
    }


@dataclass(frozen=True)
class ReturnTarget:
    value: str  # what the form stores
    title: str  # the choice as the form shows it
    node: str  # the element the gateway sends the item to
    flow: str  # the flow's label on the diagram


@dataclass(frozen=True)
class ReturnChoice:
    """A return whose target step the person chooses. The form's field and the gateway's flows
    are both made from this one table, so every target offered has its flow and the field a
    condition reads is one the form requires whenever that condition can be true."""

    targets: tuple[ReturnTarget, ...]
    preselected: str  # the step just before: the usual target, chosen unless changed
    when: str = "tra_lai"  # the decision that returns
    field: str = "buoc_tra_lai"
    decision: str = "decision"

    def form_field(self) -> dict[str, Any]:
        assert self.preselected in {t.value for t in self.targets}
        return {
            **_choice(
                "Trả lại về bước",
                [(t.value, t.title) for t in self.targets],
                "Hãy chọn bước trả lại",
            ),
            "default": self.preselected,
        }

    def rule(self) -> dict[str, Any]:
        return {
            "if": {
                "properties": {self.decision: {"enum": [self.when]}},
                "required": [self.decision],
            },
            "then": {"required": [self.field]},
        }

    def flows(self, d: Diagram, gateway: str) -> None:
        for t in self.targets:
            d.flow(
                gateway,
                t.node,
                t.flow,
                f'{self.decision} == "{self.when}" and {self.field} == "{t.value}"',
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
    preselected="danh_gia_hoi_dong",
)
CHI_DAO_RETURNS = ReturnChoice(
    (
        ReturnTarget(
            "soan_to_trinh", "Soạn thảo lại tờ trình", "soan_to_trinh", "Soạn lại tờ trình"
        ),
        ReturnTarget(
            "ho_so", "Xem xét lại hồ sơ (về quy trình đã trình)", "ghi_tra_lai", "Xem xét lại hồ sơ"
        ),
    ),
    preselected="soan_to_trinh",
)


def decision_form(
    title: str,
    options: list[tuple[str, str]],
    returns: list[str],
    *,
    field: str = "decision",
    label: str = "Kết quả xử lý",
    extra: dict[str, Any] | None = None,
    required: tuple[str, ...] = (),
    reason_field: str = "y_kien",
    reason_title: str = "Ý kiến xử lý",
    return_to: ReturnChoice | None = None,
) -> dict[str, Any]:
    """A decision among `options`; choosing one of `returns` requires a reason, and a return
    with a choice of target (`return_to`) requires the target."""
    properties: dict[str, Any] = {
        field: _choice(label, options, f"Hãy chọn {label[:1].lower()}{label[1:]}"),
        **(extra or {}),
    }
    rules: list[dict[str, Any]] = []
    if returns:
        rules.append(
            {
                "if": {"properties": {field: {"enum": returns}}, "required": [field]},
                "then": {
                    "required": [reason_field],
                    "properties": {reason_field: {"minLength": 1}},
                },
            }
        )
    if return_to is not None:
        assert return_to.decision == field and return_to.when in dict(options)
        properties[return_to.field] = return_to.form_field()
        rules.append(return_to.rule())
    properties[reason_field] = {**Y_KIEN, "title": reason_title, "errorMessages": REASON_MESSAGES}
    form: dict[str, Any] = {
        "title": title,
        "type": "object",
        "required": [field, *required],
        "properties": properties,
    }
    if rules:
        form["allOf"] = rules
    return form


def _with_decision_record(form: dict[str, Any]) -> dict[str, Any]:
    """The Chairman's approval is recorded with its decision's number and date of signing."""
    form["allOf"] = [
        *form.get("allOf", []),
        {
            "if": {"properties": {"decision": {"enum": ["phe_duyet"]}}, "required": ["decision"]},
            "then": {
                "required": ["so_quyet_dinh", "ngay_ky"],
                "properties": {"so_quyet_dinh": {"minLength": 1}},
            },
        },
    ]
    form["properties"]["so_quyet_dinh"]["errorMessages"] = {
        "required": "Hãy nhập số quyết định",
        "minLength": "Hãy nhập số quyết định",
    }
    form["properties"]["ngay_ky"]["errorMessages"]["required"] = "Hãy nhập ngày ký"
    return form


def _require_when(
    form: dict[str, Any], field: str, value: str, required: list[str]
) -> dict[str, Any]:
    """Choosing `value` for `field` makes the `required` fields required."""
    form["allOf"] = [
        *form.get("allOf", []),
        {
            "if": {"properties": {field: {"enum": [value]}}, "required": [field]},
            "then": {"required": required},
        },
    ]
    return form


def text(title: str, *, long: bool = False, required: bool = True) -> dict[str, Any]:
    field: dict[str, Any] = {"type": "string", "title": title, "maxLength": 8000 if long else 500}
    if required:
        field["minLength"] = 1
        field["errorMessages"] = {
            "required": f"Hãy nhập {title.lower()}",
            "minLength": f"Hãy nhập {title.lower()}",
        }
    if long:
        field["format_hint"] = "textarea"
    return field


def simple_form(title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "title": title,
        "type": "object",
        "required": required,
        "properties": {**properties, "y_kien": Y_KIEN},
    }


UNITS = [
    ("van_phong_so", "Văn phòng Sở"),
    ("thanh_tra_so", "Thanh tra Sở"),
    ("phong_khtc", "Phòng Kế hoạch Tài chính"),
    ("phong_qlkh", "Phòng Quản lý Khoa học"),
    ("phong_qlkhcn_cs", "Phòng Quản lý Khoa học và Công nghệ cơ sở"),
    ("phong_qlcn_ttcn", "Phòng Quản lý Công nghệ và Thị trường công nghệ"),
    ("phong_qlcn", "Phòng Quản lý Chuyên ngành"),
    ("chi_cuc_tdc", "Chi cục Tiêu chuẩn Đo lường Chất lượng"),
    ("trung_tam_ud", "Trung tâm Ứng dụng khoa học và công nghệ"),
]
# A task's own reminder lead time; empty: by the task's length (workflows/script_helpers.py).
REMINDER_FIELD = {
    "type": "integer",
    "title": "Nhắc hạn trước (ngày làm việc; để trống: theo độ dài nhiệm vụ)",
    "minimum": 1,
    "maximum": 30,
    "errorMessages": {"minimum": "Từ 1 đến 30 ngày", "maximum": "Từ 1 đến 30 ngày"},
}
UNIT_CHOICE = {
    "type": "string",
    "title": "Đơn vị",
    "oneOf": [{"const": k, "title": v} for k, v in UNITS],
}

# Written by hand beside the generated forms: the fields of a task imported from a plan.
START_FORM = "nhiem_vu_ke_hoach.json"

FORMS: dict[str, dict[str, Any]] = {
    # -- trinh_ubnd ----------------------------------------------------------------------
    "to_trinh.json": simple_form(
        "Soạn thảo tờ trình",
        {
            "trich_yeu": text("Trích yếu nội dung"),
            "noi_dung_to_trinh": text("Nội dung tờ trình", long=True),
            # Khẩn, Thượng khẩn, Hỏa tốc shorten every later step (workflows/urgency.py).
            "do_khan": _choice("Độ khẩn", list(URGENCY_LEVELS), "Hãy chọn độ khẩn"),
            # No độ mật: a networked system carries no classified document (see the step's doc).
        },
        ["trich_yeu", "noi_dung_to_trinh", "do_khan"],
    ),
    "duyet.json": decision_form(
        "Cho ý kiến", [("dong_y", "Duyệt"), ("tra_lai", "Trả lại")], ["tra_lai"]
    ),
    "ky_to_trinh.json": decision_form(
        "Ký tờ trình",
        [("ky", "Ký duyệt"), ("tra_lai", "Trả lại")],
        ["tra_lai"],
        extra={
            "hinh_thuc_ky": _choice(
                "Hình thức ký",
                [("giam_doc", "Giám đốc ký"), ("kt_giam_doc", "KT. GIÁM ĐỐC — Phó Giám đốc ký")],
                "Hãy chọn hình thức ký",
            )
        },
    ),
    "phat_hanh.json": simple_form(
        "Cấp số, phát hành văn bản",
        {
            # Given by the engine from the register of tờ trình of the year when the step is
            # completed (engine/registers.py); shown, never typed.
            "so_ky_hieu": {
                "type": "string",
                "title": "Số, ký hiệu",
                "readOnly": True,
                "x-register": {"key": "TTr", "suffix": "/TTr-SKHCN"},
            },
            "ngay_ban_hanh": {
                "type": "string",
                "format": "date",
                "title": "Ngày ban hành",
                "errorMessages": {
                    "required": "Hãy nhập ngày ban hành",
                    "format": "Ngày không hợp lệ",
                },
            },
        },
        ["ngay_ban_hanh"],
    ),
    "tiep_nhan.json": simple_form(
        "Tiếp nhận văn bản đến",
        {
            "so_den": {
                "type": "integer",
                "title": "Số đến",
                "minimum": 1,
                "errorMessages": {"required": "Hãy nhập số đến"},
            }
        },
        ["so_den"],
    ),
    "tham_tra_ho_so.json": decision_form(
        "Thẩm tra hồ sơ trình",
        [("du_ho_so", "Hồ sơ đầy đủ, trình lãnh đạo UBND tỉnh"), ("tra_lai", "Trả lại Sở bổ sung")],
        ["tra_lai"],
        reason_title="Ý kiến thẩm tra (hồ sơ còn thiếu)",
    ),
    "bo_sung_ho_so.json": simple_form(
        "Bổ sung hồ sơ trình",
        {"noi_dung_bo_sung": text("Nội dung, tài liệu đã bổ sung", long=True)},
        ["noi_dung_bo_sung"],
    ),
    "chi_dao_ubnd.json": _with_decision_record(
        decision_form(
            "Ý kiến chỉ đạo của lãnh đạo UBND tỉnh",
            [("phe_duyet", "Đồng ý"), ("tra_lai", "Trả lại")],
            ["tra_lai"],
            return_to=CHI_DAO_RETURNS,
            extra={
                "so_quyet_dinh": text("Số quyết định", required=False),
                "ngay_ky": {
                    "type": "string",
                    "format": "date",
                    "title": "Ngày ký",
                    "errorMessages": {"format": "Ngày không hợp lệ"},
                },
            },
            reason_field="y_kien_chi_dao",
            reason_title="Ý kiến chỉ đạo",
        )
    ),
    # -- de_xuat_nhiem_vu ----------------------------------------------------------------
    "phieu_de_xuat.json": simple_form(
        "Phiếu đề xuất nhiệm vụ khoa học và công nghệ",
        {
            "ten_nhiem_vu": text("Tên nhiệm vụ"),
            "linh_vuc": _choice(
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
            "thoi_gian_thang": {
                "type": "integer",
                "title": "Thời gian thực hiện (tháng)",
                "minimum": 1,
                "maximum": 60,
                "errorMessages": {
                    "minimum": "Ít nhất 1 tháng",
                    "maximum": "Nhiều nhất 60 tháng",
                    "type": "Nhập số tháng",
                },
            },
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
    "hoi_dong.json": decision_form(
        "Kết luận của Hội đồng tư vấn xác định nhiệm vụ",
        [("de_nghi", "Đề nghị thực hiện"), ("khong_de_nghi", "Không đề nghị thực hiện")],
        ["khong_de_nghi"],
        field="ket_luan",
        label="Kết luận",
        extra={
            "tc_cap_thiet": {"type": "boolean", "title": "Có tính cấp thiết"},
            "tc_quan_trong": {"type": "boolean", "title": "Quan trọng đối với nhiều ngành"},
            "tc_khong_trung_lap": {"type": "boolean", "title": "Không trùng lặp"},
            "tc_nguon_luc": {"type": "boolean", "title": "Cần nguồn lực của tỉnh"},
            "so_bien_ban": text("Số biên bản họp hội đồng"),
        },
        required=(
            "tc_cap_thiet",
            "tc_quan_trong",
            "tc_khong_trung_lap",
            "tc_nguon_luc",
            "so_bien_ban",
        ),
    ),
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
    # -- xay_dung_quy_dinh ---------------------------------------------------------------
    "giao_soan_thao.json": simple_form(
        "Giao soạn thảo dự thảo quy định",
        {
            "ten_du_thao": text("Tên dự thảo quy định"),
            "don_vi_soan_thao": {
                **UNIT_CHOICE,
                "title": "Đơn vị chủ trì soạn thảo",
                "errorMessages": {"required": "Hãy chọn đơn vị soạn thảo"},
            },
            "don_vi_lay_y_kien": {
                "type": "array",
                "title": "Đơn vị được lấy ý kiến",
                "items": UNIT_CHOICE,
                "minItems": 1,
                "uniqueItems": True,
                "errorMessages": {"minItems": "Chọn ít nhất một đơn vị"},
            },
            "han_gop_y_ngay": {
                "type": "integer",
                "title": "Thời hạn góp ý (ngày làm việc)",
                "minimum": 1,
                "maximum": 30,
                "default": 7,
            },
        },
        ["ten_du_thao", "don_vi_soan_thao", "don_vi_lay_y_kien", "han_gop_y_ngay"],
    ),
    "du_thao.json": simple_form(
        "Dự thảo quy định và tờ trình",
        {"tom_tat_du_thao": text("Tóm tắt nội dung dự thảo", long=True)},
        ["tom_tat_du_thao"],
    ),
    "gop_y.json": decision_form(
        "Góp ý dự thảo",
        [("thong_nhat", "Thống nhất"), ("co_y_kien", "Có ý kiến khác")],
        ["co_y_kien"],
        field="ket_qua_gop_y",
        label="Ý kiến của đơn vị",
        reason_title="Nội dung góp ý",
    ),
    "tong_hop_y_kien.json": simple_form(
        "Tổng hợp, giải trình, tiếp thu ý kiến góp ý",
        {"bao_cao_tong_hop": text("Báo cáo tổng hợp, giải trình, tiếp thu", long=True)},
        ["bao_cao_tong_hop"],
    ),
    "tham_dinh.json": decision_form(
        "Báo cáo thẩm định",
        [("du_dieu_kien", "Đủ điều kiện trình"), ("chua_du_dieu_kien", "Chưa đủ điều kiện")],
        ["chua_du_dieu_kien"],
        field="ket_luan_tham_dinh",
        label="Kết luận thẩm định",
        extra={"so_bao_cao_tham_dinh": text("Số báo cáo thẩm định")},
        required=("so_bao_cao_tham_dinh",),
        reason_title="Ý kiến thẩm định",
    ),
    "giai_trinh.json": simple_form(
        "Chỉnh lý dự thảo, giải trình ý kiến thẩm định",
        {"bao_cao_giai_trinh": text("Báo cáo giải trình, tiếp thu ý kiến thẩm định", long=True)},
        ["bao_cao_giai_trinh"],
    ),
    # -- giao_nhiem_vu -------------------------------------------------------------------
    "phan_cong.json": simple_form(
        "Phân công đơn vị chủ trì và thời hạn",
        {
            "don_vi_chu_tri": {
                **UNIT_CHOICE,
                "title": "Đơn vị chủ trì",
                "errorMessages": {"required": "Hãy chọn đơn vị chủ trì"},
            },
            "han_xu_ly": {
                "type": "string",
                "format": "date",
                "title": "Hạn hoàn thành",
                "errorMessages": {
                    "required": "Hãy nhập hạn hoàn thành",
                    "format": "Ngày không hợp lệ",
                },
            },
            "so_ngay_nhac": REMINDER_FIELD,
        },
        ["don_vi_chu_tri", "han_xu_ly"],
    ),
    "tien_do.json": simple_form(
        "Cập nhật tiến độ thực hiện",
        {
            "ty_le_hoan_thanh": {
                "type": "integer",
                "title": "Tỷ lệ hoàn thành (%)",
                "minimum": 0,
                "maximum": 100,
                "errorMessages": {
                    "required": "Hãy nhập tỷ lệ hoàn thành",
                    "minimum": "Từ 0 đến 100",
                    "maximum": "Từ 0 đến 100",
                },
            },
            "noi_dung_cap_nhat": text("Nội dung đã thực hiện", long=True),
            "hoan_thanh": {"type": "boolean", "title": "Đã hoàn thành, chuyển báo cáo kết quả"},
            "xin_gia_han": {
                "type": "boolean",
                "title": "Xin gia hạn (gửi lãnh đạo Sở xem xét)",
                "default": False,
            },
            "han_de_nghi": {
                "type": "string",
                "format": "date",
                "title": "Hạn đề nghị gia hạn đến",
                "errorMessages": {
                    "required": "Hãy nhập hạn đề nghị",
                    "format": "Ngày không hợp lệ",
                },
            },
            "ly_do_gia_han": text("Lý do xin gia hạn", long=True, required=False),
        },
        ["ty_le_hoan_thanh", "noi_dung_cap_nhat", "hoan_thanh"],
    )
    | {
        "allOf": [
            {
                "if": {"properties": {"xin_gia_han": {"const": True}}, "required": ["xin_gia_han"]},
                "then": {
                    "required": ["han_de_nghi", "ly_do_gia_han"],
                    "properties": {"ly_do_gia_han": {"minLength": 1}},
                },
            }
        ]
    },
    "phoi_hop.json": simple_form(
        "Kết quả phối hợp thực hiện nhiệm vụ",
        {"noi_dung_phoi_hop": text("Nội dung phối hợp (ý kiến, kết quả)", long=True)},
        ["noi_dung_phoi_hop"],
    ),
    "bao_cao_ket_qua.json": simple_form(
        "Báo cáo kết quả thực hiện nhiệm vụ",
        {
            "so_bao_cao": text("Số, ký hiệu báo cáo"),
            "ket_qua": text("Kết quả thực hiện", long=True),
        },
        ["so_bao_cao", "ket_qua"],
    ),
    "xet_gia_han.json": _require_when(
        decision_form(
            "Xét đề nghị gia hạn",
            [("dong_y", "Đồng ý gia hạn"), ("khong_dong_y", "Không đồng ý gia hạn")],
            ["khong_dong_y"],
            extra={
                "han_gia_han": {
                    "type": "string",
                    "format": "date",
                    "title": "Hạn mới (khi đồng ý)",
                    "errorMessages": {
                        "required": "Hãy nhập hạn mới",
                        "format": "Ngày không hợp lệ",
                    },
                }
            },
            reason_field="y_kien_gia_han",
            reason_title="Ý kiến của lãnh đạo (bắt buộc khi không đồng ý)",
        ),
        "decision",
        "dong_y",
        ["han_gia_han"],
    ),
    "danh_gia_ket_qua.json": decision_form(
        "Đánh giá kết quả thực hiện",
        [("chap_nhan", "Chấp nhận kết quả"), ("yeu_cau_bo_sung", "Yêu cầu bổ sung")],
        ["yeu_cau_bo_sung"],
    ),
    "don_doc.json": simple_form(
        "Đôn đốc thực hiện nhiệm vụ quá hạn",
        {"noi_dung_don_doc": text("Nội dung đôn đốc", long=True)},
        ["noi_dung_don_doc"],
    ),
}

DECIDED = 'decision == "{}"'
# A step after the tờ trình is drafted: its usual working days, fewer when the document is urgent
# (Khẩn, Thượng khẩn, Hỏa tốc: the rule and its basis are in workflows/urgency.py).
URGENT_DUE = "${{han_theo_do_khan({}, do_khan, now())}}"
URGENCY_DOC = (
    " Hạn xử lý rút ngắn theo độ khẩn (Nghị định 30/2020/NĐ-CP: văn bản khẩn được xử lý ngay; "
    "quy tắc của cơ quan: Khẩn còn một nửa số ngày làm việc, ít nhất 1 ngày; Thượng khẩn 1 "
    "ngày làm việc; Hỏa tốc trong ngày)."
)


def trinh_ubnd() -> Diagram:
    d = Diagram(
        "trinh_ubnd",
        "Trình UBND tỉnh",
        doc="Tờ trình gửi UBND tỉnh theo Nghị định 30/2020/NĐ-CP về công tác văn thư: soạn thảo, "
        "kiểm tra nội dung và thể thức, ký, phát hành, Văn phòng UBND tỉnh tiếp nhận, lãnh đạo "
        "UBND tỉnh cho ý kiến chỉ đạo. Dùng chung cho các quy trình trình UBND tỉnh. Văn thư "
        "không nhập số: hệ thống cấp số tiếp theo trong sổ tờ trình của năm khi phát hành (số "
        "dưới 10 có số 0 ở trước: 05/TTr-SKHCN). Văn phòng UBND tỉnh thẩm tra hồ sơ, có thể trả "
        "lại Sở bổ sung; lãnh đạo UBND tỉnh đồng ý thì ghi số và ngày ký của quyết định."
        + URGENCY_DOC,
    )
    unit, office, leaders, vp_ubnd, ubnd = (
        "Đơn vị soạn thảo",
        "Văn phòng Sở",
        "Lãnh đạo Sở",
        "Văn phòng UBND tỉnh",
        "Lãnh đạo UBND tỉnh",
    )
    d.lanes(unit, office, leaders, vp_ubnd, ubnd)
    d.start("bat_dau", "Cần trình UBND tỉnh", unit)
    d.user(
        "soan_to_trinh",
        "Soạn thảo tờ trình",
        unit,
        form="to_trinh.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="3",
        submitLabel="Trình lãnh đạo đơn vị",
        doneMessage="Đã trình dự thảo tờ trình",
        doc="Soạn dự thảo tờ trình: nhập trích yếu, nội dung, chọn độ khẩn và đính kèm dự thảo. "
        "Nếu bị trả lại, sửa rồi đính kèm lại cùng tên tệp để có phiên bản mới. Văn bản mật "
        "(Mật, Tối mật, Tuyệt mật) không soạn thảo, xử lý trên hệ thống này mà theo quy định về "
        "bảo vệ bí mật nhà nước. (Căn cứ: Điều 10 Nghị định 30/2020/NĐ-CP; Luật Bảo vệ bí mật nhà "
        "nước 2018.)",
    )
    d.user(
        "kiem_tra_noi_dung",
        "Lãnh đạo đơn vị kiểm tra nội dung",
        unit,
        form="duyet.json",
        candidateGroups="${lanh_dao(don_vi_soan_thao)}",
        dueDate=URGENT_DUE.format(2),
        doneMessage="Đã cho ý kiến về nội dung",
        doc="Kiểm tra nội dung dự thảo và hồ sơ kèm theo. Đạt: duyệt để Văn phòng Sở kiểm tra "
        "thể thức. Chưa đạt: ghi rõ nội dung cần sửa và trả lại. (Căn cứ: Điều 11 Nghị định "
        "30/2020/NĐ-CP.)",
    )
    d.xor("gw_noi_dung", "Nội dung đạt?", unit)
    d.user(
        "kiem_tra_the_thuc",
        "Kiểm tra thể thức văn bản",
        office,
        form="duyet.json",
        dueDate=URGENT_DUE.format(1),
        doneMessage="Đã kiểm tra thể thức",
        doc="Kiểm tra thể thức và kỹ thuật trình bày của tờ trình. Đạt: duyệt để trình lãnh đạo "
        "Sở ký. Chưa đạt: ghi rõ chỗ cần sửa và trả lại. (Căn cứ: Điều 12 Nghị định "
        "30/2020/NĐ-CP.)",
    )
    d.xor("gw_the_thuc", "Thể thức đạt?", office)
    d.user(
        "ky_to_trinh",
        "Lãnh đạo Sở ký tờ trình",
        leaders,
        form="ky_to_trinh.json",
        dueDate=URGENT_DUE.format(2),
        decisionField="decision",
        doneMessage="Đã cho ý kiến về tờ trình",
        doc="Xem dự thảo tờ trình và ý kiến của các bước trước; ký số và chọn hình thức ký "
        "(Giám đốc ký, hoặc Phó Giám đốc ký thay: KT. GIÁM ĐỐC). Cần sửa: ghi ý kiến và trả "
        "lại. (Căn cứ: Điều 13 Nghị định 30/2020/NĐ-CP.)",
    )
    d.xor("gw_ky", "Ký duyệt?", leaders)
    d.user(
        "phat_hanh",
        "Văn thư cấp số, phát hành",
        office,
        form="phat_hanh.json",
        dueDate=URGENT_DUE.format(1),
        submitLabel="Phát hành",
        doneMessage="Đã phát hành văn bản số {so_ky_hieu}",
        doc="Hệ thống cấp số tiếp theo trong sổ tờ trình của năm khi phát hành (dạng "
        "05/TTr-SKHCN; không nhập số). Nhập ngày ban hành; ký số của cơ quan, đính kèm bản phát "
        "hành, gửi trong ngày hoặc ngày làm việc tiếp theo (văn bản khẩn: gửi ngay). (Căn cứ: "
        "Điều 15-18 Nghị định 30/2020/NĐ-CP.)",
    )
    d.user(
        "tiep_nhan",
        "Tiếp nhận văn bản đến",
        vp_ubnd,
        form="tiep_nhan.json",
        dueDate=URGENT_DUE.format(1),
        submitLabel="Tiếp nhận",
        doneMessage="Đã tiếp nhận văn bản (số đến {so_den})",
        doc="Xác nhận đã nhận tờ trình và ghi số đến trong ngày. (Căn cứ: Điều 21-22 Nghị định "
        "30/2020/NĐ-CP.)",
    )
    d.user(
        "tham_tra_ho_so",
        "Thẩm tra hồ sơ, trình lãnh đạo UBND tỉnh",
        vp_ubnd,
        form="tham_tra_ho_so.json",
        dueDate=URGENT_DUE.format(3),
        doneMessage="Đã thẩm tra hồ sơ",
        doc="Chuyên viên Văn phòng UBND tỉnh thẩm tra hồ sơ trình (đủ thành phần, đúng thẩm "
        "quyền, đúng trình tự). Đủ: trình lãnh đạo UBND tỉnh kèm ý kiến thẩm tra. Thiếu: trả lại "
        "Sở, ghi rõ hồ sơ, tài liệu còn thiếu. Thời hạn thẩm tra theo quy chế làm việc của UBND "
        "tỉnh (mặc định 3 ngày làm việc). (Căn cứ: Điều 23 Nghị định 30/2020/NĐ-CP; quy chế làm "
        "việc của UBND tỉnh.)",
    )
    d.xor("gw_tham_tra", "Hồ sơ đầy đủ?", vp_ubnd)
    d.user(
        "bo_sung_ho_so",
        "Bổ sung hồ sơ theo yêu cầu của Văn phòng UBND tỉnh",
        unit,
        form="bo_sung_ho_so.json",
        candidateGroups="${don_vi_soan_thao}",
        dueDate=URGENT_DUE.format(3),
        submitLabel="Gửi hồ sơ bổ sung",
        doneMessage="Đã gửi hồ sơ bổ sung đến Văn phòng UBND tỉnh",
        doc="Đọc ý kiến thẩm tra của Văn phòng UBND tỉnh; đính kèm các tài liệu còn thiếu, ghi "
        "nội dung đã bổ sung rồi gửi lại để thẩm tra.",
    )
    d.user(
        "chi_dao",
        "Lãnh đạo UBND tỉnh cho ý kiến chỉ đạo",
        ubnd,
        form="chi_dao_ubnd.json",
        dueDate=URGENT_DUE.format(7),
        doneMessage="Đã cho ý kiến chỉ đạo",
        doc="Xem tờ trình, hồ sơ và ý kiến thẩm tra; đồng ý (ghi số và ngày ký của quyết định), "
        "hoặc trả lại và chọn bước cần làm lại. Ghi ý kiến chỉ đạo (nếu giao việc: nêu đơn vị "
        "chủ trì, phối hợp và thời hạn). "
        "(Căn cứ: Điều 23 Nghị định 30/2020/NĐ-CP.)",
    )
    d.xor("gw_chi_dao", "Ý kiến chỉ đạo?", ubnd)
    d.script("ghi_phe_duyet", "Ghi nhận: được phê duyệt", ubnd, 'ket_qua_trinh = "phe_duyet"')
    d.script("ghi_tra_lai", "Ghi nhận: trả lại hồ sơ", ubnd, 'ket_qua_trinh = "tra_lai"')
    d.end("ket_thuc_phe_duyet", "Đã phê duyệt", ubnd)
    d.end("ket_thuc_tra_lai", "Trả lại hồ sơ", ubnd)

    d.chain("bat_dau", "soan_to_trinh", "kiem_tra_noi_dung", "gw_noi_dung")
    d.flow("gw_noi_dung", "kiem_tra_the_thuc", "Đồng ý", default=True)
    d.flow("gw_noi_dung", "soan_to_trinh", "Trả lại", DECIDED.format("tra_lai"))
    d.flow("kiem_tra_the_thuc", "gw_the_thuc")
    d.flow("gw_the_thuc", "ky_to_trinh", "Đồng ý", default=True)
    d.flow("gw_the_thuc", "soan_to_trinh", "Trả lại", DECIDED.format("tra_lai"))
    d.flow("ky_to_trinh", "gw_ky")
    d.flow("gw_ky", "phat_hanh", "Ký duyệt", default=True)
    d.flow("gw_ky", "soan_to_trinh", "Trả lại", DECIDED.format("tra_lai"))
    d.chain("phat_hanh", "tiep_nhan", "tham_tra_ho_so", "gw_tham_tra")
    d.flow("gw_tham_tra", "chi_dao", "Đủ hồ sơ", default=True)
    d.flow("gw_tham_tra", "bo_sung_ho_so", "Trả lại bổ sung", DECIDED.format("tra_lai"))
    d.flow("bo_sung_ho_so", "tham_tra_ho_so")
    d.flow("chi_dao", "gw_chi_dao")
    d.flow("gw_chi_dao", "ghi_phe_duyet", "Phê duyệt", default=True)
    CHI_DAO_RETURNS.flows(d, "gw_chi_dao")
    d.flow("ghi_phe_duyet", "ket_thuc_phe_duyet")
    d.flow("ghi_tra_lai", "ket_thuc_tra_lai")
    return d


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
        form="duyet.json",
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


def xay_dung_quy_dinh() -> Diagram:
    d = Diagram(
        "xay_dung_quy_dinh",
        "Xây dựng dự thảo quy định",
        doc="Kế hoạch mục II.4.1, II.4.2 (Quy định định mức kinh phí; Quy định quản lý nhiệm vụ "
        "KH&CN). Luật Ban hành văn bản quy phạm pháp luật 2025, NĐ 78/2025/NĐ-CP sửa đổi bởi "
        "NĐ 187/2025/NĐ-CP: soạn thảo, lấy ý kiến, tổng hợp, thẩm định của Sở Tư pháp, giải "
        "trình, trình UBND tỉnh.",
    )
    leaders, unit, consulted, justice = (
        "Lãnh đạo Sở",
        "Đơn vị soạn thảo",
        "Đơn vị được lấy ý kiến",
        "Sở Tư pháp",
    )
    d.lanes(leaders, unit, consulted, justice)
    d.start("bat_dau", "Có nhiệm vụ xây dựng quy định", leaders)
    d.user(
        "giao_soan_thao",
        "Giao đơn vị chủ trì soạn thảo",
        leaders,
        form="giao_soan_thao.json",
        submitLabel="Giao",
        doneMessage="Đã giao soạn thảo «{ten_du_thao}»",
        doc="Giao đơn vị chủ trì soạn thảo, chọn các đơn vị được lấy ý kiến và thời hạn góp ý.",
    )
    d.user(
        "soan_du_thao",
        "Soạn dự thảo quy định và tờ trình",
        unit,
        form="du_thao.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="15",
        submitLabel="Gửi lấy ý kiến",
        doneMessage="Đã gửi dự thảo lấy ý kiến các đơn vị",
        doc="Soạn dự thảo quy định và tờ trình, đính kèm dự thảo; đăng tải dự thảo trên Cổng "
        "thông tin điện tử tỉnh (ít nhất 10 ngày) và gửi lấy ý kiến các đơn vị.",
    )
    d.user(
        "gop_y",
        "Góp ý dự thảo",
        consulted,
        form="gop_y.json",
        candidateGroups="${don_vi}",
        dueInWorkingDays="${han_gop_y_ngay}",
        decisionField="ket_qua_gop_y",
        # Each reply (decision and content) is kept in the item's history; Spiff runs a
        # multi-instance task's post-script once for all, so replies are not gathered in data.
        multi={"collection": "don_vi_lay_y_kien", "element": "don_vi"},
        doneMessage="Đã gửi ý kiến góp ý",
        doc="Đọc dự thảo; chọn thống nhất, hoặc ghi ý kiến góp ý (đính kèm nếu có) trước hạn "
        "ghi ở đầu trang. (Căn cứ: Nghị định 187/2025/NĐ-CP: 7 ngày, thủ tục rút gọn 3 ngày.)",
    )
    d.user(
        "tong_hop_y_kien",
        "Tổng hợp, giải trình, tiếp thu ý kiến",
        unit,
        form="tong_hop_y_kien.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="5",
        submitLabel="Gửi Sở Tư pháp thẩm định",
        doneMessage="Đã gửi hồ sơ đề nghị Sở Tư pháp thẩm định",
        doc="Lập báo cáo tổng hợp, giải trình, tiếp thu ý kiến góp ý; đính kèm dự thảo đã chỉnh "
        "lý.",
    )
    d.user(
        "tham_dinh",
        "Sở Tư pháp thẩm định",
        justice,
        form="tham_dinh.json",
        decisionField="ket_luan_tham_dinh",
        submitLabel="Gửi ý kiến",
        doneMessage="Đã gửi báo cáo thẩm định số {so_bao_cao_tham_dinh}",
        doc="Thẩm định dự thảo; nhập số báo cáo, chọn kết luận và đính kèm báo cáo thẩm định.",
    )
    d.user(
        "giai_trinh",
        "Chỉnh lý, giải trình ý kiến thẩm định",
        unit,
        form="giai_trinh.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="5",
        submitLabel="Trình Giám đốc Sở",
        doneMessage="Đã trình Giám đốc Sở dự thảo đã chỉnh lý",
        doc="Tiếp thu, giải trình ý kiến thẩm định và chỉnh lý dự thảo; đính kèm dự thảo đã "
        "chỉnh lý (cùng tên tệp để có phiên bản mới) và báo cáo giải trình.",
    )
    d.xor("gw_tham_dinh", "Đủ điều kiện trình?", unit)
    d.user(
        "duyet_giam_doc",
        "Giám đốc Sở duyệt dự thảo",
        leaders,
        form="duyet.json",
        dueInWorkingDays="3",
        doneMessage="Đã cho ý kiến về dự thảo",
        doc="Xem dự thảo đã chỉnh lý, báo cáo thẩm định và báo cáo giải trình; duyệt để trình "
        "UBND tỉnh hoặc trả lại để chỉnh lý.",
    )
    d.xor("gw_giam_doc", "Giám đốc đồng ý?", leaders)
    d.call("trinh_ubnd", "Trình UBND tỉnh ban hành", leaders, "trinh_ubnd")
    d.xor("gw_ubnd", "Kết quả trình?", leaders)
    d.script(
        "ghi_ban_hanh", "Ghi nhận: quy định được ban hành", leaders, 'trang_thai = "da_ban_hanh"'
    )
    d.end("ket_thuc", "Quy định được ban hành", leaders)

    d.chain(
        "bat_dau",
        "giao_soan_thao",
        "soan_du_thao",
        "gop_y",
        "tong_hop_y_kien",
        "tham_dinh",
        "giai_trinh",
        "gw_tham_dinh",
    )
    d.flow("gw_tham_dinh", "duyet_giam_doc", "Đủ điều kiện", default=True)
    d.flow(
        "gw_tham_dinh", "tham_dinh", "Thẩm định lại", 'ket_luan_tham_dinh == "chua_du_dieu_kien"'
    )
    d.flow("duyet_giam_doc", "gw_giam_doc")
    d.flow("gw_giam_doc", "trinh_ubnd", "Đồng ý", default=True)
    d.flow("gw_giam_doc", "giai_trinh", "Trả lại", DECIDED.format("tra_lai"))
    d.flow("trinh_ubnd", "gw_ubnd")
    d.flow("gw_ubnd", "ghi_ban_hanh", "Phê duyệt", default=True)
    d.flow("gw_ubnd", "giai_trinh", "Trả lại", 'ket_qua_trinh == "tra_lai"')
    d.flow("ghi_ban_hanh", "ket_thuc")
    return d


REMINDER_DOC = (
    " Nhắc hạn trước hạn theo số ngày làm việc của từng nhiệm vụ (so_ngay_nhac, nhập khi giao); "
    "để trống thì theo độ dài nhiệm vụ: hơn 30 ngày từ khi giao đến hạn, nhắc trước 3 ngày làm "
    "việc; ngắn hơn, trước 1 ngày làm việc (quy tắc của cơ quan; văn bản pháp luật không quy "
    "định)."
)
EXTENSION_DOC = (
    " Gia hạn: trước thời hạn, đơn vị chủ trì chọn «Xin gia hạn» trên phiếu cập nhật tiến độ, "
    "nêu lý do và hạn đề nghị; lãnh đạo Sở đồng ý (ghi hạn mới: nhiệm vụ tiếp tục với hạn mới, "
    "nhắc hạn và đôn đốc tính lại theo hạn mới) hoặc không đồng ý (nêu lý do, hạn giữ nguyên). "
    "Mỗi lần xin gia hạn được ghi vào lịch sử gia hạn (hạn cũ, hạn đề nghị, hạn mới, lý do, ý "
    "kiến). Đề nghị gửi sau thời hạn thì không được chuyển, đơn vị nhận thông báo. (Quy tắc của "
    "cơ quan theo thực tiễn theo dõi nhiệm vụ của các tỉnh; văn bản trung ương không quy định.)"
)
COOPERATION_DOC = (
    " Phối hợp: khi giao nhiệm vụ, mỗi đơn vị phối hợp thuộc Sở (có trong sơ đồ tổ chức) nhận "
    "một việc «Phối hợp thực hiện, gửi ý kiến/kết quả phối hợp», hạn trước hạn của đơn vị chủ "
    "trì 5 ngày làm việc nhưng không sớm hơn 3 ngày làm việc kể từ khi giao và không muộn hơn "
    "hạn của đơn vị chủ trì (workflows/script_helpers.py: tinh_han_phoi_hop). Cơ quan ngoài Sở "
    "và cách ghi chung («các phòng, đơn vị») không có việc riêng, vẫn được ghi trong hồ sơ. Kết "
    "quả phối hợp của từng đơn vị được lưu vào hồ sơ nhiệm vụ của đơn vị chủ trì. Nhánh phối hợp "
    "chạy song song, tách ra ngay khi giao và tự kết thúc, không nhập lại vào nhánh chủ trì: đơn "
    "vị chủ trì cập nhật tiến độ, xin gia hạn, báo cáo và lãnh đạo Sở đánh giá mà không phải chờ "
    "đơn vị phối hợp (một cổng song song nhập lại sẽ chặn báo cáo khi đơn vị phối hợp chậm, và "
    "bị đi qua nhiều lần khi gia hạn hay bổ sung). Hồ sơ chỉ kết thúc khi các đơn vị phối hợp đã "
    "gửi kết quả. Hạn phối hợp tính một lần khi giao; gia hạn cho đơn vị chủ trì và nhiệm vụ mở "
    "lại năm sau không giao lại việc phối hợp."
)
ON_TIME_DOC = (
    " Đúng hạn hay quá hạn được xác định tại ngày đơn vị gửi báo cáo kết quả (ngay_bao_cao) so "
    "với hạn đang có hiệu lực (kể cả hạn đã được gia hạn), không tính ngày lãnh đạo chấp nhận; "
    "nếu lãnh đạo yêu cầu bổ sung, ngày của báo cáo được chấp nhận là ngày báo cáo."
)


def giao_nhiem_vu() -> Diagram:
    d = Diagram(
        "giao_nhiem_vu",
        "Giao nhiệm vụ theo kế hoạch",
        doc="Nhiệm vụ do kế hoạch giao cho đơn vị chủ trì, phối hợp, với thời hạn (QĐ 42/2014/"
        "QĐ-TTg sửa đổi bởi QĐ 23/2018/QĐ-TTg; chế độ báo cáo NĐ 09/2019/NĐ-CP). Nhắc hạn trước "
        "hạn, đôn đốc khi quá hạn; nhiệm vụ thường xuyên hằng năm được mở lại mỗi năm."
        + REMINDER_DOC
        + EXTENSION_DOC
        + ON_TIME_DOC
        + COOPERATION_DOC,
    )
    unit, leaders, partners = "Đơn vị chủ trì", "Lãnh đạo Sở", "Đơn vị phối hợp"
    d.lanes(unit, leaders, partners)
    # The start form labels what the plan says of the task, for the item's dossier.
    d.start("bat_dau", "Nhiệm vụ theo kế hoạch", leaders, formJsonSchemaFilename=START_FORM)
    d.script(
        "xac_dinh_han",
        "Xác định hạn hoàn thành",
        leaders,
        "han_xu_ly = han_theo_ke_hoach(loai_han, gia_tri_han, now())\n"
        "can_phan_cong = not don_vi_chu_tri or not han_xu_ly\n"
        "lich_su_gia_han = []\n"
        # A task imported from a plan may come without its own reminder lead time.
        "try:\n"
        "    so_ngay_nhac\n"
        "except NameError:\n"
        "    so_ngay_nhac = None",
    )
    d.xor("gw_du_thong_tin", "Đủ đơn vị chủ trì và hạn?", leaders)
    d.user(
        "phan_cong",
        "Phân công đơn vị chủ trì, xác định hạn",
        leaders,
        form="phan_cong.json",
        dueInWorkingDays="3",
        submitLabel="Giao",
        doneMessage="Đã giao nhiệm vụ cho đơn vị chủ trì",
        doc="Kế hoạch chưa nêu rõ đơn vị chủ trì hoặc thời hạn: chọn đơn vị chủ trì, nhập hạn "
        "hoàn thành (và, nếu cần, số ngày nhắc trước hạn) rồi giao.",
    )
    d.script(
        "xac_dinh_phoi_hop",
        "Xác định đơn vị, hạn phối hợp",
        leaders,
        # A task started without the field (the catalog's, older items) has no partners.
        "try:\n"
        "    don_vi_phoi_hop\n"
        "except NameError:\n"
        "    don_vi_phoi_hop = []\n"
        "don_vi_giao_phoi_hop = [u for u in chon_don_vi_phoi_hop(don_vi_phoi_hop) "
        "if u != don_vi_chu_tri]\n"
        "han_phoi_hop = tinh_han_phoi_hop(han_xu_ly, now())",
    )
    d.parallel("tach_phoi_hop", leaders, "Chủ trì và phối hợp song song")
    d.script(
        "chuan_bi_phoi_hop",
        "Chuẩn bị việc phối hợp",
        partners,
        # The branch keeps no copy of what the lead's branch changes later (deadline,
        # extensions): when it ends after the lead's, its data must not bring them back.
        "del han_xu_ly\ndel lich_su_gia_han\ndel can_phan_cong",
    )
    d.xor("gw_co_phoi_hop", "Có đơn vị phối hợp?", partners)
    d.user(
        "phoi_hop",
        "Phối hợp thực hiện, gửi ý kiến/kết quả phối hợp",
        partners,
        form="phoi_hop.json",
        candidateGroups="${don_vi_phoi_hop_nay}",
        dueDate="${han_phoi_hop}",
        multi={"collection": "don_vi_giao_phoi_hop", "element": "don_vi_phoi_hop_nay"},
        submitLabel="Gửi kết quả phối hợp",
        doneMessage="Đã gửi kết quả phối hợp",
        doc="Phối hợp với đơn vị chủ trì thực hiện nhiệm vụ; ghi nội dung phối hợp (ý kiến, kết "
        "quả), đính kèm tài liệu nếu có, gửi trước hạn ghi ở đầu trang. Kết quả được lưu vào hồ "
        "sơ nhiệm vụ của đơn vị chủ trì." + COOPERATION_DOC,
    )
    d.end("ket_thuc_phoi_hop", "Đã phối hợp", partners)
    d.end("ket_thuc_khong_phoi_hop", "Không có đơn vị phối hợp", partners)
    d.script(
        "xac_dinh_nhac_han",
        "Xác định ngày nhắc hạn",
        leaders,
        "nhac_truoc_ngay = tinh_so_ngay_nhac(han_xu_ly, now(), so_ngay_nhac)",
    )
    d.call(
        "thuc_hien",
        "Đơn vị chủ trì thực hiện, báo cáo",
        unit,
        "thuc_hien_nhiem_vu",
        doc="Đơn vị chủ trì thực hiện, cập nhật tiến độ (có thể xin gia hạn trước thời hạn), "
        "báo cáo kết quả; lãnh đạo Sở đánh giá, chấp nhận hoặc yêu cầu bổ sung.",
    )
    d.timer_on(
        "nhac_han",
        "Nhắc hạn",
        "thuc_hien",
        "nhac_truoc_han(han_xu_ly, nhac_truoc_ngay)",
        kind="timeDate",
    )
    d.script("ghi_nhac_han", "Ghi nhận đã nhắc hạn", unit, "da_nhac_han = True")
    d.end("ket_thuc_nhac", "Đã nhắc hạn", unit)
    d.timer_on("qua_han", "Quá hạn", "thuc_hien", "het_han(han_xu_ly)", kind="timeDate")
    d.user(
        "don_doc",
        "Đôn đốc nhiệm vụ quá hạn",
        leaders,
        form="don_doc.json",
        dueInWorkingDays="2",
        submitLabel="Đôn đốc",
        doneMessage="Đã đôn đốc đơn vị chủ trì",
        doc="Nhiệm vụ đã quá hạn: ghi nội dung đôn đốc đơn vị chủ trì (yêu cầu báo cáo, hạn mới "
        "nếu có).",
    )
    d.end("ket_thuc_don_doc", "Đã đôn đốc", leaders)
    d.xor("gw_gia_han", "Được gia hạn?", leaders)
    d.script(
        "ghi_gia_han",
        "Ghi nhận hạn mới",
        leaders,
        "lich_su_gia_han = lich_su_gia_han + [{"
        '"han_cu": han_xu_ly, "han_de_nghi": han_de_nghi, "han_moi": han_gia_han, '
        '"ly_do": ly_do_gia_han, "ket_qua": "Đồng ý gia hạn", "y_kien": y_kien_gia_han, '
        '"ngay": thoi_diem(now())}]\n'
        "han_xu_ly = han_gia_han\n"
        'ket_qua_thuc_hien = ""\n'
        "da_nhac_han = False",
    )
    d.user(
        "danh_gia_ket_qua",
        "Lãnh đạo Sở đánh giá kết quả",
        leaders,
        form="danh_gia_ket_qua.json",
        dueInWorkingDays="5",
        doneMessage="Đã đánh giá kết quả",
        doc="Xem báo cáo kết quả; chấp nhận, hoặc yêu cầu bổ sung và nêu nội dung cần bổ sung.",
    )
    d.xor("gw_danh_gia", "Chấp nhận?", leaders)
    d.script(
        "phan_loai",
        "Phân loại kết quả",
        leaders,
        "ket_qua_phan_loai = phan_loai_ket_qua(ngay_bao_cao, han_xu_ly)\n"
        # The engine's own key for a verdict a process makes itself (Theo dõi reads it).
        'on_time = ket_qua_phan_loai == "hoan_thanh_dung_han"',
    )
    d.xor("gw_thuong_xuyen", "Nhiệm vụ thường xuyên?", leaders)
    d.script(
        "sang_nam_sau",
        "Mở lại cho năm sau",
        leaders,
        "nam_thuc_hien = nam_cua(han_xu_ly) + 1\n"
        'han_xu_ly = str(nam_thuc_hien) + "-12-31"\n'
        "da_nhac_han = False",
    )
    d.wait("dau_nam", "Đầu năm sau", leaders, "dau_nam(nam_thuc_hien)")
    d.end("ket_thuc", "Hoàn thành", leaders)

    d.chain("bat_dau", "xac_dinh_han", "gw_du_thong_tin")
    d.flow("gw_du_thong_tin", "xac_dinh_phoi_hop", "Đủ", default=True)
    d.flow("gw_du_thong_tin", "phan_cong", "Cần phân công", "can_phan_cong")
    d.flow("phan_cong", "xac_dinh_phoi_hop")
    d.chain("xac_dinh_phoi_hop", "tach_phoi_hop", "xac_dinh_nhac_han")
    d.chain("tach_phoi_hop", "chuan_bi_phoi_hop", "gw_co_phoi_hop")
    d.flow("gw_co_phoi_hop", "ket_thuc_khong_phoi_hop", "Không", default=True)
    d.flow("gw_co_phoi_hop", "phoi_hop", "Có", "len(don_vi_giao_phoi_hop) > 0")
    d.flow("phoi_hop", "ket_thuc_phoi_hop")
    d.flow("xac_dinh_nhac_han", "thuc_hien")
    d.chain("nhac_han", "ghi_nhac_han", "ket_thuc_nhac")
    d.chain("qua_han", "don_doc", "ket_thuc_don_doc")
    d.chain("thuc_hien", "gw_gia_han")
    d.flow("gw_gia_han", "danh_gia_ket_qua", "Đã báo cáo kết quả", default=True)
    d.flow("danh_gia_ket_qua", "gw_danh_gia")
    d.flow("gw_danh_gia", "phan_loai", "Chấp nhận", default=True)
    d.flow("gw_danh_gia", "thuc_hien", "Yêu cầu bổ sung", DECIDED.format("yeu_cau_bo_sung"))
    d.flow("gw_gia_han", "ghi_gia_han", "Được gia hạn", 'ket_qua_thuc_hien == "gia_han"')
    d.flow("ghi_gia_han", "xac_dinh_nhac_han")
    d.flow("phan_loai", "gw_thuong_xuyen")
    d.flow("gw_thuong_xuyen", "ket_thuc", "Không", default=True)
    d.flow("gw_thuong_xuyen", "sang_nam_sau", "Thường xuyên hằng năm", 'loai_han == "recurring"')
    d.chain("sang_nam_sau", "dau_nam", "xac_dinh_nhac_han")
    return d


def thuc_hien_nhiem_vu() -> Diagram:
    d = Diagram(
        "thuc_hien_nhiem_vu",
        "Thực hiện nhiệm vụ được giao",
        doc="Gọi từ quy trình Giao nhiệm vụ theo kế hoạch: thực hiện, cập nhật tiến độ, xin gia "
        "hạn, báo cáo kết quả. Kết thúc khi đã gửi báo cáo kết quả (lãnh đạo Sở đánh giá ở quy "
        "trình gọi; nhắc hạn, đôn đốc thôi tính từ khi đã báo cáo), hoặc khi được gia hạn "
        "(quy trình gọi ghi hạn mới rồi gọi lại với hạn mới)." + EXTENSION_DOC + ON_TIME_DOC,
    )
    unit, leaders = "Đơn vị chủ trì", "Lãnh đạo Sở"
    d.lanes(unit, leaders)
    d.start("bat_dau", "Bắt đầu thực hiện", unit)
    d.script(
        "khoi_tao",
        "Chuẩn bị theo dõi",
        unit,
        'xin_gia_han = False\nthong_bao_gia_han = ""\nket_qua_thuc_hien = ""',
    )
    d.user(
        "cap_nhat_tien_do",
        "Thực hiện, cập nhật tiến độ",
        unit,
        form="tien_do.json",
        candidateGroups="${don_vi_chu_tri}",
        dueDate="${han_xu_ly}",
        decisionField="hoan_thanh",
        submitLabel="Cập nhật tiến độ",
        doneMessage="Đã cập nhật tiến độ ({ty_le_hoan_thanh}%). {thong_bao_gia_han}",
        doc="Ghi phần việc đã làm và tỷ lệ hoàn thành; mỗi lần cập nhật đều được lưu lại. Khi "
        "xong nhiệm vụ, đánh dấu đã hoàn thành để chuyển sang báo cáo kết quả. Cần thêm thời "
        "gian: trước thời hạn, chọn «Xin gia hạn», nhập hạn đề nghị và lý do; đề nghị được "
        "chuyển lãnh đạo Sở xem xét (đề nghị gửi sau thời hạn không được chuyển).",
    )
    d.script(
        "kiem_tra_gia_han",
        "Kiểm tra đề nghị gia hạn",
        unit,
        'ly_do_khong_chuyen = loi_gia_han(han_xu_ly, han_de_nghi, now()) if xin_gia_han else ""\n'
        'gui_de_nghi_gia_han = xin_gia_han and ly_do_khong_chuyen == ""\n'
        "thong_bao_gia_han = ly_do_khong_chuyen or ("
        '"Đã gửi đề nghị gia hạn đến lãnh đạo Sở." if gui_de_nghi_gia_han else "")\n'
        "xin_gia_han = False\n"
        'y_kien_gia_han = ""',
    )
    d.xor("gw_hoan_thanh", "Đã hoàn thành?", unit)
    d.user(
        "xet_gia_han",
        "Lãnh đạo Sở xét đề nghị gia hạn",
        leaders,
        form="xet_gia_han.json",
        dueInWorkingDays="2",
        submitLabel="Gửi ý kiến",
        doneMessage="Đã cho ý kiến về đề nghị gia hạn",
        doc="Xem lý do và hạn đề nghị của đơn vị chủ trì. Đồng ý gia hạn: nhập hạn mới (thường "
        "là hạn đơn vị đề nghị). Không đồng ý gia hạn: nêu lý do; hạn giữ nguyên." + EXTENSION_DOC,
    )
    d.xor("gw_xet_gia_han", "Đồng ý gia hạn?", leaders)
    d.script(
        "ghi_dong_y_gia_han",
        "Ghi nhận: được gia hạn",
        leaders,
        'ket_qua_thuc_hien = "gia_han"',
    )
    d.end("ket_thuc_gia_han", "Được gia hạn", leaders)
    d.script(
        "ghi_tu_choi_gia_han",
        "Ghi nhận: không được gia hạn",
        leaders,
        "lich_su_gia_han = lich_su_gia_han + [{"
        '"han_cu": han_xu_ly, "han_de_nghi": han_de_nghi, "han_moi": han_xu_ly, '
        '"ly_do": ly_do_gia_han, "ket_qua": "Không đồng ý gia hạn", "y_kien": y_kien_gia_han, '
        '"ngay": thoi_diem(now())}]\n'
        'thong_bao_gia_han = "Lãnh đạo Sở không đồng ý gia hạn: " + y_kien_gia_han',
    )
    d.user(
        "bao_cao_ket_qua",
        "Báo cáo kết quả",
        unit,
        form="bao_cao_ket_qua.json",
        candidateGroups="${don_vi_chu_tri}",
        dueDate="${han_xu_ly}",
        submitLabel="Gửi báo cáo",
        doneMessage="Đã gửi báo cáo kết quả số {so_bao_cao}",
        doc="Nhập số, ký hiệu và nội dung báo cáo kết quả; đính kèm báo cáo đã ký. Ngày gửi báo "
        "cáo là ngày xét đúng hạn. (Căn cứ: Nghị định 09/2019/NĐ-CP.)",
    )
    d.script("ghi_ngay_bao_cao", "Ghi nhận ngày báo cáo", unit, "ngay_bao_cao = thoi_diem(now())")
    d.end("ket_thuc", "Đã báo cáo kết quả", unit)
    d.chain("bat_dau", "khoi_tao", "cap_nhat_tien_do", "kiem_tra_gia_han", "gw_hoan_thanh")
    d.flow("gw_hoan_thanh", "cap_nhat_tien_do", "Tiếp tục thực hiện", default=True)
    d.flow("gw_hoan_thanh", "xet_gia_han", "Xin gia hạn", "gui_de_nghi_gia_han")
    d.flow(
        "gw_hoan_thanh",
        "bao_cao_ket_qua",
        "Hoàn thành",
        'hoan_thanh and not gui_de_nghi_gia_han and ly_do_khong_chuyen == ""',
    )
    d.chain("xet_gia_han", "gw_xet_gia_han")
    d.flow("gw_xet_gia_han", "ghi_dong_y_gia_han", "Đồng ý gia hạn", DECIDED.format("dong_y"))
    d.flow("gw_xet_gia_han", "ghi_tu_choi_gia_han", "Không đồng ý", default=True)
    d.flow("ghi_dong_y_gia_han", "ket_thuc_gia_han")
    d.flow("ghi_tu_choi_gia_han", "cap_nhat_tien_do")
    d.chain("bao_cao_ket_qua", "ghi_ngay_bao_cao", "ket_thuc")
    return d


PROCESSES = [trinh_ubnd, de_xuat_nhiem_vu, xay_dung_quy_dinh, giao_nhiem_vu, thuc_hien_nhiem_vu]


def main() -> None:
    FORMS_DIR.mkdir(parents=True, exist_ok=True)
    for name, form in FORMS.items():
        (FORMS_DIR / name).write_text(json.dumps(form, ensure_ascii=False, indent=2) + "\n")
    for build in PROCESSES:
        print(build().write(BPMN_DIR).relative_to(ROOT))


if __name__ == "__main__":
    main()
