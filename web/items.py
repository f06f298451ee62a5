"""Items: starting one (Tạo mới), mine (Hồ sơ của tôi), one item's page with its diagram,
history and attachments, downloading an attachment, cancelling an item."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import replace
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response as BaseResponse

import engine
from workflows.items import start_form, start_item, startable
from workflows.roles import AUDITOR_GROUPS

from .errors import explain
from .extensions import gettext as _
from .form_fields import (
    build_form,
    decision_word,
    errors_in_vietnamese,
    is_return,
    read_submission,
)
from .formatting import flash_about
from .unit_of_work import (
    attachment_store,
    config,
    is_auditor,
    me,
    now,
    require_view,
    uow,
)
from .wording import (
    ACCEPT,
    Names,
    english,
    event_label,
    file_refusal,
    process_title,
    size_text,
)

bp = Blueprint("items", __name__)

PAGE_SIZE = 50
# The engine's accepted types (engine/attachments.py), offered to the browser's file picker.

STATUS_LABELS: dict[str, Any] = {
    engine.InstanceStatus.RUNNING: _l("Đang xử lý"),
    engine.InstanceStatus.COMPLETED: _l("Đã hoàn thành"),
    engine.InstanceStatus.CANCELLED: _l("Đã hủy"),
    engine.InstanceStatus.ERROR: _l("Quy trình gặp lỗi"),
}


def _task_url(task_id: str) -> str:
    # The task page belongs to the inbox blueprint; keep a working link while it is missing.
    try:
        return url_for("inbox.task", task_id=task_id)
    except BuildError:
        return f"/tasks/{task_id}"


def _step_titles(session: Session, item: engine.InstanceView) -> dict[str, str]:
    """Element id -> the title of its human task, as the item's version names it."""
    titles = engine.step_titles(session, item.id)
    titles.update({t.element_id: t.title for t in item.open_tasks})
    return titles


@bp.get("/items/new")
@login_required  # type: ignore[misc]
def new() -> Response:
    # Not "no-store" (every other page's): the browser may then keep this page as it was left
    # and show it again on Back, with the same resend key, so that sending it again after Back
    # gives the item already made instead of a second one. It holds nothing of anyone's items.
    return Response(_new_page(), headers={"Cache-Control": "private, no-cache"})


def _new_page(
    process_id: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    title: str | None = None,
) -> str:
    """The processes this person may start (workflows.items.startable): the department's own,
    then the models deployed besides them, each with its start form's fields when its model has
    one (a Camunda start event's formData or form key); after a refused start, that process's
    title and fields hold what was typed, with the errors."""
    who = me()
    with uow(write=False) as s:  # a page, also after a refused POST: read, not the write lock
        offered = startable(s, who)
    start_forms = {
        o.process_id: build_form(
            o.form,
            values if o.process_id == process_id else None,
            errors if o.process_id == process_id else None,
            scope=f"{o.process_id}-",
        )
        for o in offered
        if o.form is not None
    }
    titles = {o.process_id: o.title_en if english() else o.title_vi for o in offered}
    return render_template(
        "items/new.html",
        refused=process_id,
        refused_title=titles.get(process_id or ""),
        typed_title=title or "",
        built_in=[o for o in offered if o.built_in],
        added=[o for o in offered if not o.built_in],
        start_forms=start_forms,
        english=english(),
    )


@bp.app_template_global()
def start_key() -> str:
    """A new key for each start form shown: submitting the same form twice starts one item."""
    return secrets.token_urlsafe(24)


