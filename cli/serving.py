"""`pheduyet serve`: the web UI under gunicorn with one background worker beside it, both children
of a small supervisor that restarts the worker when it dies and stops everything on SIGTERM or
Ctrl-C. `--dev` keeps Flask's reloading development server. Linux only (gunicorn, process
groups, the parent-death signal)."""

from __future__ import annotations

import ctypes
import errno
import ipaddress
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from types import FrameType

import click
from werkzeug.serving import is_running_from_reloader

THREADS = 2
MAX_DEFAULT_WORKERS = 8
# Requests in flight get this long to finish on SIGTERM; the supervisor then waits a little
# longer before it kills what is left.
GRACE_SECONDS = 20
# gunicorn restarts a web process silent for this long; a one-thread process is silent while it
# serves a request, and a large export takes a while (nginx's proxy_read_timeout in Deploying).
SILENT_SECONDS = 120
KILL_AFTER_SECONDS = GRACE_SECONDS + 5
# A worker that keeps dying is started again after 1, 2, 5, 10, then every 30 seconds, so a
# crash loop (the database gone, a bad release) does not spin; a worker that ran a minute
# before it died counts as healthy and starts the back-off anew.
BACKOFF_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)
STEADY_SECONDS = 60.0
PR_SET_PDEATHSIG = 1


def is_sheltered(host: str, proxies: int) -> bool:
    """Whether gunicorn is reached only through reverse proxies (`--trusted-proxies`: nginx,
    which takes each request whole before passing it on and has its own timeouts for slow
    clients, as Deploying sets it up) or only from this machine (the loopback address: `make
    run`, or nginx on the same box). It trusts what it is told: a web process bound to an
    address others reach, with `--trusted-proxies`, is as exposed as without it."""
    return proxies > 0 or _loopback(host)


def default_workers(sheltered: bool) -> int:
    """Web processes when `--workers` is not given.

    Sheltered, one a core, each taking a connection only when one of its threads is free and
    closing it after the answer (`ONE_CONNECTION_A_THREAD`): the cores then share the work
    evenly, and each process, serving a larger share of the requests, finds more of them warm
    (an item's workflow kept from its last step, the database's pages, the processor's
    caches). Measured on 2 cores with 4 clients (bench/http_flow.py, alternated with the
    former shape, two processes a core keeping their connections): 13.4 / 14.3 items a second
    against 11.9 / 12.2, PostgreSQL 9.7 / 9.5 against 8.8 / 8.6; under a flood of 100 failed
    logins (bench/login_flood.py's) a person's pages kept a p95 of 15-25 ms against 640. One
    thread a process (gunicorn's sync workers) was faster still (13.8-14.7, PostgreSQL
    10.7-11.4) but let the flood's password checks hold every process: pages waited 2 s.

    Exposed, a process keeps the connections it accepted alive and takes more while its
    threads are busy: two processes a core, lest two busy clients meet in one process while a
    core idles. Neither shape stands up to slow clients by itself (a connection that sends
    nothing holds a thread for gunicorn's 5 s; one that sends slowly, for as long as it
    sends): in front of people, nginx does. At most 8 processes either way: each keeps its own
    database connections, and 8 × 2 stay well inside PostgreSQL's default of 100 connections
    with a second host beside this one."""
    cores = len(os.sched_getaffinity(0))
    return min(cores if sheltered else 2 * cores, MAX_DEFAULT_WORKERS)


# gunicorn's process for where no slow client reaches it: one that holds no more connections
# than threads, none kept alive (a kept-alive connection would stay with its process), and takes
# none while every thread is busy (another process takes it); web/serving_worker.py.
ONE_CONNECTION_A_THREAD = ["--worker-class", "web.serving_worker.ThreadsAccepting"]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:  # a host name
        return False


def _die_with_parent(parent: int) -> None:
    # Runs in the child before exec: when the supervisor itself is killed outright (SIGKILL,
    # out of memory), the kernel sends the child SIGTERM, so no orphan keeps the port or keeps
    # firing timers.
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the supervisor died before the line above
        os.kill(os.getpid(), signal.SIGTERM)


