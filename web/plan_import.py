"""Nhập kế hoạch: a plan (.txt or .docx) uploaded, its assignments reviewed and corrected row by
row (lead unit, deadline, left out), then one `giao_nhiem_vu` item started per kept row.

For the people of Theo dõi and Quản trị only (the check runs before every request of the
blueprint). The importer (workflows.plan_import) reads the plan; the uploaded plan's text is kept
server-side in a draft file named by a random id and bound to the person who uploaded it, so the
review form posts only the corrections and nothing the client sends is taken as the plan. The
start is the importer's idempotent one (an item whose title exists is not started again) guarded
by the start key of the form, as "Tạo mới" is: a double click starts nothing more."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

import engine
from workflows.org_chart import Unit, read_org_chart, units_of
from workflows.plan_assign import Started, deadline_passed, start_assignments
from workflows.plan_import import (
    Assignment,
    Deadline,
    DeadlineKind,
    Every,
    find_assignments,
    read_plan,
    require_assignments,
)
from workflows.plan_units import UnitRegistry, outside_bodies_of, recognising, registry_of
from workflows.plan_year import FIRST_YEAR, LAST_YEAR, in_year

from .extensions import gettext as _
from .extensions import login_manager
from .unit_of_work import config, is_admin, is_auditor, me, now, uow
from .wording import size_text

bp = Blueprint("plan_import", __name__, url_prefix="/plan-import")

SUFFIXES = (".txt", ".docx")
DRAFT_ID = re.compile(r"[A-Za-z0-9_-]{24,48}")
KEPT_SECONDS = 2 * 24 * 3600  # a draft lives as long as a start key (engine.start_keys)
SESSION_KEY = "plan_imports"
SESSION_DRAFTS = 5  # the newest drafts a person's session remembers
SHORT_TEXT = 160
BODY_PREFIX = "co-quan:"  # a lead chosen among the outside bodies: its name follows

Page = tuple[str, int]


@bp.before_request
def monitors_and_admins_only() -> BaseResponse | None:
    if not current_user.is_authenticated:
        response: BaseResponse = login_manager.unauthorized()
        return response
    if not (is_auditor() or is_admin()):
        abort(403)
    return None


# --- the draft: the uploaded plan kept between requests ---------------------------------------


@dataclass(frozen=True)
class Draft:
    id: str
    username: str
    filename: str
    text: str
    year: int | None
    fingerprint: str  # of the rows the review showed: a changed importer reads them anew
    result: dict[str, Any] | None  # what the start did, once done


def _folder() -> Path:
    configured = current_app.config.get("PLAN_IMPORT_FOLDER")
    return Path(configured) if configured else Path(current_app.instance_path) / "plan_imports"


def _draft_path(draft_id: str) -> Path:
    return _folder() / f"{draft_id}.json"


def _fingerprint(rows: list[Assignment]) -> str:
    payload = json.dumps([a.to_json() for a in rows], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _write(draft: Draft) -> None:
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    data = {
        "username": draft.username,
        "filename": draft.filename,
        "text": draft.text,
        "year": draft.year,
        "fingerprint": draft.fingerprint,
        "result": draft.result,
    }
    temporary = folder / f".{draft.id}.tmp"
    temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, _draft_path(draft.id))


def _forget_old_drafts() -> None:
    folder = _folder()
    if not folder.is_dir():
        return
    oldest = time.time() - KEPT_SECONDS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < oldest:
                path.unlink()
        except OSError:
            continue  # another worker removed it first


def _load(draft_id: str) -> Draft:
    """The person's own draft, or 404: another person's, an expired or a made-up id look the
    same, so ids cannot be probed."""
    if not DRAFT_ID.fullmatch(draft_id) or draft_id not in session.get(SESSION_KEY, []):
        _gone()
    try:
        data = json.loads(_draft_path(draft_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        _gone()
    if data.get("username") != me().username:
        _gone()
    return Draft(
        draft_id,
        data["username"],
        data["filename"],
        data["text"],
        data["year"],
        data["fingerprint"],
        data.get("result"),
    )


def _gone() -> NoReturn:
    """A draft this person cannot have (another's, expired, from an earlier login, made up):
    one page for all, so ids cannot be probed, saying what to do."""
    page = render_template(
        "errors/error.html",
        title=_("Bản xem trước không còn"),
        message=_(
            "Bản xem trước kế hoạch chỉ được giữ trong phiên đăng nhập đã tải tệp lên, tối đa "
            "hai ngày. Hãy tải tệp kế hoạch lên lại."
        ),
        action=(url_for("plan_import.upload_form"), _("Tải tệp kế hoạch lên")),
    )
    abort(BaseResponse(page, 404, content_type="text/html; charset=utf-8"))


def _rows(draft: Draft) -> list[Assignment]:
    with recognising(_unit_registry()):
        found = find_assignments(draft.text)
    return in_year(found, draft.year) if draft.year is not None else found


def _unit_registry() -> UnitRegistry:
    """The units and outside bodies as the database has them now (Quản trị edits both)."""
    with uow(write=False) as s:
        return registry_of(s)


# --- pages -----------------------------------------------------------------------------------


@bp.get("/")
def upload_form() -> Page:
    return _upload_page()


@bp.post("/")
def upload() -> BaseResponse | Page:
    upload = request.files.get("ke_hoach")
    year_text = (request.form.get("nam") or "").strip()
    if upload is None or not upload.filename:
        return _upload_page(_("Chưa chọn tệp kế hoạch. Hãy chọn tệp .txt hoặc .docx."), year_text)
    filename = Path(upload.filename.replace("\\", "/")).name
    suffix = Path(filename).suffix.lower()
    if suffix not in SUFFIXES:
        return _upload_page(
            _("Chỉ nhận kế hoạch dạng tệp .txt hoặc .docx (tệp đã chọn: %(name)s).", name=filename),
            year_text,
        )
    year: int | None = None
    if year_text:
        if not year_text.isdigit() or not FIRST_YEAR <= int(year_text) <= LAST_YEAR:
            return _upload_page(
                _(
                    "Năm của kế hoạch phải là một năm từ %(first)s đến %(last)s.",
                    first=FIRST_YEAR,
                    last=LAST_YEAR,
                ),
                year_text,
            )
        year = int(year_text)
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    content = upload.read(limit + 1)
    if not content:
        return _upload_page(_("Tệp rỗng: không có nội dung kế hoạch."), year_text)
    if len(content) > limit:
        return _upload_page(_("Tệp lớn hơn giới hạn %(limit)s.", limit=size_text(limit)), year_text)
    _forget_old_drafts()
    folder = _folder()
    folder.mkdir(parents=True, exist_ok=True)
    draft_id = secrets.token_urlsafe(24)
    # The importer reads a file by its suffix: the upload goes to a file of its own, removed
    # as soon as it is read (the draft keeps the text only).
    uploaded = folder / f".{draft_id}{suffix}"
    try:
        uploaded.write_bytes(content)
        text = read_plan(uploaded)
        with recognising(_unit_registry()):
            rows = require_assignments(text)
        if year is not None:
            rows = in_year(rows, year)
    except engine.InvalidInput as error:
        return _upload_page(_refusal(error), year_text)
    finally:
        uploaded.unlink(missing_ok=True)
    _write(Draft(draft_id, me().username, filename, text, year, _fingerprint(rows), None))
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-(SESSION_DRAFTS - 1) :], draft_id]
    return redirect(url_for("plan_import.review", draft_id=draft_id), 303)


@bp.get("/<draft_id>")
def review(draft_id: str) -> BaseResponse | Page:
    draft = _load(draft_id)
    if draft.result is not None:
        return redirect(url_for("plan_import.result", draft_id=draft_id), 303)
    return _review_page(draft, {}, None)


@bp.post("/<draft_id>")
def start(draft_id: str) -> BaseResponse | Page:
    draft = _load(draft_id)
    rows = _rows(draft)
    if _fingerprint(rows) != draft.fingerprint:
        return _upload_page(
            _(
                "Kế hoạch đã tải lên không còn được đọc như lúc rà soát (chương trình đọc kế "
                "hoạch đã được cập nhật). Chưa khởi tạo nhiệm vụ nào; hãy tải kế hoạch lên lại."
            ),
            "",
            status=409,
        )
    form = request.form
    key = form.get("khoa_tao_moi", "")
    keyed = engine.is_start_key(key)
    username = me().username
    with uow(write=False) as s:
        units = units_of(s)
        bodies = _body_names(s)
    try:
        kept = _corrected(rows, form, {u.key: u for u in units}, bodies, config().today())
    except ValueError as problem:
        return _review_page(draft, form.to_dict(), str(problem), 422, _ticked(form, len(rows)))
    chart = replace(read_org_chart(), units=units)
    started: list[Started] = []
    with uow() as s:
        # A second submit of the same form (a double click, a resend) waits here for the
        # first and starts nothing.
        earlier = engine.claim_start_key(s, username, key, now()) if keyed else None
        if earlier is None:
            started = start_assignments(s, config(), [a for _i, a in kept], chart, username)
            first = next((r.instance_id for r in started if r.instance_id is not None), None)
            if keyed and first is not None:
                engine.record_start(s, username, key, first)
    if earlier is not None:
        flash(_("Các nhiệm vụ đã được khởi tạo từ lần gửi trước, không khởi tạo thêm."), "info")
        return redirect(url_for("plan_import.result", draft_id=draft_id), 303)
    summary = {
        "rows": len(rows),
        "left_out": len(rows) - len(kept),
        "started": [
            {"id": r.instance_id, "section": r.assignment.section, "summary": r.assignment.summary}
            for r in started
            if r.instance_id is not None
        ],
        "existing": sum(1 for r in started if r.instance_id is None),
    }
    _write(replace(draft, result=summary))
    return redirect(url_for("plan_import.result", draft_id=draft_id), 303)


@bp.get("/<draft_id>/result")
def result(draft_id: str) -> BaseResponse | Page:
    draft = _load(draft_id)
    if draft.result is None:
        return redirect(url_for("plan_import.review", draft_id=draft_id), 303)
    return render_template("plan_import/result.html", draft=draft, result=draft.result), 200


# --- the corrections -------------------------------------------------------------------------


def _corrected(
    rows: list[Assignment],
    form: Any,
    units: dict[str, Unit],
    bodies: frozenset[str],
    today: date,
) -> list[tuple[int, Assignment]]:
    """The kept rows with the person's corrections; ValueError (its words for the person) for a
    correction that cannot be taken: a lead is one of the Sở's `units` (by key) or an outside
    body of the registry (`bodies`, by name); a new deadline is a day from `today` (the
    office's) on, as the leadership's Phân công asks."""
    kept: list[tuple[int, Assignment]] = []
    names = {u.name: u for u in units.values()}
    for index, assignment in enumerate(rows):
        if form.get(f"bo_qua_{index}"):
            continue
        row = assignment
        lead = (form.get(f"chu_tri_{index}") or "").strip()
        if lead:
            unit = units.get(lead)
            body = lead.removeprefix(BODY_PREFIX) if lead.startswith(BODY_PREFIX) else None
            if unit is None and body not in bodies:
                raise ValueError(
                    _("Dòng %(n)s: hãy chọn đơn vị chủ trì trong danh sách.", n=index + 1)
                )
            row = replace(row, lead_unit=unit.name if unit is not None else body)
        if form.get(f"phoi_hop_sua_{index}"):
            row = _with_partners(row, form.getlist(f"phoi_hop_{index}"), units, names, index)
        due_text = (form.get(f"han_{index}") or "").strip()
        if due_text:
            try:
                due = date.fromisoformat(due_text)
            except ValueError:
                due = None
            if due is None or not FIRST_YEAR <= due.year <= LAST_YEAR:
                raise ValueError(
                    _("Dòng %(n)s: thời hạn phải là một ngày (ngày/tháng/năm).", n=index + 1)
                )
            new = Deadline(DeadlineKind.DATE, due)
            if deadline_passed(new, today):
                raise ValueError(
                    _(
                        "Dòng %(n)s: thời hạn mới đã qua; hãy nhập một ngày từ hôm nay trở đi.",
                        n=index + 1,
                    )
                )
            # The plan's own words stay with the item as its original deadline.
            row = replace(row, deadline=new, source_deadline=row.source_deadline or row.deadline)
        kept.append((index, row))
    if not kept:
        raise ValueError(_("Tất cả các dòng đều được bỏ qua: không có nhiệm vụ nào để khởi tạo."))
    return kept


def _with_partners(
    row: Assignment, chosen: list[str], units: dict[str, Unit], names: dict[str, Unit], index: int
) -> Assignment:
    """The row with the Sở's units ticked as its cooperating units (each gets a task of its
    own), in place of the Sở's units the plan named; the outside bodies it named stay."""
    if any(key not in units for key in chosen):
        raise ValueError(_("Dòng %(n)s: hãy chọn đơn vị phối hợp trong danh sách.", n=index + 1))
    if set(chosen) == {names[n].key for n in row.cooperating_units if n in names}:
        return row  # as the plan has them
    outside = [name for name in row.cooperating_units if name not in names]
    ticked = [units[key].name for key in dict.fromkeys(chosen)]
    partners = [name for name in ticked if name != row.lead_unit] + outside
    return replace(row, cooperating_units=tuple(partners))


def _body_names(session: Any) -> frozenset[str]:
    return frozenset(body.name for body in outside_bodies_of(session))


# --- rendering -------------------------------------------------------------------------------


def _upload_page(problem: str | None = None, year: str = "", status: int | None = None) -> Page:
    limit = int(current_app.config["MAX_ATTACHMENT_BYTES"])
    page = render_template(
        "plan_import/upload.html",
        problem=problem,
        year=year,
        limit=size_text(limit),
        first_year=FIRST_YEAR,
        last_year=LAST_YEAR,
    )
    return page, status or (422 if problem else 200)


def _ticked(form: Any, count: int) -> dict[int, list[str]]:
    """The cooperating units ticked on each row whose list was sent (a refused form shows them
    again as they were)."""
    return {i: form.getlist(f"phoi_hop_{i}") for i in range(count) if form.get(f"phoi_hop_sua_{i}")}


def _review_page(
    draft: Draft,
    values: dict[str, str],
    problem: str | None,
    status: int = 200,
    ticked: dict[int, list[str]] | None = None,
) -> Page:
    rows = _rows(draft)
    with uow(write=False) as s:
        units = units_of(s)
        bodies = sorted(_body_names(s))
    today = config().today()
    unit_names = {u.name: u.key for u in units}
    shown = [
        {
            "index": i,
            "section": a.section,
            "section_title": a.section_title,
            "summary": _short(a.summary),
            "text": a.text or a.summary,
            "lead": a.lead_unit,
            "partners": a.cooperating_units,
            # The Sở's units among them, ticked in the row's list of the Sở's units.
            "partner_keys": [unit_names[n] for n in a.cooperating_units if n in unit_names],
            "product": a.product,
            "deadline": deadline_text(a.deadline),
            "source_deadline": deadline_text(a.source_deadline) if a.source_deadline else None,
            "passed": deadline_passed(a.deadline, today),
            "needs_decision": a.needs_decision,
        }
        for i, a in enumerate(rows)
    ]
    page = render_template(
        "plan_import/review.html",
        draft=draft,
        rows=shown,
        units=units,
        bodies=bodies,
        body_prefix=BODY_PREFIX,
        values=values,
        ticked=ticked or {},
        problem=problem,
        decisions=sum(1 for a in rows if a.needs_decision),
        passed=sum(1 for r in shown if r["passed"]),
    )
    return page, status


def _short(text: str) -> str:
    return text if len(text) <= SHORT_TEXT else text[: SHORT_TEXT - 1].rstrip() + "…"


def deadline_text(deadline: Deadline) -> str:
    """A deadline as people read it: "30/06/2026", "Năm 2026", "Hằng quý"."""
    value = deadline.value
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, Every):
        words = value.describe()
        return words[:1].upper() + words[1:]
    if deadline.kind is DeadlineKind.YEAR:
        return _("Trong năm %(year)s", year=value)
    if deadline.kind is DeadlineKind.FROM_YEAR:
        return _("Từ năm %(year)s", year=value)
    if deadline.kind is DeadlineKind.RECURRING:
        return _("Thường xuyên")
    return _("Không có thời hạn")


