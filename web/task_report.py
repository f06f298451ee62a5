"""Báo cáo tình hình thực hiện nhiệm vụ: the assigned tasks of a month, quarter, half or year
per lead unit in the four states of QĐ 42/2014/QĐ-TTg (done on time, done late, open within
the deadline, open overdue), each number a link to its tasks, and the same table in Excel.
Part of Theo dõi (registered under its blueprint, so the same people see it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from flask import Blueprint, Response, render_template, request, send_file
from sqlalchemy.orm import Session

import engine
from workflows.org_chart import units_of
from workflows.plan_year import FIRST_YEAR, LAST_YEAR
from workflows.task_report import ASSIGNED_TASKS

from .extensions import gettext as _
from .formatting import datetime_vn, local
from .unit_of_work import now, uow
from .xlsx import DATE, SheetLayout, write_workbook

bp = Blueprint("report", __name__, url_prefix="/report")

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STATES = engine.REPORT_STATES
MAX_LISTED = 500  # tasks listed under the table; the numbers count them all


def state_labels() -> dict[str, str]:
    return {
        "done_on_time": _("Hoàn thành đúng hạn"),
        "done_late": _("Hoàn thành quá hạn"),
        "open_within": _("Đang thực hiện trong hạn"),
        "open_overdue": _("Quá hạn chưa hoàn thành"),
    }


def period_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The period menu: (group label, [(code, label)])."""
    return [
        (_("Tháng"), [(f"m{n}", _("Tháng %(n)s", n=n)) for n in range(1, 13)]),
        (
            _("Quý"),
            [(f"q{n}", _("Quý %(n)s", n=r)) for n, r in enumerate(("I", "II", "III", "IV"), 1)],
        ),
        (_("6 tháng"), [("h1", _("6 tháng đầu năm")), ("h2", _("6 tháng cuối năm"))]),
        (_("Năm"), [("y", _("Cả năm"))]),
    ]


def period_label(period: engine.ReportPeriod) -> str:
    labels = {code: label for _g, options in period_choices() for code, label in options}
    return _("%(period)s năm %(year)s", period=labels[period.code], year=period.year)


@dataclass(frozen=True)
class Chosen:
    period: engine.ReportPeriod
    today: date
    error: str | None  # what was wrong with the request's period, when it was


def _today(moment: datetime) -> date:
    found = local(moment)
    assert found is not None
    return found.date()


def chosen_period(code: str | None, year_text: str | None, today: date) -> Chosen:
    """The period the request asks for; the current quarter when it asks for none, or (with
    a message) when what it asks for is not a period."""
    default = engine.current_period(today)
    if not code and not year_text:
        return Chosen(default, today, None)
    try:
        year = int((year_text or str(today.year)).strip())
        if not FIRST_YEAR <= year <= LAST_YEAR:
            raise ValueError(year)
        return Chosen(engine.report_period(code or default.code, year), today, None)
    except (ValueError, engine.InvalidInput):
        return Chosen(
            default,
            today,
            _(
                "Kỳ báo cáo không hợp lệ: chọn tháng, quý, 6 tháng hoặc năm và nhập năm từ "
                "%(first)s đến %(last)s. Đang hiển thị quý hiện tại.",
                first=FIRST_YEAR,
                last=LAST_YEAR,
            ),
        )


def _chosen() -> Chosen:
    return chosen_period(request.args.get("ky"), request.args.get("nam"), _today(now()))


def _unit_order(session: Session) -> dict[str, int]:
    """Each unit's place: the database's units (the loaded chart's and any added in Quản trị)
    in Quản trị's order, never the shipped chart file's."""
    return {unit.key: n for n, unit in enumerate(units_of(session))}


def _ordered(rows: list[engine.UnitCounts], order: dict[str, int]) -> list[engine.UnitCounts]:
    """The units in the database's order, then the others as the engine gave them."""
    return sorted(rows, key=lambda r: (r.unit is None, order.get(r.unit or "", len(order))))


def _unit_name(row: engine.UnitCounts | engine.ReportItem) -> str:
    if isinstance(row, engine.ReportItem):
        return row.unit_name or row.unit or _("Chưa phân công đơn vị chủ trì")
    return row.name or row.unit or _("Chưa phân công đơn vị chủ trì")


