"""`pheduyet webhooks`: the outgoing webhooks of Quản trị → Webhook from the command line, for
operators and scripts: list, add (the secret is printed once), remove, and the delivery log."""

from __future__ import annotations

import sys

import click

import engine
from engine import system_clock, transaction

from .context import session_factory
from .output import emit, emit_json, reporting

COLUMNS = [
    ("ID", lambda h: h.id),
    ("URL", lambda h: h.url),
    ("EVENTS", lambda h: h.event_types),
    ("ACTIVE", lambda h: h.active),
    ("ADDED", lambda h: h.created_at),
]
LOG_COLUMNS = [
    ("ID", lambda d: d.id),
    ("AT", lambda d: d.created_at),
    ("EVENT", lambda d: d.event_type),
    ("URL", lambda d: d.url),
    ("STATUS", lambda d: str(d.status)),
    ("ATTEMPTS", lambda d: d.attempts),
    ("LAST ERROR", lambda d: d.last_error),
]


@click.group()
def webhooks() -> None:
    """Addresses told of items and tasks (signed POSTs sent by `pheduyet worker`)."""


@webhooks.command("list")
@click.option("--json", "as_json", is_flag=True)
def list_(as_json: bool) -> None:
    """Every webhook, in the order they were added (never their secrets)."""
    with reporting(as_json), transaction(session_factory(), write=False) as session:
        rows = engine.list_webhooks(session)
    emit(rows, COLUMNS, as_json)


@webhooks.command("add")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    required=True,
    type=click.Choice(engine.WEBHOOK_EVENTS),
    help="an event type it hears (repeat the option for more)",
)
@click.option("--secret-stdin", is_flag=True, help="read the secret from standard input")
@click.option("--inactive", is_flag=True, help="add it switched off")
@click.option("--json", "as_json", is_flag=True)
def add(
    url: str, events: tuple[str, ...], secret_stdin: bool, inactive: bool, as_json: bool
) -> None:
    """Add URL for these events; prints its secret (generated unless --secret-stdin): the only
    time it is shown."""
    secret = sys.stdin.readline().strip() if secret_stdin else None
    with reporting(as_json), transaction(session_factory()) as session:
        made = engine.add_webhook(
            session, system_clock(), url, events, secret=secret, active=not inactive
        )
    if as_json:
        emit_json({"webhook": made.webhook, "secret": made.secret})
    else:
        click.echo(f"webhook {made.webhook.id} added: {made.webhook.url}")
        click.echo(f"secret (shown once): {made.secret}")


@webhooks.command("remove")
@click.argument("webhook_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def remove(webhook_id: int, as_json: bool) -> None:
    """Remove a webhook and its delivery log."""
    with reporting(as_json), transaction(session_factory()) as session:
        engine.remove_webhook(session, webhook_id)
    if as_json:
        emit_json({"removed": webhook_id})
    else:
        click.echo(f"webhook {webhook_id} removed")


@webhooks.command("deliveries")
@click.option("--webhook", "webhook_id", type=int, help="only this webhook's")
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def deliveries(webhook_id: int | None, limit: int, as_json: bool) -> None:
    """The delivery log, latest first."""
    with reporting(as_json), transaction(session_factory(), write=False) as session:
        rows = engine.list_deliveries(session, webhook_id=webhook_id, limit=limit)
    emit(rows, LOG_COLUMNS, as_json)