def _refusal(error: engine.InvalidInput) -> str:
    """The importer's refusal in the person's language, chosen by its reason code (its message
    is English and names a server path)."""
    reason = error.details.get("reason")
    if reason in ("unsafe_archive", "not_docx"):
        return _(
            "Tệp .docx không phải văn bản Word đọc được (có thể là tệp khác bị đổi tên hoặc tệp "
            "bị hỏng). Hãy mở bằng Word, lưu lại dạng .docx rồi tải lên lại. Chưa có gì thay đổi."
        )
    if reason == "not_utf8":
        return _(
            "Tệp .txt phải là văn bản mã UTF-8 (khi lưu tệp, chọn mã hóa UTF-8). Chưa có gì "
            "thay đổi."
        )
    if reason == "plan_too_large":
        return _("Kế hoạch quá dài (một kế hoạch chỉ vài trang). Chưa có gì thay đổi.")
    if reason == "no_assignments":
        return _(
            "Không tìm thấy nhiệm vụ nào được giao trong văn bản, nên chưa có gì thay đổi. "
            "Chương trình tìm mục có tiêu đề như «II. NHIỆM VỤ VÀ GIẢI PHÁP», «II. NỘI DUNG» "
            "hoặc «III. TỔ CHỨC THỰC HIỆN», và nhiệm vụ viết dạng «Giao <đơn vị> chủ trì …», "
            "«<đơn vị> chủ trì …», «Đơn vị chủ trì: …», tên đơn vị làm tiêu đề («1. Sở Tài "
            "chính:») hoặc bảng có cột «Đơn vị chủ trì»."
        )
    if reason == "deadline_not_movable":
        return _(
            "Không chuyển được thời hạn của kế hoạch sang năm đã chọn. Hãy bỏ trống ô năm "
            "hoặc chọn năm khác."
        )
    current_app.logger.info("plan refused: %s", error.message)
    return _("Không đọc được kế hoạch; hãy kiểm tra lại tệp. Chưa có gì thay đổi.")
