"""Pages at 10k, 100k and 1M human-task rows, measured in-process through the Flask test client.

For each database (a SQLite file in /tmp, and/or the PostgreSQL database `bench_scale`, created if
missing and emptied), the script:

1. loads the demo org chart and deploys the department's diagrams (bpmn/);
2. fills a first batch through real engine actions: `--seed` items of `giao_nhiem_vu` spread over
   the units, some only assigned, some with progress updates, some reported and accepted, some
   past their deadline (their escalation timers fired by `run_due_timers`);
3. grows to each size by bulk copies of that batch in SQL (INSERT ... SELECT over a series of copy
   numbers): every table that refers to instances or human tasks is copied with instance ids,
   task ids and other keys moved by the copy number, so foreign keys hold and listings show the
   copies as real rows. A copied task's id is not in its copied workflow state, so the item page
   and the task POST are measured on items the engine made; the copies' audit events are left
   out of the keyed chain (chain_seq NULL), so `audit verify` reports them;
4. measures, at each size, as real users of the demo org logged in through the login form, with
   the clock pinned: the inbox `/` (a unit's staff member), Theo dõi `/monitor/` (all, and one
   unit's) and a process's steps `/monitor/processes/giao_nhiem_vu` (the director), an item
   page, `pheduyet stuck --json` (the CLI, in-process), the Excel export `/monitor/export.xlsx`
   (time, rows, and the peak of Python allocations in one extra run under tracemalloc) and a
   task POST (a progress update on a fresh item; only the POST is timed). It prints p50/p95
   and the SQL statements of one run (an SQLAlchemy `before_cursor_execute` listener on every
   engine).

Pages are reached by their URLs only, so the figures follow whatever the pages' queries are now.
This is a benchmark, not a test:

    .venv/bin/python bench/scale.py --db both --sizes 10k,100k       # make bench-scale
    .venv/bin/python bench/scale.py --db pg --sizes 10k,100k,1M
    .venv/bin/python bench/scale.py --quick                          # 10k, SQLite, 5 runs
"""

from __future__ import annotations

import argparse
import io
import os
import re
import shlex
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, MetaData, create_engine, event, make_url, text

import engine
from engine import ManualClock, SourceFile, transaction
from engine.step_totals import recount
from workflows import engine_config
from workflows.org_chart import (
    CHART_2020_PATH,
    OrgChart,
    Person,
    Unit,
    add_unit,
    leaders_group,
    load_org_chart,
    read_org_chart,
)

ROOT = Path(__file__).resolve().parent.parent
BPMN = ROOT / "bpmn"
SQLITE_URL = "sqlite:////tmp/pheduyet-bench-scale.db"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_scale"
SIZES = {"10k": 10_000, "100k": 100_000, "320k": 320_000, "1M": 1_000_000}  # 320k: ~100k open
PASSWORD = "mật khẩu bench"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hà Nội
NOW = START + timedelta(days=30)
HEAVY_USER = "cs.cv1"  # staff of phong_qlkhcn_cs, the busiest unit
HEAVY_UNIT = "phong_qlkhcn_cs"
HEAVY_SHARE = 10  # one item in HEAVY_SHARE goes to the busiest unit, beside its even share
TYPICAL_USER = "qlkh.cv1"  # staff of phong_qlkh, a unit with an even share
EXTRA_UNITS = 21  # beside the chart's 9: a province spreads its work over some 20-30 units
AUDITOR = "giamdoc"
STARTER = "vp.tp"
PROCESS = "giao_nhiem_vu"
COPIES_PER_STATEMENT = 50
# Files on disk and one-off keys are not copied with an item.
NOT_COPIED = {"attachments", "start_keys"}
# Rows the database writes by itself when another table gets rows (engine migration 0025).
FILLED_BY_TRIGGERS = frozenset({"item_candidates"})
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_REVISION = re.compile(r'name="_revision" value="(\d+)"')


# --------------------------------------------------------------------------------------------
# Databases


