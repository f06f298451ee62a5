"""A logged-in person's page times while a crowd fails to log in.

A real WSGI server (werkzeug's threaded server, in this process; `pheduyet serve`'s gunicorn
shapes were measured against the same crowd with `measure`, see bench/README.md) on a free
loopback port serves the app on a prepared database (the org chart with passwords, the department's
diagrams). One person logs in and loads pages (the inbox, "Hồ sơ của tôi", "Tạo mới") one after
another; first alone, then while `--flood` threads (100 by default) each post a failed login
under a name that does not exist, all at the same moment. The address limit is raised for the
run so that every one of those passwords is really hashed (the crowd of a botnet, many
addresses); the account and address limits themselves are tested elsewhere.

    .venv/bin/python bench/login_flood.py [--flood 100] [--database URL] [--json]

Prints the person's median and p95 page time alone and under the flood, and what the flood's
logins got back (all 401: refused, never a 500). Loopback only; nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import re
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import engine  # noqa: E402
from engine import ManualClock, SourceFile  # noqa: E402
from web import create_app  # noqa: E402
from workflows.org_chart import CHART_2020_PATH, load_org_chart, read_org_chart  # noqa: E402

PASSWORD = "mật khẩu thử nghiệm"
PERSON = "qlkh.cv1"
PAGES = ("/", "/items/", "/items/new")
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def prepare_database(url: str) -> None:
    """Migrate, load the org chart with one password for all, deploy the department's diagrams."""
    db = engine.create_db_engine(url)
    try:
        engine.upgrade_database(db)
        factory = engine.session_factory(db)
        files = [
            SourceFile(p.name, p.read_bytes())
            for p in sorted((ROOT / "bpmn").rglob("*"))
            if p.suffix in (".bpmn", ".json")
        ]
        with engine.transaction(factory) as s:
            load_org_chart(s, read_org_chart(CHART_2020_PATH), password=PASSWORD)
            engine.deploy(s, files, ManualClock(engine.system_clock()))
    finally:
        db.dispose()


@contextmanager
def serving(database_url: str, upload_folder: str, **config: Any) -> Iterator[int]:
    """The app behind werkzeug's threaded server on 127.0.0.1; yields the port."""
    app = create_app(
        {
            "SECRET_KEY": "login-flood",
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": upload_folder,
            **config,
        }
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(timeout=10)
        app.extensions["pheduyet.sessions"].kw["bind"].dispose()


def _request(
    port: int, method: str, path: str, *, cookie: str = "", form: dict[str, str] | None = None
) -> tuple[int, str, str]:
    """One request on its own connection: (status, body, the session cookie set, if any)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        headers = {"Cookie": cookie} if cookie else {}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        # The session's cookie: a login also sets the browser's own (web/login_devices.py).
        sessions = [
            c.split(";", 1)[0]
            for c in response.msg.get_all("Set-Cookie") or []
            if c.startswith("session=")
        ]
        return response.status, text, sessions[0] if sessions else ""
    finally:
        connection.close()


def login_form(port: int) -> tuple[str, str]:
    """A session cookie and the CSRF token of its login form."""
    status, page, cookie = _request(port, "GET", "/login")
    found = _TOKEN.search(page)
    if status != 200 or not found or not cookie:
        raise RuntimeError(f"no login form (HTTP {status})")
    return cookie, found.group(1)


def log_in(port: int, username: str, password: str) -> str:
    """The session cookie of a person logged in through the form."""
    cookie, token = login_form(port)
    status, _page, session = _request(
        port,
        "POST",
        "/login",
        cookie=cookie,
        form={"username": username, "password": password, "csrf_token": token},
    )
    if status != 302 or not session:
        raise RuntimeError(f"{username} could not log in (HTTP {status})")
    return session


@dataclass
class Person:
    """Loads pages one after another and times each."""

    port: int
    cookie: str
    times: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def load(self, path: str) -> None:
        started = time.perf_counter()
        status, _page, _cookie = _request(self.port, "GET", path, cookie=self.cookie)
        self.times.append(time.perf_counter() - started)
        self.statuses[status] += 1

    def browse(self, pages: int) -> None:
        for i in range(pages):
            self.load(PAGES[i % len(PAGES)])

    def browse_until(self, done: threading.Event, at_least: int) -> None:
        i = 0
        while not done.is_set() or i < at_least:
            self.load(PAGES[i % len(PAGES)])
            i += 1


def flood(port: int, crowd: int) -> Counter[int]:
    """`crowd` threads post a failed login each (unknown names), all at once; their statuses."""
    cookie, token = login_form(port)
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    gate = threading.Barrier(crowd)

    def attempt(i: int) -> None:
        form = {"username": f"khong_co_ai_{i}", "password": "sai mật khẩu", "csrf_token": token}
        gate.wait()
        try:
            status, _page, _cookie = _request(port, "POST", "/login", cookie=cookie, form=form)
        except OSError:
            status = 0  # the connection failed: counted, never hidden
        with lock:
            statuses[status] += 1

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(crowd)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return statuses


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(round(q * (len(ordered) - 1)), len(ordered) - 1)]


@dataclass(frozen=True)
class FloodResult:
    alone_median: float
    alone_p95: float
    flood_median: float
    flood_p95: float
    flood_seconds: float
    pages_under_flood: int
    page_statuses: dict[int, int]
    login_statuses: dict[int, int]


def measure(port: int, crowd: int, *, baseline_pages: int = 30) -> FloodResult:
    person = Person(port, log_in(port, PERSON, PASSWORD))
    person.browse(baseline_pages)
    alone = list(person.times)
    person.times.clear()
    done = threading.Event()
    browsing = threading.Thread(target=person.browse_until, args=(done, 10))
    started = time.perf_counter()
    browsing.start()
    logins = flood(port, crowd)
    took = time.perf_counter() - started
    done.set()
    browsing.join(timeout=300)
    under = list(person.times)
    return FloodResult(
        alone_median=statistics.median(alone),
        alone_p95=percentile(alone, 0.95),
        flood_median=statistics.median(under),
        flood_p95=percentile(under, 0.95),
        flood_seconds=took,
        pages_under_flood=len(under),
        page_statuses=dict(person.statuses),
        login_statuses=dict(logins),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--flood", type=int, default=100, help="failed logins at once")
    parser.add_argument(
        "--database", help="SQLAlchemy URL of an empty database (default: a new SQLite file)"
    )
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database or f"sqlite:///{Path(tmp) / 'pheduyet.db'}"
        prepare_database(url)
        with serving(url, str(Path(tmp) / "attachments"), LOGIN_ADDRESS_ATTEMPTS=10**6) as port:
            result = measure(port, args.flood)
    if args.json:
        print(json.dumps(result.__dict__))
        return
    print(f"database: {url.split(':', 1)[0]}; {args.flood} failed logins at once")
    print(
        f"pages alone:       median {result.alone_median * 1000:.0f} ms, "
        f"p95 {result.alone_p95 * 1000:.0f} ms"
    )
    print(
        f"pages under flood: median {result.flood_median * 1000:.0f} ms, "
        f"p95 {result.flood_p95 * 1000:.0f} ms ({result.pages_under_flood} pages "
        f"in {result.flood_seconds:.1f} s)"
    )
    print(f"page statuses: {result.page_statuses}; login statuses: {result.login_statuses}")


if __name__ == "__main__":
    main()