@dataclass
class Child:
    name: str
    argv: list[str]
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    started: float = 0.0

    def start(self) -> None:
        parent = os.getpid()
        # A process group of its own: Ctrl-C in the terminal reaches only the supervisor,
        # which then stops each child in order, gracefully.
        self.process = subprocess.Popen(
            self.argv,
            env=self.env,
            process_group=0,
            preexec_fn=lambda: _die_with_parent(parent),
        )
        self.started = time.monotonic()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def send(self, signum: int) -> None:
        if self.process is not None and self.running():
            self.process.send_signal(signum)

    def how_it_ended(self) -> str:
        code = self.process.returncode if self.process else None
        if code is not None and code < 0:
            return f"was killed by signal {-code}"
        return f"exited with code {code}"


@dataclass
class Supervisor:
    web: Child
    worker: Child | None
    signals: int = 0
    failures: int = 0
    restart_at: float | None = None
    wake: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        """Take over SIGTERM and SIGINT, then start the children."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._on_signal)
        signal.signal(signal.SIGCHLD, lambda *_: self.wake.set())
        self.web.start()
        if self.worker is not None:
            self.worker.start()

    def tend(self) -> int:
        """Restart the worker whenever it dies, until a signal asks to stop or the web server
        ends; returns the exit code: 0 after a clean stop."""
        code = 0
        while not self.signals:
            self.wake.wait(self._next_check())
            self.wake.clear()
            if self.signals:
                break
            if not self.web.running():
                ended = self.web.how_it_ended()
                click.echo(f"pheduyet: the web server {ended}; stopping", err=True)
                code = 1
                break
            if self.worker is not None:
                self._tend(self.worker)
        return self._stop_all() or code

    def _on_signal(self, _signum: int, _frame: FrameType | None) -> None:
        self.signals += 1
        self.wake.set()

    def _next_check(self) -> float:
        if self.restart_at is None:
            return 1.0
        return min(max(self.restart_at - time.monotonic(), 0.0), 1.0)

    def _tend(self, worker: Child) -> None:
        if worker.running():
            return
        now = time.monotonic()
        if self.restart_at is None:
            self.failures = 0 if now - worker.started >= STEADY_SECONDS else self.failures + 1
            delay = BACKOFF_SECONDS[min(self.failures, len(BACKOFF_SECONDS) - 1)]
            click.echo(
                f"pheduyet: the background worker {worker.how_it_ended()}; "
                f"starting it again in {delay:g}s",
                err=True,
            )
            self.restart_at = now + delay
        elif now >= self.restart_at:
            self.restart_at = None
            worker.start()
            click.echo(f"pheduyet: background worker started again (pid {worker.pid})", err=True)

    def _stop_all(self) -> int:
        """SIGTERM to every child (a second Ctrl-C hurries them with SIGINT), wait, and kill
        what is still there after the grace period. Returns 1 if something had to be killed."""
        children = [c for c in (self.web, self.worker) if c is not None]
        for child in children:
            child.send(signal.SIGTERM)
        deadline = time.monotonic() + KILL_AFTER_SECONDS
        hurried = False
        while any(c.running() for c in children) and time.monotonic() < deadline:
            if self.signals > 1 and not hurried:
                hurried = True
                for child in children:
                    child.send(signal.SIGINT)
            self.wake.wait(0.2)
            self.wake.clear()
        killed = 0
        for child in children:
            if child.running():
                click.echo(f"pheduyet: {child.name} did not stop in time; killed", err=True)
                child.send(signal.SIGKILL)
                killed = 1
            if child.process is not None:
                child.process.wait()
        return killed


def gunicorn_argv(
    host: str, port: int, workers: int, threads: int, proxies: int, *, sheltered: bool
) -> list[str]:
    bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "--bind",
        bind,
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--graceful-timeout",
        str(GRACE_SECONDS),
        "--timeout",
        str(SILENT_SECONDS),
        # Otherwise every gunicorn of this user shares one ~/.gunicorn/gunicorn.ctl.
        "--no-control-socket",
        # One thread: gunicorn's sync worker is that shape already, with the master's timeout.
        *(ONE_CONNECTION_A_THREAD if sheltered and threads > 1 else []),
    ]
    if proxies:
        # The app's ProxyFix decides which forwarded headers to believe (the last N hops);
        # gunicorn must not drop the scheme header of a proxy on another address first.
        argv += ["--forwarded-allow-ips", "*"]
    # The app is built and warmed once, in gunicorn's master, and each web process is forked
    # from it (web/serving.py), its database connections closed before the fork.
    return [*argv, "--preload", "web.serving:create_served_app()"]


def _child_env(proxies: int) -> dict[str, str]:
    env = dict(os.environ)
    if not env.get("PHEDUYET_SECRET_KEY"):
        # One key for every web process of this run, so a login works whichever process
        # answers; it still changes at each start.
        env["PHEDUYET_SECRET_KEY"] = secrets.token_hex(32)
        click.echo(
            "pheduyet: PHEDUYET_SECRET_KEY is not set: a random key for this run, so logins "
            "end when the server stops; set it in production",
            err=True,
        )
    if proxies:
        env["PHEDUYET_TRUSTED_PROXIES"] = str(proxies)
    return env


def _refuse_unservable(host: str, port: int) -> None:
    """Stop at once, saying what to do, when the address cannot be served: gunicorn would try
    five times over several seconds, printing its own errors, and `make run` with it."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as error:
        raise click.ClickException(f"cannot serve on {host!r}: no such address ({error})") from None
    family, kind, proto, _name, address = found[0]
    with socket.socket(family, kind, proto) as probe:
        # As gunicorn binds: a port whose last connections are still closing is free.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            raise click.ClickException(f"{host}:{port} {_why(error, port)}") from None