def reset_database(url: str) -> None:
    """An empty database: the SQLite file removed, or PostgreSQL's public schema made again
    (only in a database named bench*, created if missing)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
        return
    name = parsed.database or ""
    if not name.startswith("bench"):
        raise SystemExit(f"refusing to empty {name!r}: its name must start with 'bench'")
    server = create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        if not conn.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}
        ).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    admin.dispose()


def bpmn_files() -> list[SourceFile]:
    return [
        SourceFile(p.name, p.read_bytes())
        for p in sorted(BPMN.rglob("*"))
        if p.suffix in (".bpmn", ".json")
    ]


def actor_of(chart: OrgChart, unit: str) -> str:
    """A staff member of the unit (a .cv account), else its first person."""
    people = [p.username for p in chart.people if p.unit == unit]
    staff = [p for p in people if ".cv" in p]
    return (staff or people)[0]


@dataclass
class Seeded:
    items: int
    actions: int
    seconds: float
    sample_item: int  # an item the engine made, for the item page


def seed(url: str, count: int) -> Seeded:
    """The first batch, through the engine: `count` assignments spread over the units."""
    db = engine.create_db_engine(url)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    clock = ManualClock(START)
    config = engine_config(clock)
    # The 2020 chart: the plan and the people (cs.cv1, the busiest unit's staff) are its own.
    chart = read_org_chart(CHART_2020_PATH)
    begin = time.perf_counter()
    with transaction(factory) as s:
        load_org_chart(s, chart, password=PASSWORD)
        chart = _with_extra_units(s, chart)
        engine.deploy(s, bpmn_files(), clock)
    units = [u.key for u in chart.units]
    actions = 0
    sample = 0
    for n in range(count):
        unit = HEAVY_UNIT if n % HEAVY_SHARE == 0 else units[n % len(units)]
        who = actor_of(chart, unit)
        overdue = n % 5 == 0
        data = {
            "section": f"II.{n % 7 + 1}",
            "noi_dung": f"Nhiệm vụ số {n}: tham mưu triển khai kế hoạch KH&CN",
            "don_vi_chu_tri": unit,
            "don_vi_phoi_hop": ["Các phòng, đơn vị trực thuộc Sở"],
            "loai_han": "date",
            "gia_tri_han": "2026-03-20" if overdue else "2026-06-30",
        }
        clock.set(START + timedelta(minutes=7 * n))
        with transaction(factory) as s:
            item = engine.start_instance(s, config, PROCESS, STARTER, data=data)
        actions += 1
        stage = n % 4  # 0: assigned; 1, 2: progress updates; 3: reported and accepted
        progress = [(30 * (k + 1), f"Cập nhật lần {k + 1}", False) for k in range(min(stage, 2))]
        if stage == 3:
            progress.append((100, "Đã xong", True))
        for percent, words, done in progress:
            update = {"ty_le_hoan_thanh": percent, "noi_dung_cap_nhat": words, "hoan_thanh": done}
            _act(factory, config, who, item, "cap_nhat_tien_do", update)
            actions += 1
        if stage == 3:
            _act(
                factory,
                config,
                who,
                item,
                "bao_cao_ket_qua",
                {
                    "so_bao_cao": f"{n}/BC",
                    "ket_qua": "Hoàn thành",
                },
            )
            _act(factory, config, "giamdoc", item, "danh_gia_ket_qua", {"decision": "chap_nhan"})
            actions += 2
        if stage == 1 and not sample:
            sample = item
    clock.set(NOW)
    while engine.run_due_timers(factory, config):
        pass
    db.dispose()
    return Seeded(count, actions, time.perf_counter() - begin, sample)


def _with_extra_units(session: Any, chart: OrgChart) -> OrgChart:
    """The chart with EXTRA_UNITS more units (each with a leader and a staff member), so the
    work spreads as in a province, not over the Sở's 9 units only."""
    units, people = list(chart.units), list(chart.people)
    for i in range(1, EXTRA_UNITS + 1):
        key, name = f"don_vi_{i:02d}", f"Đơn vị trực thuộc số {i:02d}"
        add_unit(session, key, name)
        units.append(Unit(key, name, leaders_group(key)))
        for role, title, groups in (
            ("tp", "Trưởng phòng", (leaders_group(key),)),
            ("cv1", "Chuyên viên", ()),
        ):
            username = f"dv{i:02d}.{role}"
            engine.add_user(
                session,
                username,
                display_name=f"Cán bộ {username} ({title})",
                unit=key,
                groups=groups,
                password=PASSWORD,
            )
            people.append(Person(username, username, title, key, groups))
    return replace(chart, units=tuple(units), people=tuple(people))


