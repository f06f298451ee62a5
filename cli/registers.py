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
from .output import emit_json, emit_table, fail, reporting

COLUMNS = [
    ("NUMBER", lambda r: r.text),
    ("ISSUED", lambda r: r.issued_at),
    ("TYPE", lambda r: document_type(r.register_key)),
    ("ITEM", lambda r: r.instance_id),
    ("SUMMARY", lambda r: r.trich_yeu),
    ("SIGNER", lambda r: r.signer),
    ("BY", lambda r: r.issued_by),
    ("STATUS", lambda r: r.status),
    ("NOTE", lambda r: r.void_reason),
]


def _json_row(row: engine.RegisterRow) -> dict[str, Any]:
    found: dict[str, Any] = engine.to_jsonable(row)
    found.pop("may_view", None)  # the operator may open every item
    return {**found, "document_type": document_type(row.register_key), "trich_yeu": row.trich_yeu}


@click.group(invoke_without_command=True)
@click.option("--key", help="one register (its key, e.g. TTr); default: all")
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    help="the year (in the office's time zone); default: this year",
)
@click.option("--search", "text", help="only numbers, trích yếu or titles containing this text")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def registers(
    ctx: click.Context, key: str | None, year: int | None, text: str | None, as_json: bool
) -> None:
    """The numbers given in a year's registers, void ones included; `void` withdraws one."""
    if ctx.invoked_subcommand is not None:
        return
    if year is None:
        year = _this_year()
    with reporting(as_json), transaction(session_factory(), write=False) as session:
        rows = engine.register_book(session, engine.RegisterFilter(key, year, text), None)
    if as_json:
        emit_json([_json_row(r) for r in rows])
    else:
        emit_table(rows, COLUMNS)


def _this_year() -> int:
    return system_clock().astimezone(work_calendar().zone).year


@registers.command("void")
@click.argument("number", type=click.IntRange(1))
@click.option("--key", required=True, help="the register (its key, e.g. TTr)")
@click.option(
    "--year",
    type=click.IntRange(2000, 2100),
    help="the number's year (in the office's time zone); default: this year",
)
@click.option("--reason", required=True, help="why the number is withdrawn (kept in the register)")
@click.option("--as", "username", required=True, help="who voids it (kept with the reason)")
@click.option("--json", "as_json", is_flag=True)
def void(
    number: int, key: str, year: int | None, reason: str, username: str, as_json: bool
) -> None:
    """Mark NUMBER of a register void (the document was withdrawn): it stays in the register,
    struck through with its reason, and is never given again."""
    if year is None:
        year = _this_year()
    if not reason.strip():
        fail(
            "invalid_input",
            "--reason must say why the number is withdrawn",
            engine.InvalidInput.exit_code,
            as_json,
        )
    with reporting(as_json):
        factory = session_factory()
        with transaction(factory) as session:
            if not engine.user_exists(session, username):
                raise engine.NotFound(f"user '{username}' does not exist")
            engine.void_number(session, key, year, number, reason, by=username)
        with transaction(factory, write=False) as session:
            row = next(r for r in engine.register_entries(session, key, year) if r.number == number)
    if as_json:
        emit_json(row)
    else:
        click.echo(f"{row.text} is void: {row.void_reason}")
