"""`pheduyet serve` and `pheduyet worker` as an operator runs them: real processes, gunicorn on a
free port, a person who logs in and completes a task over HTTP, signals, and what is left
running afterwards. Each test has its own database, folder and port, so they run in parallel."""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url

from cli.main import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
PASSWORD = "mật khẩu dài"
AUDIT_KEY = "khoá niêm phong của phép thử"
DEADLINE = 60.0  # only a bound against hanging forever: nothing is asserted on timing
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')
_REVISION = re.compile(r'name="_revision" value="([^"]*)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def alive(pid: int) -> bool:
    """Running, not merely a zombie waiting for a parent that has already gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        with contextlib.suppress(FileNotFoundError):
            found.update(int(p) for p in (task / "children").read_text().split())
    return found


def descendants(pid: int) -> set[int]:
    found = children(pid)
    for child in list(found):
        found |= descendants(child)
    return found


def command_line(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except FileNotFoundError:
        return []


def until(check: Any, what: str) -> Any:
    """Poll `check` until it returns something true, with a deadline."""
    end = time.monotonic() + DEADLINE
    while time.monotonic() < end:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"never happened: {what}")


class Office:
    """A database, an upload folder and the environment every process of the test shares."""

    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.env = {
            "PHEDUYET_DATABASE_URL": url,
            "PHEDUYET_SECRET_KEY": "khoá phiên của phép thử",
            "PHEDUYET_UPLOAD_FOLDER": str(root / "attachments"),
            "PHEDUYET_AUDIT_KEY": AUDIT_KEY,
            "PHEDUYET_TRUSTED_PROXIES": "0",
        }

    def cli(self, *args: str, stdin: str | None = None) -> str:
        if self.env["PHEDUYET_DATABASE_URL"].startswith("sqlite"):
            result = CliRunner().invoke(main, list(args), env=self.env, input=stdin)
            assert result.exit_code == 0, (result.stdout, result.stderr, result.exception)
            return result.stdout
        # A command run in this process would leave its PostgreSQL connections open here.
        done = subprocess.run(
            [sys.executable, "-m", "cli", *args],
            env=self.process_env(),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=DEADLINE,
        )
        assert done.returncode == 0, (done.stdout, done.stderr)
        return done.stdout

    def prepare(self) -> str:
        """The fixture diagrams, a person who may log in, and one item at its first step;
        returns that step's task id."""
        self.cli("db", "upgrade")
        self.cli("deploy", str(FIXTURES / "spiff"))
        self.cli("groups", "add", "staff", "--name", "Nhân viên")
        self.cli("users", "add", "an", "--group", "staff", "--password-stdin", stdin=PASSWORD)
        item = json.loads(
            self.cli("start", "approval", "--as", "an", "--title", "Đề xuất", "--json")
        )
        task_id: str = item["open_tasks"][0]["id"]
        return task_id

    def process_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PHEDUYET_")}
        return {**env, **self.env}

    def run(self, *args: str) -> Process:
        return Process(list(args), self.process_env(), self.root)


class Process:
    """`pheduyet ARGS` as a real process, its output in a file."""

    def __init__(self, args: list[str], env: dict[str, str], root: Path) -> None:
        self.log = root / f"{args[0]}-{len(list(root.glob('*.log')))}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                [sys.executable, "-m", "cli", *args],
                env=env,
                cwd=root,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(self, text: str) -> None:
        def seen() -> bool:
            assert self.popen.poll() is None, f"exited early:\n{self.output()}"
            return text in self.output()

        until(seen, f"{text!r} in the output:\n{self.output()}")

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.popen.send_signal(signum)
        return self.popen.wait(timeout=DEADLINE)

    def kill(self) -> None:
        if self.popen.poll() is None:
            self.popen.kill()  # its children get SIGTERM from the kernel (parent-death signal)
            self.popen.wait()


@pytest.fixture
def office(tmp_path: Path) -> Office:
    return Office(tmp_path, f"sqlite:///{tmp_path / 'pheduyet.db'}")


@pytest.fixture
def processes() -> Iterator[list[Process]]:
    started: list[Process] = []
    yield started
    for process in started:
        process.kill()


class Browser:
    """A person at a browser: cookies kept, redirects followed, forms carry their CSRF token."""

    def __init__(self, base: str, headers: dict[str, str] | None = None) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        self.opener.addheaders = list((headers or {}).items())

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=DEADLINE) as response:
            return str(response.read().decode())

    def post(self, path: str, fields: dict[str, str]) -> str:
        body = urllib.parse.urlencode(fields).encode()
        with self.opener.open(self.base + path, data=body, timeout=DEADLINE) as response:
            return str(response.read().decode())

    def log_in(self, username: str, password: str) -> str:
        token = _TOKEN.search(self.get("/login"))
        assert token, "no CSRF token on the login page"
        return self.post(
            "/login", {"username": username, "password": password, "csrf_token": token.group(1)}
        )


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def serve(office: Office, processes: list[Process], *args: str) -> tuple[Process, str]:
    port = free_port()
    server = office.run("serve", "--port", str(port), *args)
    processes.append(server)
    base = f"http://127.0.0.1:{port}"
    until(lambda: server.popen.poll() is not None or answers(f"{base}/login"), "the server answers")
    assert server.popen.poll() is None, server.output()
    return server, base


