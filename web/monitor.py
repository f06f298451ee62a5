"""Theo dõi: where every item waits, who holds it, since when, overdue or not; an Excel export
of the same list; per process, a heatmap of its steps on the diagram. Managers and inspectors
(workflows.roles.AUDITOR_GROUPS) only: everyone else gets the 403 page."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from io import BytesIO
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

import engine
from workflows.catalog import entry as catalog_entry
from workflows.org_chart import read_org_chart

from .extensions import login_manager
from .formatting import datetime_vn, local
from .unit_of_work import is_auditor, now, uow

bp = Blueprint("monitor", __name__, url_prefix="/monitor")

ROW_LIMIT = 500  # rows on the page; the export has them all
MAX_TEXT = 200
# The heat of a step: its queue length and its average wait, each on a scale of 1 (calm) to 4
# (hot); the hotter of the two wins, so one item stuck for weeks shows as much as a long queue.
HEAT_COUNTS = (3, 6, 10)
HEAT_DAYS = (2.0, 5.0, 10.0)
FILTER_KEYS = ("process", "unit", "step", "status", "q")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class Choices:
    """What the filter form offers, and the names to show for the chosen values."""

    processes: list[tuple[str, str]]  # (process id, name) of processes items start in
    names: dict[str, str]  # every deployed process id -> name
    units: list[tuple[str, list[tuple[str, str]]]]  # (optgroup label, [(group key, label)])
    group_names: dict[str, str]  # group key -> name
    steps: list[tuple[str, str]]  # (element id, title)


def status_labels() -> dict[str, str]:
    return {
        "within": _("Trong hạn"),
        "overdue": _("Quá hạn"),
        "done_on_time": _("Hoàn thành đúng hạn"),
        "done_late": _("Hoàn thành quá hạn"),
        "error": _("Lỗi, chờ quản trị"),
    }


@bp.before_request
def auditors_only() -> BaseResponse | None:
    if not current_user.is_authenticated:
        response: BaseResponse = login_manager.unauthorized()
        return response
    if not is_auditor():
        abort(403)
    return None


@bp.context_processor
def helpers() -> dict[str, Any]:
    return {"status_labels": status_labels(), "days": _days_text}


def _days_text(value: float | None) -> str:
    return "" if value is None else str(format_decimal(value, format="0.0"))


def _filters() -> engine.MonitorFilter:
    def pick(name: str) -> str | None:
        return (request.args.get(name) or "").strip()[:MAX_TEXT] or None

    status = pick("status")
    return engine.MonitorFilter(
        process_id=pick("process"),
        unit=pick("unit"),
        element_id=pick("step"),
        status=status if status in engine.STATUSES else None,
        text=pick("q"),
    )


@cache
def _unit_keys() -> tuple[tuple[str, str], ...]:
    """(unit key, its leaders' group key) in the org chart's order."""
    return tuple((u.key, u.leaders_group) for u in read_org_chart().units)


def _choices(
    session: Session, filters: engine.MonitorFilter, moment: datetime, *, step_menu: bool = True
) -> Choices:
    deployed = engine.list_processes(session)
    names = {p.process_id: p.name for p in deployed}
    # Processes that only run as a call activity have no items of their own.
    startable = [
        (p.process_id, p.name)
        for p in deployed
        if (found := catalog_entry(p.process_id)) is None or found.starters is not None
    ]
    group_names = dict(engine.list_groups(session))
    in_units: list[tuple[str, str]] = []
    for unit, leaders in _unit_keys():
        if unit in group_names:
            in_units.append((unit, group_names[unit]))
        if leaders in group_names:
            in_units.append((leaders, "— " + group_names[leaders]))
    placed = {key for key, _label in in_units}
    others = sorted(
        ((k, n) for k, n in group_names.items() if k not in placed), key=lambda kv: kv[1]
    )
    units = [(_("Phòng, đơn vị thuộc Sở"), in_units), (_("Nhóm khác"), others)]
    steps: dict[str, str] = {}
    # Step titles come from the task history (the engine has no list of a diagram's steps).
    for process_id in [filters.process_id] if filters.process_id else [p for p, _n in startable]:
        for stat in engine.step_stats(session, process_id, moment) if step_menu else []:
            steps.setdefault(stat.element_id, stat.title)
    if filters.element_id and filters.element_id not in steps:
        steps[filters.element_id] = filters.element_id
    ordered = sorted(steps.items(), key=lambda kv: kv[1].lower())
    return Choices(startable, names, [u for u in units if u[1]], group_names, ordered)


def _describe(
    filters: engine.MonitorFilter, choices: Choices, rows: list[engine.MonitorRow]
) -> str:
    everything = _("tất cả")
    steps = dict(choices.steps)
    steps.update({r.element_id: r.step for r in rows if r.element_id and r.step})
    status = (
        status_labels()[filters.status]
        if filters.status
        else _("đang xử lý (trong hạn và quá hạn)")
    )
    parts = [
        _(
            "Quy trình: %(v)s",
            v=choices.names.get(filters.process_id, filters.process_id)
            if filters.process_id
            else everything,
        ),
        _(
            "Đơn vị: %(v)s",
            v=choices.group_names.get(filters.unit, filters.unit) if filters.unit else everything,
        ),
        _(
            "Bước: %(v)s",
            v=steps.get(filters.element_id, filters.element_id)
            if filters.element_id
            else everything,
        ),
        _("Tình trạng: %(v)s", v=status),
    ]
    if filters.text:
        parts.append(_("Tìm: “%(v)s”", v=filters.text))
    return "; ".join(parts)


def _summary(rows: list[engine.MonitorRow]) -> dict[str, int]:
    counts = Counter(r.status for r in rows)
    return {
        "open": counts["within"] + counts["overdue"] + counts["error"],
        "overdue": counts["overdue"],
        "done": counts["done_on_time"] + counts["done_late"],
        **{status: counts[status] for status in engine.STATUSES},
    }


def _query() -> dict[str, str]:
    """The filters in use, to carry into links (export, per-step and per-unit counts)."""
    return {k: v for k, v in request.args.items() if k in FILTER_KEYS and v.strip()}


def _step_links(rows: list[engine.MonitorRow]) -> dict[str, str]:
    """Step title -> element id, for the per-step counts to link to their filter."""
    links: dict[str, str] = {}
    for row in rows:
        if row.step and row.element_id:
            links.setdefault(row.step, row.element_id)
    return links


@bp.get("/")
def index() -> str:
    filters = _filters()
    moment = now()
    with uow() as s:
        result = engine.monitor(s, moment, filters)
        choices = _choices(s, filters, moment)
    unit_keys = {name: key for key, name in choices.group_names.items()}
    return render_template(
        "monitor/index.html",
        filters=filters,
        result=result,
        rows=result.rows[:ROW_LIMIT],
        row_limit=ROW_LIMIT,
        choices=choices,
        summary=_summary(result.rows),
        step_links=_step_links(result.rows),
        unit_keys=unit_keys,
        description=_describe(filters, choices, result.rows),
        query=_query(),
    )


@bp.get("/export.xlsx")
def export() -> Response:
    filters = _filters()
    moment = now()
    with uow() as s:
        result = engine.monitor(s, moment, filters)
        choices = _choices(s, filters, moment, step_menu=False)
    buffer = BytesIO()
    _workbook(result.rows, choices, _describe(filters, choices, result.rows), moment).save(buffer)
    buffer.seek(0)
    stamp = local(moment).strftime("%Y-%m-%d")  # type: ignore[union-attr]
    return send_file(
        buffer, mimetype=XLSX, as_attachment=True, download_name=f"theo-doi-{stamp}.xlsx"
    )


def _excel_date(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local wall-clock time is what the reader expects.
    found = local(moment)
    return found.replace(tzinfo=None) if found else None


def _text(cell: Cell) -> None:
    # An item's title is typed by users: never let "=..." become a live formula.
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _workbook(
    rows: list[engine.MonitorRow], choices: Choices, description: str, moment: datetime
) -> Workbook:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = _("Theo dõi")
    headers = [
        _("Số"),
        _("Hồ sơ"),
        _("Quy trình"),
        _("Bước hiện tại"),
        _("Đơn vị"),
        _("Người xử lý"),
        _("Từ ngày"),
        _("Số ngày"),
        _("Hạn xử lý"),
        _("Tình trạng"),
    ]
    widths = [8, 48, 34, 34, 34, 30, 12, 9, 12, 20]
    title = _(
        "Theo dõi hồ sơ — %(filters)s — Xuất lúc %(at)s",
        filters=description,
        at=datetime_vn(moment),
    )
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=12)
    _text(sheet["A1"])
    sheet.append(headers)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    labels = status_labels()
    for row in rows:
        sheet.append(
            [
                row.instance_id,
                row.title,
                choices.names.get(row.process_id, row.process_id),
                row.step or "",
                row.unit or "",
                row.holder,
                _excel_date(row.since),
                row.age_days,
                _excel_date(row.due_at),
                labels.get(row.status, row.status),
            ]
        )
        line = sheet.max_row
        for column in "BCDEFJ":
            _text(sheet[f"{column}{line}"])
        sheet[f"G{line}"].number_format = "dd/mm/yyyy"
        sheet[f"I{line}"].number_format = "dd/mm/yyyy"
        sheet[f"H{line}"].number_format = "0.0"
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A3"
    if rows:
        sheet.auto_filter.ref = f"A2:J{sheet.max_row}"
    return book


def heat(stat: engine.StepStat) -> int:
    """0 when nothing waits at the step, else 1 (calm) to 4 (hot)."""
    if not stat.waiting:
        return 0
    by_count = 1 + sum(stat.waiting >= n for n in HEAT_COUNTS)
    by_age = 1 + sum(stat.avg_waiting_days >= d for d in HEAT_DAYS)
    return max(by_count, by_age)


def _process_name(session: Session, process_id: str) -> str:
    for process in engine.list_processes(session):
        if process.process_id == process_id:
            return process.name
    raise engine.NotFound(f"process '{process_id}' is not deployed")


@bp.get("/processes/<process_id>")
def process(process_id: str) -> str:
    moment = now()
    with uow() as s:
        name = _process_name(s, process_id)
        stats = engine.step_stats(s, process_id, moment)
    # Where it is stuck first: the longest queues, then the longest waits.
    stats.sort(key=lambda st: (-st.waiting, -st.avg_waiting_days, st.title.lower()))
    return render_template(
        "monitor/process.html",
        process_id=process_id,
        name=name,
        stats=stats,
        heat=heat,
        totals={
            "waiting": sum(st.waiting for st in stats),
            "done": sum(st.done for st in stats),
        },
    )


@bp.get("/processes/<process_id>/stats.json")
def stats(process_id: str) -> Response:
    moment = now()
    with uow() as s:
        name = _process_name(s, process_id)
        found = engine.step_stats(s, process_id, moment)
    return jsonify(
        {
            "process_id": process_id,
            "name": name,
            "steps": [
                {
                    "element_id": st.element_id,
                    "title": st.title,
                    "waiting": st.waiting,
                    "avg_waiting_days": st.avg_waiting_days,
                    "done": st.done,
                    "avg_duration_days": st.avg_duration_days,
                    "heat": heat(st),
                }
                for st in found
            ],
        }
    )


@bp.get("/processes/<process_id>/diagram.xml")
def diagram(process_id: str) -> Response:
    with uow() as s:
        xml = engine.diagram_xml(s, process_id)
    # An attachment, so an uploaded file is never rendered as a page of this site.
    return send_file(
        BytesIO(xml.encode("utf-8")),
        mimetype="application/xml",
        as_attachment=True,
        download_name=f"{process_id}.bpmn",
    )