@bp.post("/items/new/<process_id>")
@login_required  # type: ignore[misc]
def start(process_id: str) -> BaseResponse:
    who = me()
    username = who.username
    title = request.form.get("tieu_de", "").strip() or None
    key = request.form.get("khoa_tao_moi", "")
    keyed = engine.is_start_key(key)
    with uow(write=False) as s:
        form = start_form(s, process_id)
    submission = read_submission(form, request.form) if form is not None else None
    try:
        with uow() as s:
            # A second submit of the same form (a double click, a resend) waits here for the
            # first and gets its item.
            earlier = engine.claim_start_key(s, username, key, now()) if keyed else None
            item = earlier or start_item(
                s,
                config(),
                process_id,
                who,
                title=title,
                data=submission.data if submission is not None else None,
            )
            if keyed and earlier is None:
                engine.record_start(s, username, key, item)
            # The starter's own steps: as the start wrote them (an earlier submit's, read).
            mine = engine.steps_for(s, item, who, username)
            facts = engine.item_facts(s, item) if earlier is None else None
    except engine.InvalidData as invalid:
        if form is None or submission is None:
            raise
        errors = errors_in_vietnamese(form, invalid.fields, invalid.field_codes)
        page = _new_page(process_id, submission.raw, errors, title)
        return Response(page, status=422, mimetype="text/html")
    if earlier is not None:
        flash_about(
            item,
            _("Hồ sơ số %(id)s đã được tạo từ lần gửi trước, không tạo thêm.", id=item),
            "info",
        )
    else:
        named = facts[0] if facts else ""
        flash_about(item, _("Đã tạo hồ sơ số %(id)s: %(title)s", id=item, title=named), "success")
    target = _task_url(mine[0].id) if mine else url_for("items.show", item_id=item)
    return redirect(target, 303)


@bp.get("/items/")
@login_required  # type: ignore[misc]
def mine() -> str:
    after = (request.args.get("after") or "").strip() or None
    with uow() as s:
        found = engine.my_items(s, me(), after=after, limit=PAGE_SIZE)
        names = Names.load(s)
    rows = [
        {
            "view": item,
            "process": process_title(item.process_id),
            "status": STATUS_LABELS.get(item.status, item.status),
            "steps": [(t, names.holder(t, item.created_by)) for t in item.open_tasks],
            "changed": item.changed_at,
        }
        for item in found.rows
    ]
    return render_template(
        "items/mine.html", rows=rows, next_cursor=found.next_cursor, paged=after is not None
    )


def _timeline(
    item: engine.InstanceView, names: Names, titles: dict[str, str], dossier: engine.Dossier
) -> list[dict[str, Any]]:
    repeated = Counter(h.element_id for h in item.history if h.kind == "completed")
    entries = []
    for h in item.history:
        decision = (h.decision or "").strip()
        said = dossier.by_task.get(h.task_id or "") if h.kind == "completed" else None
        entries.append(
            {
                "at": h.at,
                "who": names.person(h.actor),
                "what": event_label(h.kind),
                "kind": h.kind,
                "step": h.outcome if h.kind == "finished" else _step_title(h, titles, dossier),
                # The decision's own title in its form; the usual word for older entries.
                "decision": (said.decision if said else None)
                or (decision_word(decision.lower()) if decision else None),
                "is_return": is_return(decision),
                "comment": None if said and said.hidden_comment else h.comment,
                "to": names.person(h.handed_to) if h.handed_to else None,
                # What the step reported (a progress update, a vote): open when the step was
                # done more than once, so each report can be read in turn.
                "fields": [f for f in said.fields if f.value != h.comment] if said else [],
                "open": repeated[h.element_id] > 1,
            }
        )
    return entries


def _step_title(
    entry: engine.HistoryEntry, titles: dict[str, str], dossier: engine.Dossier
) -> str | None:
    """The step's title: its task's own where the diagram names it with JUEL ("Vote of
    binh", not "Vote of ${voter}"), else as the version names the element."""
    if not entry.element_id:
        return None
    own = dossier.task_titles.get(entry.task_id or "")
    return own or titles.get(entry.element_id, entry.element_id)


def _steps_done(
    item: engine.InstanceView, titles: dict[str, str], dossier: engine.Dossier
) -> list[str]:
    """The steps people completed, in order, once each: the diagram's text alternative."""
    done = [
        _step_title(h, titles, dossier) or ""
        for h in item.history
        if h.kind == "completed" and h.element_id
    ]
    return list(dict.fromkeys(done))