def background_workers(server: Process) -> set[int]:
    return {p for p in children(server.pid) if "worker" in command_line(p) and alive(p)}


def test_serving__gunicorn_serves_a_person_who_completes_a_task_then_stops_cleanly(
    office: Office, processes: list[Process]
) -> None:
    task_id = office.prepare()
    server, base = serve(office, processes, "--workers", "2")
    assert "with gunicorn, 2 web process(es)" in server.output()
    assert "background worker runs" in server.output()
    # Built once and warmed before gunicorn forks the web processes from it (web/serving.py).
    assert "web processes start warm" in server.output()
    assert "1 process version(s) restored" in server.output()

    an = Browser(base)
    assert 'action="/logout"' in an.log_in("an", PASSWORD)
    page = an.get(f"/tasks/{task_id}")
    token, revision = _TOKEN.search(page), _REVISION.search(page)
    assert token and revision, "the task page has no form"
    after = an.post(
        f"/tasks/{task_id}",
        {"csrf_token": token.group(1), "_revision": revision.group(1), "summary": "Đề xuất thử"},
    )
    assert "Đã hoàn thành bước" in after
    assert "Review the proposal" in office.cli("tasks", "--all")

    family = descendants(server.pid)
    assert len(family) >= 4  # gunicorn, its 2 web processes, the background worker
    assert server.stop() == 0
    assert {p for p in family if alive(p)} == set()
    assert "Traceback" not in server.output()


def test_serving__dev_serves_with_its_reloader(office: Office, processes: list[Process]) -> None:
    """`--dev`: Flask's development server answers; its reloading child, on the socket the
    parent bound, is not refused as a port in use."""
    office.prepare()
    server, base = serve(office, processes, "--dev")
    assert answers(f"{base}/login")
    assert "already in use" not in server.output()


def test_serving__the_background_worker_is_started_again_after_it_is_killed(
    office: Office, processes: list[Process]
) -> None:
    office.prepare()
    server, base = serve(office, processes, "--workers", "1")
    [first] = until(lambda: background_workers(server), "a background worker")
    os.kill(first, signal.SIGKILL)

    again = until(lambda: background_workers(server) - {first}, "a new background worker")
    assert "background worker was killed by signal 9" in server.output()
    assert answers(f"{base}/login")

    family = descendants(server.pid)
    assert server.stop() == 0
    assert {p for p in family | again if alive(p)} == set()


def web_processes(server: Process) -> set[int]:
    [gunicorn] = [p for p in children(server.pid) if "gunicorn" in command_line(p)]
    return {p for p in children(gunicorn) if alive(p)}


def test_serving__a_web_process_that_dies_is_replaced_and_people_stay_logged_in(
    office: Office, processes: list[Process]
) -> None:
    task_id = office.prepare()
    server, base = serve(office, processes, "--workers", "1", "--no-worker")
    an = Browser(base)
    an.log_in("an", PASSWORD)
    [first] = until(lambda: web_processes(server), "a web process")
    os.kill(first, signal.SIGKILL)

    until(lambda: web_processes(server) - {first}, "a new web process")
    assert 'name="_revision"' in an.get(f"/tasks/{task_id}")
    # Forked again from the warm app: it was built and warmed once, at the start.
    assert server.output().count("web processes start warm") == 1
    assert server.stop() == 0
    assert "Traceback" not in server.output()


