"""Theo dõi: where every item waits, who holds it, since when, overdue or not; an Excel export
of the same list; per process, a heatmap of its steps on the diagram. Managers and inspectors
(workflows.roles.AUDITOR_GROUPS) only: everyone else gets the 403 page."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from io import BytesIO
from itertools import islice
from typing import Any

from flask import Blueprint, Response, abort, jsonify, render_template, request, send_file
from flask_babel import format_decimal
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

import engine
from workflows.catalog import entry as catalog_entry
from workflows.decisions import came_back, return_reason
from workflows.org_chart import units_of
from workflows.task_report import CONTENT_KEYS

from . import task_report
from .extensions import gettext as _
from .extensions import login_manager
from .formatting import datetime_vn, local
from .unit_of_work import is_auditor, now, uow
from .wording import catalog_title
from .xlsx import DATE, SheetLayout, write_xlsx

bp = Blueprint("monitor", __name__, url_prefix="/monitor")
# The report of assigned tasks (/monitor/report/): its pages pass this blueprint's check.
bp.register_blueprint(task_report.bp)

PAGE_SIZE = 50  # rows on a page; the export has them all
NOTES_EVERY = 500  # the export's rows whose notes are read together (two statements)
MAX_TEXT = 200
# The heat of a step: its queue length and its average wait, each on a scale of 1 (calm) to 4
# (hot); the hotter of the two wins, so one item stuck for weeks shows as much as a long queue.
HEAT_COUNTS = (3, 6, 10)
HEAT_DAYS = (2.0, 5.0, 10.0)
FILTER_KEYS = ("process", "unit", "step", "status", "q")
FINISHED = ("done_on_time", "done_late")
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


def status_of(row: engine.MonitorRow, labels: dict[str, str]) -> str:
    """A row's state as its badge says it: an open step that has no deadline is not "in
    time", it has none."""
    if row.status == "within" and row.due_at is None:
        return str(_("Không có hạn"))
    return labels.get(row.status, row.status)


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
    return {
        "status_labels": status_labels(),
        "status_of": status_of,
        "holder_of": holder_of,
        "days": _days_text,
        "age": _age_text,
    }


def _days_text(value: float | None) -> str:
    return "" if value is None else str(format_decimal(value, format="0.0"))


def _age_text(days: float) -> str:
    return str(format_decimal(shown_age(days), format="0.#"))


def shown_age(days: float) -> float:
    """How long a step has waited as Theo dõi shows it, on the page and in the export: in whole
    days, and in tenths of a day only under one day (a file that came in this morning)."""
    return days if days < 1 else float(math.floor(days + 0.5))


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


def _choices(
    session: Session, filters: engine.MonitorFilter, moment: datetime, *, step_menu: bool = True
) -> Choices:
    deployed = engine.list_processes(session)
    names = {p.process_id: catalog_title(p.process_id) or p.name for p in deployed}
    # Processes that only run as a call activity have no items of their own.
    startable = [
        (p.process_id, names[p.process_id])
        for p in deployed
        if (found := catalog_entry(p.process_id)) is None or found.starters is not None
    ]
    group_names = dict(engine.list_groups(session))
    in_units: list[tuple[str, str]] = []
    # The units as the database has them (the loaded chart's and any added in Quản trị).
    for unit, leaders in ((u.key, u.leaders_group) for u in units_of(session)):
        if unit in group_names:
            in_units.append((unit, group_names[unit]))
        if leaders in group_names:
            in_units.append((leaders, "— " + group_names[leaders]))
    placed = {key for key, _label in in_units}
    others = sorted(
        ((k, n) for k, n in group_names.items() if k not in placed), key=lambda kv: kv[1]
    )
    units = [(_("Phòng, đơn vị thuộc Sở"), in_units), (_("Nhóm khác"), others)]
    # Step titles come from the deployed diagrams, never from the task history.
    wanted = [filters.process_id] if filters.process_id else [p for p, _n in startable]
    steps = engine.process_steps(session, wanted) if step_menu else {}
    if filters.element_id and filters.element_id not in steps:
        steps[filters.element_id] = filters.element_id
    ordered = sorted(steps.items(), key=lambda kv: kv[1].lower())
    return Choices(startable, names, [u for u in units if u[1]], group_names, ordered)