def _where(
    item: engine.InstanceView, progress: engine.Progress
) -> tuple[dict[str, str], list[str]]:
    """Each open task's title with the called process it sits in ("Trình UBND tỉnh › Tiếp
    nhận"), so the list names what the diagram marks; and the list itself, with the waits that
    are no one's task (a timer) too."""
    paths = {w.task_id: w.path for w in progress.waiting}
    where = {
        t.id: " › ".join((*paths[t.id][:-1], t.title)) for t in item.open_tasks if t.id in paths
    }
    steps = [where.get(t.id, t.title) for t in item.open_tasks]
    steps += [" › ".join(w.path) for w in progress.waiting if w.task_id not in where]
    return where, list(dict.fromkeys(steps))


def _section_of(item: engine.InstanceView, who: engine.Identity, acts: bool) -> str | None:
    """The list an item's page belongs to for this person, as the menu marks it: Việc cần xử lý
    when a step of it waits for them, Hồ sơ của tôi when they started it or acted on it (as
    that list holds), Theo dõi for a monitor's look at someone else's item; else none."""
    if acts:
        return "inbox"
    if item.created_by == who.username or any(h.actor == who.username for h in item.history):
        return "mine"
    return "monitor" if is_auditor(who) else None


@bp.get("/items/<int(max=2147483647):item_id>")
@login_required  # type: ignore[misc]
def show(item_id: int) -> str:
    who = me()
    with uow() as s:
        require_view(s, item_id)
        item, dossier = engine.item_with_dossier(s, item_id, reader=who.username)
        names = Names.load(s)
        titles = _step_titles(s, item)
        documents = engine.documents_of(s, item)
        where, current_steps = _where(item, engine.instance_progress(s, config(), item_id))
        access = engine.item_access(s, who, item_id)
        open_tasks = [
            {
                "task": replace(t, title=where.get(t.id, t.title)),
                "holder": names.holder(t, item.created_by),
                "url": _task_url(t.id) if t.id in access.actionable else None,
            }
            for t in item.open_tasks
        ]
        process = process_title(item.process_id)
        may_cancel = engine.may_cancel(s, who, item)
    running = item.status == engine.InstanceStatus.RUNNING
    return render_template(
        "items/show.html",
        item=item,
        process=process,
        status=STATUS_LABELS.get(item.status, item.status),
        outcome=next((h.outcome for h in reversed(item.history) if h.outcome), None),
        started_by=names.person(item.created_by),
        open_tasks=open_tasks,
        timeline=_timeline(item, names, titles, dossier),
        dossier=dossier,
        names=names,
        steps_done=_steps_done(item, titles, dossier),
        current_steps=current_steps,
        documents=documents,
        may_attach=running and access.may_contribute,
        may_cancel=may_cancel,
        may_retry=item.status == engine.InstanceStatus.ERROR and is_auditor(who),
        nav_section=_section_of(item, who, bool(access.actionable)),
        accept=ACCEPT,
        size_text=size_text,
        max_bytes=current_app.config["MAX_ATTACHMENT_BYTES"],
    )


@bp.get("/items/<int(max=2147483647):item_id>/diagram.xml")
@login_required  # type: ignore[misc]
def diagram(item_id: int) -> Response:
    with uow() as s:
        require_view(s, item_id)
        item = engine.show_instance(s, item_id)
        xml = engine.diagram_xml(s, item.process_id, item.version)
    response = Response(xml, mimetype="text/xml")
    # Fetched by diagram.js; opened directly, it is a download, never a page of this origin.
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{item.process_id}_v{item.version}.bpmn"'
    )
    return response


@bp.get("/items/<int(max=2147483647):item_id>/progress.json")
@login_required  # type: ignore[misc]
def progress(item_id: int) -> Response:
    with uow() as s:
        require_view(s, item_id)
        done = engine.instance_progress(s, config(), item_id)
    return jsonify(completed=done.completed, current=done.current)