def test_serving__connections_that_send_nothing_hold_no_thread_for_long(
    office: Office, processes: list[Process]
) -> None:
    """One web process of two threads, each accepting its own connections: two connections
    that never send a request hold both threads only until the read timeout; a person's
    page then comes, and the silent connections are closed without an answer."""
    office.prepare()
    server, base = serve(office, processes, "--workers", "1", "--no-worker")
    port = int(base.rsplit(":", 1)[1])
    silent = [socket.create_connection(("127.0.0.1", port)) for _ in range(2)]
    try:
        assert answers(f"{base}/login") or until(lambda: answers(f"{base}/login"), "a page")
        for connection in silent:
            connection.settimeout(DEADLINE)
            assert connection.recv(1) == b""  # closed by the server, nothing sent
    finally:
        for connection in silent:
            connection.close()
    assert server.stop() == 0
    assert "Traceback" not in server.output()


def holder(connection: socket.socket, pids: set[int]) -> int | None:
    """Which of `pids` took `connection` (accepted it and holds it), if any: the server's end
    of it found in the kernel's table of TCP sockets, and that socket among a process's files."""
    server_port, client_port = connection.getpeername()[1], connection.getsockname()[1]
    inode = None
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = (int(a.rsplit(":", 1)[1], 16) for a in fields[1:3])
        if (local, remote) == (server_port, client_port) and fields[9] != "0":
            inode = fields[9]
    if inode is None:  # not yet taken from the listener's backlog, or already let go
        return None
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(FileNotFoundError):
                if os.readlink(fd) == f"socket:[{inode}]":
                    return pid
    return None


# The kernel functions a thread waits in (its /proc wchan), as kernels name them: in epoll_wait
# for a connection, in select for the request on the connection it took.
FOR_A_CONNECTION = ("epoll", "ep_poll")
FOR_A_REQUEST = ("poll_schedule",)


def waits(pids: set[int]) -> list[str]:
    """Where each thread of `pids` waits ("0": running, or a kernel that does not say)."""
    found = []
    for pid in pids:
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(FileNotFoundError):
                found.append((task / "wchan").read_text())
    return found


def threads_in(pids: set[int], calls: tuple[str, ...]) -> int:
    """How many threads of `pids` wait in one of `calls`."""
    return sum(any(call in wait for call in calls) for wait in waits(pids))


def test_serving__a_connection_goes_to_an_idle_web_process_and_a_quiet_office_to_one(
    office: Office, processes: list[Process]
) -> None:
    """Two web processes of two threads (web/serving_worker.py): a connection that comes while
    one process serves goes to the other, not to the busy one's free thread; one at a time,
    they all go to the same process, which keeps its caches warm. Connections that send
    nothing stand for requests being served: each holds the thread that took it."""
    office.prepare()
    server, base = serve(office, processes, "--workers", "2", "--threads", "2", "--no-worker")
    port = int(base.rsplit(":", 1)[1])
    web = until(lambda: len(web_processes(server)) == 2 and web_processes(server), "2 processes")
    if all(wait == "0" for wait in waits(web)):
        pytest.skip("this kernel does not say where a thread waits (/proc/PID/task/TID/wchan)")
    until(lambda: threads_in(web, FOR_A_CONNECTION) == 4, "every thread waits for a connection")

    def opened() -> tuple[socket.socket, int]:
        connection = socket.create_connection(("127.0.0.1", port))
        pid = until(lambda: holder(connection, web), "a web process takes the connection")
        return connection, int(pid)

    def closed(connection: socket.socket) -> None:
        with connection:
            connection.shutdown(socket.SHUT_WR)
            connection.settimeout(DEADLINE)
            assert connection.recv(1) == b""  # the server let it go, without an answer

    first, busy = opened()
    until(lambda: threads_in(web, FOR_A_REQUEST) == 1, "its thread waits for its request")
    second, other = opened()
    assert other != busy
    closed(first)
    closed(second)

    quiet: set[int] = set()
    for _ in range(4):
        until(lambda: threads_in(web, FOR_A_CONNECTION) == 4, "every thread waits")
        connection, pid = opened()
        quiet.add(pid)
        closed(connection)
    assert len(quiet) == 1
    assert server.stop() == 0
    assert "Traceback" not in server.output()


def test_serving__ctrl_c_stops_everything_cleanly(office: Office, processes: list[Process]) -> None:
    office.prepare()
    server, _base = serve(office, processes, "--workers", "1", "--no-worker")
    assert "no background worker" in server.output()
    family = descendants(server.pid)
    assert server.stop(signal.SIGINT) == 0
    assert {p for p in family if alive(p)} == set()
    assert "Traceback" not in server.output()


def _failed_login(base: str, address: str, username: str) -> int:
    """The status of a wrong login from a client the proxy saw at `address`."""
    try:
        Browser(base, {"X-Forwarded-For": address}).log_in(username, "sai")
    except urllib.error.HTTPError as refused:
        return refused.code
    raise AssertionError("a wrong password was let in")


