"""The register of outgoing documents (sổ văn bản đi): numbers 01, 02, … per register and year,
given by the engine at issue, never typed, never shared, never reused."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

import engine
from engine.registers import IssuedNumberModel, RegisterField, issue_number
from tests.office import TO_TRINH, Office

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TTR = RegisterField("so_ky_hieu", "TTr", "/TTr-SKHCN")
QD = RegisterField("so_ky_hieu", "QĐ", "/QĐ-SKHCN")
MARCH = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def _issue(factory: Any, field: RegisterField, at: datetime = MARCH) -> str:
    with engine.transaction(factory) as s:
        return issue_number(s, field, at, HANOI).text


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Any) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'pheduyet.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


def test_registers__numbers_run_per_register_and_year(factory: Any) -> None:
    assert [_issue(factory, TTR) for _ in range(3)] == [
        "01/TTr-SKHCN",
        "02/TTr-SKHCN",
        "03/TTr-SKHCN",
    ]
    assert _issue(factory, QD) == "01/QĐ-SKHCN"  # another register keeps its own count
    assert _issue(factory, TTR) == "04/TTr-SKHCN"
    # 31/12/2026 23:30 in Hà Nội is still 2026; half an hour later a new year starts at 01.
    assert _issue(factory, TTR, datetime(2026, 12, 31, 16, 30, tzinfo=UTC)) == "05/TTr-SKHCN"
    assert _issue(factory, TTR, datetime(2026, 12, 31, 17, 0, tzinfo=UTC)) == "01/TTr-SKHCN"
    with engine.transaction(factory) as s:
        entries = engine.register_entries(s, "TTr", 2026)
    assert [e.number for e in entries] == [1, 2, 3, 4, 5]
    assert {e.status for e in entries} == {"issued"}


def test_registers__ten_and_above_take_no_leading_zero(factory: Any) -> None:
    texts = [_issue(factory, TTR) for _ in range(10)]
    assert texts[8:] == ["09/TTr-SKHCN", "10/TTr-SKHCN"]


def test_registers__a_rolled_back_issue_takes_no_number(factory: Any) -> None:
    with pytest.raises(RuntimeError), engine.transaction(factory) as s:
        assert issue_number(s, TTR, MARCH, HANOI).text == "01/TTr-SKHCN"
        raise RuntimeError("the issue failed after the number was taken")
    # Never issued, so not reused: the next issue is the first of the year, no gap.
    assert _issue(factory, TTR) == "01/TTr-SKHCN"
    assert _issue(factory, TTR) == "02/TTr-SKHCN"


def test_registers__a_void_number_is_never_given_again(factory: Any) -> None:
    _issue(factory, TTR)
    with engine.transaction(factory) as s:
        engine.void_number(s, "TTr", 2026, 1, "Văn bản bị thu hồi")
    assert _issue(factory, TTR) == "02/TTr-SKHCN"
    with engine.transaction(factory) as s:
        first, second = engine.register_entries(s, "TTr", 2026)
    assert (first.status, first.void_reason) == ("void", "Văn bản bị thu hồi")
    assert second.status == "issued"
    with pytest.raises(engine.NotFound), engine.transaction(factory) as s:
        engine.void_number(s, "TTr", 2026, 9, "Không có")


def test_registers__eight_issues_at_once_get_eight_consecutive_numbers(pg_url: str) -> None:
    db = engine.create_db_engine(pg_url, pool_size=10)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    start = threading.Barrier(8)
    got: list[int] = []
    errors: list[BaseException] = []

    def issue() -> None:
        try:
            start.wait()
            with engine.transaction(factory) as s:
                got.append(issue_number(s, TTR, MARCH, HANOI).number)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=issue) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.dispose()
    assert not errors
    assert sorted(got) == list(range(1, 9))


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _signed(office: Office) -> int:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    return item


def test_registers__the_issue_step_numbers_the_document(office: Office) -> None:
    first, second = _signed(office), _signed(office)
    task = office.task("vp.vanthu", second, "phat_hanh")
    # The issue is rolled back after the engine gave the number: nothing was issued.
    with pytest.raises(RuntimeError), engine.transaction(office.factory) as s:
        engine.complete_task(
            s, office.config, task.id, "vp.vanthu", data={"ngay_ban_hanh": "2026-03-02"}
        )
        assert engine.show_instance(s, second).data["so_ky_hieu"] == "01/TTr-SKHCN"
        raise RuntimeError("the connection dropped before the commit")
    office.do("vp.vanthu", first, "phat_hanh", ngay_ban_hanh="2026-03-02")
    office.do("vp.vanthu", second, "phat_hanh", ngay_ban_hanh="2026-03-02")
    assert office.show(first).data["so_ky_hieu"] == "01/TTr-SKHCN"
    assert office.show(second).data["so_ky_hieu"] == "02/TTr-SKHCN"
    with engine.transaction(office.factory) as s:
        entries = engine.register_entries(s, "TTr", 2026)
        count = s.scalar(select(func.count()).select_from(IssuedNumberModel))
    assert [(e.number, e.instance_id, e.element_id) for e in entries] == [
        (1, first, "phat_hanh"),
        (2, second, "phat_hanh"),
    ]
    assert count == 2
    # The history records the number with the step that gave it.
    issued = [h for h in office.show(second).history if h.element_id == "phat_hanh"]
    assert issued and issued[-1].actor == "vp.vanthu"


@pytest.mark.parametrize(
    "marker",
    [
        '"TTr"',  # on a field a person could type
        '{"key": "TTr", "summary": ""}',
        '{"key": "TTr", "signer": 5}',
        '{"key": "TTr", "noi_nhan": "x"}',
    ],
)
def test_registers__a_malformed_marker_is_refused_at_deploy(office: Office, marker: str) -> None:
    read_only = "" if marker == '"TTr"' else ', "readOnly": true'
    field = f'{{"type": "string", "x-register": {marker}{read_only}}}'
    form = f'{{"type": "object", "properties": {{"so": {field}}}}}'.encode()
    with (
        pytest.raises(engine.InvalidDefinition) as refused,
        engine.transaction(office.factory) as s,
    ):
        engine.deploy(s, [engine.SourceFile("so.json", form)], office.clock)
    assert "x-register" in str(refused.value) and "so.json" in str(refused.value)
