"""Who a task's candidates stand for (engine.people_of, which notifications use): by a person's
name, by a group's key or name, by a unit's key or name, case aside, active people only; on
both databases, each way of being named read through its own index (migration 0026)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event

import engine
from engine import transaction


@pytest.fixture
def chart(factory: Any) -> Any:
    with transaction(factory) as s:
        engine.add_group(s, "Phong_QLKH", "Phòng Quản lý Khoa học", unit=True)
        engine.add_group(s, "thanh_tra", "Thanh tra Sở", unit=True)
        engine.add_group(s, "hoi_dong", "Hội đồng Khoa học")
        engine.add_user(s, "An.Nguyen", display_name="Nguyễn Văn An", unit="Phong_QLKH")
        engine.add_user(s, "binh", display_name="Lê Bình", unit="thanh_tra", groups=["hoi_dong"])
        engine.add_user(s, "chi", display_name="Trần Chi", groups=["hoi_dong"])
        engine.add_user(s, "dung", display_name="Phạm Dũng", unit="Phong_QLKH")
        engine.add_user(s, "em", display_name="Võ Em", unit="phong_ngoai")  # no such group
        engine.add_user(s, "nghi", display_name="Đã nghỉ", unit="Phong_QLKH", groups=["hoi_dong"])
        engine.set_active(s, "nghi", False)
    return factory


@pytest.mark.parametrize(
    ("candidates", "people"),
    [
        ([("user", "an.nguyen")], {"An.Nguyen"}),  # a name, case aside
        ([("user", "NGHI")], set()),  # nobody inactive
        ([("group", "phong_qlkh")], {"An.Nguyen", "dung"}),  # a unit's key
        ([("group", "phòng quản lý khoa học")], {"An.Nguyen", "dung"}),  # its name
        ([("group", "HOI_DONG")], {"binh", "chi"}),  # a group's key
        ([("group", "Hội đồng Khoa học")], {"binh", "chi"}),  # its name
        ([("group", "PHONG_NGOAI")], {"em"}),  # a unit kept on the person alone
        ([("group", "thanh tra sở"), ("user", "chi")], {"binh", "chi"}),
        ([("group", "khong_co")], set()),
        ([], set()),
    ],
)
def test_recipients__candidates_stand_for_their_active_people(
    chart: Any, candidates: list[tuple[str, str]], people: set[str]
) -> None:
    with transaction(chart) as s:
        assert engine.people_of(s, candidates) == people


def test_recipients__an_org_chart_of_600_people_is_read_by_index_not_scanned(
    sqlite_factory: Any,
) -> None:
    """The people of a task are read for every task an action opens, inside the write lock:
    with 600 people, SQLite's plan reads each way of being named through an index and reads
    no person, and no membership, that is not named."""
    with transaction(sqlite_factory) as s:
        engine.add_group(s, "hoi_dong", "Hội đồng Khoa học")
        for unit in range(12):
            engine.add_group(s, f"phong_{unit}", f"Phòng {unit}", unit=True)
        for n in range(600):
            groups = ["hoi_dong"] if n % 50 == 0 else []
            engine.add_user(s, f"cv{n}", unit=f"phong_{n % 12}", groups=groups)
    sent: list[tuple[str, Any]] = []
    db = sqlite_factory.kw["bind"]

    def listen(_conn: Any, _cursor: Any, sql: str, params: Any, *_rest: Any) -> None:
        sent.append((sql, params))

    event.listen(db, "before_cursor_execute", listen)
    try:
        with transaction(sqlite_factory) as s:
            people = engine.people_of(s, [("group", "PHONG_3"), ("group", "hoi_dong")])
            [(sql, params)] = [(q, p) for q, p in sent if "group_members" in q]
            plan = [
                row[3]
                for row in s.connection().exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            ]
    finally:
        event.remove(db, "before_cursor_execute", listen)
    assert len(people) == 50 + 12  # the unit's 50 and the council's 12 (none in both)
    scans = ("SCAN users", "SCAN person", "SCAN group_members")
    assert not [step for step in plan if step.startswith(scans)], plan