def test_serving__behind_a_proxy_the_login_limits_count_the_clients_address(
    office: Office, processes: list[Process]
) -> None:
    office.prepare()
    office.env["PHEDUYET_LOGIN_ADDRESS_ATTEMPTS"] = "2"
    _server, base = serve(
        office, processes, "--workers", "1", "--no-worker", "--trusted-proxies", "1"
    )
    assert [_failed_login(base, "10.0.0.1", name) for name in ("x1", "x2", "x3")] == [401, 401, 429]
    # Another person behind the same proxy is not locked out with the first.
    assert _failed_login(base, "10.0.0.2", "x4") == 401


def _due_timer(office: Office) -> None:
    """An item whose review waits with a reminder timer (due long before 2099)."""
    task_id = office.prepare()
    office.cli("complete", task_id, "--as", "an", "--data", '{"summary": "x"}')


def test_worker__fires_a_due_timer_sealed_with_the_key_and_stops_on_sigterm(
    office: Office, processes: list[Process]
) -> None:
    _due_timer(office)
    worker = office.run("worker", "--now", "2099-01-01T00:00:00Z", "--poll", "0.2")
    processes.append(worker)
    worker.wait_for("1 item(s) had due timers")
    assert worker.stop() == 0
    assert "background worker stopped" in worker.output()
    assert "Traceback" not in worker.output()
    # Sealed with the key the other processes use: the whole history checks out under it.
    assert office.cli("audit", "verify").startswith("ok:")


def test_worker__outlives_a_database_that_cannot_be_reached(
    office: Office, processes: list[Process]
) -> None:
    office.env["PHEDUYET_DATABASE_URL"] = (
        f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nowhere?connect_timeout=2"
    )
    worker = office.run("worker", "--poll", "0.2")
    processes.append(worker)
    worker.wait_for("database error")
    assert worker.stop() == 0
    assert "Traceback" not in worker.output()


class Forwarder:
    """A TCP port that forwards to PostgreSQL once opened: the database coming back."""

    def __init__(self, port: int, target: tuple[str, int]) -> None:
        self.target = target
        self.server = socket.create_server(("127.0.0.1", port))
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def close(self) -> None:
        self.server.close()


@pytest.mark.postgres
def test_worker__carries_on_when_the_database_comes_back(
    pg_url: str, tmp_path: Path, processes: list[Process]
) -> None:
    office = Office(tmp_path, pg_url)
    _due_timer(office)
    real = make_url(pg_url)
    port = free_port()
    office.env["PHEDUYET_DATABASE_URL"] = real.set(host="127.0.0.1", port=port).render_as_string(
        hide_password=False
    )
    worker = office.run("worker", "--now", "2099-01-01T00:00:00Z", "--poll", "0.2")
    processes.append(worker)
    worker.wait_for("database error")
    forwarder = Forwarder(port, (real.host or "127.0.0.1", real.port or 5432))
    try:
        worker.wait_for("1 item(s) had due timers")
        worker.wait_for("working again")
        assert worker.stop() == 0
    finally:
        forwarder.close()


def _raw(base: str, request: bytes) -> tuple[str, str]:
    """The status line and body the server answers a request written by hand."""
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=DEADLINE) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert b"charset=utf-8" in head
    return head.split(b"\r\n")[0].decode(), body.decode()


def test_serving__what_gunicorn_refuses_is_said_in_vietnamese(
    office: Office, processes: list[Process]
) -> None:
    """An address past gunicorn's 4,094 characters, a cookie past its 8,190 bytes, a line it
    cannot read: refused before the app, with a page in the people's language."""
    office.prepare()
    server, base = serve(office, processes, "--workers", "1", "--no-worker")
    long_address = b"GET /items?q=" + b"a" * 5000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"
    status, body = _raw(base, long_address)
    assert status.startswith("HTTP/1.1 414")
    assert "Địa chỉ trang quá dài" in body and "Về trang chủ" in body
    big_cookie = b"GET / HTTP/1.1\r\nHost: x\r\nCookie: s=" + b"b" * 9000 + b"\r\n\r\n"
    status, body = _raw(base, big_cookie)
    assert status.startswith("HTTP/1.1 431")
    assert "xoá cookie" in body
    status, body = _raw(base, b"NONSENSE\r\n\r\n")
    assert status.startswith("HTTP/1.1 400")
    assert "Yêu cầu không hợp lệ" in body
    assert answers(f"{base}/login")  # the process that refused them serves on
    assert server.stop() == 0