def _why(error: OSError, port: int) -> str:
    if error.errno == errno.EADDRINUSE:
        other = port + 1 if port < 65535 else 5001
        return (
            "is already in use (another server, or an earlier `make run`?): stop it, or choose "
            f"another port with --port (make run PORT={other})"
        )
    if error.errno == errno.EACCES:
        return "needs root (a port below 1024): serve a higher port with nginx in front (README)"
    if error.errno == errno.EADDRNOTAVAIL:
        return "is not an address of this machine: --host 127.0.0.1 serves only this machine"
    return f"cannot be served: {error.strerror}"


def _dev_server(host: str, port: int, proxies: int) -> None:
    if proxies:
        os.environ["PHEDUYET_TRUSTED_PROXIES"] = str(proxies)
    from web import create_app

    create_app().run(host=host, port=port, debug=False, use_reloader=True, threaded=True)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="web processes  [default: one a core behind a proxy or on the loopback address, "
    "else two a core; at most 8]",
)
@click.option(
    "--threads",
    type=click.IntRange(min=1),
    default=THREADS,
    show_default=True,
    help="threads per web process (a slow client holds a thread, not a process)",
)
@click.option(
    "--no-worker",
    is_flag=True,
    help="no background worker beside the web processes (run `pheduyet worker` elsewhere)",
)
@click.option(
    "--trusted-proxies",
    "proxies",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    envvar="PHEDUYET_TRUSTED_PROXIES",
    help="reverse proxies in front (nginx: 1): take the client's address and scheme from "
    "their X-Forwarded-* headers",
)
@click.option("--dev", is_flag=True, help="Flask's development server, reloading on changes")
def serve(
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    no_worker: bool,
    proxies: int,
    dev: bool,
) -> None:
    """Serve the web UI with gunicorn and one background worker (timers, clean-up) beside it,
    restarted if it dies; SIGTERM or Ctrl-C stops both."""
    # `--dev` runs this command again in Werkzeug's reloading child, which serves on the socket
    # its parent has bound: only the first run looks.
    if not is_running_from_reloader():
        _refuse_unservable(host, port)
    if dev:
        _dev_server(host, port, proxies)
        return
    sheltered = is_sheltered(host, proxies)
    workers = workers or default_workers(sheltered)
    env = _child_env(proxies)
    argv = gunicorn_argv(host, port, workers, threads, proxies, sheltered=sheltered)
    web = Child("the web server", argv, env)
    worker_argv = [sys.executable, "-m", "cli", "worker"]
    worker = None if no_worker else Child("the background worker", worker_argv, env)
    supervisor = Supervisor(web, worker)
    supervisor.start()
    shown = f"[{host}]" if ":" in host else host
    background = (
        f"the background worker runs beside them (pid {worker.pid})"
        if worker is not None
        else "no background worker (--no-worker): run `pheduyet worker` so that timers fire"
    )
    click.echo(
        f"pheduyet: serving http://{shown}:{port}/ with gunicorn, {workers} web process(es) "
        f"× {threads} thread(s){', one connection a thread' if sheltered else ''}; {background}"
    )
    sys.exit(supervisor.tend())