def _describe(filters: engine.MonitorFilter, choices: Choices) -> str:
    everything = _("tất cả")
    steps = dict(choices.steps)
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


def _summary(result: engine.MonitorResult) -> dict[str, int]:
    counts = Counter(result.by_status)
    return {
        "open": counts["within"] + counts["overdue"] + counts["error"],
        "overdue": counts["overdue"],
        "done": counts["done_on_time"] + counts["done_late"],
        **{status: counts[status] for status in engine.STATUSES},
    }


def _query() -> dict[str, str]:
    """The filters in use, to carry into links (export, per-step and per-unit counts)."""
    return {k: v for k, v in request.args.items() if k in FILTER_KEYS and v.strip()}


@bp.get("/")
def index() -> str:
    filters = _filters()
    moment = now()
    after = (request.args.get("after") or "").strip() or None
    with uow() as s:
        result = engine.monitor(s, moment, filters, after=after, limit=PAGE_SIZE)
        returns = _returns(s, result.rows)
        # What made a finished item late: its steps done after their due time.
        late = engine.late_steps(s, [r.instance_id for r in result.rows if r.status == "done_late"])
        choices = _choices(s, filters, moment)
        # Items stopped by a failed service call or timer: some have no open step to list.
        parked = [] if after else engine.parked_items(s, process_id=filters.process_id)
        # Items waiting for a message or a signal from outside: no one's desk holds them.
        waiting = [] if after else engine.waiting_items(s, process_id=filters.process_id, limit=20)
        # Items waiting for an outside worker (an external task): no one's desk holds them either.
        external = (
            [] if after else engine.list_external_tasks(s, process_id=filters.process_id, limit=20)
        )
    unit_keys = {name: key for key, name in choices.group_names.items()}
    return render_template(
        "monitor/index.html",
        filters=filters,
        result=result,
        rows=result.rows,
        paged=after is not None,
        page_size=PAGE_SIZE,
        choices=choices,
        summary=_summary(result),
        step_links=result.step_ids,
        unit_keys=unit_keys,
        description=_describe(filters, choices),
        query=_query(),
        parked=parked,
        waiting=waiting,
        external=external,
        returns=returns,
        late=late,
    )


def _returns(session: Session, rows: list[engine.MonitorRow]) -> dict[str, str]:
    """Task id -> the reason it was returned with, for each open step a return opened (the
    item's latest completed step was a return, made before this step opened; "" without a
    reason written): Theo dõi says why an item is back at an earlier step."""
    opened = [r for r in rows if r.task_id]
    last = engine.last_steps(session, {r.instance_id for r in opened}) if opened else {}
    found: dict[str, str] = {}
    for row in opened:
        step = last.get(row.instance_id)
        if step is not None and came_back(step.decision, step.at, row.since):
            found[str(row.task_id)] = return_reason(step.comment, step.data) or ""
    return found


def _noted(
    session: Session, rows: Iterable[engine.MonitorRow]
) -> Iterator[tuple[engine.MonitorRow, str]]:
    """Each row with what the page says beside its status (returned and why; the steps a
    finished item did late), read for NOTES_EVERY rows at a time: the export stays streamed."""
    stream = iter(rows)
    while chunk := list(islice(stream, NOTES_EVERY)):
        returns = _returns(session, chunk)
        late = engine.late_steps(session, [r.instance_id for r in chunk if r.status == "done_late"])
        for row in chunk:
            notes = []
            reason = returns.get(str(row.task_id))
            if reason is not None:
                notes.append(
                    _("Bị trả lại. Lý do: %(reason)s", reason=reason) if reason else _("Bị trả lại")
                )
            if late.get(row.instance_id):
                notes.append(_("Trễ hạn ở bước: %(steps)s", steps=", ".join(late[row.instance_id])))
            yield row, " ".join(notes)


