"""`pheduyet worker`: the background work of an installation (due timers, webhooks, deadline
notices and notification mail, and once a day the upload folder's orphan files) in rounds. Any
number of workers, on any machine sharing the database, may run at once: the engine hands each
due timer, and each message, to exactly one of them."""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import click
from sqlalchemy.exc import DBAPIError

import engine
from engine import ManualClock, system_clock, transaction
from workflows import engine_config

from .context import moment, session_factory
from .notify import Notices
from .output import reporting

POLL_SECONDS = 5.0
# Items one round fires at most: a stop request waits for no more than this, and a full round
# is followed at once by the next, so a backlog drains without pauses.
ROUND_LIMIT = 500
GC_EVERY = timedelta(days=1)

log = logging.getLogger("pheduyet.worker")


def upload_folder() -> Path:
    """Where the web app stores attachments: the same default as web.create_app."""
    folder = os.environ.get("PHEDUYET_UPLOAD_FOLDER")
    return Path(folder) if folder else Path.cwd() / "instance" / "attachments"


class StopSignal:
    """SIGTERM or SIGINT asks the loop to stop once its round is over; a second one interrupts
    the round at once (its transaction rolls back, nothing is half done)."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def install(self) -> None:
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, self._handle)

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        if self._event.is_set():
            raise KeyboardInterrupt
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def wait(self, seconds: float) -> None:
        """Sleep until the next round, waking at once when asked to stop."""
        self._event.wait(seconds)


@dataclass
class Worker:
    factory: Any
    config: engine.EngineConfig
    folder: Path
    last_gc: datetime | None = None
    notices: Notices = field(default_factory=Notices)

    def round(self) -> int:
        """One round: fire what is due, then the daily clean-up when it is time. Returns how
        many items had due timers."""
        fired = engine.run_due_timers(self.factory, self.config, ROUND_LIMIT)
        if fired:
            log.info("%d item(s) had due timers", fired)
        started = engine.run_start_timers(self.factory, self.config, ROUND_LIMIT)
        if started:
            log.info("%d timer start event(s) were due", started)
        hooks = engine.deliver_webhooks(self.factory, self.config.clock)  # engine.webhook_delivery
        if hooks.sent or hooks.failed:
            log.info("webhooks: %d sent, %d failed for good", hooks.sent, hooks.failed)
        self.notices.round(self.factory, self.config)  # deadline notices, then mail (cli.notify)
        # The clean-up judges file ages by the real clock even under --now: a pinned future
        # moment must not make an upload in progress look an hour old.
        now = system_clock()
        if self.last_gc is None or now - self.last_gc >= GC_EVERY:
            self._collect_orphans()
            with transaction(self.factory) as session:  # sent webhooks older than 30 days
                engine.prune_webhook_log(session, self.config.clock())
            self.last_gc = now
        return fired

    def _collect_orphans(self) -> None:
        # A full disk or an unreadable folder must never stop the timers: reported, tried again
        # tomorrow. A database error goes up to the round, which tries again next round.
        try:
            with transaction(self.factory) as session:
                removed = engine.collect_orphan_files(session, system_clock, self.folder)
        except (OSError, engine.EngineError) as exc:
            log.warning("attachments gc failed: %s", exc)
            return
        if removed:
            log.info("attachments gc: %d orphan file(s) removed from %s", len(removed), self.folder)


def make_worker(now: datetime | None) -> Worker:
    clock = ManualClock(now) if now else system_clock
    return Worker(session_factory(), engine_config(clock), upload_folder())


def run_rounds(worker: Worker, stop: StopSignal, poll: float) -> None:
    """Round after round until `stop` is set. A round that fails is logged and the next one
    tries again: the database may be restarting, and the engine parks a bad item by itself."""
    failing: str | None = None
    while not stop.is_set():
        fired = 0
        try:
            fired = worker.round()
        except DBAPIError as exc:
            reason = str(exc.orig if exc.orig is not None else exc).splitlines()[0]
            if reason != failing:  # once per outage, not every few seconds
                log.warning("database error (%s); trying again every %gs", reason, poll)
            failing = reason
        except Exception:
            log.exception("a round failed; trying again in %gs", poll)
            failing = "unexpected"
        else:
            if failing is not None:
                log.info("working again")
            failing = None
        if fired < ROUND_LIMIT:
            stop.wait(poll)


def setup_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format="%(asctime)s %(name)s[%(process)d] %(levelname)s %(message)s",
    )


def loop(now_text: str | None, poll_seconds: float) -> None:
    """Run rounds until SIGTERM or SIGINT, then exit 0."""
    setup_logging()
    stop = StopSignal()
    stop.install()
    with reporting(False):  # a wrong URL or --now is one line and exit code, not a traceback
        worker = make_worker(moment(now_text))
    log.info("background worker started (timers every %gs, attachments gc daily)", poll_seconds)
    try:
        run_rounds(worker, stop, poll_seconds)
    except KeyboardInterrupt:
        log.warning("stopped in the middle of a round; its transaction was rolled back")
        sys.exit(1)
    log.info("background worker stopped")


@click.command()
@click.option("--now", "now_text", help="act as if it were this moment (ISO 8601)")
@click.option(
    "--poll",
    "poll_seconds",
    type=click.FloatRange(min=0.05),
    default=POLL_SECONDS,
    show_default=True,
    help="seconds between rounds",
)
def worker(now_text: str | None, poll_seconds: float) -> None:
    """The background work alone: fire due timers and send the webhooks' deliveries every few
    seconds, and remove the upload folder's orphan files once a day. Run as many as you like,
    on any machine sharing the database; SIGTERM or Ctrl-C stops it after the round in
    progress."""
    loop(now_text, poll_seconds)