def _act(
    factory: Any, config: Any, who: str, item: int, element: str, data: dict[str, Any]
) -> None:
    with transaction(factory) as s:
        [task] = [t for t in engine.open_tasks(s, item) if t.element_id == element]
        engine.complete_task(s, config, task.id, who, data=data)


# --------------------------------------------------------------------------------------------
# Bulk copies


@dataclass
class CopyPlan:
    """The seed's extent, taken once: what a copy numbered k shifts its keys by."""

    tables: list[str]  # in foreign-key order
    seed_instance_max: int
    spans: dict[str, int]  # integer primary key spans of the copied tables
    next_copy: int = 1


def copy_plan(db: Engine) -> CopyPlan:
    meta = MetaData()
    meta.reflect(db)
    wanted = {"instances", "human_tasks"}
    changed = True
    while changed:  # every table that refers, directly or not, to a copied one
        changed = False
        for table in meta.sorted_tables:
            if table.name in wanted or table.name in NOT_COPIED:
                continue
            if any(fk.column.table.name in wanted for fk in table.foreign_keys):
                wanted.add(table.name)
                changed = True
    tables = [t.name for t in meta.sorted_tables if t.name in wanted]
    spans: dict[str, int] = {}
    with db.connect() as conn:
        seed_max = conn.execute(text("SELECT max(id) FROM instances")).scalar_one()
        for name in tables:
            pk = meta.tables[name].primary_key.columns.values()
            if len(pk) == 1 and pk[0].name == "id" and _is_int(pk[0]):
                spans[name] = conn.execute(text(f"SELECT max(id) FROM {name}")).scalar_one() or 0
    return CopyPlan(tables, seed_max, spans)


def _is_int(column: Any) -> bool:
    try:
        return column.type.python_type is int
    except NotImplementedError:
        return False


def _refers_to(column: Any, table: str) -> bool:
    return any(fk.column.table.name == table for fk in column.foreign_keys)


def _copy_statement(
    db: Engine, plan: CopyPlan, name: str, meta: MetaData, bases: dict[str, int], k: range
) -> str:
    """INSERT ... SELECT that copies the seed rows of `name` once per copy number in `k`.

    Copy number j of this round takes integer ids above `bases` (each table's largest id when
    the round began, so rows the engine added since are never met), a block of the seed's span
    each; task ids keep their uuid shape with the global copy number as their last digits."""
    table = meta.tables[name]
    pg = db.dialect.name == "postgresql"
    span = plan.seed_instance_max
    k0, k1, first = k.start, k.stop - 1, bases["_first"]

    def shifted(expr: str, table_name: str, table_span: int) -> str:
        return f"{expr} + {bases[table_name]} + (ks.k - {first}) * {table_span}"

    def task_key(expr: str) -> str:
        # The same uuid's first 24 characters, the copy number as its last 12 hex digits.
        hexed = "lpad(to_hex(ks.k), 12, '0')" if pg else "printf('%012x', ks.k)"
        return f"(substr({expr}, 1, 24) || {hexed})"

    out = []
    for column in table.columns:
        c = f"t.{column.name}"
        is_item = (name == "instances" and column.name == "id") or _refers_to(column, "instances")
        if is_item or (column.name == "instance_id" and _is_int(column)):
            out.append(shifted(c, "instances", span))
        elif (name == "human_tasks" and column.name == "id") or _refers_to(column, "human_tasks"):
            out.append(task_key(c))
        elif name == "audit_events" and column.name == "task_id":
            out.append(f"CASE WHEN {c} IS NULL THEN NULL ELSE {task_key(c)} END")
        elif name == "audit_events" and column.name == "chain_seq":
            out.append("NULL")  # outside the keyed chain: see the module's docstring
        elif column.name == "id" and name in plan.spans:
            out.append(shifted(c, name, plan.spans[name]))
        else:
            out.append(c)
    if name == "instances":
        seed_filter = f"t.id <= {span}"
    elif "instance_id" in table.columns:
        seed_filter = f"t.instance_id <= {span}"
    else:
        task_fk = next(c.name for c in table.columns if _refers_to(c, "human_tasks"))
        seed_filter = f"t.{task_fk} IN (SELECT id FROM human_tasks WHERE instance_id <= {span})"
    series = (
        f"generate_series({k0}, {k1}) AS ks(k)"
        if pg
        else f"(WITH RECURSIVE s(k) AS (SELECT {k0} UNION ALL SELECT k + 1 FROM s WHERE k < {k1})"
        " SELECT k FROM s) AS ks"
    )
    columns = ", ".join(c.name for c in table.columns)
    # A table the database also fills by itself from another copied one (item_candidates, from
    # task_candidates' trigger): the copy may find some of its rows there already.
    kept = name in FILLED_BY_TRIGGERS
    return (
        f"INSERT {'OR IGNORE ' if kept and not pg else ''}INTO {name} ({columns}) "
        f"SELECT {', '.join(out)} FROM {name} AS t CROSS JOIN {series} WHERE {seed_filter}"
        f"{' ON CONFLICT DO NOTHING' if kept and pg else ''}"
    )


