"""The process trinh_ubnd: its diagram and its forms."""

from __future__ import annotations

from typing import Any

from tools.bpmn_builder import Diagram
from tools.diagrams.common import (
    DECIDED,
    URGENCY_DOC,
    URGENT_DUE,
    ReturnChoice,
    ReturnTarget,
    choice,
    decision_form,
    simple_form,
    text,
    with_decision_record,
)
from workflows.roles import DIRECTOR
from workflows.urgency import URGENCY_LEVELS

CHI_DAO_RETURNS = ReturnChoice(
    (
        ReturnTarget(
            "soan_to_trinh", "Soạn thảo lại tờ trình", "soan_to_trinh", "Soạn lại tờ trình"
        ),
        ReturnTarget(
            "ho_so", "Xem xét lại hồ sơ (về quy trình đã trình)", "ghi_tra_lai", "Xem xét lại hồ sơ"
        ),
    ),
)

SIGNATURES = [("giam_doc", "Giám đốc ký"), ("kt_giam_doc", "KT. GIÁM ĐỐC — Phó Giám đốc ký")]
# The form of a signature, from who signs: the Director (workflows.roles.DIRECTOR) signs as
# such, any other leader of the Sở for the Director (ký thay). The signer's user name stays in
# `nguoi_ky`, which the register keeps with the number (phat_hanh.json).
SIGNATURE_SCRIPT = (
    'if decision == "ky":\n'
    '    nguoi_ky = get_current_user()["username"]\n'
    "    ngay_ky_duyet = ngay_cua(now())\n"  # the issue date is not before it (phat_hanh.json)
    f'    giam_doc = get_group_members("{DIRECTOR}")\n'
    '    hinh_thuc_ky = "giam_doc" if nguoi_ky in giam_doc else "kt_giam_doc"\n'
    "    del giam_doc"
)

FORMS: dict[str, dict[str, Any]] = {
    "to_trinh.json": simple_form(
        "Soạn thảo tờ trình",
        {
            "trich_yeu": text("Trích yếu nội dung"),
            "noi_dung_to_trinh": text("Nội dung tờ trình", long=True),
            # Khẩn, Thượng khẩn, Hỏa tốc shorten every later step (workflows/urgency.py).
            "do_khan": choice("Độ khẩn", list(URGENCY_LEVELS), "Hãy chọn độ khẩn"),
            # No độ mật: a networked system carries no classified document (see the step's doc).
        },
        ["trich_yeu", "noi_dung_to_trinh", "do_khan"],
        document="Hãy đính kèm dự thảo tờ trình",
    ),
    "duyet.json": decision_form(
        "Cho ý kiến", [("dong_y", "Duyệt"), ("tra_lai", "Trả lại")], ["tra_lai"]
    ),
    # The office's clerk checks the form of the text (Điều 12 NĐ 30/2020), approving nothing.
    "kiem_tra_the_thuc.json": decision_form(
        "Kết quả kiểm tra thể thức",
        [("dong_y", "Đạt thể thức, trình ký"), ("tra_lai", "Trả lại")],
        ["tra_lai"],
    ),
    # A signature is Giám đốc's own, or a deputy's KT. GIÁM ĐỐC (Điều 13 NĐ 30/2020): it
    # follows from who signs (the step's post-script), never chosen, so no deputy signs as the
    # Director; shown, never typed.
    "ky_to_trinh.json": decision_form(
        "Ký tờ trình",
        [("ky", "Ký duyệt"), ("tra_lai", "Trả lại")],
        ["tra_lai"],
        extra={
            "hinh_thuc_ky": {
                **choice("Hình thức ký", SIGNATURES, "Hình thức ký theo người ký"),
                "readOnly": True,
            }
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
                "x-register": {
                    "key": "TTr",
                    "suffix": "/TTr-SKHCN",
                    "summary": "trich_yeu",
                    "signer": "nguoi_ky",
                },
            },
            "ngay_ban_hanh": {
                "type": "string",
                "format": "date",
                "title": "Ngày ban hành",
                "x-not-before": "started",
                "x-on-or-after": "ngay_ky_duyet",
                "x-not-later": "today",
                "errorMessages": {
                    "required": "Hãy nhập ngày ban hành",
                    "format": "Ngày không hợp lệ",
                    "x-not-before": "Ngày ban hành không thể trước ngày lập hồ sơ",
                    "x-on-or-after": "Ngày ban hành không thể trước ngày lãnh đạo Sở ký duyệt",
                    "x-not-later": "Ngày ban hành không thể sau hôm nay",
                },
            },
        },
        ["ngay_ban_hanh"],
    ),
    # The văn thư writes the number and date on the signed tờ trình, signs it with the Sở's
    # digital signature (Điều 15-17 NĐ 30/2020), attaches that copy, then sends it: what the
    # Văn phòng UBND receives is the issued original, not the draft.
    "gui_van_ban.json": simple_form(
        "Phát hành văn bản",
        {
            "so_ky_hieu": {"type": "string", "title": "Số, ký hiệu", "readOnly": True},
            "ngay_ban_hanh": {
                "type": "string",
                "format": "date",
                "title": "Ngày ban hành",
                "readOnly": True,
            },
        },
        [],
        document="Hãy đính kèm bản tờ trình đã ghi số, ngày và ký số của cơ quan",
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
    "chi_dao_ubnd.json": with_decision_record(
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
                    "x-on-or-after": "ngay_ban_hanh",
                    "x-not-later": "today",
                    "errorMessages": {
                        "format": "Ngày không hợp lệ",
                        "x-on-or-after": (
                            "Ngày ký quyết định không thể trước ngày ban hành tờ trình"
                        ),
                        "x-not-later": "Ngày ký không thể sau hôm nay",
                    },
                },
            },
            reason_field="y_kien_chi_dao",
            reason_title="Ý kiến chỉ đạo",
        )
    ),
    # The same choices and returns as chi_dao, without the decision's number and date: when the
    # UBND decides collectively, the leader's agreement only puts the draft to the vote, and the
    # decision is numbered when the Chairman signs it (the caller records both).
    "chi_dao_bieu_quyet.json": decision_form(
        "Ý kiến của lãnh đạo UBND tỉnh về việc đưa ra UBND tỉnh biểu quyết",
        [("phe_duyet", "Đồng ý đưa ra UBND tỉnh biểu quyết"), ("tra_lai", "Trả lại")],
        ["tra_lai"],
        return_to=CHI_DAO_RETURNS,
        reason_field="y_kien_chi_dao",
        reason_title="Ý kiến chỉ đạo",
    ),
}

