"""The tờ trình to the UBND tỉnh (NĐ 30/2020): every path through the diagram."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

import pytest

import engine
from tests.office import TO_TRINH, Office

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
    office.do("chutich", item, "chi_dao", decision="phe_duyet")
    view = office.show(item)
    assert view.status == "completed"
    assert view.data["so_ky_hieu"] == "125/TTr-SKHCN"
    assert view.data["ket_qua_trinh"] == "phe_duyet"


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


def test_trinh_ubnd__cancel(office: Office) -> None:
    item = _draft(office)
    office.cancel(item, "qlkh.cv1", "Không trình nữa")
    view = office.show(item)
    assert view.status == "cancelled" and view.open_tasks == []
