"""The process xay_dung_quy_dinh: its diagram and its forms.

Drafting a provincial legal document as the 2025 rules read (shared DOMAIN.md §2 and the review):
Luật Ban hành văn bản QPPL 64/2025/QH15 as amended by 87/2025/QH15; NĐ 78/2025/NĐ-CP as amended
by NĐ 187/2025/NĐ-CP. The limits and their basis live in workflows/legal_drafting.py; each step's
documentation repeats the basis of its deadline.
"""

from __future__ import annotations

from typing import Any

from tools.bpmn_builder import Diagram
from tools.diagrams.common import (
    ATTACHMENT_REQUIRED,
    DECIDED,
    LEGAL_NUMBER,
    UNIT_CHOICE,
    choice,
    decision_form,
    simple_form,
    text,
    whole_number,
)
from tools.diagrams.trinh_ubnd import TO_VOTE
from workflows.legal_drafting import (
    APPRAISAL_WORKING_DAYS,
    DECISION_KINDS,
    GAZETTE_DAYS,
    POSTING_DAYS,
    REPLY_DAYS,
    SHORTENED_REPLY_DAYS,
    SIGNING_WORKING_DAYS,
    UBND_DECISION,
    VOTE_FAILED,
    VOTE_PASSED,
)


def _date(title: str) -> dict[str, Any]:
    return {
        "type": "string",
        "format": "date",
        "title": title,
        "errorMessages": {"required": f"Hãy nhập {title.lower()}", "format": "Ngày không hợp lệ"},
    }


def _past_date(title: str, after: str | list[str], after_words: str) -> dict[str, Any]:
    """A date of something done (a posting, a vote, a signature): not after today, and not
    before the day of what it follows (`after`: "started", or the item's date variables)."""
    field = _date(title)
    rule = "x-not-before" if after == "started" else "x-on-or-after"
    field[rule] = after
    field["x-not-later"] = "today"
    field["errorMessages"][rule] = after_words
    field["errorMessages"]["x-not-later"] = f"{title} không thể sau hôm nay"
    return field


def _count(title: str, minimum: int, maximum: int = 200) -> dict[str, Any]:
    return whole_number(title, minimum, maximum, f"Hãy nhập {title[:1].lower()}{title[1:]}")


def _at_most(field: dict[str, Any], other: str, words: str) -> dict[str, Any]:
    """A count that may not exceed another field's (those who approved, of all members)."""
    field["x-at-most"] = other
    field["errorMessages"]["x-at-most"] = words
    return field


# The appraisal found the draft not ready: it goes back to Sở Tư pháp after the revision.
NOT_READY = 'ket_luan_tham_dinh == "chua_du_dieu_kien"'

NOT_A_BODY = (
    "Cơ quan này không có trong danh sách cơ quan ngoài Sở được lấy ý kiến; hãy chọn một cơ "
    "quan trong danh sách."
)

