"""How long worker processes take to drain a backlog of due timers, and that each fires once.

Fills a database with `--items` items of tests/fixtures/camunda/unit_task.bpmn, started through
the engine (a boundary timer escalates each after 10 days), then moves the clock 11 days on and
starts `--workers` processes that call `engine.run_due_timers` together, as `pheduyet timers`
workers do. It prints the time from their common start until the last one ends, each worker's
share, and then checks from the audit log that every item has exactly one `timer_fired` event
and that nothing is left due. This is a benchmark, not a test:

    .venv/bin/python bench/timers.py --db postgresql+psycopg://postgres@127.0.0.1:5432/bench_timers
    .venv/bin/python bench/timers.py                      # a SQLite file in /tmp

A PostgreSQL database is created if missing and emptied first (its `public` schema dropped and
created again), so the script refuses one whose name does not start with `bench`.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shlex
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, make_url, text

import engine

ROOT = Path(__file__).resolve().parent.parent

FIXTURE = ROOT / "tests" / "fixtures" / "camunda" / "unit_task.bpmn"
DEFAULT_DB = "sqlite:////tmp/pheduyet-bench-timers.db"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = START + timedelta(days=11)  # past the 10-day escalation of every item
UNIT_TASK = {"lead_unit": "Phòng Quản lý Khoa học", "deadline": "2026-04-01", "leader": "binh"}
STARTS_PER_TRANSACTION = 100
CTX = multiprocessing.get_context("fork")


def reset_database(url: str) -> None:
    """An empty database at `url`: the SQLite file removed, or PostgreSQL's public schema
    dropped and made again (only in a database named bench*)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if not (parsed.database or "").startswith("bench"):
        raise SystemExit(f"refusing to empty {parsed.database!r}: its name must start with 'bench'")
    create_database(url)
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    admin.dispose()


def create_database(url: str) -> None:
    """Create the PostgreSQL database named in `url` if it does not exist yet."""
    parsed = make_url(url)
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        exists = conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": parsed.database}
        ).first()
        if not exists:
            conn.execute(text(f'CREATE DATABASE "{parsed.database}"'))
    server.dispose()


def prepare(url: str) -> None:
    db = engine.create_db_engine(url)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    clock = engine.ManualClock(START)
    with engine.transaction(factory) as s:
        engine.add_group(s, "staff", "Staff")
        engine.add_group(s, "heads", "Heads")
        engine.add_group(s, "phong_qlkh", "Phòng Quản lý Khoa học")
        engine.add_user(s, "an", display_name="Nguyễn Văn An", groups=["staff"])
        engine.add_user(s, "binh", display_name="Lê Văn Bình", groups=["heads"])
        engine.add_user(s, "em", display_name="Võ Em", unit="phong_qlkh")
        engine.deploy(s, [engine.SourceFile(FIXTURE.name, FIXTURE.read_bytes())], clock)
    db.dispose()


def _fill(url: str, count: int, results: Queue[tuple[str, Any]]) -> None:
    """In a child process: start `count` items through the engine, a hundred a transaction."""
    try:
        db = engine.create_db_engine(url)
        factory = engine.session_factory(db)
        config = engine.EngineConfig(clock=engine.ManualClock(START))
        left = count
        while left:
            with engine.transaction(factory) as s:
                for _ in range(min(left, STARTS_PER_TRANSACTION)):
                    engine.start_instance(s, config, "unit_task", "an", data=UNIT_TASK)
                    left -= 1
        db.dispose()
        results.put(("ok", count))
    except BaseException as exc:
        results.put(("failed", repr(exc)))
        raise


def _work(url: str, batch: int, barrier: Barrier, results: Queue[tuple[str, Any]]) -> None:
    """In a child process: wait for the others, fire whatever is due, report count and time."""
    try:
        db = engine.create_db_engine(url)
        factory = engine.session_factory(db)
        config = engine.EngineConfig(clock=engine.ManualClock(LATER))
        with engine.transaction(factory, write=False) as s:  # connect before the clock starts
            s.execute(text("SELECT 1"))
        barrier.wait(120)
        begin = time.perf_counter()
        fired = engine.run_due_timers(factory, config, batch_size=batch)
        results.put(("ok", (fired, time.perf_counter() - begin, time.process_time())))
        db.dispose()
    except BaseException as exc:
        results.put(("failed", repr(exc)))
        raise