def grow(db: Engine, plan: CopyPlan, target_tasks: int) -> tuple[int, float]:
    """Copy the seed until human_tasks holds at least `target_tasks` rows; returns the count."""
    begin = time.perf_counter()
    meta = MetaData()
    meta.reflect(db)
    with db.connect() as conn:
        have = conn.execute(text("SELECT count(*) FROM human_tasks")).scalar_one()
        per_copy = conn.execute(
            text("SELECT count(*) FROM human_tasks WHERE instance_id <= :m"),
            {"m": plan.seed_instance_max},
        ).scalar_one()
        bases = {
            name: conn.execute(text(f"SELECT coalesce(max(id), 0) FROM {name}")).scalar_one()
            for name in plan.spans
        }
    needed = max(0, -(-(target_tasks - have) // per_copy))
    last = plan.next_copy + needed - 1
    bases["_first"] = k0 = plan.next_copy
    while k0 <= last:
        k1 = min(last, k0 + COPIES_PER_STATEMENT - 1)
        with db.begin() as conn:
            for name in plan.tables:
                statement = _copy_statement(db, plan, name, meta, bases, range(k0, k1 + 1))
                conn.execute(text(statement))
        k0 = k1 + 1
    plan.next_copy = last + 1
    with db.begin() as conn:
        recount(conn)  # the copies went around the engine: its step totals are rebuilt
        if db.dialect.name == "postgresql":
            for name in plan.spans | {"instances": 0}:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                        f" (SELECT max(id) FROM {name}))"
                    )
                )
        else:
            conn.execute(text("ANALYZE"))
        have = conn.execute(text("SELECT count(*) FROM human_tasks")).scalar_one()
    if db.dialect.name == "postgresql":
        vacuum(db)
    return have, time.perf_counter() - begin


def vacuum(db: Engine) -> None:
    """As autovacuum leaves a table that stopped changing: statistics and the visibility map,
    without which every index-only scan still reads the table's pages."""
    with db.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))


def counts(db: Engine) -> dict[str, int]:
    with db.connect() as conn:
        return {
            "items": conn.execute(text("SELECT count(*) FROM instances")).scalar_one(),
            "running": conn.execute(
                text("SELECT count(*) FROM instances WHERE status = 'running'")
            ).scalar_one(),
            "tasks": conn.execute(text("SELECT count(*) FROM human_tasks")).scalar_one(),
            "open": conn.execute(
                text("SELECT count(*) FROM human_tasks WHERE status = 'open'")
            ).scalar_one(),
            "audit": conn.execute(text("SELECT count(*) FROM audit_events")).scalar_one(),
        }


