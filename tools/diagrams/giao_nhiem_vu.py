"""The process giao_nhiem_vu: its diagram and its forms."""

from __future__ import annotations

from typing import Any

from tools.bpmn_builder import Diagram
from tools.diagrams.common import (
    COMMENT_MARK,
    DECIDED,
    REMINDER_FIELD,
    UNIT_CHOICE,
    choice,
    decision_form,
    require_when,
    simple_form,
    text,
    whole_number,
)

# Written by hand beside the generated forms: the fields of a task imported from a plan.
START_FORM = "nhiem_vu_ke_hoach.json"

REMINDER_DOC = (
    " Nhắc hạn trước hạn theo số ngày làm việc của từng nhiệm vụ (so_ngay_nhac, nhập khi giao); "
    "để trống thì theo độ dài nhiệm vụ: hơn 30 ngày từ khi giao đến hạn, nhắc trước 3 ngày làm "
    "việc; ngắn hơn, trước 1 ngày làm việc (quy tắc của cơ quan; văn bản pháp luật không quy "
    "định)."
)
EXTENSION_DOC = (
    " Gia hạn: trước thời hạn, đơn vị chủ trì nêu lý do và hạn đề nghị trên phiếu cập nhật "
    "tiến độ rồi bấm «Gửi đề nghị gia hạn»; lãnh đạo Sở đồng ý (ghi hạn mới: nhiệm vụ tiếp "
    "tục với hạn mới, nhắc hạn và đôn đốc tính lại theo hạn mới) hoặc không đồng ý (nêu lý "
    "do, hạn giữ nguyên). Mỗi lần xin gia hạn được ghi vào lịch sử gia hạn (hạn cũ, hạn đề "
    "nghị, hạn mới, lý do, ý kiến). Hạn đề nghị và hạn mới phải sau hạn hiện tại. Đề nghị "
    "gửi sau thời hạn thì không được chuyển, đơn vị nhận thông báo."
)
COOPERATION_DOC = (
    " Phối hợp: khi giao nhiệm vụ, mỗi đơn vị phối hợp thuộc Sở (có trong sơ đồ tổ chức) nhận "
    "một việc «Phối hợp thực hiện, gửi ý kiến/kết quả phối hợp», hạn trước hạn của đơn vị chủ "
    "trì 5 ngày làm việc nhưng không sớm hơn 3 ngày làm việc kể từ khi giao và không muộn hơn "
    "hạn của đơn vị chủ trì. Cơ quan ngoài Sở "
    "và cách ghi chung («các phòng, đơn vị») không có việc riêng, vẫn được ghi trong hồ sơ. Kết "
    "quả phối hợp của từng đơn vị được lưu vào hồ sơ nhiệm vụ của đơn vị chủ trì. Nhánh phối hợp "
    "chạy song song, tách ra ngay khi giao và tự kết thúc, không nhập lại vào nhánh chủ trì: đơn "
    "vị chủ trì cập nhật tiến độ, xin gia hạn, báo cáo và lãnh đạo Sở đánh giá mà không phải chờ "
    "đơn vị phối hợp (một cổng song song nhập lại sẽ chặn báo cáo khi đơn vị phối hợp chậm, và "
    "bị đi qua nhiều lần khi gia hạn hay bổ sung). Đơn vị phối hợp được nhắc trước hạn phối hợp "
    "theo cùng quy tắc nhắc hạn (số ngày nhắc của nhiệm vụ, hoặc theo độ dài thời gian phối hợp). "
    "Khi nhiệm vụ hoàn thành (lãnh đạo Sở chấp nhận kết quả; nhiệm vụ định kỳ: kết quả kỳ cuối), "
    "hồ sơ kết thúc và việc phối hợp chưa gửi được đóng lại (đơn vị phối hợp gửi muộn thì không "
    "còn gửi được). Hạn phối hợp tính khi giao; gia hạn cho đơn vị chủ trì không giao lại việc "
    "phối hợp. Nhiệm vụ định kỳ: mỗi kỳ mới, các đơn vị phối hợp nhận lại việc phối hợp của kỳ "
    "đó, hạn tính theo hạn của đơn vị chủ trì trong kỳ (cùng quy tắc); việc phối hợp của kỳ "
    "trước chưa gửi vẫn mở đến khi gửi hoặc nhiệm vụ hoàn thành."
)
# What the leadership reads on a task whose plan deadline had passed when it was given.
PASSED_NOTE = "Thời hạn trong kế hoạch đã qua khi giao nhiệm vụ: cần xác định hạn hoàn thành mới."

