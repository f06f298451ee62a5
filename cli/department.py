"""Commands about this department rather than the engine: the plan importer and the demo."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

import engine
from engine import system_clock, transaction
from workflows import engine_config
from workflows.demo import DEMO_PASSWORD, load_demo
from workflows.org_chart import read_org_chart, units_of
from workflows.plan_assign import start_assignments
from workflows.plan_import import Assignment, Deadline, read_plan, require_assignments
from workflows.plan_units import UnitRegistry, recognising, registry_from_files, registry_of
from workflows.plan_year import FIRST_YEAR, LAST_YEAR, in_year

from .context import moment, session_factory
from .output import emit_json, emit_table, reporting
from .worker import upload_folder


@click.group()
def plan() -> None:
    """The department's plans (kế hoạch)."""


@plan.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="only show what was found")
@click.option("--as", "username", default="vp.tp", show_default=True, help="who starts the items")
@click.option(
    "--year",
    type=click.IntRange(FIRST_YEAR, LAST_YEAR),
    help="read it as a plan of this year: deadlines move to it, same day and month "
    "(the plan's own stay with each item)",
)
@click.option("--json", "as_json", is_flag=True)
def plan_import(file: str, dry_run: bool, username: str, year: int | None, as_json: bool) -> None:
    """Find every assignment of a plan (.txt or .docx); start one item per assignment."""
    with reporting(as_json):
        text = read_plan(file)
        with recognising(_unit_registry(dry_run)):
            found = require_assignments(text)
        if year is not None:
            found = in_year(found, year)
        started: dict[int, int | None] = {}
        if not dry_run:
            with transaction(session_factory()) as session:
                # The units as the database has them: the chart's and any added in Quản trị.
                chart = replace(read_org_chart(), units=units_of(session))
                results = start_assignments(session, engine_config(), found, chart, username)
            started = {i: r.instance_id for i, r in enumerate(results)}
        if as_json:
            rows = [a.to_json() for a in found]
            if not dry_run:
                for i, row in enumerate(rows):
                    row["instance_id"] = started[i]
            emit_json(rows)
            return
        emit_table(
            list(enumerate(found)),
            [
                ("SECTION", lambda r: r[1].section),
                ("LEAD", lambda r: r[1].lead_unit),
                ("DEADLINE", lambda r: _deadline_cell(r[1])),
                ("ITEM", lambda r: started.get(r[0], "-") if not dry_run else "-"),
                ("NEEDS A DECISION", lambda r: r[1].needs_decision),
            ],
        )
        todo = sum(1 for a in found if a.needs_decision)
        click.echo(
            f"{len(found)} assignment(s), {todo} need a person's decision"
            + ("" if dry_run else f"; {sum(1 for v in started.values() if v)} started")
        )


def _unit_registry(dry_run: bool) -> UnitRegistry:
    """The units and outside bodies of the database (the one source, edited in Quản trị); a
    dry run before any SQLite database exists reads the shipped chart and list instead."""
    db = engine.create_db_engine()
    path = db.url.database if db.url.get_backend_name() == "sqlite" else None
    if dry_run and path and path != ":memory:" and not Path(path).exists():
        db.dispose()
        return registry_from_files()
    db.dispose()
    with transaction(session_factory(), write=False) as session:
        return registry_of(session)


def _deadline_cell(assignment: Assignment) -> str:
    def cell(d: Deadline) -> str:
        value = d.to_json()["value"]
        if isinstance(value, dict):
            value = ",".join(f"{k}={v}" for k, v in value.items() if v is not None)
        return f"{d.kind} {value or ''}".rstrip()

    source = assignment.source_deadline
    moved = f" (plan: {source.value})" if source else ""
    return cell(assignment.deadline) + moved


@click.command()
@click.option("--now", "now_text", help="load it as if it were this moment (ISO 8601)")
def demo(now_text: str | None) -> None:
    """Load the demo office (idempotent) and print its logins, each with what to try first."""
    now = moment(now_text) or system_clock()
    with reporting(False):
        report = load_demo(session_factory(), now, upload_folder())
    created = sum(1 for d in report.deployed if d.created)
    click.echo(
        f"org chart: {report.people} people; diagrams: {created} new version(s); "
        f"plan: {report.plan_items} new item(s); demo items: {report.demo_items} new"
    )
    click.echo(f"\nDemo logins (password for everyone: {DEMO_PASSWORD}) and what to try first:")
    for username, what in report.logins:
        click.echo(f"  {username:13} {what}")