@bp.get("/")
def index() -> str:
    chosen = _chosen()
    unit = request.args.get("unit")
    state = request.args.get("state")
    listing = unit is not None or state in STATES
    with uow() as s:
        report = engine.task_report(s, ASSIGNED_TASKS, chosen.period, chosen.today)
        order = _unit_order(s)
        items = (
            engine.task_report_items(
                s,
                ASSIGNED_TASKS,
                chosen.period,
                chosen.today,
                unit=unit,
                state=state if state in STATES else None,
                limit=MAX_LISTED,
            )
            if listing
            else []
        )
    return render_template(
        "monitor/report.html",
        chosen=chosen,
        report=report,
        rows=_ordered(report.rows, order),
        states=STATES,
        state_labels=state_labels(),
        choices=period_choices(),
        label=period_label(chosen.period),
        unit_name=_unit_name,
        no_unit=engine.NO_UNIT,
        listing=listing,
        items=items,
        max_listed=MAX_LISTED,
        chosen_unit=unit,
        chosen_state=state if state in STATES else None,
        query={"ky": chosen.period.code, "nam": chosen.period.year},
    )


@bp.get("/export.xlsx")
def export() -> Response:
    """The counts table, then (second sheet) every counted task of the period, by unit in the
    table's order and then by deadline."""
    chosen = _chosen()
    moment = now()
    with uow() as s:
        report = engine.task_report(s, ASSIGNED_TASKS, chosen.period, chosen.today)
        items = engine.task_report_items(s, ASSIGNED_TASKS, chosen.period, chosen.today, limit=None)
        order = _unit_order(s)
    buffer = BytesIO()
    labels = state_labels()
    when = {
        "period": period_label(chosen.period),
        "as_of": report.as_of.strftime("%d/%m/%Y"),
        "at": datetime_vn(moment),
    }
    counts = SheetLayout(
        name=_("Báo cáo nhiệm vụ"),
        title=_(
            "Báo cáo tình hình thực hiện nhiệm vụ — %(period)s (tính đến ngày %(as_of)s) — "
            "Xuất lúc %(at)s",
            **when,
        ),
        headers=[_("Đơn vị chủ trì"), *(labels[s] for s in STATES), _("Tổng số")],
        widths=[48, 18, 18, 18, 18, 12],
        formats=[None] * 6,
    )
    rows = [
        (_unit_name(r), *(r.count(s) for s in STATES), r.total)
        for r in _ordered(report.rows, order)
    ]
    rows.append((_("Tổng cộng"), *(report.totals.count(s) for s in STATES), report.totals.total))
    listing = SheetLayout(
        name=_("Danh sách nhiệm vụ"),
        title=_(
            "Danh sách nhiệm vụ — %(period)s (tính đến ngày %(as_of)s) — Xuất lúc %(at)s",
            **when,
        ),
        headers=[
            _("Số"),
            _("Nhiệm vụ"),
            _("Nội dung nhiệm vụ"),
            _("Đơn vị chủ trì"),
            _("Hạn"),
            _("Ngày báo cáo"),
            _("Tình trạng"),
        ],
        widths=[8, 60, 80, 40, 12, 14, 26],
        formats=[None, None, None, None, DATE, DATE, None],
    )
    tasks = (
        (
            item.instance_id,
            item.title,
            item.content or "",
            _unit_name(item),
            _excel_day(item.deadline),
            _excel_day(item.done_on),
            labels[item.state],
        )
        for item in _ordered_items(items, order)
    )
    write_workbook(buffer, [(counts, rows), (listing, tasks)])
    buffer.seek(0)
    name = f"bao-cao-nhiem-vu-{chosen.period.year}-{chosen.period.code}.xlsx"
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name)


def _ordered_items(
    items: list[engine.ReportItem], order: dict[str, int]
) -> list[engine.ReportItem]:
    """The tasks by unit in the database's order (then the others, then no unit), then by
    deadline as the engine gave them (the sort is stable)."""
    return sorted(
        items,
        key=lambda i: (i.unit is None, order.get(i.unit or "", len(order)), i.unit or ""),
    )


def _excel_day(value: str | None) -> datetime | None:
    """An ISO date (or moment: its date) as the day Excel shows; None when absent or unreadable."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value[:10])
    except ValueError:
        return None
