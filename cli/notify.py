"""Notifications from the command line and the worker: the worker's round of deadline notices
and mail (``Notices``), `pheduyet notify test USER` and `pheduyet notify list`."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import click

import engine
from engine import DeadlinePolicy, MailError, RetryPolicy, system_clock, transaction
from workflows import engine_config
from workflows.mailing import MailSettings, sender, trial_mail

from .context import session_factory
from .output import emit, reporting

log = logging.getLogger("pheduyet.worker")
NOTICE_LIMIT = 500
MAIL_LIMIT = 50


@dataclass
class Notices:
    """The worker's share of notifications: each round writes the deadline notices that came
    due, then sends the outbox's due mail (when PHEDUYET_SMTP_URL is set)."""

    policy: DeadlinePolicy = field(default_factory=DeadlinePolicy.from_environment)
    mail: MailSettings | None = field(default_factory=MailSettings.from_environment)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    _warned: bool = False

    def round(self, factory: Any, config: engine.EngineConfig) -> engine.MailRound:
        with transaction(factory) as session:
            written = engine.scan_deadlines(session, config, self.policy, limit=NOTICE_LIMIT)
        if any(written.values()):
            log.info("deadline notices: %s", ", ".join(f"{k} {v}" for k, v in written.items()))
        if self.mail is None:
            if not self._warned:
                log.warning("PHEDUYET_SMTP_URL is not set: notification mail waits in the outbox")
                self._warned = True
            return engine.MailRound()
        done = engine.deliver_mail(
            factory,
            config.clock,
            sender(self.mail, config.timezone, config.clock),
            zone=config.timezone,
            domain=self.mail.domain,
            limit=MAIL_LIMIT,
            policy=self.retry,
        )
        if done.sent or done.retrying or done.failed or done.skipped:
            log.info(
                "mail: %d sent, %d to retry, %d failed for good, %d skipped (no address)",
                done.sent,
                done.retrying,
                done.failed,
                done.skipped,
            )
        return done


@click.group()
def notify() -> None:
    """Notification mail: send a test message, look at the outbox."""


@notify.command("test")
@click.argument("username")
def notify_test(username: str) -> None:
    """Send USERNAME a test message now, through PHEDUYET_SMTP_URL; a failure names the SMTP
    problem (connection, STARTTLS, login, address)."""
    with reporting(False):
        settings = MailSettings.from_environment()
        if settings is None:
            raise MailError("set PHEDUYET_SMTP_URL first (e.g. smtp://user:password@host:587)")
        with transaction(session_factory(), write=False) as session:
            who = engine.get_identity(session, username)
            prefs = engine.preferences(session, username)
        if not prefs.email:
            raise engine.InvalidInput(
                f"{username} has no email address: pheduyet users email {username} ADDRESS",
                reason="no_email",
            )
        config = engine_config(system_clock)
        mail = trial_mail(
            username, who.display_name, prefs.email, prefs.locale, settings, system_clock()
        )
        sender(settings, config.timezone, system_clock)(mail)
    click.echo(f"test message sent to {prefs.email} ({mail.message_id})")


@notify.command("list")
@click.option("--failed", is_flag=True, help="only the mail whose retries ran out")
@click.option(
    "--status",
    type=click.Choice([s.value for s in engine.MailStatus]),
    help="only the mail in this state",
)
@click.option("--limit", type=click.IntRange(1, 10000), default=100, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def notify_list(failed: bool, status: str | None, limit: int, as_json: bool) -> None:
    """The outbox's newest notifications and where their mail is."""
    with reporting(as_json), transaction(session_factory(), write=False) as session:
        rows = engine.mail_deliveries(session, status="failed" if failed else status, limit=limit)
    emit(
        rows,
        [
            ("ID", lambda r: r.id),
            ("TO", lambda r: r.recipient),
            ("EMAIL", lambda r: r.email),
            ("EVENT", lambda r: r.event),
            ("STATUS", lambda r: r.status),
            ("TRIES", lambda r: r.attempts),
            ("CREATED", lambda r: r.created_at),
            ("ERROR", lambda r: (r.last_error or "")[:80] or None),
        ],
        as_json,
    )


@notify.command("retry")
@click.argument("ids", nargs=-1, type=int, required=True)
def notify_retry(ids: tuple[int, ...]) -> None:
    """Send failed mail again (once the address or the server is mended)."""
    with reporting(False), transaction(session_factory()) as session:
        count = engine.retry_mail(session, ids, system_clock())
    click.echo(f"{count} failed message(s) queued again")
