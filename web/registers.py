"""Sổ đăng ký văn bản đi: the numbers the engine gave at issue, as the paper register reads
(số, ký hiệu; ngày; loại và trích yếu; người cấp số; tình trạng), newest first, one keyset page at
a time, for one register or all in one year; the year's register as an Excel sheet. Who may read
it is workflows.register_access; everyone else gets the 403 page."""

from __future__ import annotations

from datetime import datetime
from io import BytesIO
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

import engine
from workflows.register_access import document_type, may_read_register
from workflows.roles import AUDITOR_GROUPS

from .extensions import gettext as _
from .extensions import login_manager
from .formatting import datetime_vn, local
from .unit_of_work import me, now, uow
from .xlsx import DATE, SheetLayout, write_xlsx

bp = Blueprint("registers", __name__, url_prefix="/so-van-ban-di")

PAGE_SIZE = 50
MAX_TEXT = 200
FIRST_YEAR, LAST_YEAR = 2000, 2100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
def readers_only() -> BaseResponse | None:
    if not current_user.is_authenticated:
        response: BaseResponse = login_manager.unauthorized()
        return response
    if not may_read_register(me()):
        abort(403)
    return None


@bp.app_context_processor
def nav() -> dict[str, Any]:
    """Whether the header shows the register's link (every page)."""
    return {"may_read_register": current_user.is_authenticated and may_read_register(me())}


@bp.app_template_global("document_type")
def _document_type(register_key: str) -> str:
    return document_type(register_key)


def status_labels() -> dict[str, str]:
    return {"issued": _("Đã phát hành"), "void": _("Đã hủy số")}


def _this_year() -> int:
    moment = local(now())
    assert moment is not None
    return moment.year


def _filters() -> engine.RegisterFilter:
    """The register and year asked for (this year when none or a bad one), and the text."""
    key = (request.args.get("key") or "").strip()[:40] or None
    year = request.args.get("year", type=int)
    if year is None or not FIRST_YEAR <= year <= LAST_YEAR:
        year = _this_year()
    text = (request.args.get("q") or "").strip()[:MAX_TEXT] or None
    return engine.RegisterFilter(key=key, year=year, text=text)


def _choices(books: list[tuple[str, int]], chosen: engine.RegisterFilter) -> dict[str, Any]:
    keys = sorted({key for key, _year in books} | ({chosen.key} if chosen.key else set()))
    years = {year for _key, year in books} | {_this_year()}
    if chosen.year is not None:
        years.add(chosen.year)
    return {"keys": keys, "years": sorted(years, reverse=True)}


def _query(filters: engine.RegisterFilter) -> dict[str, Any]:
    """The filters in use, to carry into the paging and export links."""
    found = {"key": filters.key, "year": filters.year, "q": filters.text}
    return {k: v for k, v in found.items() if v}


@bp.get("/")
def index() -> str:
    filters = _filters()
    after = (request.args.get("after") or "").strip() or None
    with uow() as s:
        page = engine.register_listing(
            s, filters, me(), AUDITOR_GROUPS, after=after, limit=PAGE_SIZE
        )
        books = engine.register_books(s)
    return render_template(
        "registers/index.html",
        filters=filters,
        rows=page.rows,
        next_cursor=page.next_cursor,
        paged=after is not None,
        choices=_choices(books, filters),
        status_labels=status_labels(),
        query=_query(filters),
    )


@bp.get("/export.xlsx")
def export() -> Response:
    filters = _filters()
    moment = now()
    with uow() as s:
        rows = engine.register_book(s, filters, me(), AUDITOR_GROUPS)
    buffer = BytesIO()
    _workbook(buffer, rows, filters, moment)
    buffer.seek(0)
    name = f"so-van-ban-di-{filters.key + '-' if filters.key else ''}{filters.year}.xlsx"
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=name)


def _excel_date(moment: datetime) -> datetime:
    # Excel has no time zones: the local wall-clock time is what the reader expects.
    found = local(moment)
    assert found is not None
    return found.replace(tzinfo=None)


def _workbook(
    out: BytesIO, rows: list[engine.RegisterRow], filters: engine.RegisterFilter, moment: datetime
) -> int:
    which = document_type(filters.key) if filters.key else _("tất cả các loại")
    layout = SheetLayout(
        name=_("Sổ văn bản đi"),
        title=_(
            "Sổ đăng ký văn bản đi năm %(year)s — %(which)s — Xuất lúc %(at)s",
            year=filters.year,
            which=which,
            at=datetime_vn(moment),
        ),
        headers=[
            _("Số, ký hiệu"),
            _("Ngày cấp số"),
            _("Tên loại"),
            _("Trích yếu nội dung"),
            _("Người ký"),
            _("Hồ sơ số"),
            _("Người cấp số"),
            _("Tình trạng"),
            _("Ghi chú"),
        ],
        widths=[18, 12, 14, 60, 30, 9, 30, 16, 40],
        formats=[None, DATE, None, None, None, None, None, None, None],
    )
    labels = status_labels()
    return write_xlsx(
        out,
        layout,
        (
            (
                row.text,
                _excel_date(row.issued_at),
                document_type(row.register_key),
                row.trich_yeu or "",
                row.signer_name or row.signer or "",
                row.instance_id,
                row.issued_by_name or row.issued_by or "",
                labels.get(row.status, row.status),
                row.void_reason or "",
            )
            for row in rows
        ),
    )
