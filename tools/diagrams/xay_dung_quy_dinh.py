"""The process xay_dung_quy_dinh: its diagram and its forms."""

from __future__ import annotations

from typing import Any

from tools.bpmn_builder import Diagram
from tools.diagrams.common import DECIDED, UNIT_CHOICE, decision_form, simple_form, text

FORMS: dict[str, dict[str, Any]] = {
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
}


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