# --------------------------------------------------------------------------------------------
# Measuring


class Statements:
    """SQL statements sent by any engine in this process while counting."""

    def __init__(self) -> None:
        self.count = 0
        event.listen(Engine, "before_cursor_execute", self._note)
        # SQLite's BEGIN goes to the driver past the statement events (engine.db).
        event.listen(Engine, "begin", self._note_begin)

    def _note(self, *_args: Any) -> None:
        self.count += 1

    def _note_begin(self, connection: Any) -> None:
        if connection.dialect.name == "sqlite":
            self.count += 1

    @contextmanager
    def counting(self) -> Iterator[list[int]]:
        start = self.count
        box = [0]
        try:
            yield box
        finally:
            box[0] = self.count - start


@dataclass
class Figure:
    page: str
    p50_ms: float
    p95_ms: float
    statements: int
    note: str = ""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(
    stmts: Statements, runs: int, call: Callable[[], Any], check: Callable[[Any], None]
) -> tuple[list[float], int, Any]:
    """Run `call` once to warm up (its statements counted), then `runs` times timed."""
    with stmts.counting() as box:
        result = call()
    check(result)
    times = []
    for _ in range(runs):
        begin = time.perf_counter()
        call()
        times.append(1000 * (time.perf_counter() - begin))
    return times, box[0], result


def app_for(url: str) -> Flask:
    from web import create_app

    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "UPLOAD_FOLDER": "/tmp/pheduyet-bench-scale-files",
            "NOW": ManualClock(NOW),
        }
    )


def log_in(app: Flask, username: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = _TOKEN.search(page)
    assert token, "no CSRF token on the login page"
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD, "csrf_token": token.group(1)}
    )
    assert response.status_code == 302, f"{username} could not log in"
    return client


def ok(response: Any) -> None:
    assert response.status_code == 200, (response.status_code, response.get_data()[:300])


