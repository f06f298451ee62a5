"""The whole UI flow of a `giao_nhiem_vu` item over real HTTP, against `pheduyet serve`.

One instance is 23 requests, as people click them: the office head (vp.tp) opens "Tạo mới" and
starts the item (2); then for each of 7 steps the actor opens their inbox, the task page, and
submits its form with the page's CSRF token and revision (3 × 7): the director assigns the lead
unit and the deadline, the unit's officer reports progress and the result, the director asks for
more (the return, with its reason), the officer reports again, the director accepts. 8 POSTs.
Each client logs in once as each of the three people before the clock starts.

Run against a fresh SQLite file and a fresh PostgreSQL database (`--pg-url`, default the local
server's `bench_http`, dropped and created), with 1 and 4 concurrent clients (threads), the
server being `pheduyet serve` with its defaults on the loopback address (gunicorn, one process a
core × 2 threads, each thread holding one connection, no keep-alive; plus its background
worker; `--workers`, `--threads` to choose). Prints
instances/s, POST median/p95 and the server's CPU per instance (user + system time of the whole
server process tree, read from /proc before and after). `--profile` runs the same flow in this
process through Flask's test client instead: first without the profiler, timing each kind of
request in CPU (how many an instance, the median, the sum an instance) and how much of the app's
CPU its views take (the rest is what every request pays around them), then under cProfile, to
see where the server's time goes.

    .venv/bin/python bench/http_flow.py [--instances 20] [--clients 1,4] [--db sqlite,pg]
        [--repeat 5]   (each case run 5 times in turn, then each one's median)
    .venv/bin/python bench/http_flow.py --profile [--instances 30] [--db pg --pg-url URL]
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import http.client
import io
import os
import pstats
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PASSWORD = "mật khẩu đo tải"
PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_http"
STARTER, LEADER, OFFICER = "vp.tp", "giamdoc", "qlkh.cv1"
DEADLINE = (date.today() + timedelta(days=365)).isoformat()
# (who, step, form): the 7 steps after the start, one return among them.
STEPS: list[tuple[str, str, dict[str, str]]] = [
    (LEADER, "phan_cong", {"don_vi_chu_tri": "phong_qlkh", "han_xu_ly": DEADLINE}),
    (
        OFFICER,
        "cap_nhat_tien_do",
        {"ty_le_hoan_thanh": "100", "noi_dung_cap_nhat": "Đã xong dự thảo", "hoan_thanh": "on"},
    ),
    (OFFICER, "bao_cao_ket_qua", {"so_bao_cao": "15/BC-QLKH", "ket_qua": "Hoàn thành"}),
    (
        LEADER,
        "danh_gia_ket_qua",
        {"decision": "yeu_cau_bo_sung", "y_kien": "Bổ sung số liệu các huyện"},
    ),
    (
        OFFICER,
        "cap_nhat_tien_do",
        {"ty_le_hoan_thanh": "100", "noi_dung_cap_nhat": "Đã bổ sung số liệu", "hoan_thanh": "on"},
    ),
    (OFFICER, "bao_cao_ket_qua", {"so_bao_cao": "16/BC-QLKH", "ket_qua": "Hoàn thành, bổ sung"}),
    (LEADER, "danh_gia_ket_qua", {"decision": "chap_nhan"}),
]
REQUESTS_PER_INSTANCE = 2 + 3 * len(STEPS)
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_START_KEY = re.compile(r'name="khoa_tao_moi" value="([^"]+)"')
_REVISION = re.compile(r'name="_revision" value="(\d+)"')
_ITEM = re.compile(r"/items/(\d+)")


# --- the people's browsers ----------------------------------------------------------------------


class Browser(Protocol):
    def get(self, path: str) -> tuple[int, dict[str, str], str]: ...

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]: ...


class HttpBrowser:
    """One person's browser: a kept-alive connection and the cookies the server set."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> Any:
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in (1, 2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                text = response.read().decode("utf-8")
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed a kept-alive connection between requests: open another.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _sep, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, {k.lower(): v for k, v in response.getheaders()}, text

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        return self._send("GET", path, None, {})  # type: ignore[no-any-return]

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        body = urlencode(form).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._send("POST", path, body, headers)  # type: ignore[no-any-return]


class TestClientBrowser:
    """The same person through Flask's test client, in this process (for --profile)."""

    def __init__(self, app: Any) -> None:
        self.client = app.test_client()

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        r = self.client.get(path)
        return r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.get_data(True)

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        r = self.client.post(path, data=form)
        return r.status_code, {k.lower(): v for k, v in r.headers.items()}, r.get_data(True)


class TimedBrowser(TestClientBrowser):
    """The same, noting the CPU time of each request under its kind ("POST /tasks/<id>")."""

    def __init__(self, app: Any, times: dict[str, list[float]]) -> None:
        super().__init__(app)
        self.times = times

    def get(self, path: str) -> tuple[int, dict[str, str], str]:
        began = time.process_time()
        answer = super().get(path)
        self.times.setdefault(_kind("GET", path), []).append(time.process_time() - began)
        return answer

    def post(self, path: str, form: dict[str, str]) -> tuple[int, dict[str, str], str]:
        began = time.process_time()
        answer = super().post(path, form)
        self.times.setdefault(_kind("POST", path), []).append(time.process_time() - began)
        return answer


def _kind(method: str, path: str) -> str:
    path = _TASK_ID.sub("/<id>", path.split("?", 1)[0])
    return f"{method} {re.sub(r'/[0-9]+', '/<n>', path)}"


_TASK_ID = re.compile(r"/[0-9a-f]{8}-[0-9a-f-]{27}")


def _found(pattern: re.Pattern[str], text: str, what: str) -> str:
    hit = pattern.search(text)
    if not hit:
        raise RuntimeError(f"no {what} on the page")
    return hit.group(1)


def log_in(browser: Browser, username: str) -> None:
    _status, _headers, page = browser.get("/login")
    form = {"username": username, "password": PASSWORD, "csrf_token": _found(_TOKEN, page, "token")}
    status, _headers, _page = browser.post("/login", form)
    if status != 302:
        raise RuntimeError(f"{username} could not log in ({status})")


@dataclass
class Tally:
    posts: list[float] = field(default_factory=list)
    requests: int = 0
    instances: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def one_instance(people: dict[str, Browser], tally: Tally) -> None:
    """The 23 requests of one item, start to acceptance."""
    posts: list[float] = []

    def post(browser: Browser, path: str, form: dict[str, str], expect: int) -> dict[str, str]:
        began = time.perf_counter()
        status, headers, text = browser.post(path, form)
        posts.append(time.perf_counter() - began)
        if status != expect:
            raise RuntimeError(f"POST {path}: {status} instead of {expect}: {text[:500]}")
        return headers

    starter = people[STARTER]
    _s, _h, page = starter.get("/items/new")
    form = {
        "csrf_token": _found(_TOKEN, page, "token"),
        "khoa_tao_moi": _found(_START_KEY, page, "start key"),
        "tieu_de": f"Nhiệm vụ đo tải {secrets.token_hex(4)}",
        "noi_dung_day_du": "Báo cáo kết quả đo tải hệ thống",
    }
    headers = post(starter, "/items/new/giao_nhiem_vu", form, 303)
    item = _found(_ITEM, headers.get("location", ""), "item number")
    for who, _step, data in STEPS:
        browser = people[who]
        _s, _h, inbox = browser.get("/")
        row = inbox.split(f"Số {item}<", 1)
        if len(row) < 2:
            raise RuntimeError(f"item {item} is not in {who}'s inbox")
        task_path = row[0].rsplit('<a href="', 1)[1].split('"', 1)[0]
        status, _h, page = browser.get(task_path)
        if status != 200:
            raise RuntimeError(f"GET {task_path}: {status}")
        form = {
            "csrf_token": _found(_TOKEN, page, "token"),
            "_revision": _found(_REVISION, page, "revision"),
            **data,
        }
        post(browser, task_path, form, 302)
    with tally.lock:
        tally.posts.extend(posts)
        tally.requests += REQUESTS_PER_INSTANCE
        tally.instances += 1


# --- the database and the server ----------------------------------------------------------------


def prepare_database(url: str) -> None:
    """Schema, the department's people (all with PASSWORD) and its diagrams, from scratch."""
    import engine
    from workflows.org_chart import CHART_2020_PATH, load_org_chart, read_org_chart

    if url.startswith("postgresql"):
        from sqlalchemy import create_engine, text

        base, name = url.rsplit("/", 1)
        admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    db = engine.create_db_engine(url)
    engine.upgrade_database(db)
    files = [
        engine.SourceFile(p.name, p.read_bytes())
        for p in sorted((ROOT / "bpmn").rglob("*"))
        if p.suffix in (".bpmn", ".json")
    ]
    with engine.transaction(engine.session_factory(db)) as s:
        load_org_chart(s, read_org_chart(CHART_2020_PATH), password=PASSWORD)
        engine.deploy(s, files, engine.system_clock)
    db.dispose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_command(port: int, workers: int | None, threads: int | None = None) -> list[str]:
    """`pheduyet serve` when it runs gunicorn (processes and threads: its defaults, unless
    given), else gunicorn itself (2 processes unless given; threads: its default)."""
    pheduyet = BIN / "pheduyet"
    if (ROOT / "cli" / "serving.py").exists() and pheduyet.exists():
        command = [str(pheduyet), "serve", "--port", str(port)]
        command += ["--workers", str(workers)] if workers else []
        return command + (["--threads", str(threads)] if threads else [])
    return [
        str(BIN / "gunicorn"),
        "-w",
        str(workers or 2),
        *(["--threads", str(threads)] if threads else []),
        "-b",
        f"127.0.0.1:{port}",
        "web:create_app()",
    ]


def processes_and_threads(workers: int | None, threads: int | None) -> str:
    """The web server's shape, as `serve` makes it of these options."""
    from cli.serving import THREADS, default_workers

    return f"{workers or default_workers(True)} web processes × {threads or THREADS} threads"


@contextlib.contextmanager
def server(
    url: str, workers: int | None, folder: Path, threads: int | None = None
) -> Iterator[tuple[int, int]]:
    """The server running on `url`: yields (port, pid of the process tree's root)."""
    port = free_port()
    env = {
        **os.environ,
        "PHEDUYET_DATABASE_URL": url,
        "PHEDUYET_SECRET_KEY": secrets.token_hex(32),
        "PHEDUYET_AUDIT_KEY": secrets.token_hex(32),
        "PHEDUYET_UPLOAD_FOLDER": str(folder / "attachments"),
    }
    log = open(folder / "server.log", "ab")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(
        serve_command(port, workers, threads), cwd=folder, env=env, stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/login")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                tail = (folder / "server.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"the server did not start:\n{tail}")
            time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


_TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[str, list[str]]]:
    """Every process's name and the fields of its `/proc/PID/stat` after the name (the first is
    its state, the second its parent; utime, stime, cutime and cstime are the 12th to 15th)."""
    found: dict[int, tuple[str, list[str]]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                name, fields = (entry / "stat").read_text().split("(", 1)[1].rsplit(")", 1)
                found[int(entry.name)] = (name, fields.split())
    return found


def _cpu_ticks(fields: list[str]) -> tuple[int, int]:
    """A process's user and system ticks, the reaped children's included."""
    utime, stime, cutime, cstime = (int(v) for v in fields[11:15])
    return utime + cutime, stime + cstime


def tree_cpu(root: int) -> tuple[float, float]:
    """CPU seconds (user, system) of `root` and every process under it, the reaped children's
    included (cutime/cstime)."""
    processes = _processes()
    children: dict[int, list[int]] = {}
    for pid, (_name, fields) in processes.items():
        children.setdefault(int(fields[1]), []).append(pid)
    user, system, todo = 0, 0, [root]
    while todo:
        pid = todo.pop()
        found = processes.get(pid)
        if found is None:
            continue
        ticks = _cpu_ticks(found[1])
        user, system = user + ticks[0], system + ticks[1]
        todo.extend(children.get(pid, []))
    return user / _TICK, system / _TICK


def postgres_cpu() -> float:
    """CPU seconds of every PostgreSQL process on this machine (its backends, and through the
    postmaster's reaped children those that ended): the database's own share of the two cores,
    which the web processes' figure leaves out. Another user of the same server counts too."""
    ticks = [
        sum(_cpu_ticks(fields))
        for name, fields in _processes().values()
        if name.startswith("postgres")
    ]
    return sum(ticks) / _TICK


# --- a run ---------------------------------------------------------------------------------------


@dataclass
class Result:
    database: str
    clients: int
    instances: int
    seconds: float
    posts: list[float]
    cpu: float
    system: float  # of which in the kernel (waking threads, the disk, the sockets)
    client: float  # this process's own CPU: the clients share its one interpreter
    machine: float  # share of all the cores busy during the run, any process's work
    database_cpu: float | None = None  # PostgreSQL's own processes (None: SQLite's is inside)

    # The figures the targets name, as `line` and `medians` print them.
    @property
    def per_second(self) -> float:
        return self.instances / self.seconds

    @property
    def post_median_ms(self) -> float:
        return statistics.median(self.posts) * 1000

    @property
    def cpu_ms(self) -> float:
        """The server's CPU an instance."""
        return self.cpu * 1000 / self.instances

    @property
    def database_ms(self) -> float | None:
        """PostgreSQL's own CPU an instance (None on SQLite, whose work is the server's)."""
        return None if self.database_cpu is None else self.database_cpu * 1000 / self.instances

    def line(self) -> str:
        posts = sorted(self.posts)
        p95 = posts[min(len(posts) - 1, int(len(posts) * 0.95))]
        per = 1000 / self.instances  # seconds of the run -> ms an instance
        database = (
            ""
            if self.database_ms is None
            else f"PostgreSQL's own CPU {self.database_ms:.1f} ms per instance; "
        )
        return (
            f"{self.database:<10} {self.clients} client(s): {self.per_second:6.2f} "
            f"instances/s, POST median {self.post_median_ms:5.1f} ms, p95 "
            f"{p95 * 1000:5.1f} ms, server CPU {self.cpu_ms:5.1f} ms per "
            f"instance, {self.system / max(self.cpu, 1e-9) * 100:.0f} % system; client CPU "
            f"{self.client * per:.1f} ms per instance; {database}cores "
            f"{self.machine * 100:.0f} % busy "
            f"({self.instances} instances, {self.instances * REQUESTS_PER_INSTANCE} requests in "
            f"{self.seconds:.1f} s)"
        )


def run(port: int, root: int, database: str, clients: int, per_client: int) -> Result:
    browsers = []
    for _n in range(clients):
        people: dict[str, Browser] = {}
        for who in (STARTER, LEADER, OFFICER):
            people[who] = HttpBrowser(port)
            log_in(people[who], who)
        one_instance(people, Tally())  # warm: every page's first rendering and query plans
        browsers.append(people)
    tally = Tally()
    errors: list[BaseException] = []

    def client(people: dict[str, Browser]) -> None:
        try:
            for _i in range(per_client):
                one_instance(people, tally)
        except BaseException as exc:  # reported after the run
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(b,)) for b in browsers]
    cpu_before, began, mine = tree_cpu(root), time.perf_counter(), time.process_time()
    machine_before, database_before = machine_ticks(), postgres_cpu()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds, cpu_after = time.perf_counter() - began, tree_cpu(root)
    client, database_after = time.process_time() - mine, postgres_cpu()
    busy, total = (
        after - before for after, before in zip(machine_ticks(), machine_before, strict=True)
    )
    user, system = (after - before for after, before in zip(cpu_after, cpu_before, strict=True))
    if errors:
        raise errors[0]
    return Result(
        database,
        clients,
        tally.instances,
        seconds,
        tally.posts,
        user + system,
        system,
        client,
        busy / max(total, 1),
        database_after - database_before if database == "PostgreSQL" else None,
    )


