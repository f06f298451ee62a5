"""Drafting a legal document as the 2025 rules read (plan II.4.1, II.4.2): the other sở and the
Sở's units consulted in parallel, each by its receiver, within 7 calendar days (3 shortened);
the draft posted on the portal for at least 10 days before the comments are compiled; Sở Tư
pháp's appraisal within its configured working days and again after the drafter's answer; the
UBND's collective vote or the Chairman's decision; publication in the Công báo."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

import pytest

import engine
from engine import transaction
from tests.office import DECISION_RECORD, TIME_PASSES, Office
from workflows.calendar import DEFAULT_ZONE as ZONE
from workflows.legal_drafting import APPRAISAL_WORKING_DAYS, GAZETTE_DAYS, REQUIRED_FOR_CHAIRMAN

GIAO = {
    "ten_du_thao": "Quy định định mức xây dựng, phân bổ dự toán kinh phí nhiệm vụ KH&CN",
    "hinh_thuc_van_ban": "qd_chu_tich",
    "don_vi_soan_thao": "phong_khtc",
    "trinh_tu_rut_gon": False,
    "so_ngay_tham_dinh": APPRAISAL_WORKING_DAYS,
}
DU_THAO = {
    "tom_tat_du_thao": "Dự thảo gồm 3 chương, 15 điều",
    "co_quan_lay_y_kien": list(REQUIRED_FOR_CHAIRMAN),
    "don_vi_lay_y_kien": ["phong_qlkh", "van_phong_so"],
}
DANG_TAI = {
    "duong_dan_dang_tai": "https://example.gov.vn/du-thao/dinh-muc-khcn",
    "ngay_dang_tai": "2026-03-02",
}
# Each consulted body and the person who receives its reply task.
CONSULTED = {
    "so_tai_chinh": "taichinh",
    "so_noi_vu": "noivu",
    "so_tu_phap": "tuphap",
    "phong_qlkh": "qlkh.cv1",
    "van_phong_so": "vp.cv2",
}
THAM_DINH = {"ket_luan_tham_dinh": "du_dieu_kien", "so_bao_cao_tham_dinh": "45/BC-STP"}
# From the assignment to the Director's approval, for the tables of other tests: (who, step, data).
PATH: list[tuple[str, str, dict[str, Any]]] = [
    ("giamdoc", "giao_soan_thao", GIAO),
    ("khtc.cv1", "soan_du_thao", DU_THAO),
    ("khtc.cv1", "dang_tai", DANG_TAI),
    *[(who, "gop_y", {"ket_qua_gop_y": "thong_nhat"}) for who in CONSULTED.values()],
    (TIME_PASSES, "cho_het_dang_tai", {"days": 11}),
    ("khtc.cv1", "tong_hop_y_kien", {"bao_cao_tong_hop": "Tiếp thu"}),
    ("tuphap", "tham_dinh", THAM_DINH),
    ("khtc.tp", "giai_trinh", {"bao_cao_giai_trinh": "Đã tiếp thu"}),
    ("giamdoc", "duyet_giam_doc", {"decision": "dong_y"}),
]


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _local(moment: datetime | None) -> datetime:
    assert moment is not None
    return moment.astimezone(ZONE)


def _sent(office: Office, **giao: Any) -> int:
    """An item whose draft is sent for comments and posted on the portal (2 March 2026)."""
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **{**GIAO, **giao})
    office.do("khtc.cv1", item, "soan_du_thao", **DU_THAO)
    office.do("khtc.cv1", item, "dang_tai", **DANG_TAI)
    return item


def _consulted(office: Office, **giao: Any) -> int:
    item = _sent(office, **giao)
    for who in CONSULTED.values():
        if who == "tuphap":
            office.do(who, item, "gop_y", ket_qua_gop_y="co_y_kien", y_kien="Bổ sung căn cứ")
        else:
            office.do(who, item, "gop_y", ket_qua_gop_y="thong_nhat")
    office.tick(11)
    return item


def _to_ubnd(office: Office, **giao: Any) -> int:
    item = _consulted(office, **giao)
    for who, step, data in PATH[-4:]:
        office.do(who, item, step, **data)
    return item


def _stuck(office: Office) -> dict[tuple[int, str, str], bool]:
    with transaction(office.factory) as s:
        rows = engine.stuck(s, office.clock())
    return {(r.instance_id, r.element_id, r.holder): r.overdue for r in rows}


def test_quy_dinh__each_body_is_consulted_by_its_receiver(office: Office) -> None:
    item = _sent(office)
    assert office.steps(item) == ["gop_y"] * len(CONSULTED)
    for body, person in CONSULTED.items():
        [task] = office.inbox(person, item)
        assert (task.element_id, task.candidate_groups) == ("gop_y", [body])
    assert office.inbox("cs.cv1", item) == []  # a unit not chosen has nothing
    with pytest.raises(engine.InvalidData):
        office.do("noivu", item, "gop_y", ket_qua_gop_y="co_y_kien")  # needs its content
    office.do("noivu", item, "gop_y", ket_qua_gop_y="co_y_kien", y_kien="Sửa Điều 4")
    assert office.inbox("noivu", item) == [] and len(office.inbox("taichinh", item)) == 1
    replies = [(h.actor, h.decision) for h in office.show(item).history if h.element_id == "gop_y"]
    assert replies == [("noivu", "co_y_kien")]


@pytest.mark.parametrize(
    ("rut_gon", "due"),
    [(False, datetime(2026, 3, 9, 23, 59, 59)), (True, datetime(2026, 3, 5, 23, 59, 59))],
)
def test_quy_dinh__replies_are_due_in_calendar_days_then_overdue(
    office: Office, rut_gon: bool, due: datetime
) -> None:
    item = _sent(office, trinh_tu_rut_gon=rut_gon)  # sent Monday 2 March
    [task] = office.inbox("taichinh", item)
    # 7 days (3 shortened), weekend included: Monday 9 March (Thursday 5 March), end of day
    assert _local(task.due_at).replace(tzinfo=None) == due
    key = (item, "gop_y", "so_tai_chinh")
    assert _stuck(office)[key] is False
    office.clock.set(due.replace(tzinfo=ZONE) - timedelta(minutes=1))
    assert _stuck(office)[key] is False
    office.clock.set(due.replace(tzinfo=ZONE) + timedelta(minutes=1))
    assert _stuck(office)[key] is True


def test_quy_dinh__a_chairmans_decision_is_sent_to_the_bodies_the_law_names(
    office: Office,
) -> None:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **GIAO)
    # They come ticked on the drafter's form ...
    assert office.show(item).data["co_quan_lay_y_kien"] == list(REQUIRED_FOR_CHAIRMAN)
    # ... and leaving one out sends nothing: the step opens again, saying why.
    office.do("khtc.cv1", item, "soan_du_thao", **{**DU_THAO, "co_quan_lay_y_kien": ["so_tu_phap"]})
    view = office.show(item)
    assert office.steps(item) == ["soan_du_thao"]
    assert "Sở Tài chính, Sở Nội vụ" in view.data["thong_bao_lay_y_kien"]
    assert "187/2025" in view.data["thong_bao_lay_y_kien"]
    assert view.data["co_quan_lay_y_kien"] == ["so_tu_phap", "so_tai_chinh", "so_noi_vu"]


def test_quy_dinh__a_ubnd_decision_may_consult_the_sos_units_only(office: Office) -> None:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **{**GIAO, "hinh_thuc_van_ban": "qd_ubnd"})
    assert office.show(item).data["co_quan_lay_y_kien"] == []
    office.do(
        "khtc.cv1",
        item,
        "soan_du_thao",
        tom_tat_du_thao="Dự thảo",
        don_vi_lay_y_kien=["phong_qlkh"],
    )
    assert office.steps(item) == ["dang_tai", "gop_y"]


def test_quy_dinh__comments_are_compiled_only_after_ten_days_on_the_portal(
    office: Office,
) -> None:
    item = _sent(office)  # posted Monday 2 March, recorded that day: over at 13 March 00:00
    for who in CONSULTED.values():
        office.do(who, item, "gop_y", ket_qua_gop_y="thong_nhat")
    assert office.steps(item) == []  # every reply is in, the posting period is not over
    office.clock.set(datetime(2026, 3, 12, 23, 0, tzinfo=ZONE))
    assert engine.run_due_timers(office.factory, office.config) == 0
    assert office.steps(item) == []
    office.clock.set(datetime(2026, 3, 13, 0, 1, tzinfo=ZONE))
    assert engine.run_due_timers(office.factory, office.config) == 1
    assert office.steps(item) == ["tong_hop_y_kien"]


def test_quy_dinh__a_late_reply_holds_the_compilation_after_the_posting_period(
    office: Office,
) -> None:
    item = _sent(office)
    office.tick(11)  # the posting period is over; Sở Nội vụ has not replied
    assert office.steps(item) == ["gop_y"] * len(CONSULTED)
    for who in CONSULTED.values():
        office.do(who, item, "gop_y", ket_qua_gop_y="thong_nhat")
    assert office.steps(item) == ["tong_hop_y_kien"]


def test_quy_dinh__a_posting_date_before_it_was_recorded_does_not_shorten_the_period(
    office: Office,
) -> None:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **GIAO)
    office.do("khtc.cv1", item, "soan_du_thao", **DU_THAO)
    with pytest.raises(engine.InvalidData) as refused:
        office.do(
            "khtc.cv1", item, "dang_tai", duong_dan_dang_tai="congthongtin", ngay_dang_tai="x"
        )
    assert set(refused.value.fields) == {"duong_dan_dang_tai", "ngay_dang_tai"}
    office.tick(2)  # recorded on 4 March, said to be posted on 2 March
    office.do("khtc.cv1", item, "dang_tai", **{**DANG_TAI, "ngay_dang_tai": "2026-03-02"})
    for who in CONSULTED.values():
        office.do(who, item, "gop_y", ket_qua_gop_y="thong_nhat")
    office.clock.set(datetime(2026, 3, 14, 23, 0, tzinfo=ZONE))  # 10 days from 2 March past
    assert engine.run_due_timers(office.factory, office.config) == 0
    office.clock.set(datetime(2026, 3, 15, 0, 1, tzinfo=ZONE))  # 10 whole days from 4 March
    assert engine.run_due_timers(office.factory, office.config) == 1
    assert office.steps(item) == ["tong_hop_y_kien"]


def test_quy_dinh__appraisal_is_due_in_its_working_days_then_overdue(office: Office) -> None:
    item = _consulted(office, so_ngay_tham_dinh=5)
    office.do("khtc.cv1", item, "tong_hop_y_kien", bao_cao_tong_hop="Tiếp thu 1 ý kiến")
    sent = office.clock()
    [task] = office.inbox("tuphap", item)
    assert task.element_id == "tham_dinh"
    last_day = office.config.bounded_working_days(sent, 5).astimezone(ZONE).date()
    assert task.due_at == datetime.combine(last_day, time(23, 59, 59), ZONE)  # the day's end
    assert _stuck(office)[(item, "tham_dinh", "Sở Tư pháp")] is False
    office.clock.set(task.due_at + timedelta(minutes=1))
    assert _stuck(office)[(item, "tham_dinh", "Sở Tư pháp")] is True


def test_quy_dinh__appraisal_not_passed_is_appraised_again_after_the_answer(
    office: Office,
) -> None:
    item = _consulted(office)
    office.do("khtc.cv1", item, "tong_hop_y_kien", bao_cao_tong_hop="Tiếp thu")
    with pytest.raises(engine.InvalidData):  # not passed needs its reasons
        office.do(
            "tuphap",
            item,
            "tham_dinh",
            ket_luan_tham_dinh="chua_du_dieu_kien",
            so_bao_cao_tham_dinh="46/BC-STP",
        )
    office.do(
        "tuphap",
        item,
        "tham_dinh",
        ket_luan_tham_dinh="chua_du_dieu_kien",
        so_bao_cao_tham_dinh="46/BC-STP",
        y_kien="Thiếu đánh giá tác động",
    )
    view = office.show(item)
    assert view.data["y_kien"] == "Thiếu đánh giá tác động"
    # The drafter's button says where the revised draft goes (the page fills it in).
    assert view.data["nut_giai_trinh"] == "Gửi Sở Tư pháp thẩm định lại"
    office.do("khtc.cv1", item, "giai_trinh", bao_cao_giai_trinh="Bổ sung đánh giá tác động")
    [again] = office.inbox("tuphap", item)
    assert again.element_id == "tham_dinh" and again.due_at is not None
    office.do("tuphap", item, "tham_dinh", **{**THAM_DINH, "so_bao_cao_tham_dinh": "52/BC-STP"})
    assert office.show(item).data["nut_giai_trinh"] == "Trình Giám đốc Sở"
    office.do("khtc.cv1", item, "giai_trinh", bao_cao_giai_trinh="Đã tiếp thu")
    assert office.steps(item) == ["duyet_giam_doc"]
    appraisals = [h for h in office.show(item).history if h.element_id == "tham_dinh"]
    assert [h.decision for h in appraisals] == ["chua_du_dieu_kien", "du_dieu_kien"]


def test_quy_dinh__the_chairmans_decision_is_published_in_the_cong_bao(office: Office) -> None:
    item = _to_ubnd(office)
    office.submit_to_ubnd(
        item,
        "khtc.cv1",
        "khtc.tp",
        {"decision": "phe_duyet"},
        signer="phogiamdoc",  # a deputy signs for the Director: KT. GIÁM ĐỐC
    )
    # The Chairman's approval is the decision: no vote, straight to the Công báo.
    [task] = office.inbox("vpubnd", item)
    assert task.element_id == "dang_cong_bao"
    signed = office.clock().astimezone(ZONE).date() + timedelta(days=GAZETTE_DAYS)
    assert _local(task.due_at).date() >= signed
    with pytest.raises(engine.InvalidData) as refused:
        office.do("vpubnd", item, "dang_cong_bao", so_cong_bao="")
    assert set(refused.value.fields) == {"so_cong_bao", "ngay_dang_cong_bao"}
    today = office.config.today()
    # A number with words in it, a publication not yet made: refused, nothing recorded.
    with pytest.raises(engine.InvalidData) as refused:
        office.do(
            "vpubnd",
            item,
            "dang_cong_bao",
            so_cong_bao="Số 15",
            ngay_dang_cong_bao=(today + timedelta(days=1)).isoformat(),
        )
    assert refused.value.fields == {
        "so_cong_bao": "Số Công báo chỉ gồm chữ số, ví dụ 45 hoặc 45+46 (không ghi «Số»)",
        "ngay_dang_cong_bao": "Ngày đăng Công báo không thể sau hôm nay",
    }
    office.do(
        "vpubnd", item, "dang_cong_bao", so_cong_bao="15", ngay_dang_cong_bao=today.isoformat()
    )
    view = office.show(item)
    assert (view.status, view.data["trang_thai"]) == ("completed", "da_ban_hanh")
    assert (view.data["so_quyet_dinh"], view.data["hinh_thuc_ky"]) == (
        DECISION_RECORD["so_quyet_dinh"],
        "kt_giam_doc",
    )
    assert (view.data["so_cong_bao"], view.data["ngay_dang_cong_bao"]) == ("15", today.isoformat())


def _put_to_the_vote(office: Office, item: int) -> None:
    """The UBND leader agrees to put the draft to the UBND's vote: no decision exists yet."""
    office.submit_to_ubnd(item, "khtc.cv1", "khtc.tp")
    office.do("chutich", item, "chi_dao_bieu_quyet", decision="phe_duyet")


