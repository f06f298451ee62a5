"""The listings' read models on SQLite and PostgreSQL alike: Theo dõi's keyset pages, filters,
counts and due states computed by the database, step durations averaged in SQL, `stuck`,
"Hồ sơ của tôi" and who may act on an item's open steps; and migration 0009 both ways."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect
from sqlalchemy.exc import StatementError

import engine
from engine import MonitorFilter, monitor_sql, monitoring, transaction
from tests.conftest import fixture_files
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.migrations import downgrade
from tests.office import TO_TRINH, Office


@pytest.fixture
def office(factory: Any, clock: Any) -> Office:
    return Office(factory, clock)


def start(office: Office, title: str, who: str = "trungtam.cv1") -> int:
    with transaction(office.factory) as s:
        return engine.start_instance(s, office.config, "de_xuat_nhiem_vu", who, title=title)


def every_page(office: Office, filters: MonitorFilter) -> list[list[engine.MonitorRow]]:
    found, cursor = [], None
    while True:
        with transaction(office.factory) as s:
            result = engine.monitor(s, office.clock(), filters, after=cursor)
        found.append(result.rows)
        cursor = result.next_cursor
        if cursor is None:
            return found


@pytest.fixture
def many(office: Office) -> list[int]:
    """120 proposals a minute apart, three to a minute (the order needs its tie-breakers)."""
    items = []
    for n in range(120):
        items.append(start(office, f"Hồ sơ số {n}"))
        if n % 3 == 2:
            office.clock.advance(timedelta(minutes=1))
    return items


def test_listings__120_open_steps_in_pages_of_50(office: Office, many: list[int]) -> None:
    pages = every_page(office, MonitorFilter(process_id="de_xuat_nhiem_vu"))
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [r.instance_id for p in pages for r in p] == many
    with transaction(office.factory) as s:
        result = engine.monitor(s, office.clock(), MonitorFilter())
    assert result.total == 120 and result.by_status["within"] == 120
    assert result.per_step == [("Lập phiếu đề xuất nhiệm vụ", 120)]
    assert result.step_ids == {"Lập phiếu đề xuất nhiệm vụ": "lap_phieu_de_xuat"}
    assert not result.capped


@pytest.mark.parametrize(("cap", "total", "capped"), [(100, 100, True), (120, 120, False)])
def test_listings__counts_stop_at_the_cap_on_the_longest_waiting(
    office: Office, many: list[int], cap: int, total: int, capped: bool
) -> None:
    with transaction(office.factory) as s:
        result = engine.monitor(s, office.clock(), MonitorFilter(), count_cap=cap)
    assert (result.total, result.capped) == (total, capped)
    assert result.per_step == [("Lập phiếu đề xuất nhiệm vụ", total)]
    assert sum(n for _, n in result.per_unit) == total == result.by_status["within"]
    assert [r.instance_id for r in result.rows] == many[:50]  # the page is not capped


def test_listings__finished_items_in_pages_too(office: Office) -> None:
    done = []
    for _ in range(5):
        item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
        office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
        done.append(item)
    with transaction(office.factory) as s:
        first = engine.monitor(s, office.clock(), MonitorFilter(status="done_on_time"), limit=2)
        second = engine.monitor(
            s, office.clock(), MonitorFilter(status="done_on_time"), after=first.next_cursor
        )
    assert [r.instance_id for r in first.rows + second.rows] == done
    assert (first.total, second.next_cursor) == (5, None)


def test_listings__filters_are_sql_and_case_blind_in_vietnamese(office: Office) -> None:
    coffee = start(office, "Chuỗi giá trị cà phê")
    start(office, "Mô hình lúa gạo")
    for text in ("cà phê", "CÀ PHÊ", "Cà Phê", str(coffee)):
        with transaction(office.factory) as s:
            rows = engine.monitor(s, office.clock(), MonitorFilter(text=text)).rows
        assert [r.instance_id for r in rows] == [coffee], text
    with transaction(office.factory) as s:
        assert engine.monitor(s, office.clock(), MonitorFilter(text="100%_")).rows == []


def test_listings__a_statement_built_once_takes_every_value_from_its_call(office: Office) -> None:
    """Theo dõi's page and counts are built once per shape and hold no value of their own: a
    later call of the same shape gets its own rows, and a value left out raises instead of
    running with the first caller's."""
    coffee = start(office, "Chuỗi giá trị cà phê")
    rice = start(office, "Mô hình lúa gạo")
    monitor_sql._BUILT.clear()  # so that what is built below is this test's
    cases = [("de_xuat_nhiem_vu", "cà phê", [coffee]), ("de_xuat_nhiem_vu", "lúa gạo", [rice])]
    cases.append(("trinh_ubnd", "cà phê", []))
    for process_id, text, items in cases:
        filters = MonitorFilter(process_id=process_id, text=text)
        with transaction(office.factory) as s:
            result = engine.monitor(s, office.clock(), filters)
        assert [r.instance_id for r in result.rows] == items, (process_id, text)
        assert result.total == len(items)
    built = list(monitor_sql._BUILT.values())
    assert len(built) == 2  # the page and the counts, built by the first call
    with transaction(office.factory) as s:
        _shape, values = monitoring._open_values(s, office.clock(), filters, None)
        assert set(values) == {"now", "process_id", "text_pattern"}
        for statement in built:
            for name in values:
                left_out = {k: v for k, v in values.items() if k != name}
                with pytest.raises(StatementError, match=f"bind parameter '{name}'"):
                    s.execute(statement, left_out)