CHASE_DOC = (
    " Đôn đốc: khi nhiệm vụ quá hạn, lãnh đạo Sở nhận việc «Đôn đốc nhiệm vụ quá hạn», ghi nội "
    "dung đôn đốc gửi đơn vị chủ trì. Việc đôn đốc tự đóng lại nếu trước đó đơn vị đã được gia "
    "hạn, kết quả của kỳ đã được chấp nhận hoặc nhiệm vụ đã hoàn thành. Đôn đốc không thay đổi "
    "hạn: chỉ khi lãnh đạo Sở đồng ý gia hạn thì hạn mới thay đổi; thời hạn báo cáo ghi trong "
    "nội dung đôn đốc không dùng để xét đúng hạn."
)
PERIOD_DOC = (
    " Nhiệm vụ định kỳ (hằng tháng, hằng quý, 6 tháng, hằng năm, báo cáo định kỳ): mỗi kỳ là "
    "một lần thực hiện riêng với hạn của kỳ đó (ngày ghi trong kế hoạch của tháng cuối kỳ, như "
    "«trước ngày 25 hằng tháng»; không ghi ngày thì ngày cuối kỳ; rơi vào ngày nghỉ thì chuyển "
    "sang ngày làm việc tiếp theo). Việc của kỳ sau mở vào sáng ngày đầu kỳ; nếu kỳ trước chưa "
    "được chấp nhận khi kỳ sau bắt đầu thì mở ngay khi kỳ trước được chấp nhận, hạn của kỳ sau "
    "không đổi. Đúng hạn hay quá hạn xét riêng từng kỳ (cac_ky). Chuỗi kỳ dừng ở ngày kết thúc "
    "của kế hoạch (ket_thuc_chuoi) hoặc khi lãnh đạo Sở chọn «Dừng theo dõi định kỳ» khi đánh "
    "giá; không có ngày kết thúc thì mở tiếp cho đến khi lãnh đạo dừng."
)
ON_TIME_DOC = (
    " Đúng hạn hay quá hạn được xác định tại ngày đơn vị gửi báo cáo kết quả (ngay_bao_cao) so "
    "với hạn đang có hiệu lực (kể cả hạn đã được gia hạn), không tính ngày lãnh đạo chấp nhận; "
    "nếu lãnh đạo yêu cầu bổ sung, ngày của báo cáo được chấp nhận là ngày báo cáo."
)


DATE_MESSAGES = {"format": "Ngày không hợp lệ"}
# The document that assigns the task (kế hoạch, thông báo kết luận…): the importer fills it from
# the plan's header when the plan states it; the start form and Phân công show the same fields.
SOURCE_FIELDS: dict[str, Any] = {
    "so_ky_hieu_van_ban": text("Số, ký hiệu văn bản giao nhiệm vụ", required=False),
    "ngay_van_ban": {
        "type": "string",
        "format": "date",
        "title": "Ngày văn bản",
        "errorMessages": DATE_MESSAGES,
    },
    "co_quan_ban_hanh": text("Cơ quan ban hành", required=False),
    "trich_yeu_van_ban": text("Trích yếu văn bản", long=True, required=False),
}
PERIOD_CHOICES = [
    ("khong", "Không định kỳ"),
    ("month", "Hằng tháng"),
    ("quarter", "Hằng quý"),
    ("half_year", "6 tháng một lần"),
    ("year", "Hằng năm"),
]
# A periodic task's own fields are shown only for one ("x-shown-when", web/form_fields.py).
PERIODIC = {"dinh_ky": [value for value, _title in PERIOD_CHOICES if value != "khong"]}
PERIOD_FIELDS: dict[str, Any] = {
    "dinh_ky": {
        **choice("Nhiệm vụ định kỳ", PERIOD_CHOICES, "Hãy chọn nhiệm vụ định kỳ hay không"),
        "default": "khong",
    },
    "ngay_trong_ky": {
        **whole_number("Hạn mỗi kỳ: ngày (của tháng cuối kỳ; để trống: ngày cuối kỳ)", 1, 31),
        "x-shown-when": PERIODIC,
    },
    "ket_thuc_chuoi": {
        "type": "string",
        "format": "date",
        "title": "Theo dõi định kỳ đến ngày (để trống: đến khi lãnh đạo Sở dừng)",
        "errorMessages": DATE_MESSAGES,
        "x-shown-when": PERIODIC,
    },
}
# Thrown when a deadline no longer stands; an open chaser (don_doc) catches it and closes.
STOP_CHASING = "Thôi đôn đốc nhiệm vụ"
# The decision on the progress form: one button each.
PROGRESS_ACTIONS = [("cap_nhat", "Cập nhật tiến độ"), ("gia_han", "Gửi đề nghị gia hạn")]