# The caller sets it True before the call when the UBND decides collectively (a meeting or a
# written ballot); a caller that says nothing gets the leader's decision with its record.
TO_VOTE = "dua_ra_bieu_quyet"


def trinh_ubnd() -> Diagram:
    d = Diagram(
        "trinh_ubnd",
        "Trình UBND tỉnh",
        doc="Tờ trình gửi UBND tỉnh theo Nghị định 30/2020/NĐ-CP về công tác văn thư: soạn thảo, "
        "kiểm tra nội dung và thể thức, ký, phát hành, Văn phòng UBND tỉnh tiếp nhận, lãnh đạo "
        "UBND tỉnh cho ý kiến chỉ đạo. Dùng chung cho các quy trình trình UBND tỉnh. Văn thư "
        "không nhập số: hệ thống cấp số tiếp theo trong sổ tờ trình của năm khi phát hành (số "
        "dưới 10 có số 0 ở trước: 05/TTr-SKHCN). Văn phòng UBND tỉnh thẩm tra hồ sơ, có thể trả "
        "lại Sở bổ sung; lãnh đạo UBND tỉnh đồng ý thì ghi số và ngày ký của quyết định. Khi "
        f"quy trình gọi đặt {TO_VOTE} (quyết định do tập thể UBND tỉnh biểu quyết), lãnh đạo "
        "UBND tỉnh chỉ cho ý kiến đưa ra biểu quyết, không ghi số quyết định: số và ngày ký ghi "
        "khi Chủ tịch ký sau biểu quyết." + URGENCY_DOC,
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
    ).pre_script = (
        # A caller that does not say how the UBND decides: the leader's approval is the decision.
        f"try:\n    {TO_VOTE}\nexcept NameError:\n    {TO_VOTE} = False"
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
        form="kiem_tra_the_thuc.json",
        dueDate=URGENT_DUE.format(1),
        doneMessage="Đã kiểm tra thể thức",
        doc="Kiểm tra thể thức và kỹ thuật trình bày của tờ trình. Đạt: trình lãnh đạo Sở "
        "ký. Chưa đạt: ghi rõ chỗ cần sửa và trả lại. (Căn cứ: Điều 12 Nghị định "
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
        doneMessage="Đã ký duyệt tờ trình",
        post_script=SIGNATURE_SCRIPT,
        doc="Xem dự thảo tờ trình và ý kiến của các bước trước rồi ký số. Hình thức ký theo "
        "người ký: Giám đốc Sở ký; Phó Giám đốc ký thay (KT. GIÁM ĐỐC). Cần sửa: ghi ý kiến và "
        "trả lại. (Căn cứ: Điều 13 Nghị định 30/2020/NĐ-CP.)",
    )
    d.xor("gw_ky", "Ký duyệt?", leaders)
    d.user(
        "phat_hanh",
        "Văn thư cấp số, ngày văn bản",
        office,
        form="phat_hanh.json",
        dueDate=URGENT_DUE.format(1),
        submitLabel="Cấp số",
        doneMessage="Đã cấp số {so_ky_hieu}. Ghi số, ngày lên tờ trình, ký số của cơ quan rồi "
        "phát hành ở bước tiếp theo.",
        doc="Hệ thống cấp số tiếp theo trong sổ tờ trình của năm khi bấm «Cấp số» (dạng "
        "05/TTr-SKHCN; không nhập số). Nhập ngày ban hành. Sau đó ghi số, ngày lên văn bản, ký "
        "số của cơ quan và phát hành ở bước «Phát hành văn bản». (Căn cứ: Điều 15-16 Nghị định "
        "30/2020/NĐ-CP.)",
    )
    d.user(
        "gui_van_ban",
        "Văn thư phát hành văn bản",
        office,
        form="gui_van_ban.json",
        dueDate=URGENT_DUE.format(1),
        submitLabel="Phát hành",
        doneMessage="Đã phát hành văn bản số {so_ky_hieu} đến Văn phòng UBND tỉnh",
        doc="Đính kèm bản tờ trình đã ghi số, ngày và ký số của cơ quan, rồi phát hành: Văn "
        "phòng UBND tỉnh nhận bản này. Gửi trong ngày hoặc ngày làm việc tiếp theo (văn bản "
        "khẩn: gửi ngay). (Căn cứ: Điều 17-18 Nghị định 30/2020/NĐ-CP.)",
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
    d.user(
        "chi_dao_bieu_quyet",
        "Lãnh đạo UBND tỉnh cho ý kiến, đưa ra UBND biểu quyết",
        ubnd,
        form="chi_dao_bieu_quyet.json",
        dueDate=URGENT_DUE.format(7),
        doneMessage="Đã cho ý kiến chỉ đạo",
        doc="Quyết định này do tập thể UBND tỉnh quyết định. Xem tờ trình, hồ sơ và ý kiến thẩm "
        "tra; đồng ý đưa dự thảo ra UBND tỉnh biểu quyết (tại phiên họp hoặc lấy phiếu), hoặc "
        "trả lại và chọn bước cần làm lại. Không ghi số quyết định: số và ngày ký ghi khi Chủ "
        "tịch ký sau khi UBND tỉnh thông qua. (Căn cứ: Điều 23 Nghị định 30/2020/NĐ-CP; Luật Tổ "
        "chức chính quyền địa phương.)",
    )
    d.xor("gw_tap_the", "UBND tỉnh biểu quyết?", ubnd)
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
    d.chain("phat_hanh", "gui_van_ban", "tiep_nhan", "tham_tra_ho_so", "gw_tham_tra")
    d.flow("gw_tham_tra", "gw_tap_the", "Đủ hồ sơ", default=True)
    d.flow("gw_tham_tra", "bo_sung_ho_so", "Trả lại bổ sung", DECIDED.format("tra_lai"))
    d.flow("bo_sung_ho_so", "tham_tra_ho_so")
    d.flow("gw_tap_the", "chi_dao", "Lãnh đạo quyết định", default=True)
    d.flow("gw_tap_the", "chi_dao_bieu_quyet", "Tập thể UBND biểu quyết", TO_VOTE)
    d.flow("chi_dao", "gw_chi_dao")
    d.flow("chi_dao_bieu_quyet", "gw_chi_dao")
    d.flow("gw_chi_dao", "ghi_phe_duyet", "Phê duyệt", default=True)
    CHI_DAO_RETURNS.flows(d, "gw_chi_dao")
    d.flow("ghi_phe_duyet", "ket_thuc_phe_duyet")
    d.flow("ghi_tra_lai", "ket_thuc_tra_lai")
    return d
