"""`pheduyet stuck`: where every open item waits. Its JSON is written as the rows come from the
database (`engine.iter_stuck`, a batch at a time), in the shape `emit_json` gives a list: a
listing of 300,000 open steps is never one document in memory, and a row costs a few string
joins (strings by json's C escaper) instead of `asdict`'s deep copies."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any

import click

import engine
from engine import StuckRow, system_clock, transaction

from .context import moment, session_factory
from .output import emit_table, reporting

_NAMES = [f.name for f in fields(StuckRow)]
_KEYS = [f"    {encode_basestring(name)}: " for name in _NAMES]
_CHUNK = 1000  # rows written at a time


def _json_value(value: Any) -> str:
    """A value as `json.dumps(..., ensure_ascii=False)` writes it (strings by json's own C
    escaper, numbers by their repr)."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return encode_basestring(value.isoformat())
    if isinstance(value, int | float):
        return json.dumps(value)
    raise TypeError(f"a stuck row holds a {type(value).__name__}")


def row_json(row: StuckRow) -> str:
    """One row as `json.dumps(..., indent=2)` writes it inside a list."""
    values = [_json_value(getattr(row, name)) for name in _NAMES]
    pairs = ",\n".join([key + value for key, value in zip(_KEYS, values, strict=True)])
    return "  {\n" + pairs + "\n  }"


def stream_json(rows: Iterable[StuckRow]) -> None:
    """The rows as one JSON list, written a chunk at a time."""
    chunk: list[str] = []
    started = False
    for row in rows:
        chunk.append(row_json(row))
        if len(chunk) == _CHUNK:
            click.echo(("[\n" if not started else ",\n") + ",\n".join(chunk), nl=False)
            started, chunk = True, []
    if chunk:
        click.echo(("[\n" if not started else ",\n") + ",\n".join(chunk), nl=False)
        started = True
    click.echo("\n]" if started else "[]")


@click.command("stuck")
@click.option("--now", "now_text", help="judge ages and deadlines at this moment (ISO 8601)")
@click.option("--json", "as_json", is_flag=True)
def stuck(now_text: str | None, as_json: bool) -> None:
    """Where every open item waits: whose desk, since when, overdue or not. Oldest first."""
    now = moment(now_text) or system_clock()
    with reporting(as_json), transaction(session_factory(), write=False, stream=True) as session:
        if as_json:
            stream_json(engine.iter_stuck(session, now))
            return
        emit_table(
            engine.stuck(session, now),
            [
                ("ITEM", lambda r: r.instance_id),
                ("TITLE", lambda r: r.title),
                ("STEP", lambda r: r.step or r.element_id),
                ("HOLDER", lambda r: r.holder),
                ("SINCE", lambda r: r.since),
                ("DAYS", lambda r: r.age_days),
                ("DUE", lambda r: r.due_at),
                ("OVERDUE", lambda r: r.overdue),
            ],
        )