@bp.post("/items/<int(max=2147483647):item_id>/attachments")
@login_required  # type: ignore[misc]
def attach(item_id: int) -> BaseResponse:
    username = me().username
    max_bytes = current_app.config["MAX_ATTACHMENT_BYTES"]
    with uow() as s:
        require_view(s, item_id)
        if not engine.may_contribute(s, me(), item_id):
            raise engine.Forbidden(f"{username} has no part in item {item_id} to add files to")
    files = [f for f in request.files.getlist("tep") if f and f.filename]
    if not files:
        flash(_("Hãy chọn ít nhất một tệp để đính kèm."), "error")
    # One transaction per file: a refused file stores nothing and does not undo the others.
    for upload in files:
        name = upload.filename or ""
        try:
            with engine.removed_on_failure() as written, uow() as s:
                view = engine.add_attachment(
                    s,
                    now,
                    attachment_store(),
                    item_id,
                    username,
                    name,
                    upload.read(),
                    max_bytes=max_bytes,
                )
                written.append(engine.attachment_file(s, attachment_store(), view.id)[1])
        except engine.Conflict:
            flash(_("Hồ sơ đã kết thúc: không đính kèm thêm được."), "error")
            break
        except engine.InvalidInput as error:
            flash(
                _(
                    "Không nhận tệp %(name)s: %(why)s",
                    name=name,
                    why=file_refusal(error, max_bytes),
                ),
                "error",
            )
        else:
            flash(_("Đã đính kèm tệp %(name)s.", name=name), "success")
    return redirect(url_for("items.show", item_id=item_id) + "#tep-dinh-kem", 303)


# A file opened in the browser is a document of our origin: whatever its bytes, it may run no
# script, load nothing and be framed by no one. Inline styles only for the browser's own viewer.
FILE_CSP = (
    "sandbox; default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)


@bp.get("/attachments/<attachment_id>")
@login_required  # type: ignore[misc]
def download(attachment_id: str) -> BaseResponse:
    """PDF and images open in the browser; other files download."""
    with uow() as s:
        view, path = engine.attachment_file(s, attachment_store(), attachment_id)
        require_view(s, view.instance_id)
    if not path.is_file():
        abort(404)
    response = send_file(
        path,
        mimetype=view.content_type,
        as_attachment=not view.viewable,
        download_name=view.filename,
        max_age=0,
    )
    response.content_type = view.content_type  # as stored: send_file adds a second charset
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = FILE_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.post("/items/<int(max=2147483647):item_id>/retry")
@login_required  # type: ignore[misc]
def retry(item_id: int) -> BaseResponse:
    """Thử lại: run an item in error again from the step that failed (managers only)."""
    with uow() as s:
        require_view(s, item_id)
        status = engine.retry_instance(
            s, config(), item_id, me().username, allowed_groups=AUDITOR_GROUPS
        )
    if status == engine.InstanceStatus.ERROR:
        flash(_("Đã thử lại hồ sơ số %(id)s nhưng bước đó vẫn lỗi.", id=item_id), "error")
    else:
        flash(_("Đã thử lại hồ sơ số %(id)s: quy trình chạy tiếp.", id=item_id), "success")
    if request.form.get("back") == "monitor":
        return redirect(url_for("monitor.index"), 303)
    return redirect(url_for("items.show", item_id=item_id), 303)


@bp.post("/items/<int(max=2147483647):item_id>/cancel")
@login_required  # type: ignore[misc]
def cancel(item_id: int) -> BaseResponse:
    reason = request.form.get("ly_do", "").strip()
    try:
        with uow() as s:
            require_view(s, item_id)
            if reason:
                engine.cancel_instance(s, config(), item_id, me().username, reason)
    except engine.Forbidden as refused:
        if refused.details.get("reason") != "cancel_issued":
            raise
        flash(explain(refused), "error")
        return redirect(url_for("items.show", item_id=item_id), 303)
    if reason:
        flash_about(item_id, _("Đã hủy hồ sơ số %(id)s.", id=item_id), "success")
    else:
        flash(_("Hủy hồ sơ phải nêu lý do."), "error")
    return redirect(url_for("items.show", item_id=item_id), 303)