def test_listings__holder_unit_and_due_state_come_from_the_query(office: Office) -> None:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    with transaction(office.factory) as s:
        [row] = engine.monitor(s, office.clock(), MonitorFilter(unit="phong_qlkh")).rows
        per_unit = engine.monitor(s, office.clock(), MonitorFilter()).per_unit
    assert (row.instance_id, row.element_id, row.status) == (item, "kiem_tra_noi_dung", "within")
    assert row.holder and row.unit and row.holder == row.unit
    assert per_unit == [(row.unit, 1)]
    office.clock.advance(timedelta(days=30))
    with transaction(office.factory) as s:
        [late] = engine.monitor(s, office.clock(), MonitorFilter(status="overdue")).rows
    assert late.instance_id == item and late.age_days == 30.0


def test_listings__step_durations_are_averaged_by_the_database(office: Office) -> None:
    first = start(office, "Một")
    office.clock.advance(timedelta(days=1))
    start(office, "Hai")
    office.clock.advance(timedelta(days=2))
    office.do("trungtam.cv1", first, "lap_phieu_de_xuat", **PHIEU)
    office.clock.advance(timedelta(days=1))
    with transaction(office.factory) as s:
        stats = {
            st.element_id: st for st in engine.step_stats(s, "de_xuat_nhiem_vu", office.clock())
        }
    drafting = stats["lap_phieu_de_xuat"]
    assert (drafting.waiting, drafting.avg_waiting_days) == (1, 3.0)
    assert (drafting.done, drafting.avg_duration_days) == (1, 3.0)
    assert (stats["xem_xet_de_xuat"].waiting, stats["xem_xet_de_xuat"].avg_waiting_days) == (1, 1.0)


def test_listings__stuck_and_mine(office: Office, many: list[int]) -> None:
    other = start(office, "Của người khác", who="qlkh.cv1")
    with transaction(office.factory) as s:
        stuck = engine.stuck(s, office.clock())
        who = engine.get_identity(s, "trungtam.cv1")
        first = engine.my_items(s, who)
        second = engine.my_items(s, who, after=first.next_cursor)
        third = engine.my_items(s, who, after=second.next_cursor)
        access = engine.item_access(s, who, many[0])
        stranger = engine.item_access(s, engine.get_identity(s, "qlkh.cv2"), many[0])
    assert [r.instance_id for r in stuck] == [*many, other]
    assert {r.holder for r in stuck[:120]} == {"trungtam.cv1"}
    assert [len(p.rows) for p in (first, second, third)] == [50, 50, 20]
    assert third.next_cursor is None
    assert [r.id for p in (first, second, third) for r in p.rows] == many[::-1]
    assert [t.element_id for t in first.rows[0].open_tasks] == ["lap_phieu_de_xuat"]
    assert access.may_contribute and len(access.actionable) == 1
    assert not stranger.may_contribute and not stranger.actionable