FORMS: dict[str, dict[str, Any]] = {
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
                # A deadline set now is not already past (engine/forms.py).
                "x-not-before": "today",
                "errorMessages": {
                    "required": "Hãy nhập hạn hoàn thành",
                    "format": "Ngày không hợp lệ",
                    "x-not-before": "Hạn hoàn thành không được trước ngày hôm nay",
                },
            },
            "so_ngay_nhac": REMINDER_FIELD,
            **PERIOD_FIELDS,
            "them_don_vi_phoi_hop": {
                "type": "array",
                "title": "Đơn vị phối hợp (thêm)",
                "items": UNIT_CHOICE,
                "uniqueItems": True,
                "x-excludes": "don_vi_chu_tri",
                "errorMessages": {
                    "x-excludes": "Đơn vị chủ trì không đồng thời là đơn vị phối hợp; hãy bỏ "
                    "chọn đơn vị đó ở đây",
                },
            },
            **SOURCE_FIELDS,
        },
        ["don_vi_chu_tri", "han_xu_ly"],
    ),
    "tien_do.json": simple_form(
        "Cập nhật tiến độ thực hiện",
        {
            "ty_le_hoan_thanh": whole_number(
                "Tỷ lệ hoàn thành (%)", 0, 100, "Hãy nhập tỷ lệ hoàn thành"
            ),
            "noi_dung_cap_nhat": text("Nội dung đã thực hiện", long=True),
            "hoan_thanh": {"type": "boolean", "title": "Đã hoàn thành, chuyển báo cáo kết quả"},
            "hanh_dong": {
                **choice("Thao tác", PROGRESS_ACTIONS, "Hãy chọn thao tác"),
                "default": "cap_nhat",
            },
            "han_de_nghi": {
                "type": "string",
                "format": "date",
                "title": "Hạn đề nghị gia hạn đến",
                "x-after": "han_xu_ly",
                "errorMessages": {
                    "required": "Hãy nhập hạn đề nghị",
                    "format": "Ngày không hợp lệ",
                    "x-after": "Hạn đề nghị phải sau hạn xử lý hiện tại",
                },
            },
            "ly_do_gia_han": {
                **text("Lý do xin gia hạn", long=True, required=False),
                "errorMessages": {
                    "required": "Hãy nhập lý do xin gia hạn",
                    "minLength": "Hãy nhập lý do xin gia hạn",
                },
            },
        },
        ["ty_le_hoan_thanh", "noi_dung_cap_nhat", "hoan_thanh"],
    )
    | {
        "allOf": [
            {
                "if": {
                    "properties": {"hanh_dong": {"enum": ["gia_han"]}},
                    "required": ["hanh_dong"],
                },
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
    "xet_gia_han.json": require_when(
        decision_form(
            "Xét đề nghị gia hạn",
            [("dong_y", "Đồng ý gia hạn"), ("khong_dong_y", "Không đồng ý gia hạn")],
            ["khong_dong_y"],
            extra={
                "han_gia_han": {
                    "type": "string",
                    "format": "date",
                    "title": "Hạn mới",
                    # The date the unit asked for, and never on or before the current deadline.
                    "x-default-from": "han_de_nghi",
                    "x-after": "han_xu_ly",
                    "errorMessages": {
                        "required": "Hãy nhập hạn mới",
                        "format": "Ngày không hợp lệ",
                        "x-after": "Hạn mới phải sau hạn xử lý hiện tại",
                    },
                }
            },
            reason_field="y_kien_gia_han",
            reason_title="Ý kiến của lãnh đạo",  # the page says when it is required
            reason_is_comment=True,  # the leader's one text box
        ),
        "decision",
        "dong_y",
        ["han_gia_han"],
    ),
    "danh_gia_ket_qua.json": decision_form(
        "Đánh giá kết quả thực hiện",
        [("chap_nhan", "Chấp nhận kết quả"), ("yeu_cau_bo_sung", "Yêu cầu bổ sung")],
        ["yeu_cau_bo_sung"],
        # What is asked for is what to add, not a reason (the step's guide says so).
        reason_message="Yêu cầu bổ sung phải nêu nội dung cần bổ sung",
        extra={
            "dung_dinh_ky": {
                "type": "boolean",
                "title": "Dừng theo dõi định kỳ (nhiệm vụ định kỳ: không mở kỳ sau)",
                "default": False,
                "x-shown-when": PERIODIC,  # the item's: this form does not ask it
            }
        },
    ),
    # One box: the urging's text is the step's comment too ("x-comment", web/form_fields.py),
    # so the page asks no "Ý kiến xử lý" beside it.
    "don_doc.json": {
        "title": "Đôn đốc thực hiện nhiệm vụ quá hạn",
        "type": "object",
        "required": ["noi_dung_don_doc"],
        "properties": {
            "noi_dung_don_doc": {**text("Nội dung đôn đốc", long=True), COMMENT_MARK: True}
        },
    },
}


def giao_nhiem_vu() -> Diagram:
    d = Diagram(
        "giao_nhiem_vu",
        "Giao nhiệm vụ theo kế hoạch",
        doc="Nhiệm vụ do kế hoạch giao cho đơn vị chủ trì, phối hợp, với thời hạn (QĐ 42/2014/"
        "QĐ-TTg sửa đổi bởi QĐ 23/2018/QĐ-TTg; chế độ báo cáo NĐ 09/2019/NĐ-CP). Nhắc hạn trước "
        "hạn, đôn đốc khi quá hạn; nhiệm vụ định kỳ được mở lại mỗi kỳ."
        + PERIOD_DOC
        + REMINDER_DOC
        + CHASE_DOC
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
        # The plan's year: work of next year's plan, given in December, starts with it.
        "try:\n"
        "    nam_ke_hoach\n"
        "except NameError:\n"
        "    nam_ke_hoach = None\n"
        "han_xu_ly = han_theo_ke_hoach(loai_han, gia_tri_han, now(), nam_ke_hoach)\n"
        # A plan's deadline that has passed when the task is given (a plan imported late in
        # its year) is not given to the unit, which would receive its task overdue on day one:
        # the leadership sets a new one, told why. The rule is workflows.plan_deadline's
        # due_passed, which the plan's review flags «Đã hết hạn» by.
        "if han_ke_hoach_da_qua(loai_han, gia_tri_han, now(), nam_ke_hoach):\n"
        "    han_xu_ly = None\n"
        "    try:\n"
        "        can_quyet_dinh\n"
        "    except NameError:\n"
        "        can_quyet_dinh = None\n"
        f'    can_quyet_dinh = " ".join([can_quyet_dinh or "", "{PASSED_NOTE}"]).strip()\n'
        "can_phan_cong = not don_vi_chu_tri or not han_xu_ly\n"
        "lich_su_gia_han = []\n"
        # A task imported from a plan may come without its own reminder lead time.
        "try:\n"
        "    so_ngay_nhac\n"
        "except NameError:\n"
        "    so_ngay_nhac = None\n"
        # Recurrence and the series' end come from the importer; a manual start has neither.
        "try:\n"
        "    lap_lai\n"
        "except NameError:\n"
        "    lap_lai = None\n"
        "try:\n"
        "    ket_thuc_chuoi\n"
        "except NameError:\n"
        "    ket_thuc_chuoi = None\n"
        "cac_ky = []\n"
        "dung_dinh_ky = False",
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
        doc="Kế hoạch chưa nêu rõ đơn vị chủ trì hoặc thời hạn, hoặc thời hạn trong kế hoạch đã "
        "qua khi giao nhiệm vụ: chọn đơn vị chủ trì, nhập hạn hoàn thành (và, nếu cần, số ngày "
        "nhắc trước hạn) rồi giao.",
    )
    d.script(
        "xac_dinh_ky",
        "Xác định kỳ thực hiện",
        leaders,
        # A periodic kind chosen on the Phân công form overrides what the start data said.
        "try:\n"
        "    dinh_ky\n"
        "except NameError:\n"
        "    dinh_ky = None\n"
        'if dinh_ky == "khong":\n'
        "    lap_lai = None\n"
        "try:\n"
        "    ngay_trong_ky\n"
        "except NameError:\n"
        "    ngay_trong_ky = None\n"
        'if dinh_ky and dinh_ky != "khong":\n'
        '    lap_lai = {"every": dinh_ky, "day": ngay_trong_ky or None}\n'
        'if not lap_lai and loai_han == "recurring":\n'
        '    lap_lai = {"every": "year", "day": None}\n'
        "ky = ky_cua(lap_lai, han_xu_ly)",
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
        # Units the leader adds on the Phân công form join those the plan names.
        "try:\n"
        "    don_vi_them = them_don_vi_phoi_hop or []\n"
        "except NameError:\n"
        "    don_vi_them = []\n"
        # The plan's units as keys, resolved against the database's units when it was imported
        # (absent on items imported before: their names are read against the shipped chart).
        "try:\n"
        "    ma_phoi_hop = ma_don_vi_phoi_hop\n"
        "except NameError:\n"
        "    ma_phoi_hop = None\n"
        "don_vi_giao_phoi_hop = [u for u in chon_don_vi_phoi_hop("
        "don_vi_phoi_hop if ma_phoi_hop is None else [], (ma_phoi_hop or []) + don_vi_them) "
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
    d.script(
        "xac_dinh_nhac_phoi_hop",
        "Xác định ngày nhắc hạn phối hợp",
        partners,
        # The lead's rule for the partners' own deadline: the task's lead time, else by length.
        "nhac_truoc_ngay_phoi_hop = tinh_so_ngay_nhac(han_phoi_hop, now(), so_ngay_nhac)",
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
        "sơ nhiệm vụ của đơn vị chủ trì. Hạn phối hợp trước hạn của đơn vị chủ trì 5 ngày làm "
        "việc; khi nhiệm vụ hoàn thành, việc phối hợp chưa gửi được đóng lại.",
    )
    d.end("ket_thuc_phoi_hop", "Đã phối hợp", partners)
    d.timer_on(
        "nhac_han_phoi_hop",
        "Nhắc hạn phối hợp",
        "phoi_hop",
        "nhac_truoc_han(han_phoi_hop, nhac_truoc_ngay_phoi_hop)",
        kind="timeDate",
    )
    d.script(
        "ghi_nhac_han_phoi_hop",
        "Ghi nhận đã nhắc hạn phối hợp",
        partners,
        "da_nhac_han_phoi_hop = True",
    )
    d.end("ket_thuc_nhac_phoi_hop", "Đã nhắc hạn phối hợp", partners)
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
        # The leader's own guide, what to do on this page; the rules are the process's (CHASE_DOC).
        doc="Nhiệm vụ đã quá hạn. Ghi nội dung đôn đốc: yêu cầu đơn vị chủ trì báo cáo kết quả "
        "và thời hạn báo cáo. Khi bấm «Đôn đốc», nội dung được gửi đến đơn vị chủ trì: cán bộ "
        "đang xử lý nhiệm vụ và lãnh đạo đơn vị nhận được thông báo. Đôn đốc không thay đổi hạn "
        "của nhiệm vụ; hạn chỉ thay đổi khi lãnh đạo Sở đồng ý gia hạn.",
    )
    d.end("ket_thuc_don_doc", "Đã đôn đốc", leaders)
    # The chaser of a deadline that no longer stands (the occurrence accepted, the deadline
    # extended) leaves the leaders' inboxes: the lead's path throws this signal.
    d.signal_on("dong_don_doc", "Thôi đôn đốc", "don_doc", STOP_CHASING)
    d.end("ket_thuc_dong_don_doc", "Không cần đôn đốc nữa", leaders)
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
    d.throw_signal("thoi_don_doc_gia_han", "Đã gia hạn: thôi đôn đốc", leaders, STOP_CHASING)
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
        'on_time = ket_qua_phan_loai == "hoan_thanh_dung_han"\n'
        # Each occurrence's deadline and verdict, for the report per unit and period.
        "cac_ky = ghi_ky(cac_ky, ky, han_xu_ly, ngay_bao_cao, on_time)\n"
        "ky_sau = None if dung_dinh_ky else ky_tiep_theo(lap_lai, ky, ket_thuc_chuoi)",
    )
    d.throw_signal("thoi_don_doc_ky", "Kỳ đã được chấp nhận: thôi đôn đốc", leaders, STOP_CHASING)
    d.xor("gw_thuong_xuyen", "Còn kỳ sau?", leaders)
    d.wait("dau_ky_sau", "Đầu kỳ sau", leaders, "bat_dau_ky(ky_sau)")
    d.script(
        "mo_ky_sau",
        "Mở lại cho kỳ sau",
        leaders,
        "ky = ky_sau\n"
        'han_xu_ly = ky["han"]\n'
        "da_nhac_han = False\n"
        # The new occurrence starts from nothing done.
        "ty_le_hoan_thanh = 0\n"
        'noi_dung_cap_nhat = ""\n'
        "hoan_thanh = False\n"
        'so_bao_cao = ""\n'
        'ket_qua = ""\n'
        # The cooperating units' task of this period: the same rule on this period's deadline.
        "han_phoi_hop = tinh_han_phoi_hop(han_xu_ly, now())",
    )
    d.parallel("tach_phoi_hop_ky", leaders, "Chủ trì và phối hợp của kỳ song song")
    # The task is done: a late cooperating unit's task and an open chaser close with it.
    d.end("ket_thuc", "Hoàn thành", leaders, terminate=True)

    d.chain("bat_dau", "xac_dinh_han", "gw_du_thong_tin")
    d.flow("gw_du_thong_tin", "xac_dinh_ky", "Đủ", default=True)
    d.flow("gw_du_thong_tin", "phan_cong", "Cần phân công", "can_phan_cong")
    d.chain("phan_cong", "xac_dinh_ky", "xac_dinh_phoi_hop")
    d.chain("xac_dinh_phoi_hop", "tach_phoi_hop", "xac_dinh_nhac_han")
    d.chain("tach_phoi_hop", "chuan_bi_phoi_hop", "xac_dinh_nhac_phoi_hop", "gw_co_phoi_hop")
    d.flow("gw_co_phoi_hop", "ket_thuc_khong_phoi_hop", "Không", default=True)
    d.flow("gw_co_phoi_hop", "phoi_hop", "Có", "len(don_vi_giao_phoi_hop) > 0")
    d.flow("phoi_hop", "ket_thuc_phoi_hop")
    d.chain("nhac_han_phoi_hop", "ghi_nhac_han_phoi_hop", "ket_thuc_nhac_phoi_hop")
    d.flow("xac_dinh_nhac_han", "thuc_hien")
    d.chain("nhac_han", "ghi_nhac_han", "ket_thuc_nhac")
    d.chain("qua_han", "don_doc", "ket_thuc_don_doc")
    d.flow("dong_don_doc", "ket_thuc_dong_don_doc")
    d.chain("thuc_hien", "gw_gia_han")
    d.flow("gw_gia_han", "danh_gia_ket_qua", "Đã báo cáo kết quả", default=True)
    d.flow("danh_gia_ket_qua", "gw_danh_gia")
    d.flow("gw_danh_gia", "phan_loai", "Chấp nhận", default=True)
    d.flow("gw_danh_gia", "thuc_hien", "Yêu cầu bổ sung", DECIDED.format("yeu_cau_bo_sung"))
    d.flow("gw_gia_han", "ghi_gia_han", "Được gia hạn", 'ket_qua_thuc_hien == "gia_han"')
    d.chain("ghi_gia_han", "thoi_don_doc_gia_han", "xac_dinh_nhac_han")
    d.chain("phan_loai", "thoi_don_doc_ky", "gw_thuong_xuyen")
    d.flow("gw_thuong_xuyen", "ket_thuc", "Không", default=True)
    d.flow("gw_thuong_xuyen", "dau_ky_sau", "Nhiệm vụ định kỳ", "ky_sau is not None")
    d.chain("dau_ky_sau", "mo_ky_sau", "tach_phoi_hop_ky", "xac_dinh_nhac_han")
    d.flow("tach_phoi_hop_ky", "chuan_bi_phoi_hop")
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
        'hanh_dong = "cap_nhat"\nthong_bao_gia_han = ""\nket_qua_thuc_hien = ""\n'
        # Who carries the task out, once someone of the unit has updated it (a return for more,
        # which calls this process again, keeps the one it had).
        "try:\n"
        "    nguoi_thuc_hien\n"
        "except NameError:\n"
        "    nguoi_thuc_hien = None",
    )
    d.user(
        "cap_nhat_tien_do",
        "Thực hiện, cập nhật tiến độ",
        unit,
        form="tien_do.json",
        candidateGroups="${don_vi_chu_tri}",
        assignee="${nguoi_thuc_hien}",
        dueDate="${han_xu_ly}",
        decisionField="hanh_dong",
        submitLabel="Cập nhật tiến độ",
        doneMessage="Đã cập nhật tiến độ ({ty_le_hoan_thanh}%). {thong_bao_gia_han}",
        doc="Ghi phần việc đã làm và tỷ lệ hoàn thành; mỗi lần cập nhật đều được lưu lại. Khi "
        "xong nhiệm vụ, đánh dấu đã hoàn thành để chuyển sang báo cáo kết quả. Cần thêm thời "
        "gian: trước thời hạn, nhập hạn đề nghị và lý do rồi bấm «Gửi đề nghị gia hạn»; đề "
        "nghị được chuyển lãnh đạo Sở xem xét (đề nghị gửi sau thời hạn không được chuyển). "
        "Lần cập nhật sau và báo cáo kết quả đến thẳng người đã cập nhật; người đó hoặc lãnh "
        "đạo đơn vị có thể chuyển cho đồng chí khác.",
    )
    d.script(
        "kiem_tra_gia_han",
        "Kiểm tra đề nghị gia hạn",
        unit,
        # An API caller that sends no action updates progress, as the first button does.
        "try:\n"
        "    hanh_dong\n"
        "except NameError:\n"
        '    hanh_dong = "cap_nhat"\n'
        'xin_gia_han = hanh_dong == "gia_han"\n'
        'ly_do_khong_chuyen = loi_gia_han(han_xu_ly, han_de_nghi, now()) if xin_gia_han else ""\n'
        'gui_de_nghi_gia_han = xin_gia_han and ly_do_khong_chuyen == ""\n'
        "thong_bao_gia_han = ly_do_khong_chuyen or ("
        '"Đã gửi đề nghị gia hạn đến lãnh đạo Sở." if gui_de_nghi_gia_han else "")\n'
        "xin_gia_han = False\n"
        'hanh_dong = "cap_nhat"\n'
        'y_kien_gia_han = ""\n'
        # The one who updated it carries it on: the next update and the report reach them.
        "nguoi_cap_nhat = get_current_user()\n"
        "if nguoi_cap_nhat:\n"
        '    nguoi_thuc_hien = nguoi_cap_nhat["username"]\n'
        "del nguoi_cap_nhat",
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
        assignee="${nguoi_thuc_hien}",
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