def test_quy_dinh__a_ubnd_decision_goes_to_the_vote_without_a_decision_number(
    office: Office,
) -> None:
    item = _to_ubnd(office, hinh_thuc_van_ban="qd_ubnd")
    office.submit_to_ubnd(item, "khtc.cv1", "khtc.tp")
    [task] = office.inbox("chutich", item)
    assert task.element_id == "chi_dao_bieu_quyet"
    with pytest.raises(engine.InvalidData) as refused:  # a return still needs its reason
        office.do("chutich", item, "chi_dao_bieu_quyet", decision="tra_lai", buoc_tra_lai="ho_so")
    assert set(refused.value.fields) == {"y_kien_chi_dao"}
    office.do("chutich", item, "chi_dao_bieu_quyet", decision="phe_duyet")  # no number, no date
    view = office.show(item)
    assert office.steps(item) == ["bieu_quyet"]
    assert view.data["ket_qua_trinh"] == "phe_duyet"
    assert "so_quyet_dinh" not in view.data and "ngay_ky" not in view.data


def test_quy_dinh__a_ubnd_decision_returned_by_the_leader_goes_back_to_revision(
    office: Office,
) -> None:
    item = _to_ubnd(office, hinh_thuc_van_ban="qd_ubnd")
    office.submit_to_ubnd(item, "khtc.cv1", "khtc.tp")
    office.do(
        "chutich",
        item,
        "chi_dao_bieu_quyet",
        decision="tra_lai",
        buoc_tra_lai="ho_so",
        y_kien_chi_dao="Làm rõ tác động",
    )
    assert office.steps(item) == ["giai_trinh"]
    assert office.show(item).data["y_kien_chi_dao"] == "Làm rõ tác động"


