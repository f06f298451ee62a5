"""`pheduyet report`: the assigned tasks of a period per lead unit in the four states of
QĐ 42/2014 (done on time, done late, open within the deadline, open overdue), as Theo dõi's
"Báo cáo tình hình thực hiện nhiệm vụ" shows them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import click

import engine
from engine import system_clock, transaction
from workflows.plan_year import FIRST_YEAR, LAST_YEAR
from workflows.task_report import ASSIGNED_TASKS

from .context import moment, session_factory
from .output import emit_json, emit_table, reporting

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")  # the office's: a period's days are its local dates


@click.command("report")
@click.option(
    "--period",
    "code",
    help="m1..m12 (month), q1..q4 (quarter), h1, h2 (half year) or y (year); "
    "default: the current quarter",
)
@click.option("--year", type=click.IntRange(FIRST_YEAR, LAST_YEAR), help="default: this year")
@click.option("--now", "now_text", help="report as if it were this moment (ISO 8601)")
@click.option("--json", "as_json", is_flag=True)
def report(code: str | None, year: int | None, now_text: str | None, as_json: bool) -> None:
    """Assigned tasks per lead unit: done on time, done late, open within, open overdue."""
    with reporting(as_json):
        today = (moment(now_text) or system_clock()).astimezone(ZONE).date()
        current = engine.current_period(today)
        period = engine.report_period(code or current.code, year or today.year)
        with transaction(session_factory(), write=False) as session:
            found = engine.task_report(session, ASSIGNED_TASKS, period, today)
        if as_json:
            emit_json(
                {
                    "period": period.code,
                    "year": period.year,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "as_of": found.as_of.isoformat(),
                    "units": [_counts(r) for r in found.rows],
                    "totals": _counts(found.totals),
                }
            )
            return
        click.echo(
            f"period {period.code} {period.year} ({period.start:%d/%m/%Y}-{period.end:%d/%m/%Y}),"
            f" as of {found.as_of:%d/%m/%Y}"
        )
        emit_table(
            [*found.rows, found.totals],
            [
                ("UNIT", lambda r: "TOTAL" if r is found.totals else (r.name or r.unit or "-")),
                ("DONE ON TIME", lambda r: r.done_on_time),
                ("DONE LATE", lambda r: r.done_late),
                ("OPEN WITHIN", lambda r: r.open_within),
                ("OPEN OVERDUE", lambda r: r.open_overdue),
                ("TOTAL", lambda r: r.total),
            ],
        )


def _counts(row: engine.UnitCounts) -> dict[str, object]:
    return {
        "unit": row.unit,
        "name": row.name,
        **{state: row.count(state) for state in engine.REPORT_STATES},
        "total": row.total,
    }