def machine_ticks() -> tuple[int, int]:
    """The whole machine's CPU ticks (busy, all) from /proc/stat: how much of the cores the run
    left idle, whoever else was on them."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle and iowait
    return sum(fields) - idle, sum(fields)


def profile(instances: int, top: int, dump: str | None = None, pg_url: str | None = None) -> None:
    """The flow in this process through Flask's test client, under cProfile: on a SQLite file,
    or on `pg_url` (a database the run may drop)."""
    with tempfile.TemporaryDirectory(prefix="pheduyet-bench-") as folder:
        url = pg_url or f"sqlite:///{folder}/pheduyet.db"
        prepare_database(url)
        from web import create_app

        app = create_app(
            {"SECRET_KEY": "bench", "DATABASE_URL": url, "UPLOAD_FOLDER": f"{folder}/files"}
        )
        times: dict[str, list[float]] = {}
        people: dict[str, Browser] = {}
        for who in (STARTER, LEADER, OFFICER):
            people[who] = TimedBrowser(app, times)
            log_in(people[who], who)
        one_instance(people, Tally())
        times.clear()
        with _app_timed(app) as inside:
            began = time.process_time()
            for _i in range(instances):
                one_instance(people, Tally())
            plain = time.process_time() - began
        print(f"{'request (CPU, no profiler)':32} {'an instance':>11} {'median':>9} {'sum':>9}")
        for kind, spent in sorted(times.items(), key=lambda kind: -sum(kind[1])):
            print(
                f"{kind:32} {len(spent) / instances:11.1f} "
                f"{statistics.median(spent) * 1000:6.2f} ms {sum(spent) / instances * 1000:6.1f} ms"
            )
        app_ms, views_ms = (inside[part] / instances * 1000 for part in ("app", "views"))
        client_ms = plain * 1000 / instances - app_ms
        print(
            f"the app {app_ms:.1f} ms an instance: its views {views_ms:.1f}, around them "
            f"{app_ms - views_ms:.1f} (the session cookie, the person's load, CSRF, the request's "
            f"context and read transaction); the test client's side {client_ms:.1f}"
        )
        print(flush=True)
        tally = Tally()
        profiler = cProfile.Profile()
        began = time.process_time()
        profiler.enable()
        for _i in range(instances):
            one_instance(people, tally)
        profiler.disable()
        cpu = time.process_time() - began
        if dump:
            profiler.dump_stats(dump)
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("cumulative").print_stats(r"/(web|engine|workflows)/", top)
        stats.sort_stats("tottime").print_stats(top)
        print(out.getvalue())
        print(
            f"in-process (test client, {'PostgreSQL' if pg_url else 'SQLite'}): "
            f"{plain / instances * 1000:.1f} ms CPU per "
            f"instance ({cpu / instances * 1000:.1f} ms under cProfile), client side included"
        )


@contextlib.contextmanager
def _app_timed(app: Any) -> Iterator[dict[str, float]]:
    """CPU seconds spent in the app (its WSGI call) and in its views while the block runs: the
    difference is what every request pays around its view. The app is as before afterwards."""
    spent = {"app": 0.0, "views": 0.0}

    def timed(part: str, call: Any) -> Any:
        def run(*args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return call(*args, **kwargs)
            finally:
                spent[part] += time.process_time() - began

        return run

    wsgi_app, views = app.wsgi_app, dict(app.view_functions)
    app.wsgi_app = timed("app", wsgi_app)
    app.view_functions.update({name: timed("views", view) for name, view in views.items()})
    try:
        yield spent
    finally:
        app.wsgi_app = wsgi_app
        app.view_functions.update(views)


def medians(results: list[Result]) -> list[str]:
    """Each case's median over its runs, with the lowest and highest: on a shared machine one
    run's figure may be a fifth off the next one's."""
    cases: dict[tuple[str, int], list[Result]] = {}
    for result in results:
        cases.setdefault((result.database, result.clients), []).append(result)

    def spread(values: list[float], digits: int = 1) -> str:
        low, middle, high = min(values), statistics.median(values), max(values)
        return f"{middle:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"

    lines = []
    for (database, clients), runs in cases.items():
        line = (
            f"{database:<10} {clients} client(s): "
            f"{spread([r.per_second for r in runs], 2)} instances/s, POST median "
            f"{spread([r.post_median_ms for r in runs])} ms, server CPU "
            f"{spread([r.cpu_ms for r in runs])} ms per instance"
        )
        database_ms = [r.database_ms for r in runs if r.database_ms is not None]
        if database_ms:
            line += f", PostgreSQL's own {spread(database_ms)} ms"
        lines.append(line)
    return lines


def one_case(database: str, clients: int, args: argparse.Namespace) -> Result:
    """One run against a fresh database and a server of its own ("sqlite" or "pg")."""
    with tempfile.TemporaryDirectory(prefix="pheduyet-bench-") as folder:
        url = args.pg_url if database == "pg" else f"sqlite:///{folder}/pheduyet.db"
        prepare_database(url)
        with server(url, args.workers, Path(folder), args.threads) as (port, root):
            name = "PostgreSQL" if database == "pg" else "SQLite"
            try:
                return run(port, root, name, clients, args.instances)
            except RuntimeError:
                # The server's own account of a failed request goes with the folder.
                log = (Path(folder) / "server.log").read_text(errors="replace")
                print(log[-6000:], file=sys.stderr)
                raise


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--instances", type=int, default=20, help="instances per client")
    parser.add_argument("--clients", default="1,4", help="concurrent clients, comma-separated")
    parser.add_argument(
        "--db", help="sqlite, pg or both (default both; --profile: one of them, default sqlite)"
    )
    parser.add_argument("--pg-url", default=PG_URL, help="a database this run may drop")
    parser.add_argument("--workers", type=int, help="web processes (serve's default)")
    parser.add_argument("--threads", type=int, help="threads per web process (serve's default)")
    parser.add_argument("--profile", action="store_true", help="cProfile in-process instead")
    parser.add_argument("--top", type=int, default=35, help="profile lines to print")
    parser.add_argument("--dump", help="with --profile: also write the raw stats to this file")
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run every case this many times, in turn, then print each case's medians",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat: 1 or more")
    if args.profile:
        if args.db not in (None, "sqlite", "pg"):
            parser.error("--profile runs on one database: --db sqlite or --db pg")
        profile(args.instances, args.top, args.dump, args.pg_url if args.db == "pg" else None)
        return 0
    clients = [int(c) for c in args.clients.split(",")]
    load = os.getloadavg()
    print(f"load average before: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; {os.cpu_count()} CPUs")
    print(f"server: {processes_and_threads(args.workers, args.threads)}")
    results: list[Result] = []
    databases = ["sqlite", "pg"] if args.db in (None, "both") else args.db.split(",")
    if not set(databases) <= {"sqlite", "pg"}:
        parser.error(f"--db: sqlite, pg, sqlite,pg or both, not {args.db!r}")
    for _round in range(args.repeat):
        for database in databases:
            for n in clients:
                result = one_case(database, n, args)
                print(result.line(), flush=True)
                results.append(result)
    if args.repeat > 1:
        print(f"each case's median of {args.repeat} runs (lowest-highest):")
        for line in medians(results):
            print(line)
    print("command: " + " ".join([Path(sys.executable).name, *sys.argv]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