def measure(url: str, sample_item: int, runs: int, stmts: Statements) -> list[Figure]:
    app = app_for(url)
    factory = app.extensions["pheduyet.sessions"]
    staff = log_in(app, HEAVY_USER)
    typical = log_in(app, TYPICAL_USER)
    leader = log_in(app, AUDITOR)
    figures = []
    for label, client, path in (
        ("inbox / (a unit's staff)", typical, "/"),
        ("inbox / (the busiest unit's staff)", staff, "/"),
        ("Theo dõi /monitor/", leader, "/monitor/"),
        (f"Theo dõi /monitor/ ({TYPICAL_USER}'s unit)", leader, "/monitor/?unit=phong_qlkh"),
        ("steps /monitor/processes/giao_nhiem_vu", leader, f"/monitor/processes/{PROCESS}"),
        ("item page", leader, f"/items/{sample_item}"),
    ):
        times, count, response = timed(stmts, runs, lambda c=client, p=path: c.get(p), ok)
        size = len(response.get_data())
        figures.append(
            Figure(label, statistics.median(times), percentile(times, 0.95), count, f"{size} B")
        )
    figures.extend(_queries(factory, runs, stmts))
    figures.append(_stuck(url, runs, stmts))
    figures.append(_export(leader, max(3, runs // 5), stmts))
    figures.append(_posts(app, factory, staff, runs, stmts))
    return figures


def _queries(factory: Any, runs: int, stmts: Statements) -> list[Figure]:
    """The read models alone, each in its own read transaction (what the pages cost without
    Flask, the login check and the template)."""
    with transaction(factory) as s:
        typical, heavy = (engine.get_identity(s, u) for u in (TYPICAL_USER, HEAVY_USER))
    found = []
    for label, call in (
        (f"query engine.inbox ({TYPICAL_USER})", lambda s: engine.inbox(s, typical, NOW)),
        (f"query engine.inbox ({HEAVY_USER})", lambda s: engine.inbox(s, heavy, NOW)),
        ("query engine.monitor (no filter)", lambda s: engine.monitor(s, NOW, _no_filter)),
        (
            f"query engine.monitor ({TYPICAL_USER}'s unit)",
            lambda s: engine.monitor(s, NOW, engine.MonitorFilter(unit="phong_qlkh")),
        ),
        # Theo dõi's list of items waiting for a message or signal (its first page only).
        ("query engine.waiting_items", lambda s: engine.waiting_items(s, limit=20)),
    ):

        def once(call: Callable[[Any], Any] = call) -> Any:
            with transaction(factory) as s:
                return call(s)

        times, count, result = timed(stmts, runs, once, lambda _r: None)
        note = f"total {result.total}" if hasattr(result, "total") else ""
        if isinstance(result, list):
            note = f"{len(result)} rows"
        found.append(Figure(label, statistics.median(times), percentile(times, 0.95), count, note))
    return found


_no_filter = engine.MonitorFilter()


def _stuck(url: str, runs: int, stmts: Statements) -> Figure:
    from cli.main import main as cli

    env = {"PHEDUYET_DATABASE_URL": url}
    args = ["stuck", "--json", "--now", NOW.isoformat()]

    def call() -> Any:
        return CliRunner().invoke(cli, args, env=env, catch_exceptions=False)

    def check(result: Any) -> None:
        assert result.exit_code == 0, result.output[:500]

    times, count, result = timed(stmts, max(3, runs // 4), call, check)
    rows = result.output.count('"instance_id"')
    return Figure(
        "pheduyet stuck --json",
        statistics.median(times),
        percentile(times, 0.95),
        count,
        f"{rows} rows",
    )


def _export(client: FlaskClient, runs: int, stmts: Statements) -> Figure:
    times, count, response = timed(stmts, runs, lambda: client.get("/monitor/export.xlsx"), ok)
    body = response.get_data()
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(body), read_only=True)
    # A streamed workbook records no dimensions: count what is there.
    rows = sum(1 for sheet in book.worksheets for _ in sheet.iter_rows(values_only=True))
    tracemalloc.start()
    client.get("/monitor/export.xlsx")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return Figure(
        "export /monitor/export.xlsx",
        statistics.median(times),
        percentile(times, 0.95),
        count,
        f"{rows} sheet rows, {len(body) // 1024} KB, peak {peak / 2**20:.0f} MB allocated",
    )


def _posts(app: Flask, factory: Any, client: FlaskClient, runs: int, stmts: Statements) -> Figure:
    """A progress update on fresh items the engine made; only the POST itself is timed."""
    config = engine_config(ManualClock(NOW))
    data = {
        "section": "II.1",
        "noi_dung": "Nhiệm vụ đo thời gian gửi",
        "don_vi_chu_tri": HEAVY_UNIT,
        "don_vi_phoi_hop": ["Các phòng, đơn vị trực thuộc Sở"],
        "loai_han": "date",
        "gia_tri_han": "2026-06-30",
    }
    times, count = [], 0
    for n in range(runs + 1):
        with transaction(factory) as s:
            item = engine.start_instance(s, config, PROCESS, STARTER, data=data)
            [task] = engine.open_tasks(s, item)
        url = f"/tasks/{task.id}"
        page = client.get(url).get_data(as_text=True)
        token, revision = _TOKEN.search(page), _REVISION.search(page)
        assert token and revision, "no form on the task page"
        form = {
            "csrf_token": token.group(1),
            "_revision": revision.group(1),
            "ty_le_hoan_thanh": "60",
            "noi_dung_cap_nhat": "Đã xong dự thảo",
        }
        with stmts.counting() as box:
            begin = time.perf_counter()
            response = client.post(url, data=form)
            elapsed = 1000 * (time.perf_counter() - begin)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        if n == 0:
            count = box[0]  # the first one warms up
        else:
            times.append(elapsed)
    return Figure("task POST", statistics.median(times), percentile(times, 0.95), count)


# --------------------------------------------------------------------------------------------
# Main


def git_state() -> str:
    head = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "engine", "web", "workflows"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return f"{head}{' (engine/web/workflows have uncommitted changes)' if dirty else ''}"


def _sample_file(url: str) -> Path:
    return Path(f"/tmp/pheduyet-bench-scale-{make_url(url).get_backend_name()}.sample")


def run_backend(
    url: str, sizes: list[str], seed_items: int, runs: int, stmts: Statements, keep: bool = False
) -> None:
    shown = make_url(url).render_as_string(hide_password=True)
    print(f"\n=== {shown}")
    db = engine.create_db_engine(url)
    if keep:  # measure the database as it is, filled by an earlier run (migrated if needed)
        with db.connect() as conn:
            before = MigrationContext.configure(conn).get_current_revision()
        engine.upgrade_database(db)
        with db.connect() as conn:
            after = MigrationContext.configure(conn).get_current_revision()
        if after != before:
            if db.dialect.name == "postgresql":
                vacuum(db)  # after a backfill, as an operator should (dead rows, statistics)
            print(f"migrated {before} -> {after}")
        sample = int(_sample_file(url).read_text())
        print(f"kept as filled: {counts(db)}")
        print(f"{'page':42} {'p50 ms':>9} {'p95 ms':>9} {'stmts':>6}  note")
        for fig in measure(url, sample, runs, stmts):
            figures = f"{fig.p50_ms:9.1f} {fig.p95_ms:9.1f} {fig.statements:6d}"
            print(f"{fig.page:42} {figures}  {fig.note}", flush=True)
        db.dispose()
        return
    reset_database(url)
    seeded = seed(url, seed_items)
    _sample_file(url).write_text(str(seeded.sample_item))
    print(
        f"first batch through the engine: {seeded.items} items, {seeded.actions} actions,"
        f" {seeded.seconds:.1f} s; {counts(db)}"
    )
    plan = copy_plan(db)
    print(f"copied per size: {', '.join(plan.tables)}")
    for size in sizes:
        _tasks, seconds = grow(db, plan, SIZES[size])
        print(f"\n--- {size}: grown to {counts(db)} by bulk copies in {seconds:.1f} s")
        print(f"{'page':42} {'p50 ms':>9} {'p95 ms':>9} {'stmts':>6}  note")
        for fig in measure(url, seeded.sample_item, runs, stmts):
            figures = f"{fig.p50_ms:9.1f} {fig.p95_ms:9.1f} {fig.statements:6d}"
            print(f"{fig.page:42} {figures}  {fig.note}", flush=True)
    db.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="of 10k,100k,1M (human-task rows)")
    parser.add_argument("--db", choices=("sqlite", "pg", "both"), default="both")
    parser.add_argument("--pg-url", default=PG_URL, help="a database named bench*")
    parser.add_argument("--sqlite-url", default=SQLITE_URL)
    parser.add_argument("--runs", type=int, default=20, help="timed runs per page")
    parser.add_argument("--seed", type=int, default=200, help="items made through the engine")
    parser.add_argument(
        "--keep", action="store_true", help="measure the database as an earlier run left it"
    )
    parser.add_argument("--quick", action="store_true", help="10k, SQLite, 5 runs, 60 items")
    args = parser.parse_args(argv)
    sizes = args.sizes.split(",")
    unknown = [s for s in sizes if s not in SIZES]
    if unknown:
        parser.error(f"unknown sizes {unknown}: choose among {', '.join(SIZES)}")
    if args.quick:
        sizes, args.db, args.runs, args.seed = ["10k"], "sqlite", 5, 60
    urls = {
        "sqlite": [args.sqlite_url],
        "pg": [args.pg_url],
        "both": [args.sqlite_url, args.pg_url],
    }
    print(f"git {git_state()}; load average {os.getloadavg()[0]:.2f}; now pinned at {NOW:%Y-%m-%d}")
    stmts = Statements()
    for url in urls[args.db]:
        run_backend(url, sizes, args.seed, args.runs, stmts, args.keep)
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")
    command = shlex.join(sys.argv[1:] if argv is None else argv)
    print(f"command: .venv/bin/python bench/scale.py {command}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
