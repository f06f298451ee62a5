"""The managers' monitor: a unit's filter finds the steps waiting on the unit's own sub-groups
(its leaders) too, and finished items are classified on time or late."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import MonitorFilter, transaction
from tests.conftest import fixture_files
from tests.office import TO_TRINH, Office


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _rows(office: Office, **filters: Any) -> list[engine.MonitorRow]:
    with transaction(office.factory) as s:
        return engine.monitor(s, office.clock(), MonitorFilter(**filters)).rows


def test_monitor__a_unit_includes_its_leaders_desk(office: Office) -> None:
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    [row] = _rows(office, unit="phong_qlkh")
    assert (row.instance_id, row.element_id) == (item, "kiem_tra_noi_dung")
    assert _rows(office, unit="phong_khtc") == []


def test_monitor__finished_on_time_or_late(office: Office) -> None:
    on_time = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.submit_to_ubnd(on_time, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
    late = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.tick(10)  # the drafting step is 3 working days
    office.submit_to_ubnd(late, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
    assert [r.instance_id for r in _rows(office, status="done_on_time")] == [on_time]
    assert [r.instance_id for r in _rows(office, status="done_late")] == [late]


def test_monitor__an_item_parked_in_error_stays_in_sight(office: Office) -> None:
    with transaction(office.factory) as s:
        engine.deploy(s, fixture_files("timer_error"), office.clock)
    item = office.start("timer_error", "qlkh.cv1")
    office.tick(2)  # its one-day timer runs a script that fails
    rows = _rows(office, status="error")
    assert [r.instance_id for r in rows] == [item]
    assert item in {r.instance_id for r in _rows(office)}


@pytest.fixture
def any_office(factory: Any, clock: Any) -> Office:
    return Office(factory, clock)


def test_monitor__a_step_held_by_a_person_of_no_unit_stays_its_bodys(any_office: Office) -> None:
    """An outside body's officer (no unit of the Sở) who takes the body's step: the step is
    still the body's in its row, its counts, its filter and the export."""
    office = any_office
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.issue(item, "qlkh.tp")
    task = office.task("vpubnd", item, "tiep_nhan")
    with transaction(office.factory) as s:
        engine.claim_task(s, office.config, task.id, "vpubnd")
    body = "Văn phòng UBND tỉnh"
    with transaction(office.factory) as s:
        everything = engine.monitor(s, office.clock(), MonitorFilter())
        by_body = engine.monitor(s, office.clock(), MonitorFilter(unit="vp_ubnd_tinh"))
        exported = list(engine.monitor_all(s, office.clock(), MonitorFilter(unit="vp_ubnd_tinh")))
    [row] = [r for r in everything.rows if r.instance_id == item]
    assert row.holder.startswith("Văn thư Văn phòng UBND tỉnh") and row.unit == body
    assert dict(everything.per_unit) == {body: 1}
    assert [(r.task_id, r.unit) for r in by_body.rows] == [(task.id, body)]
    assert dict(by_body.per_unit) == {body: 1}
    assert [(r.task_id, r.unit) for r in exported] == [(task.id, body)]
