"""`pheduyet message send NAME` (correlate a message to the item waiting for it, or start one)
and `pheduyet signal send NAME` (broadcast a signal to every item waiting for it)."""

from __future__ import annotations

import click

import engine
from engine import transaction
from workflows import engine_config

from .context import json_object, session_factory
from .output import emit_json, reporting


def _report(delivery: engine.EventDelivery, as_json: bool) -> None:
    if as_json:
        emit_json(delivery)
        return
    what = f"{delivery.kind} '{delivery.name}'"
    if delivery.received:
        items = ", ".join(str(i) for i in delivery.received)
        click.echo(f"{what} received by item(s) {items}")
    if delivery.started:
        items = ", ".join(str(i) for i in delivery.started)
        click.echo(f"{what} started item(s) {items}")
    if not delivery.received and not delivery.started:
        click.echo(f"{what}: no item waits for it and no process starts on it")


@click.group()
def message() -> None:
    """BPMN messages from outside: to the item waiting for them, or starting one."""


@message.command("send")
@click.argument("name")
@click.option("--key", help="correlation key: the waiting item's business_key")
@click.option("--data", help="JSON object: variables the item receives")
@click.option("--as", "username", help="who sends it (needed when it starts an item)")
@click.option("--json", "as_json", is_flag=True)
def message_send(
    name: str, key: str | None, data: str | None, username: str | None, as_json: bool
) -> None:
    """Deliver message NAME to the one item waiting for it (with --key: the one whose
    business_key is KEY), or start an item of the process whose start event catches it."""
    with reporting(as_json), transaction(session_factory()) as session:
        delivery = engine.correlate_message(
            session, engine_config(), name, username, key=key, data=json_object(data)
        )
        _report(delivery, as_json)


@click.group()
def signal() -> None:
    """BPMN signals from outside: broadcast to every item waiting for them."""


@signal.command("send")
@click.argument("name")
@click.option("--data", help="JSON object: variables every receiving item gets")
@click.option("--as", "username", help="who sends it (needed when it starts items)")
@click.option("--json", "as_json", is_flag=True)
def signal_send(name: str, data: str | None, username: str | None, as_json: bool) -> None:
    """Broadcast signal NAME to every item waiting for it and start an item of every process
    whose start event catches it, all in one transaction."""
    with reporting(as_json), transaction(session_factory()) as session:
        delivery = engine.broadcast_signal(
            session, engine_config(), name, username, data=json_object(data)
        )
        _report(delivery, as_json)