FORMS: dict[str, dict[str, Any]] = {
    "giao_soan_thao.json": simple_form(
        "Giao soạn thảo dự thảo văn bản quy phạm pháp luật",
        {
            "ten_du_thao": text("Tên dự thảo quy định"),
            "hinh_thuc_van_ban": {
                **choice(
                    "Hình thức văn bản (thẩm quyền ban hành)",
                    list(DECISION_KINDS),
                    "Hãy chọn hình thức văn bản",
                ),
            },
            # The Sở's units as the database has them now ("x-options": "units").
            "don_vi_soan_thao": {
                **UNIT_CHOICE,
                "title": "Đơn vị chủ trì soạn thảo",
                "errorMessages": {"required": "Hãy chọn đơn vị soạn thảo"},
            },
            "trinh_tu_rut_gon": {
                "type": "boolean",
                "title": "Xây dựng theo trình tự, thủ tục rút gọn "
                f"(thời hạn góp ý {SHORTENED_REPLY_DAYS} ngày thay vì {REPLY_DAYS} ngày)",
                "default": False,
            },
            "so_ngay_tham_dinh": {
                **_count("Thời hạn thẩm định của Sở Tư pháp (ngày làm việc)", 1, 60),
                "default": APPRAISAL_WORKING_DAYS,
            },
        },
        ["ten_du_thao", "hinh_thuc_van_ban", "don_vi_soan_thao", "so_ngay_tham_dinh"],
    ),
    "du_thao.json": simple_form(
        "Dự thảo văn bản, tờ trình và gửi lấy ý kiến",
        {
            "tom_tat_du_thao": text("Tóm tắt nội dung dự thảo", long=True),
            # The outside actors as the database has them now ("x-options": "outside_actors":
            # groups marked outside, with a receiver); those the law requires come ticked: the
            # step's pre-script adds them.
            "co_quan_lay_y_kien": {
                "type": "array",
                "title": "Cơ quan được lấy ý kiến (ngoài Sở)",
                "items": {"type": "string", "title": "Cơ quan", "x-options": "outside_actors"},
                "uniqueItems": True,
                "errorMessages": {
                    "oneOf": NOT_A_BODY,
                    "enum": NOT_A_BODY,
                },
            },
            "don_vi_lay_y_kien": {
                "type": "array",
                "title": "Đơn vị thuộc Sở được lấy ý kiến",
                "items": UNIT_CHOICE,
                "uniqueItems": True,
            },
        },
        ["tom_tat_du_thao"],
        document="Hãy đính kèm dự thảo văn bản và tờ trình",
    ),
    "dang_tai.json": simple_form(
        "Đăng tải dự thảo trên Cổng thông tin điện tử tỉnh",
        {
            "duong_dan_dang_tai": {
                **text("Đường dẫn bài đăng trên Cổng thông tin điện tử"),
                "pattern": "^https?://",
                "errorMessages": {
                    "required": "Hãy nhập đường dẫn bài đăng",
                    "minLength": "Hãy nhập đường dẫn bài đăng",
                    "pattern": "Đường dẫn phải bắt đầu bằng http:// hoặc https://",
                },
            },
            "ngay_dang_tai": _past_date(
                "Ngày đăng tải", "started", "Ngày đăng tải không thể trước ngày lập hồ sơ"
            ),
        },
        ["duong_dan_dang_tai", "ngay_dang_tai"],
    ),
    "gop_y.json": decision_form(
        "Góp ý dự thảo",
        [("thong_nhat", "Thống nhất"), ("co_y_kien", "Có ý kiến khác")],
        ["co_y_kien"],
        field="ket_qua_gop_y",
        label="Ý kiến của cơ quan, đơn vị",
        reason_title="Nội dung góp ý",
        reason_message="Có ý kiến khác phải nêu nội dung góp ý",
    ),
    "tong_hop_y_kien.json": simple_form(
        "Tổng hợp, giải trình, tiếp thu ý kiến góp ý",
        {"bao_cao_tong_hop": text("Báo cáo tổng hợp, giải trình, tiếp thu", long=True)},
        ["bao_cao_tong_hop"],
    ),
    "tham_dinh.json": {
        **decision_form(
            "Báo cáo thẩm định",
            [("du_dieu_kien", "Đủ điều kiện trình"), ("chua_du_dieu_kien", "Chưa đủ điều kiện")],
            ["chua_du_dieu_kien"],
            field="ket_luan_tham_dinh",
            label="Kết luận thẩm định",
            extra={"so_bao_cao_tham_dinh": text("Số báo cáo thẩm định")},
            required=("so_bao_cao_tham_dinh",),
            reason_title="Ý kiến thẩm định",
        ),
        ATTACHMENT_REQUIRED: "Hãy đính kèm báo cáo thẩm định",
    },
    "giai_trinh.json": simple_form(
        "Chỉnh lý dự thảo, giải trình ý kiến thẩm định",
        {"bao_cao_giai_trinh": text("Báo cáo giải trình, tiếp thu ý kiến thẩm định", long=True)},
        ["bao_cao_giai_trinh"],
    ),
    "bieu_quyet.json": decision_form(
        "Kết quả biểu quyết của UBND tỉnh",
        [(VOTE_PASSED, "Thông qua"), (VOTE_FAILED, "Không thông qua")],
        [VOTE_FAILED],
        field="ket_luan_bieu_quyet",
        label="Kết quả biểu quyết",
        reason_title="Ý kiến của thành viên UBND tỉnh, nội dung cần chỉnh lý",
        reason_message="Không thông qua phải nêu ý kiến của thành viên UBND tỉnh",
        required=("hinh_thuc_bieu_quyet", "ngay_bieu_quyet", "so_thanh_vien", "so_tan_thanh"),
        extra={
            "hinh_thuc_bieu_quyet": choice(
                "Hình thức biểu quyết",
                [
                    ("hop", "Tại phiên họp UBND tỉnh"),
                    ("lay_phieu", "Lấy ý kiến thành viên bằng phiếu"),
                ],
                "Hãy chọn hình thức biểu quyết",
            ),
            "ngay_bieu_quyet": _past_date(
                "Ngày biểu quyết",
                "ngay_ban_hanh",
                "Ngày biểu quyết không thể trước ngày ban hành tờ trình",
            ),
            "so_thanh_vien": _count("Tổng số thành viên UBND tỉnh", 1),
            "so_tan_thanh": _at_most(
                _count("Số thành viên tán thành", 0),
                "so_thanh_vien",
                "Số thành viên tán thành không thể lớn hơn tổng số thành viên UBND tỉnh",
            ),
        },
    ),
    "ky_ban_hanh.json": simple_form(
        "Ký ban hành quyết định (TM. ỦY BAN NHÂN DÂN)",
        {
            "so_quyet_dinh": {
                **text("Số quyết định"),
                "pattern": LEGAL_NUMBER,
                "errorMessages": {
                    "required": "Hãy nhập số quyết định",
                    "minLength": "Hãy nhập số quyết định",
                    "pattern": "Số quyết định ghi theo mẫu 25/2026/QĐ-UBND (số/năm/QĐ-UBND)",
                },
            },
            "ngay_ky": _past_date(
                "Ngày ký",
                ["ngay_ban_hanh", "ngay_bieu_quyet"],
                "Ngày ký không thể trước ngày ban hành tờ trình và ngày biểu quyết",
            ),
        },
        ["so_quyet_dinh", "ngay_ky"],
    ),
    "cong_bao.json": simple_form(
        "Đăng Công báo tỉnh",
        {
            "so_cong_bao": {
                **text("Số Công báo"),
                "pattern": "^[0-9]{1,4}( ?[+-] ?[0-9]{1,4})?$",
                "errorMessages": {
                    "required": "Hãy nhập số Công báo",
                    "minLength": "Hãy nhập số Công báo",
                    "pattern": "Số Công báo chỉ gồm chữ số, ví dụ 45 hoặc 45+46 (không ghi «Số»)",
                },
            },
            "ngay_dang_cong_bao": _past_date(
                "Ngày đăng Công báo", ["ngay_ky"], "Ngày đăng Công báo không thể trước ngày ký"
            ),
        },
        ["so_cong_bao", "ngay_dang_cong_bao"],
    ),
}