def test_listings__inbox_pages_alike_by_keys_or_by_urgency(office: Office, many: list[int]) -> None:
    def pages(cap: int) -> list[engine.InboxPage]:
        found, cursor = [], None
        while True:
            with transaction(office.factory) as s:
                who = engine.get_identity(s, "trungtam.cv1")
                page = engine.inbox(s, who, office.clock(), after=cursor, count_cap=cap)
            found.append(page)
            cursor = page.next_cursor
            if cursor is None:
                return found

    by_keys, by_urgency = pages(1000), pages(10)  # 120 tasks: below the cap, past it
    assert [len(p.rows) for p in by_keys] == [50, 50, 20]
    assert sorted(r.instance_id for p in by_keys for r in p.rows) == many
    assert [p.rows for p in by_urgency] == [p.rows for p in by_keys]
    assert (by_keys[0].total, by_keys[0].more) == (120, False)
    assert (by_urgency[0].total, by_urgency[0].more) == (10, True)


def test_listings__migration_0009_goes_down_and_up(factory: Any) -> None:
    db = factory.kw["bind"]

    def indexes(table: str) -> set[str]:
        with db.connect() as conn:
            return {str(i["name"]) for i in inspect(conn).get_indexes(table)}

    assert {"ix_human_tasks_status_created_item", "ix_human_tasks_process_element"} <= indexes(
        "human_tasks"
    )
    downgrade(db, "0008")
    assert "ix_instances_created_by" not in indexes("instances")
    assert "ix_audit_actor_instance" not in indexes("audit_events")
    engine.upgrade_database(db)
    assert {"ix_instances_created_by", "ix_instances_status_created"} <= indexes("instances")
    assert "ix_audit_actor_instance" in indexes("audit_events")


def test_listings__a_unit_in_pages_and_counts_as_the_export_lists_it(office: Office) -> None:
    """Theo dõi by unit reads each of the unit's keys (its groups' unheld steps, its people's
    held ones) a page at a time and merges them: the pages and the capped counts are those of
    the unit's full list (the export's), ties on the creation moment included."""
    ours = []
    for n in range(12):
        unit, who = ("phong_qlkh", "qlkh.cv1") if n % 4 else ("phong_khtc", "khtc.cv1")
        item = office.start("trinh_ubnd", who, don_vi_soan_thao=unit)
        if n % 3 == 1:  # on to the unit's leaders' desk: a sub-group's unheld step
            office.do(who, item, "soan_to_trinh", **TO_TRINH)
        elif n % 3 == 2:  # held by the drafter: a person's step
            task = office.task(who, item, "soan_to_trinh")
            with transaction(office.factory) as s:
                engine.claim_task(s, office.config, task.id, who)
        if unit == "phong_qlkh":
            ours.append(item)
        if n % 5 == 4:
            office.clock.advance(timedelta(minutes=1))
    filters = MonitorFilter(unit="phong_qlkh")
    with transaction(office.factory) as s:
        listed = list(engine.monitor_all(s, office.clock(), filters))
    assert sorted({r.instance_id for r in listed}) == ours
    assert {r.element_id for r in listed} == {"soan_to_trinh", "kiem_tra_noi_dung"}
    assert {r.holder for r in listed} == {
        "Lãnh đạo Phòng Quản lý Khoa học",
        "Phòng Quản lý Khoa học",
        "Nguyễn Văn An (Chuyên viên)",  # qlkh.cv1
    }
    pages, cursor = [], None
    while True:
        with transaction(office.factory) as s:
            result = engine.monitor(s, office.clock(), filters, after=cursor, limit=2, count_cap=4)
        pages.append(result.rows)
        cursor = result.next_cursor
        if cursor is None:
            break
    assert [len(p) for p in pages] == [2, 2, 2, 2, 1]
    assert [r for p in pages for r in p] == listed
    first = listed[:4]
    assert (result.total, result.capped) == (4, True)
    steps: dict[str, int] = {}
    for r in first:
        steps[r.step or "-"] = steps.get(r.step or "-", 0) + 1
    assert dict(result.per_step) == steps
    with transaction(office.factory) as s:
        whole = engine.monitor(s, office.clock(), filters, count_cap=100)
    assert (whole.total, whole.capped) == (len(listed), False)
    assert [r.task_id for r in whole.rows] == [r.task_id for r in listed]
    for more in (
        {"element_id": "kiem_tra_noi_dung"},
        {"status": "within", "process_id": "trinh_ubnd"},
        {"status": "overdue"},
        {"text": str(ours[4])},
    ):
        narrower = MonitorFilter(unit="phong_qlkh", **more)
        with transaction(office.factory) as s:
            expected = [r.task_id for r in engine.monitor_all(s, office.clock(), narrower)]
            found = engine.monitor(s, office.clock(), narrower)
        assert [r.task_id for r in found.rows] == expected, more
        assert found.total == len(expected), more
    assert expected and len(expected) == 1  # the item found by its number


