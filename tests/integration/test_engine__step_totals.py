"""The step totals (engine.step_totals) kept by the actions equal a recount from every task row,
after completions, returns, a cancelled item and a rolled-back action; migration 0020 fills them
the same way from an existing history (and, on PostgreSQL, stops parallel scans of the inbox's
table); the step statistics read them in one statement, whatever the history; `stuck` reads a
fixed number of statements whatever the number of open steps."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select, text

import engine
from engine import transaction
from engine.step_totals import StepTotalModel, recount
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.migrations import downgrade
from tests.office import Office
from tests.statements import counted


@pytest.fixture
def office(factory: Any, clock: Any) -> Office:
    return Office(factory, clock)


def totals(office: Office, *, recounted: bool = False) -> list[tuple[Any, ...]]:
    """The totals as the actions left them, or as a recount makes them (rolled back); the sum of
    durations is not compared (the recount's arithmetic may differ by a rounding)."""
    with office.factory() as s, s.begin():
        if recounted:
            recount(s.connection())
        found = [
            (t.element_id, t.open_count, round(t.open_since_sum), t.done_count)
            for t in s.scalars(select(StepTotalModel).order_by(StepTotalModel.element_id))
        ]
        s.rollback()
    return found


def proposal(office: Office, returns: int) -> int:
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.clock.advance(timedelta(hours=5))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    for _ in range(returns):
        office.clock.advance(timedelta(days=1))
        office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Bổ sung")
        office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item


def test_step_totals__kept_by_the_actions_as_a_recount_makes_them(office: Office) -> None:
    items = [proposal(office, returns=n % 3) for n in range(5)]
    with transaction(office.factory) as s:
        engine.cancel_instance(s, office.config, items[0], "trungtam.cv1", "Không cần nữa")
    with pytest.raises(RuntimeError), transaction(office.factory) as s:
        engine.start_instance(s, office.config, "de_xuat_nhiem_vu", "trungtam.cv1")
        raise RuntimeError("rolled back: adds nothing")
    kept = totals(office)
    assert kept == totals(office, recounted=True)
    steps = {row[0]: row for row in kept}
    assert (steps["lap_phieu_de_xuat"][1], steps["lap_phieu_de_xuat"][3]) == (0, 9)  # 5 + 4 returns
    assert steps["xem_xet_de_xuat"][1] == 4  # the cancelled item's step left the open ones


def test_step_totals__the_statistics_read_one_statement_whatever_the_history(
    office: Office,
) -> None:
    proposal(office, returns=0)

    def read() -> tuple[int, list[engine.StepStat]]:
        with counted(office.factory, with_begin=False) as found, transaction(office.factory) as s:
            stats = engine.step_stats(s, "de_xuat_nhiem_vu", office.clock())
        return len(found), stats

    before, _ = read()
    for n in range(6):
        proposal(office, returns=n % 3)
    office.clock.advance(timedelta(days=2))
    after, stats = read()
    assert before == after == 1
    reviewing = {st.element_id: st for st in stats}["xem_xet_de_xuat"]
    assert (reviewing.waiting, reviewing.done) == (7, 6)
    assert reviewing.avg_waiting_days > 2.0


def test_step_totals__migration_0020_fills_them_from_the_history(office: Office) -> None:
    for n in range(3):
        proposal(office, returns=n)
    kept = totals(office)
    db = office.factory.kw["bind"]
    downgrade(db, "0019")
    with db.connect() as connection:
        assert "step_totals" not in inspect(connection).get_table_names()
    engine.upgrade_database(db)
    assert totals(office) == kept
    if db.dialect.name == "postgresql":  # the inbox's table is read by index, never in parallel
        with db.connect() as connection:
            options = connection.scalar(
                text("SELECT reloptions FROM pg_class WHERE relname = 'task_candidates'")
            )
        assert options == ["parallel_workers=0"]


def test_step_totals__stuck_reads_the_same_statements_whatever_the_open_steps(
    office: Office,
) -> None:
    def listed() -> tuple[int, int]:
        with counted(office.factory, with_begin=False) as found, transaction(office.factory) as s:
            rows = list(engine.iter_stuck(s, office.clock()))
        return len(found), len(rows)

    proposal(office, returns=0)
    before, few = listed()
    for n in range(12):
        proposal(office, returns=n % 2)
    after, many = listed()
    assert (few, many) == (1, 13)
    assert before == after