def run_processes(target: Any, args_list: list[tuple[Any, ...]]) -> list[Any]:
    """Start one process per args tuple (a results queue appended), return their reports."""
    results: Queue[tuple[str, Any]] = CTX.Queue()
    procs = [CTX.Process(target=target, args=(*args, results)) for args in args_list]
    for proc in procs:
        proc.start()
    reports = [results.get(timeout=3600) for _ in procs]
    for proc in procs:
        proc.join()
    failed = [r for r in reports if r[0] != "ok"]
    if failed:
        raise SystemExit(f"a process failed: {failed}")
    return [value for _, value in reports]


def check(url: str, items: int) -> tuple[int, int, int, int]:
    """From the database: items, items with exactly one timer_fired, extra firings, still due."""
    db = engine.create_db_engine(url)
    with db.connect() as conn:
        total = conn.execute(text("SELECT count(*) FROM instances")).scalar_one()
        per_item = conn.execute(
            text(
                "SELECT i.id, count(a.id) FROM instances i LEFT JOIN audit_events a"
                " ON a.instance_id = i.id AND a.kind = 'timer_fired' GROUP BY i.id"
            )
        ).all()
        due = conn.execute(
            text(
                "SELECT count(*) FROM instances WHERE status = 'running'"
                " AND next_timer_at <= :later"
            ),
            {"later": LATER if db.dialect.name != "sqlite" else LATER.replace(tzinfo=None)},
        ).scalar_one()
    db.dispose()
    once = sum(1 for _, n in per_item if n == 1)
    extra = sum(n - 1 for _, n in per_item if n > 1)
    assert total == items, (total, items)
    return total, once, extra, due


def git_state() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "engine"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    return f"{head}{' (engine/ has uncommitted changes)' if dirty else ''}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", default=DEFAULT_DB, help=f"database URL (default {DEFAULT_DB})")
    parser.add_argument("--items", type=int, default=10_000, help="items with a due timer")
    parser.add_argument("--workers", type=int, default=2, help="timer worker processes")
    parser.add_argument("--batch", type=int, default=50, help="instances per transaction")
    parser.add_argument("--fill-processes", type=int, default=2, help="processes that fill")
    args = parser.parse_args(argv)
    url = args.db
    print(f"database: {make_url(url).render_as_string(hide_password=True)}")
    print(f"git {git_state()}, load average before: {os.getloadavg()[0]:.2f}")

    reset_database(url)
    prepare(url)
    begin = time.perf_counter()
    shares = [args.items // args.fill_processes] * args.fill_processes
    shares[0] += args.items - sum(shares)
    run_processes(_fill, [(url, n) for n in shares if n])
    fill_s = time.perf_counter() - begin
    print(f"filled {args.items} items through the engine in {fill_s:.1f} s")

    barrier = CTX.Barrier(args.workers)
    reports = run_processes(_work, [(url, args.batch, barrier)] * args.workers)
    drain_s = max(seconds for _, seconds, _ in reports)
    total, once, extra, due = check(url, args.items)

    print(f"\n{args.workers} workers, batches of {args.batch}:")
    for n, (fired, seconds, cpu) in enumerate(reports, 1):
        print(f"  worker {n}: {fired} items in {seconds:.1f} s (process CPU {cpu:.1f} s)")
    print(f"drained {sum(r[0] for r in reports)} due timers in {drain_s:.1f} s")
    print(f"  = {sum(r[0] for r in reports) / drain_s:.0f} timers/s")
    print(f"audit: {once} of {total} items fired exactly once, {extra} extra firings, {due} due")
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    command = shlex.join(sys.argv[1:] if argv is None else argv)
    print(f"command: .venv/bin/python bench/timers.py {command}")
    return 0 if once == total and not extra and not due else 1


if __name__ == "__main__":
    raise SystemExit(main())
