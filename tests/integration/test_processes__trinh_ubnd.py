"""The tờ trình to the UBND tỉnh (NĐ 30/2020): every path through the diagram."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from engine import transaction
from tests.office import DECISION_RECORD, TO_TRINH, Office

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _draft(office: Office) -> int:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    assert office.steps(item) == ["soan_to_trinh"]
    assert office.inbox("qlkh.cv2", item)  # the whole drafting unit sees it
    assert not office.inbox("cs.cv1", item)  # another unit does not
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    return item


def _to_ubnd(office: Office, item: int) -> None:
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", drafted=True)


def test_trinh_ubnd__approved(office: Office) -> None:
    item = _draft(office)
    _to_ubnd(office, item)
    # The Chairman's approval is recorded with the decision's number and date.
    with pytest.raises(engine.InvalidData) as refused:
        office.do("chutich", item, "chi_dao", decision="phe_duyet")
    assert refused.value.fields == {
        "so_quyet_dinh": "Hãy nhập số quyết định",
        "ngay_ky": "Hãy nhập ngày ký",
    }
    office.do("chutich", item, "chi_dao", decision="phe_duyet", **DECISION_RECORD)
    view = office.show(item)
    assert view.status == "completed"
    assert view.data["so_ky_hieu"] == "01/TTr-SKHCN"  # given at issue: the year's first
    assert view.data["ket_qua_trinh"] == "phe_duyet"
    assert (view.data["so_quyet_dinh"], view.data["ngay_ky"]) == ("1234/QĐ-UBND", "2026-03-02")


def test_trinh_ubnd__the_clerk_cannot_type_the_number(office: Office) -> None:
    item = _draft(office)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    with pytest.raises(engine.InvalidData) as refused:
        office.do(
            "vp.vanthu", item, "phat_hanh", so_ky_hieu="99/TTr-SKHCN", ngay_ban_hanh="2026-03-02"
        )
    assert refused.value.fields == {"so_ky_hieu": "this field is read-only"}
    office.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh="2026-03-02")
    assert office.show(item).data["so_ky_hieu"] == "01/TTr-SKHCN"


def test_trinh_ubnd__vp_ubnd_returns_the_dossier_for_missing_documents(office: Office) -> None:
    item = _draft(office)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    office.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh="2026-03-02")
    office.do("vp.vanthu", item, "gui_van_ban")
    office.do("vpubnd", item, "tiep_nhan", so_den=4410)
    assert office.steps(item) == ["tham_tra_ho_so"]
    with pytest.raises(engine.InvalidData) as refused:
        office.do("vpubnd", item, "tham_tra_ho_so", decision="tra_lai")
    assert refused.value.fields == {"y_kien": "Trả lại phải nêu lý do"}
    office.do(
        "vpubnd",
        item,
        "tham_tra_ho_so",
        decision="tra_lai",
        y_kien="Thiếu báo cáo thẩm định của Sở Tư pháp",
    )
    # Back to the drafting unit (any of its staff), with what is missing.
    assert office.steps(item) == ["bo_sung_ho_so"]
    assert office.inbox("qlkh.cv2", item) and not office.inbox("cs.cv1", item)
    assert office.show(item).data["y_kien"] == "Thiếu báo cáo thẩm định của Sở Tư pháp"
    office.do("qlkh.cv2", item, "bo_sung_ho_so", noi_dung_bo_sung="Đã bổ sung báo cáo thẩm định")
    # Examined again by VP UBND (the tờ trình keeps its number: it was issued once).
    assert office.steps(item) == ["tham_tra_ho_so"]
    office.do("vpubnd", item, "tham_tra_ho_so", decision="du_ho_so")
    office.do("chutich", item, "chi_dao", decision="phe_duyet", **DECISION_RECORD)
    view = office.show(item)
    assert view.status == "completed" and view.data["so_ky_hieu"] == "01/TTr-SKHCN"
    steps = [(h.element_id, h.decision) for h in view.history if h.element_id]
    assert ("tham_tra_ho_so", "tra_lai") in steps and ("bo_sung_ho_so", None) in steps


@pytest.mark.parametrize(
    ("who", "step", "approvals"),
    [
        ("qlkh.tp", "kiem_tra_noi_dung", 0),
        ("vp.tp", "kiem_tra_the_thuc", 1),
        ("phogiamdoc", "ky_to_trinh", 2),
    ],
)
def test_trinh_ubnd__a_return_goes_back_to_the_drafter_with_its_reason(
    office: Office, who: str, step: str, approvals: int
) -> None:
    item = _draft(office)
    done = [
        ("qlkh.tp", "kiem_tra_noi_dung", {"decision": "dong_y"}),
        ("vp.vanthu", "kiem_tra_the_thuc", {"decision": "dong_y"}),
    ]
    for person, earlier, data in done[:approvals]:
        office.do(person, item, earlier, **data)
    with pytest.raises(engine.InvalidData) as refused:
        office.do(who, item, step, decision="tra_lai")
    assert refused.value.fields == {"y_kien": "Trả lại phải nêu lý do"}
    office.do(
        who,
        item,
        step,
        comment="Sửa trích yếu",
        decision="tra_lai",
        y_kien="Trích yếu chưa đúng thể thức",
    )
    assert office.steps(item) == ["soan_to_trinh"]
    view = office.show(item)
    assert view.data["y_kien"] == "Trích yếu chưa đúng thể thức"  # what the drafter reads
    last = view.history[-1]
    assert (last.actor, last.element_id, last.decision) == (who, step, "tra_lai")


def test_trinh_ubnd__the_chairman_returns_to_a_named_step(office: Office) -> None:
    item = _draft(office)
    _to_ubnd(office, item)
    office.do(
        "chutich",
        item,
        "chi_dao",
        decision="tra_lai",
        buoc_tra_lai="soan_to_trinh",
        y_kien_chi_dao="Bổ sung căn cứ pháp lý",
    )
    assert office.steps(item) == ["soan_to_trinh"]
    assert office.show(item).data["y_kien_chi_dao"] == "Bổ sung căn cứ pháp lý"
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp")
    office.do(
        "chutich",
        item,
        "chi_dao",
        decision="tra_lai",
        buoc_tra_lai="ho_so",
        y_kien_chi_dao="Xem xét lại toàn bộ hồ sơ",
    )
    view = office.show(item)
    assert view.status == "completed" and view.data["ket_qua_trinh"] == "tra_lai"


def test_trinh_ubnd__due_dates_count_working_days(office: Office) -> None:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    [task] = office.inbox("qlkh.cv1", item)
    # Started Monday 2 March 2026 at 08:00 in Hà Nội: 3 working days later is Thursday.
    assert task.due_at is not None
    assert task.due_at.astimezone(HANOI).date().isoformat() == "2026-03-05"


def _due_of_content_check(office: Office, urgency: str) -> str:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **{**TO_TRINH, "do_khan": urgency})
    task = office.task("qlkh.tp", item, "kiem_tra_noi_dung")
    assert task.due_at is not None
    return task.due_at.astimezone(HANOI).isoformat(timespec="minutes")


@pytest.mark.parametrize(
    ("urgency", "due"),
    [
        # Drafted Monday 2 March 2026 at 08:00; the content check usually takes 2 working days,
        # each deadline to the end of its day.
        ("thuong", "2026-03-04T23:59+07:00"),
        ("khan", "2026-03-03T23:59+07:00"),  # half, at least 1
        ("thuong_khan", "2026-03-03T23:59+07:00"),  # 1 working day
        ("hoa_toc", "2026-03-02T23:59+07:00"),  # the same day
    ],
)
def test_trinh_ubnd__urgency_shortens_the_deadline(office: Office, urgency: str, due: str) -> None:
    assert _due_of_content_check(office, urgency) == due


def test_trinh_ubnd__reminded_and_escalated_by_days_not_by_the_hour_it_opened(
    office: Office,
) -> None:
    """The content check, opened Monday 08:00, runs to the end of Wednesday: its holders are
    reminded from the start of Tuesday (one working day before), its leaders told from the
    start of Friday (two working days late), whatever hour the step opened."""
    _due_of_content_check(office, "thuong")
    policy = engine.DeadlinePolicy(remind_working_days=1, escalate_after_working_days=2)

    def scan(day: int, hour: int) -> dict[str, int]:
        office.clock.set(datetime(2026, 3, day, hour, 0, tzinfo=HANOI))
        with engine.transaction(office.factory) as s:
            return engine.scan_deadlines(s, office.config, policy)

    assert scan(2, 23)["reminder"] == 0
    assert scan(3, 0)["reminder"] > 0
    assert scan(4, 23) == {"reminder": 0, "overdue": 0, "escalated": 0}
    assert scan(5, 0)["overdue"] > 0
    assert scan(5, 23)["escalated"] == 0
    assert scan(6, 0)["escalated"] > 0


def test_trinh_ubnd__urgency_counts_working_days(office: Office) -> None:
    # Friday 6 March 08:00: an urgent step of 7 working days takes 3 (Wed 11 March), the
    # weekend skipped; an ordinary one 7 (Tue 17 March).
    office.clock.advance(timedelta(days=4))
    for urgency, due in (("khan", "2026-03-11"), ("thuong", "2026-03-17")):
        item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
        office.do("qlkh.cv1", item, "soan_to_trinh", **{**TO_TRINH, "do_khan": urgency})
        office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", drafted=True)
        task = office.task("chutich", item, "chi_dao")
        assert task.due_at is not None
        assert task.due_at.astimezone(HANOI).date().isoformat() == due


def test_trinh_ubnd__no_classified_documents(office: Office) -> None:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    with pytest.raises(engine.InvalidData) as refused:
        office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH, do_mat="mat")
    assert refused.value.fields == {"do_mat": "the form has no such field"}


def test_trinh_ubnd__cancel(office: Office) -> None:
    item = _draft(office)
    office.cancel(item, "qlkh.cv1", "Không trình nữa")
    view = office.show(item)
    assert view.status == "cancelled" and view.open_tasks == []


def test_trinh_ubnd__a_draft_sent_back_is_sent_again_with_its_new_version(office: Any) -> None:
    """The drafting step needs its draft at each run: sent back by the head of unit, the
    drafter attaches the corrected version; the file of the first run does not do."""
    with transaction(office.factory) as s:
        item = engine.start_instance(
            s, office.config, "trinh_ubnd", "qlkh.cv1", data={"don_vi_soan_thao": "phong_qlkh"}
        )
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="tra_lai", y_kien="Sửa số liệu")
    again = office.task("qlkh.cv1", item, "soan_to_trinh")
    with pytest.raises(engine.InvalidData) as refused, transaction(office.factory) as s:
        engine.complete_task(s, office.config, again.id, "qlkh.cv1", data=dict(TO_TRINH))
    assert refused.value.field_codes[engine.ATTACHMENTS_FIELD]["code"] == "attachment_required"
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)  # with the corrected draft
    assert office.steps(item) == ["kiem_tra_noi_dung"]


def test_trinh_ubnd__the_issue_date_is_not_before_the_signature(office: Office) -> None:
    """The day the leader signs is kept at the signature; the văn thư's issue date may not
    fall before it (nor before the item was made, nor after today)."""
    item = _draft(office)
    drafted = office.config.today()
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.tick(3)
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    signed = office.config.today()
    assert office.show(item).data["ngay_ky_duyet"] == signed.isoformat()
    with pytest.raises(engine.InvalidData) as refused:
        day = (drafted + timedelta(days=1)).isoformat()
        office.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh=day)
    assert refused.value.fields == {
        "ngay_ban_hanh": "Ngày ban hành không thể trước ngày lãnh đạo Sở ký duyệt"
    }
    office.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh=signed.isoformat())
    assert office.steps(item) == ["gui_van_ban"]