def test_listings__counts_are_those_of_the_first_steps_listed(office: Office) -> None:
    """Theo dõi's counts (per step, unit and due state, capped) are those of the export's list
    cut at the cap, with and without a unit's filter: unheld steps offered to the unit's group
    or its leaders' sub-group, steps its people hold, overdue ones, an item stopped on an
    error and a step offered to a person (PostgreSQL reads a unit's counted steps once)."""
    with transaction(office.factory) as s:
        engine.deploy(s, fixture_files("timer_error"), office.clock)
    broken = office.start("timer_error", "qlkh.cv1")  # offered to its starter, a person
    held_broken = office.start("timer_error", "qlkh.cv2")
    with transaction(office.factory) as s:
        engine.claim_task(
            s, office.config, office.task("qlkh.cv2", held_broken, "wait").id, "qlkh.cv2"
        )
    for n in range(9):
        unit, who = ("phong_qlkh", "qlkh.cv1") if n % 3 else ("phong_khtc", "khtc.cv1")
        item = office.start("trinh_ubnd", who, don_vi_soan_thao=unit)
        if n % 4 == 1:
            office.do(who, item, "soan_to_trinh", **TO_TRINH)
        elif n % 4 == 2:
            with transaction(office.factory) as s:
                engine.claim_task(s, office.config, office.task(who, item, "soan_to_trinh").id, who)
        if n == 4:
            office.tick(2)  # the timers' scripts fail: both timer_error items stop on an error
        office.clock.advance(timedelta(minutes=1))
    office.tick(4)  # the first drafting steps (3 working days) are overdue now
    office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")  # within its time
    for filters in (MonitorFilter(), MonitorFilter(unit="phong_qlkh")):
        with transaction(office.factory) as s:
            listed = list(engine.monitor_all(s, office.clock(), filters))
        assert {r.status for r in listed} >= {"within", "overdue", "error"}, filters
        if not filters.unit:
            assert broken in {r.instance_id for r in listed}
        for cap in (1, 3, 5, len(listed) - 1, len(listed), 100):
            with transaction(office.factory) as s:
                found = engine.monitor(s, office.clock(), filters, count_cap=cap)
            first = listed[:cap]
            steps: dict[str, int] = {}
            units: dict[str, int] = {}
            states = dict.fromkeys(engine.STATUSES, 0)
            for r in first:
                steps[r.step or "-"] = steps.get(r.step or "-", 0) + 1
                label = r.unit or r.holder
                units[label] = units.get(label, 0) + 1
                states[r.status] += 1
            assert dict(found.per_step) == steps, (filters, cap)
            assert dict(found.per_unit) == units, (filters, cap)
            assert found.by_status == states, (filters, cap)
            assert (found.total, found.capped) == (len(first), len(listed) > cap), (filters, cap)
            assert found.rows == listed[:50], (filters, cap)
