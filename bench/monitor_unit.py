"""Theo dõi filtered by one unit, the bounded way and the old way, interleaved on one database.

The bounded way (engine.monitoring._unit_first, migration 0021) reads each of the unit's keys as
an index range in the page's order cut at the page or the counts' cap (on PostgreSQL the counts
read their steps' columns in the same pass, `_unit_rows`); the old way selects every open step
of the unit (`open_where`'s unit clause, which the export still uses) and sorts them.
Each run alternates the two in fresh read transactions, checks that they give the same page
and counts, and prints p50 / p95 and the statements of one call. Run it on a database that
bench/scale.py filled (and migrated with `--keep`):

    .venv/bin/python bench/monitor_unit.py --url postgresql+psycopg://…/bench_scale \
        --units phong_qlkh,phong_qlkhcn_cs,don_vi_05 --runs 15

`--waits` does the same for Theo dõi's list of items waiting for a message or signal held by
nobody (`engine.waiting_items`, its first 20): the old way looks for an open step of every
wait's item, the new one reads the waits' `held` (migration 0022).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, exists

import engine
from engine import MonitorFilter, monitor_sql, transaction
from engine import monitoring as m
from engine import subscriptions as subs
from engine.human_tasks import HumanTaskModel
from engine.views import TaskStatus

NOW = datetime(2026, 4, 1, tzinfo=UTC)  # bench/scale.py's pinned clock


def old_where(session: Any, query: Any, filters: MonitorFilter, _cursor: bool, _limit: int) -> Any:
    return m._open_where(session, query, filters)


def old_held_by_nobody() -> Any:
    """The unheld waits as found before migration 0022: no open step of the wait's item."""
    return ~exists().where(
        HumanTaskModel.instance_id == subs.WaitingEventModel.instance_id,
        HumanTaskModel.status == TaskStatus.OPEN,
    )


def interleaved(
    factory: Any, count: list[int], runs: int, label: str, ways: dict[str, Any], call: Any
) -> Any | None:
    """Each way in turn in a fresh read transaction (`ways`: a name and a function that sets
    it up); p50 / p95, this process's CPU time (p50: what a loaded machine distorts least) and
    the statements printed; the ways' one answer, or None when they differ."""
    times: dict[str, list[float]] = {name: [] for name in ways}
    cpu: dict[str, list[float]] = {name: [] for name in ways}
    statements: dict[str, int] = {}
    answers: dict[str, Any] = {}
    for run in range(runs + 1):  # the first run warms up
        for name, setup in ways.items():
            setup()
            with transaction(factory, write=False) as s:
                count[0] = 0
                begin, begin_cpu = time.perf_counter(), time.process_time()
                answers[name] = call(s)
                took = (time.perf_counter() - begin) * 1000
                took_cpu = (time.process_time() - begin_cpu) * 1000
            if run:
                times[name].append(took)
                cpu[name].append(took_cpu)
            statements[name] = count[0]
    for name, found in times.items():
        found.sort()
        p95 = found[round(0.95 * (len(found) - 1))]
        print(
            f"{label:18} {name:8} p50 {statistics.median(found):7.1f} p95 {p95:7.1f} ms,"
            f" CPU p50 {statistics.median(cpu[name]):6.1f} ms, {statements[name]} statements"
        )
    answer = answers[next(iter(ways))]  # the first way's, as every other way's must be
    return answer if all(repr(a) == repr(answer) for a in answers.values()) else None


def waits(factory: Any, count: list[int], runs: int) -> int:
    new = subs.held_by_nobody
    ways = {
        "old": lambda: setattr(subs, "held_by_nobody", old_held_by_nobody),
        "held": lambda: setattr(subs, "held_by_nobody", new),
    }
    try:
        same = interleaved(
            factory, count, runs, "waiting_items", ways, lambda s: engine.waiting_items(s, limit=20)
        )
    finally:
        subs.held_by_nobody = new
    if same is None:
        print("waiting_items: the two ways differ", file=sys.stderr)
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--units", default="phong_qlkh,phong_qlkhcn_cs")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--waits", action="store_true", help="the waiting items, old and new")
    args = parser.parse_args(argv)
    db = engine.create_db_engine(args.url)
    factory = engine.session_factory(db)
    count = [0]

    @event.listens_for(db, "before_cursor_execute")
    def _note(*_args: Any) -> None:
        count[0] += 1

    if args.waits:
        try:
            return waits(factory, count, args.runs)
        finally:
            db.dispose()
    # Each way with its own statements built once (engine.monitor_sql.built_once keeps them by
    # shape, not by way); the old way counts a unit's steps through its page's clause too.
    bounded = (m._page_where, m._unit_rows, monitor_sql._BUILT)
    old: tuple[Any, Any, dict[tuple[Any, ...], Any]] = (old_where, m._summary_rows, {})

    def use(way: tuple[Any, Any, dict[tuple[Any, ...], Any]]) -> None:
        m._page_where, m._unit_rows, monitor_sql._BUILT = way

    def counts(unit: str) -> Any:
        def call(s: Any) -> Any:
            r = engine.monitor(s, NOW, MonitorFilter(unit=unit))
            return (r.total, r.capped, r.rows, r.per_step, r.per_unit)

        return call

    ways = {"old": lambda: use(old), "bounded": lambda: use(bounded)}
    try:
        for unit in args.units.split(","):
            same = interleaved(factory, count, args.runs, unit, ways, counts(unit))
            if same is None:
                print(f"{unit}: the two ways differ", file=sys.stderr)
                return 1
            print(f"{unit:18} total {same[0]}{' (capped)' if same[1] else ''}")
    finally:
        use(bounded)
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