CALENDAR_DAYS_DOC = (
    " Thời hạn tính theo ngày (không phải ngày làm việc), từ ngày tiếp theo, hết ngày cuối; ngày "
    "cuối là ngày nghỉ thì hết ngày làm việc tiếp theo (Bộ luật Dân sự 2015, Điều 147-148)."
)


def xay_dung_quy_dinh() -> Diagram:
    d = Diagram(
        "xay_dung_quy_dinh",
        "Xây dựng dự thảo quy định",
        doc="Kế hoạch mục II.4.1, II.4.2 (Quy định định mức kinh phí; Quy định quản lý nhiệm vụ "
        "KH&CN). Luật Ban hành văn bản quy phạm pháp luật 64/2025/QH15 sửa đổi bởi Luật "
        "87/2025/QH15 (quyết định của Chủ tịch UBND tỉnh là loại văn bản riêng; đăng Công báo "
        "tỉnh); Nghị định 78/2025/NĐ-CP sửa đổi bởi Nghị định 187/2025/NĐ-CP (Điều 51a): đăng "
        f"tải dự thảo trên Cổng thông tin điện tử tỉnh ít nhất {POSTING_DAYS} ngày; lấy ý kiến "
        "Sở Tài chính, Sở Nội vụ, Sở Tư pháp và sở quản lý ngành; cơ quan được lấy ý kiến trả "
        f"lời trong {REPLY_DAYS} ngày ({SHORTENED_REPLY_DAYS} ngày theo trình tự rút gọn). Sở "
        "Tư pháp thẩm định (thời hạn chưa tra cứu được: cấu hình khi giao, mặc định "
        f"{APPRAISAL_WORKING_DAYS} ngày làm việc), thẩm định lại sau giải trình. Quyết định của "
        "UBND tỉnh do tập thể UBND biểu quyết (họp hoặc lấy phiếu, thông qua khi quá nửa tổng số "
        "thành viên tán thành), Chủ tịch ký TM. ỦY BAN NHÂN DÂN; quyết định của Chủ tịch do Chủ "
        "tịch ký. Văn bản được đăng Công báo tỉnh, ghi số và ngày đăng.",
    )
    leaders, unit, consulted, justice, vp_ubnd, ubnd = (
        "Lãnh đạo Sở",
        "Đơn vị soạn thảo",
        "Cơ quan, đơn vị được lấy ý kiến",
        "Sở Tư pháp",
        "Văn phòng UBND tỉnh",
        "Lãnh đạo UBND tỉnh",
    )
    d.lanes(leaders, unit, consulted, justice, vp_ubnd, ubnd)
    d.start("bat_dau", "Có nhiệm vụ xây dựng quy định", leaders)
    # Fields a form may leave out (an unticked list is not sent) start defined, so that the
    # scripts read them.
    d.user(
        "giao_soan_thao",
        "Giao đơn vị chủ trì soạn thảo",
        leaders,
        form="giao_soan_thao.json",
        submitLabel="Giao",
        doneMessage="Đã giao soạn thảo «{ten_du_thao}»",
        doc="Giao đơn vị chủ trì soạn thảo; chọn hình thức văn bản (quyết định của UBND tỉnh, do "
        "tập thể UBND quyết định; hoặc quyết định của Chủ tịch UBND tỉnh — Luật 87/2025/QH15), "
        "trình tự rút gọn nếu có, và thời hạn thẩm định của Sở Tư pháp (chưa tra cứu được thời "
        f"hạn luật định: mặc định {APPRAISAL_WORKING_DAYS} ngày làm việc, sửa được).",
    ).pre_script = "trinh_tu_rut_gon = False\nco_quan_lay_y_kien = []\ndon_vi_lay_y_kien = []"
    d.user(
        "soan_du_thao",
        "Soạn dự thảo, tờ trình và gửi lấy ý kiến",
        unit,
        form="du_thao.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="15",
        submitLabel="Gửi lấy ý kiến",
        doneMessage="{thong_bao_lay_y_kien}",
        sentBackMessage="{loi_gui}",
        doc="Soạn dự thảo và tờ trình, đính kèm dự thảo; chọn các cơ quan ngoài Sở và các đơn vị "
        "thuộc Sở được lấy ý kiến. Quyết định của Chủ tịch UBND tỉnh phải lấy ý kiến Sở Tài "
        "chính, Sở Nội vụ, Sở Tư pháp (Nghị định 187/2025/NĐ-CP, Điều 51a); thiếu thì hồ sơ "
        "không được gửi và bước này mở lại. Mỗi cơ quan, đơn vị nhận một việc riêng, hạn trả lời "
        f"{REPLY_DAYS} ngày ({SHORTENED_REPLY_DAYS} ngày theo trình tự rút gọn).",
    ).pre_script = "co_quan_lay_y_kien = co_quan_bat_buoc(hinh_thuc_van_ban, co_quan_lay_y_kien)"
    d.script(
        "kiem_tra_lay_y_kien",
        "Kiểm tra cơ quan được lấy ý kiến",
        unit,
        "loi_gui = loi_lay_y_kien(hinh_thuc_van_ban, co_quan_lay_y_kien, don_vi_lay_y_kien)\n"
        "du_lay_y_kien = loi_gui == ''\n"
        "ds_lay_y_kien = noi_lay_y_kien(co_quan_lay_y_kien, don_vi_lay_y_kien)\n"
        "han_gop_y = han_ngay_lich(so_ngay_gop_y(trinh_tu_rut_gon), now())\n"
        "thong_bao_lay_y_kien = loi_gui or 'Đã gửi dự thảo lấy ý kiến các cơ quan, đơn vị'",
    )
    d.xor("gw_lay_y_kien", "Đủ cơ quan bắt buộc?", unit)
    d.parallel("gw_gui", unit)
    d.user(
        "dang_tai",
        "Đăng tải dự thảo trên Cổng thông tin điện tử tỉnh",
        unit,
        form="dang_tai.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="1",
        submitLabel="Ghi nhận đăng tải",
        doneMessage="Đã ghi nhận đăng tải; tổng hợp ý kiến sau khi hết thời gian đăng tải",
        doc=f"Đăng toàn văn dự thảo trên Cổng thông tin điện tử tỉnh ít nhất {POSTING_DAYS} ngày "
        "(Nghị định 187/2025/NĐ-CP, Điều 51a; với quyết định của UBND tỉnh chưa tra cứu được "
        "thời gian riêng, áp dụng cùng thời gian), rồi ghi đường dẫn và ngày đăng. Thời gian "
        "đăng tải tính từ ngày đăng (không sớm hơn ngày ghi nhận trên hệ thống); chưa hết thời "
        "gian này thì chưa tổng hợp ý kiến.",
    )
    d.script(
        "tinh_thoi_gian_dang_tai",
        "Tính thời điểm hết đăng tải",
        unit,
        "het_dang_tai = ket_thuc_dang_tai(ngay_dang_tai, now())",
    )
    d.wait(
        "cho_het_dang_tai",
        f"Hết {POSTING_DAYS} ngày đăng tải",
        unit,
        "het_dang_tai",
    )
    d.user(
        "gop_y",
        "Góp ý dự thảo",
        consulted,
        form="gop_y.json",
        candidateGroups="${don_vi}",
        dueDate="${han_gop_y}",
        decisionField="ket_qua_gop_y",
        # Each reply (decision and content) is kept in the item's history; Spiff runs a
        # multi-instance task's post-script once for all, so replies are not gathered in data.
        multi={"collection": "ds_lay_y_kien", "element": "don_vi"},
        submitLabel="Gửi ý kiến",
        doneMessage="Đã gửi ý kiến góp ý",
        doc="Đọc dự thảo; chọn thống nhất, hoặc ghi ý kiến góp ý (đính kèm nếu có) trước hạn "
        "ghi ở đầu trang. (Căn cứ: Nghị định 187/2025/NĐ-CP, Điều 51a: trả lời trong "
        f"{REPLY_DAYS} ngày, trình tự rút gọn {SHORTENED_REPLY_DAYS} ngày.)" + CALENDAR_DAYS_DOC,
    )
    d.parallel("gw_du_y_kien", unit)
    d.user(
        "tong_hop_y_kien",
        "Tổng hợp, giải trình, tiếp thu ý kiến",
        unit,
        form="tong_hop_y_kien.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="5",
        submitLabel="Gửi Sở Tư pháp thẩm định",
        doneMessage="Đã gửi hồ sơ đề nghị Sở Tư pháp thẩm định",
        doc="Mở khi các cơ quan, đơn vị đã trả lời và đã hết thời gian đăng tải. Lập báo cáo tổng "
        "hợp, giải trình, tiếp thu ý kiến góp ý; đính kèm dự thảo đã chỉnh lý. (Thời hạn 5 ngày "
        "làm việc: quy định của cơ quan, chưa tra cứu được thời hạn luật định.)",
    )
    d.user(
        "tham_dinh",
        "Sở Tư pháp thẩm định",
        justice,
        form="tham_dinh.json",
        dueInWorkingDays="${so_ngay_tham_dinh}",
        decisionField="ket_luan_tham_dinh",
        submitLabel="Gửi ý kiến",
        doneMessage="Đã gửi báo cáo thẩm định số {so_bao_cao_tham_dinh}",
        doc="Thẩm định dự thảo; nhập số báo cáo, chọn kết luận và đính kèm báo cáo thẩm định. "
        "Chưa đủ điều kiện: đơn vị soạn thảo giải trình, chỉnh lý rồi gửi thẩm định lại. Thời "
        "hạn thẩm định: theo số ngày làm việc Lãnh đạo Sở ghi khi giao (chưa tra cứu được thời "
        f"hạn luật định theo quy định 2025; mặc định {APPRAISAL_WORKING_DAYS} ngày làm việc).",
    )
    d.user(
        "giai_trinh",
        "Chỉnh lý, giải trình ý kiến thẩm định",
        unit,
        form="giai_trinh.json",
        candidateGroups="${don_vi_soan_thao}",
        dueInWorkingDays="5",
        submitLabel="{nut_giai_trinh}",
        doneMessage="Đã gửi dự thảo đã chỉnh lý và báo cáo giải trình",
        doc="Tiếp thu, giải trình ý kiến thẩm định (và ý kiến trả lại, nếu có) và chỉnh lý dự "
        "thảo; đính kèm dự thảo đã chỉnh lý (cùng tên tệp để có phiên bản mới) và báo cáo giải "
        "trình. Thẩm định chưa đạt: hồ sơ về Sở Tư pháp thẩm định lại; đạt: trình Giám đốc Sở. "
        "(Thời hạn 5 ngày làm việc: quy định của cơ quan.)",
    ).pre_script = (  # the button says where the draft goes next (gw_tham_dinh's condition)
        f'nut_giai_trinh = "Gửi Sở Tư pháp thẩm định lại" if {NOT_READY} else "Trình Giám đốc Sở"'
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
    d.call(
        "trinh_ubnd",
        "Trình UBND tỉnh ban hành",
        leaders,
        "trinh_ubnd",
        doc="Tờ trình qua Văn phòng UBND tỉnh; lãnh đạo UBND tỉnh cho ý kiến chỉ đạo. Với quyết "
        "định của Chủ tịch UBND tỉnh, ý kiến đồng ý là quyết định (ghi số, ngày ký); với quyết "
        "định của UBND tỉnh, lãnh đạo UBND tỉnh đồng ý đưa dự thảo ra tập thể UBND biểu quyết "
        "(không ghi số: số và ngày ký ghi khi Chủ tịch ký sau biểu quyết).",
    ).pre_script = f'{TO_VOTE} = hinh_thuc_van_ban == "{UBND_DECISION}"'
    d.xor("gw_ubnd", "Kết quả trình?", leaders)
    d.xor("gw_hinh_thuc", "Ai quyết định?", vp_ubnd)
    d.user(
        "bieu_quyet",
        "Ghi kết quả biểu quyết của UBND tỉnh",
        vp_ubnd,
        form="bieu_quyet.json",
        dueInWorkingDays="7",
        decisionField="ket_luan_bieu_quyet",
        submitLabel="Ghi kết quả",
        doneMessage="{thong_bao_bieu_quyet}",
        sentBackMessage="{loi_so_lieu}",
        doc="UBND tỉnh quyết định tập thể, tại phiên họp hoặc bằng phiếu lấy ý kiến thành viên. "
        "Ghi hình thức, ngày biểu quyết, tổng số thành viên, số tán thành và kết quả: dự thảo "
        "được thông qua khi quá nửa tổng số thành viên UBND tỉnh tán thành, rồi Chủ tịch ký TM. "
        "ỦY BAN NHÂN DÂN; không thông qua thì ghi ý kiến của thành viên, hồ sơ trả về đơn vị "
        "soạn thảo chỉnh lý. (Căn cứ: Luật Tổ chức chính "
        "quyền địa phương; Luật Ban hành văn bản QPPL 2025. Thời hạn 7 ngày làm việc: quy định "
        "của cơ quan, chưa tra cứu được.)",
    )
    d.script(
        "kiem_tra_bieu_quyet",
        "Kiểm tra kết quả biểu quyết",
        vp_ubnd,
        "loi_so_lieu = loi_bieu_quyet(so_thanh_vien, so_tan_thanh, ket_luan_bieu_quyet)\n"
        "hop_le = loi_so_lieu == ''\n"
        "da_thong_qua = hop_le and bieu_quyet_thong_qua(so_thanh_vien, so_tan_thanh)\n"
        "thong_bao_bieu_quyet = loi_so_lieu or ket_qua_bieu_quyet(so_thanh_vien, so_tan_thanh)",
    )
    d.xor("gw_bieu_quyet", "Thông qua?", vp_ubnd)
    d.user(
        "ky_ban_hanh",
        "Chủ tịch ký quyết định (TM. ỦY BAN NHÂN DÂN)",
        ubnd,
        form="ky_ban_hanh.json",
        dueInWorkingDays=str(SIGNING_WORKING_DAYS),
        submitLabel="Ký ban hành",
        doneMessage="Đã ký ban hành quyết định số {so_quyet_dinh}",
        doc="Chủ tịch UBND tỉnh ký quyết định đã được tập thể UBND tỉnh thông qua, thể thức "
        "TM. ỦY BAN NHÂN DÂN; ghi số và ngày ký. (Thời hạn "
        f"{SIGNING_WORKING_DAYS} ngày làm việc: quy định của cơ quan, chưa tra cứu được.)",
    )
    d.user(
        "dang_cong_bao",
        "Đăng Công báo tỉnh",
        vp_ubnd,
        form="cong_bao.json",
        dueDate=f"${{han_ngay_lich({GAZETTE_DAYS}, now())}}",
        submitLabel="Ghi nhận đăng Công báo",
        doneMessage="Đã đăng Công báo số {so_cong_bao}",
        doc="Gửi văn bản đã ký đăng Công báo điện tử tỉnh (Luật 87/2025/QH15) và ghi số, ngày "
        f"đăng. Thời hạn {GAZETTE_DAYS} ngày: Luật 2015 quy định gửi trong 3 ngày kể từ ngày "
        "ký và đăng trong 7 ngày kể từ ngày nhận; chưa đối chiếu với Luật 2025."
        + CALENDAR_DAYS_DOC,
    )
    d.script(
        "ghi_ban_hanh", "Ghi nhận: quy định được ban hành", vp_ubnd, 'trang_thai = "da_ban_hanh"'
    )
    d.end("ket_thuc", "Quy định được ban hành", vp_ubnd)

    d.chain("bat_dau", "giao_soan_thao", "soan_du_thao", "kiem_tra_lay_y_kien", "gw_lay_y_kien")
    d.flow("gw_lay_y_kien", "gw_gui", "Đủ", default=True)
    d.flow("gw_lay_y_kien", "soan_du_thao", "Thiếu cơ quan bắt buộc", "not du_lay_y_kien")
    d.flow("gw_gui", "gop_y")
    d.chain("gw_gui", "dang_tai", "tinh_thoi_gian_dang_tai", "cho_het_dang_tai", "gw_du_y_kien")
    d.flow("gop_y", "gw_du_y_kien")
    d.chain("gw_du_y_kien", "tong_hop_y_kien", "tham_dinh", "giai_trinh", "gw_tham_dinh")
    d.flow("gw_tham_dinh", "duyet_giam_doc", "Đủ điều kiện", default=True)
    d.flow("gw_tham_dinh", "tham_dinh", "Thẩm định lại", NOT_READY)
    d.flow("duyet_giam_doc", "gw_giam_doc")
    d.flow("gw_giam_doc", "trinh_ubnd", "Đồng ý", default=True)
    d.flow("gw_giam_doc", "giai_trinh", "Trả lại", DECIDED.format("tra_lai"))
    d.flow("trinh_ubnd", "gw_ubnd")
    d.flow("gw_ubnd", "gw_hinh_thuc", "Đồng ý", default=True)
    d.flow("gw_ubnd", "giai_trinh", "Trả lại", 'ket_qua_trinh == "tra_lai"')
    d.flow(
        "gw_hinh_thuc",
        "bieu_quyet",
        "Quyết định của UBND tỉnh",
        f'hinh_thuc_van_ban == "{UBND_DECISION}"',
    )
    d.flow("gw_hinh_thuc", "dang_cong_bao", "Quyết định của Chủ tịch", default=True)
    d.flow("bieu_quyet", "kiem_tra_bieu_quyet")
    d.flow("kiem_tra_bieu_quyet", "gw_bieu_quyet")
    d.flow("gw_bieu_quyet", "ky_ban_hanh", "Thông qua", default=True)
    d.flow("gw_bieu_quyet", "bieu_quyet", "Số liệu không hợp lệ", "not hop_le")
    d.flow("gw_bieu_quyet", "giai_trinh", "Không thông qua", "hop_le and not da_thong_qua")
    d.chain("ky_ban_hanh", "dang_cong_bao", "ghi_ban_hanh", "ket_thuc")
    return d