@bp.get("/export.xlsx")
def export() -> Response:
    filters = _filters()
    moment = now()
    buffer = BytesIO()
    with uow(stream=True) as s:
        choices = _choices(s, filters, moment)
        _workbook(
            buffer,
            _noted(s, engine.monitor_all(s, moment, filters, CONTENT_KEYS)),
            choices,
            _describe(filters, choices),
            moment,
        )
    buffer.seek(0)
    stamp = local(moment).strftime("%Y-%m-%d")  # type: ignore[union-attr]
    # The filter in the name too: two exports of one day (a unit's, a process's) stay apart.
    chosen = (filters.process_id, filters.unit, filters.element_id, filters.status)
    named = "-".join(["theo-doi", *(re.sub(r"[^\w.-]", "_", c) for c in chosen if c), stamp])
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"{named}.xlsx")


def _excel_date(moment: datetime | None) -> datetime | None:
    # Excel has no time zones: the local wall-clock time is what the reader expects.
    found = local(moment)
    return found.replace(tzinfo=None) if found else None


def _workbook(
    out: BytesIO,
    rows: Iterable[tuple[engine.MonitorRow, str]],
    choices: Choices,
    description: str,
    moment: datetime,
) -> int:
    """The list as a sheet, streamed row by row (web.xlsx): time grows with the rows written,
    memory does not grow at all. Returns the number of rows."""
    layout = SheetLayout(
        name=_("Theo dõi"),
        title=_(
            "Theo dõi hồ sơ — %(filters)s — Xuất lúc %(at)s",
            filters=description,
            at=datetime_vn(moment),
        ),
        headers=[
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
            _("Ghi chú"),  # returned and why; the steps done late
            _("Nội dung"),  # the item's whole wording, where its title is cut
        ],
        widths=[8, 48, 34, 34, 34, 30, 12, 9, 12, 20, 40, 80],
        formats=[None, None, None, None, None, None, DATE, None, DATE, None, None, None],
    )
    labels = status_labels()
    names = choices.names
    return write_xlsx(
        out,
        layout,
        (
            (
                row.instance_id,
                row.title,
                names.get(row.process_id, row.process_id),
                row.step or "",
                row.unit or "",
                _starter(row) if row.status in FINISHED else holder_of(row),
                _excel_date(row.since),
                shown_age(row.age_days),
                _excel_date(row.due_at),
                status_of(row, labels),
                note,
                row.content or "",
            )
            for row, note in rows
        ),
    )


def holder_of(row: engine.MonitorRow) -> str:
    """Who holds an open step; its groups, said to be waiting, when nobody has taken it."""
    return row.holder if row.taken else str(_("%(names)s (chưa có người nhận)", names=row.holder))


def _starter(row: engine.MonitorRow) -> str:
    """The person a finished row names: who started it, said so as the page says it."""
    return f"{row.holder} ({_('người tạo')})"


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
            return catalog_title(process_id) or process.name
    raise engine.NotFound(f"process '{process_id}' is not deployed")


def _titled_stats(session: Session, process_id: str, moment: datetime) -> list[engine.StepStat]:
    """The step statistics, each step titled as the deployed diagram names it (the totals keep
    the title of one of its tasks: for a step named with JUEL, "Vote of giamdoc" for all)."""
    titles = engine.process_steps(session, [process_id])
    return [
        replace(stat, title=titles.get(stat.element_id, stat.title))
        for stat in engine.step_stats(session, process_id, moment)
    ]


@bp.get("/processes/<process_id>")
def process(process_id: str) -> str:
    moment = now()
    with uow() as s:
        name = _process_name(s, process_id)
        stats = _titled_stats(s, process_id, moment)
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
        found = _titled_stats(s, process_id, moment)
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