def test_quy_dinh__the_chairmans_decision_is_recorded_by_the_leaders_step(office: Office) -> None:
    item = _to_ubnd(office)
    office.submit_to_ubnd(item, "khtc.cv1", "khtc.tp")
    [task] = office.inbox("chutich", item)
    assert task.element_id == "chi_dao"
    with pytest.raises(engine.InvalidData) as refused:
        office.do("chutich", item, "chi_dao", decision="phe_duyet")
    assert set(refused.value.fields) == {"so_quyet_dinh", "ngay_ky"}


def test_quy_dinh__the_ubnd_decides_by_a_majority_of_its_members(office: Office) -> None:
    item = _to_ubnd(office, hinh_thuc_van_ban="qd_ubnd")
    _put_to_the_vote(office, item)
    today = office.config.today().isoformat()  # a vote is recorded once held
    vote = {"hinh_thuc_bieu_quyet": "lay_phieu", "ngay_bieu_quyet": today}
    # More members for it than there are: the form refuses it, nothing is recorded.
    passed = {**vote, "ket_luan_bieu_quyet": "thong_qua"}
    with pytest.raises(engine.InvalidData) as refused:
        office.do("vpubnd", item, "bieu_quyet", **passed, so_thanh_vien=30, so_tan_thanh=31)
    assert refused.value.fields == {
        "so_tan_thanh": "Số thành viên tán thành không thể lớn hơn tổng số thành viên UBND tỉnh"
    }
    # Not passed, and no word of what the members objected to: refused too.
    failed = {**vote, "ket_luan_bieu_quyet": "khong_thong_qua"}
    with pytest.raises(engine.InvalidData) as refused:
        office.do("vpubnd", item, "bieu_quyet", **failed, so_thanh_vien=30, so_tan_thanh=15)
    assert refused.value.fields == {
        "y_kien": "Không thông qua phải nêu ý kiến của thành viên UBND tỉnh"
    }
    assert office.steps(item) == ["bieu_quyet"]
    assert [h.element_id for h in office.show(item).history].count("bieu_quyet") == 0
    # "Passed" with exactly half for it (not more than half): the figures say otherwise, the
    # vote is recorded again.
    office.do("vpubnd", item, "bieu_quyet", **passed, so_thanh_vien=30, so_tan_thanh=15)
    assert office.steps(item) == ["bieu_quyet"]
    assert "Kết quả ghi «thông qua» nhưng có 15/30" in office.show(item).data["loi_so_lieu"]
    # Not passed, with the members' objections: back to the drafter, as a return.
    objections = "Điều 5 chưa rõ đối tượng áp dụng"
    office.do(
        "vpubnd", item, "bieu_quyet", **failed, so_thanh_vien=30, so_tan_thanh=15, y_kien=objections
    )
    view = office.show(item)
    assert office.steps(item) == ["giai_trinh"]
    assert view.data["y_kien"] == objections
    assert view.history[-1].decision == "khong_thong_qua"
    office.do("khtc.tp", item, "giai_trinh", bao_cao_giai_trinh="Chỉnh lý theo ý kiến thành viên")
    office.do("giamdoc", item, "duyet_giam_doc", decision="dong_y")
    _put_to_the_vote(office, item)
    office.do(
        "vpubnd",
        item,
        "bieu_quyet",
        **{**passed, "hinh_thuc_bieu_quyet": "hop"},
        so_thanh_vien=30,
        so_tan_thanh=16,
    )
    [sign] = office.inbox("chutich", item)
    assert sign.element_id == "ky_ban_hanh" and sign.due_at is not None
    with pytest.raises(engine.InvalidData):
        office.do("chutich", item, "ky_ban_hanh", so_quyet_dinh="15/2026/QĐ-UBND")
    office.do("chutich", item, "ky_ban_hanh", so_quyet_dinh="15/2026/QĐ-UBND", ngay_ky=today)
    office.do("vpubnd", item, "dang_cong_bao", so_cong_bao="21", ngay_dang_cong_bao=today)
    view = office.show(item)
    assert view.status == "completed"
    assert (view.data["so_quyet_dinh"], view.data["so_tan_thanh"]) == ("15/2026/QĐ-UBND", 16)
    votes = [h.actor for h in view.history if h.element_id == "bieu_quyet"]
    assert votes == ["vpubnd"] * 3  # the one the figures refused, the failed vote, the vote passed


@pytest.mark.parametrize("where", ["giam_doc", "ubnd"])
def test_quy_dinh__returns_go_back_to_revision(office: Office, where: str) -> None:
    item = _consulted(office)
    for who, step, data in PATH[-4:-1]:
        office.do(who, item, step, **data)
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


def test_quy_dinh__the_path_table_runs_to_the_submission(office: Office) -> None:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    for who, step, data in PATH:
        office.do(who, item, step, **data)
    assert office.steps(item) == ["soan_to_trinh"]


def test_quy_dinh__cancel_during_consultation(office: Office) -> None:
    item = _sent(office)
    office.cancel(item, "giamdoc", "Dừng xây dựng theo chỉ đạo")
    view = office.show(item)
    assert view.status == "cancelled" and view.open_tasks == []
