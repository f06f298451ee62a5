"""`pheduyet registers`: the register of outgoing documents (sổ văn bản đi) of a year, as the
paper register reads (by register, then number), for operators and scripts."""

from __future__ import annotations

from typing import Any

import click

import engine
from engine import system_clock, transaction
from workflows.config import work_calendar
from workflows.register_access import document_type

from .context import session_factory
from .output import emit_json, emit_table, reporting

COLUMNS = [
    ("NUMBER", lambda r: r.text),
    ("ISSUED", lambda r: r.issued_at),
    ("TYPE", lambda r: document_type(r.register_key)),
    ("ITEM", lambda r: r.instance_id),
    ("TITLE", lambda r: r.title),
    ("BY", lambda r: r.issued_by),
    ("STATUS", lambda r: r.status),
    ("NOTE", lambda r: r.void_reason),
]


def _json_row(row: engine.RegisterRow) -> dict[str, Any]:
    found: dict[str, Any] = engine.to_jsonable(row)
    found.pop("may_view", None)  # the operator may open every item
    return {**found, "document_type": document_type(row.register_key)}


@click.command()
@click.option("--key", help="one register (its key, e.g. TTr); default: all")
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    help="the year (in the office's time zone); default: this year",
)
@click.option("--search", "text", help="only numbers or titles containing this text")
@click.option("--json", "as_json", is_flag=True)
def registers(key: str | None, year: int | None, text: str | None, as_json: bool) -> None:
    """The numbers given in a year's registers, void ones included."""
    if year is None:
        year = system_clock().astimezone(work_calendar().zone).year
    with reporting(as_json), transaction(session_factory(), write=False) as session:
        rows = engine.register_book(session, engine.RegisterFilter(key, year, text), None)
    if as_json:
        emit_json([_json_row(r) for r in rows])
    else:
        emit_table(rows, COLUMNS)
