"""Việc cần xử lý: my tasks and my groups' tasks, and acting on one: its page, completing it
with its form and files, claiming, releasing and forwarding it."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import login_required
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.routing import BuildError
from werkzeug.wrappers import Response

import engine
from workflows.decisions import came_back
from workflows.items import complete_item
from workflows.urgency import URGENCY_FIELD
from workflows.urging import Urging, latest_urging

from .errors import explain
from .extensions import gettext as _
from .form_fields import (
    COMMENT_FIELDS,
    Field,
    FormSpec,
    Submission,
    build_form,
    decision_word,
    errors_in_vietnamese,
    is_return,
    read_submission,
)
from .formatting import datetime_vn, flash_about, local
from .seen_documents import documents_seen
from .step_words import SENTENCE_END, button, done_text, fill
from .unit_of_work import attachment_store, config, may_view, me, now, uow
from .wording import (
    Names,
    event_label,
    file_refusal,
    holder_text,
    process_title,
    size_text,
    urgency_badge,
)

bp = Blueprint("inbox", __name__)

SOON = timedelta(days=2)
FILES_FIELD = "tep_dinh_kem"


# --- what the pages show ---------------------------------------------------------------------


def due_state(due: datetime | None, moment: datetime) -> str | None:
    if due is None:
        return None
    if due < moment:
        return "overdue"
    return "soon" if due - moment <= SOON else None


def item_url(instance_id: int) -> str | None:
    """The item's page, when the items area offers one."""
    for rule in current_app.url_map.iter_rules("items.show"):
        try:
            return url_for("items.show", **dict.fromkeys(rule.arguments, instance_id))
        except BuildError:
            return None
    return None


@dataclass(frozen=True)
class InboxRow:
    task: engine.InboxRow
    item_title: str
    process: str
    holder: str
    due: str | None
    group_task: bool
    releasable: bool
    returned: bool
    urgency: str | None  # "Hỏa tốc": the item's document is urgent


def _inbox_row(row: engine.InboxRow, moment: datetime) -> InboxRow:
    return InboxRow(
        task=row,
        item_title=row.item_title,
        process=process_title(row.process_id),
        holder=holder_text(
            row.assignee_name or row.assignee,
            row.group_names,
            row.people_names,
            row.lane,
            row.started_by_name,
        ),
        due=due_state(row.due_at, moment),
        group_task=row.group_task,
        releasable=row.releasable,
        # Came back: the item's latest completed step was a return, before this task opened
        # (not a parallel branch's task that was already waiting).
        returned=came_back(row.last_decision, row.last_completed_at, row.created_at),
        urgency=urgency_badge(row.mark),
    )


@bp.get("/")
@login_required  # type: ignore[misc]
def index() -> str:
    moment = now()
    after = request.args.get("after")
    with uow() as s:
        page = engine.inbox(s, me(), moment, after=after, marks=(URGENCY_FIELD,))
    return render_template(
        "inbox/index.html",
        rows=[_inbox_row(r, moment) for r in page.rows],
        total=page.total,
        overdue=page.overdue,
        more=page.more,
        next_url=url_for("inbox.index", after=page.next_cursor) if page.next_cursor else None,
        paged=bool(after),
    )


@dataclass(frozen=True)
class ReturnNote:
    who: str
    at: datetime
    decision: str
    reasons: list[tuple[str, str]]


@dataclass
class TaskPage:
    task: engine.TaskView
    item: engine.InstanceView
    form: engine.FormView
    can_act: bool
    revision: int
    names: Names
    returned: ReturnNote | None
    attachments: list[engine.DocumentView]
    releasable: bool
    dossier: engine.Dossier | None = None
    urged: Urging | None = None  # the leaders' latest urging of the lead unit on this step
    colleagues: list[tuple[str, str]] = field(default_factory=list)
    # The item's other open steps: who holds each and how late it is (a leader urging a unit
    # decides on the unit's step, not on the urging's own).
    others: list[engine.TaskView] = field(default_factory=list)
    # Where the person may only look: their own open steps on the same item (a leader sent
    # here by a report of a unit's late step has the urging to do, say).
    own_steps: list[engine.TaskView] = field(default_factory=list)

    @property
    def is_open(self) -> bool:
        return self.task.status == engine.TaskStatus.OPEN

    @property
    def mine(self) -> bool:
        return self.task.assignee == me().username

    def context(self, spec: FormSpec, **extra: Any) -> dict[str, Any]:
        # What steps said is in the dossier; here only what was said beside the steps.
        comments = [h for h in self.item.history if h.comment and h.kind != "completed"]
        return {
            "page": self,
            "task": self.task,
            "item": self.item,
            "spec": spec,
            "process": process_title(self.item.process_id),
            "holder": self.names.holder(self.task),
            # A step done has no "due soon" or "overdue" left (a notice's link still opens it).
            "due": due_state(self.task.due_at, now()) if self.is_open else None,
            "comments": comments,
            "event_label": event_label,
            "size_text": size_text,
            "is_return": is_return,
            "decision_label": _decision_label(spec),
            "item_link": item_url(self.item.id),
            "releasable": self.releasable,
            "handled": _handled_message(self) if not self.is_open else None,
            "urgency": urgency_badge(self.item.data.get(URGENCY_FIELD)),
            "submit_label": button(self.form, self.item.data) or _("Hoàn thành"),
            "other_steps": [self._other_step(t) for t in self.others],
            "document_asked": engine.required_document(self.form.schema),
            "documents_seen": documents_seen(self.attachments, self.task.id),
            **extra,
        }

    def _other_step(self, task: engine.TaskView) -> OtherStep:
        holder = self.names.holder(task, self.item.created_by)
        moment = now()
        due, today = local(task.due_at), local(moment)
        if due is None or today is None or due_state(task.due_at, moment) != "overdue":
            return OtherStep(task, holder, False, 0)
        return OtherStep(task, holder, True, (today.date() - due.date()).days)


@dataclass(frozen=True)
class OtherStep:
    """Another open step of the item, as the task page lists it: who holds it and, when its
    deadline has passed, by how many days (calendar days, in the office's time zone)."""

    task: engine.TaskView
    holder: str
    late: bool
    days_late: int


def _decision_label(spec: FormSpec) -> Any:
    # The choices' titles are the form's whatever its values: the page's own spec has them.
    titles = {c.value: c.title for f in spec.all_fields for c in f.choices}

    def label(value: str | None) -> str:
        return titles.get(value or "") or decision_word(value or "")

    return label


def _returned(
    session: Session, item: engine.InstanceView, task: engine.TaskView, names: Names
) -> ReturnNote | None:
    """The reason the item came back, when its last completed step was a return that opened
    this task (not a task of a parallel branch that was already waiting): its comment, or the
    reason fields that return's own form sent (never a private one, nor an older value the
    item still holds)."""
    done = [h for h in item.history if h.kind == "completed"]
    if not done or not came_back(done[-1].decision, done[-1].at, task.created_at):
        return None
    last = done[-1]
    step = engine.last_steps(session, [item.id]).get(item.id)
    sent = step.data if step is not None else {}
    labels = {"y_kien": _("Ý kiến xử lý"), "y_kien_chi_dao": _("Ý kiến chỉ đạo")}
    values = {k: str(sent[k]) for k in COMMENT_FIELDS if sent.get(k)}
    reasons: list[tuple[str, str]] = []
    if last.comment:
        reasons.append(("", last.comment))
    # Through this page the comment is the reason field itself; otherwise show the fields.
    if not last.comment or last.comment not in values.values():
        reasons.extend((labels[k], v) for k, v in values.items() if v != last.comment)
    return ReturnNote(names.person(last.actor), last.at, last.decision or "", reasons)


def _access(
    session: Session, task_id: str, *, lock: bool = False, ahead: bool = False
) -> engine.TaskAccess:
    """The task and this person's rights on it, or NotFound when they may neither act on it
    nor see its item: the same answer for both, so task ids cannot be probed. `lock`: in the
    write of the action on it; `ahead`: in the read that rehearses it (engine.task_access)."""
    access = engine.task_access(session, me(), task_id, lock=lock, ahead=ahead)
    if not access.can_act and not may_view(session, access.task.instance_id):
        raise engine.NotFound(f"task {task_id} does not exist")
    return access


def _asked(
    session: Session, task_id: str, *, lock: bool = False, ahead: bool = False
) -> tuple[engine.TaskAccess, engine.FormView, Submission]:
    """What a POST asks of the task: the person's rights on it (`_access`, NotFound otherwise:
    nothing else is raised here), its form, and what they sent in it."""
    access = _access(session, task_id, lock=lock, ahead=ahead)
    form = engine.task_form(session, access.task.id)
    return access, form, read_submission(form, request.form)


def _load(session: Session, task_id: str) -> TaskPage:
    """Everything the task page shows, in a fixed number of statements: the names of the
    people it mentions from the directory the process keeps (engine.names_of)."""
    username = me().username
    access = _access(session, task_id)
    task = access.task
    # The item and its dossier from one read of its history.
    item, dossier = engine.item_with_dossier(session, task.instance_id, reader=username)
    attachments = engine.documents_of(session, item)
    others = [t for t in item.open_tasks if t.id != task.id]
    people = {
        item.created_by,
        task.assignee,
        *task.candidate_users,
        *(h.actor for h in item.history),
        *(v.uploaded_by for d in attachments for v in d.versions),
        *(u for t in others for u in (t.assignee, *t.candidate_users)),
    }
    groups = {*task.candidate_groups, *(g for t in others for g in t.candidate_groups)}
    names = Names.of(session, people, groups)
    page = TaskPage(
        task=task,
        item=item,
        form=engine.task_form(session, task.id),
        can_act=access.can_act,
        revision=engine.instance_revision(session, item.id),
        names=names,
        returned=_returned(session, item, task, names),
        attachments=attachments,
        releasable=access.releasable,
        dossier=dossier,
        urged=latest_urging(dossier, task, item.data)
        if task.status == engine.TaskStatus.OPEN
        else None,
        others=others,
    )
    if access.can_act:
        page.colleagues = _colleagues(session)
    elif item.open_tasks:
        actionable = engine.item_access(session, me(), item.id).actionable
        page.own_steps = [t for t in item.open_tasks if t.id in actionable]
    return page


def _colleagues(session: Session) -> list[tuple[str, str]]:
    """Whom the task may be forwarded to, once `task_access` found it open and this person
    its holder: the engine's rule, the one the forward obeys."""
    return [
        (c.username, f"{c.display_name} — {c.unit_name}" if c.unit_name else c.display_name)
        for c in engine.colleagues(session, config().hierarchy, me())
    ]


def _typed_value(field: Field) -> str:
    """What a person entered in a field, as the conflict page gives it back to copy: the
    words typed, or the titles of the options chosen (a radio's, the boxes ticked)."""
    if field.widget in ("text", "textarea", "number", "date"):
        return str(field.value or "").strip()
    if field.widget in ("radio", "checkboxes"):
        return ", ".join(c.title for c in field.choices if c.checked)
    return ""


def _handled_message(page: TaskPage) -> str:
    task = page.task
    if task.status == engine.TaskStatus.COMPLETED:
        done = [
            h
            for h in page.item.history
            if h.kind == "completed" and h.element_id == task.element_id and h.at >= task.created_at
        ]
        if done and done[-1].actor == me().username:
            return _("Bạn đã xử lý việc này lúc %(at)s.", at=datetime_vn(done[-1].at))
        if done:
            return _(
                "Việc này đã được %(who)s xử lý lúc %(at)s.",
                who=page.names.person(done[-1].actor),
                at=datetime_vn(done[-1].at),
            )
    if task.status == engine.TaskStatus.CANCELLED and page.item.status == "completed":
        # A side step the item's end closed (a late cooperating unit's, a chaser).
        return _("Việc này đã đóng vì hồ sơ đã kết thúc; không cần xử lý nữa.")
    return _("Việc này không còn chờ xử lý: hồ sơ đã chuyển sang bước khác.")


def _render(page: TaskPage, spec: FormSpec, status: int = 200, **extra: Any) -> Any:
    return render_template("inbox/task.html", **page.context(spec, **extra)), status


# --- the task page and completing it ---------------------------------------------------------


@bp.get("/tasks/<task_id>")
@login_required  # type: ignore[misc]
def task(task_id: str) -> Any:
    with uow() as s:
        page = _load(s, task_id)
    return _render(page, build_form(page.form))


def _why(refused: FileRefused) -> str:
    return file_refusal(refused.error, current_app.config["MAX_ATTACHMENT_BYTES"])


class FileRefused(Exception):
    def __init__(self, filename: str, error: engine.InvalidInput) -> None:
        super().__init__(error.message)
        self.filename = filename
        self.error = error


@bp.post("/tasks/<task_id>")
@login_required  # type: ignore[misc]
def complete(task_id: str) -> Any:
    files = [f for f in request.files.getlist("_files") if f and f.filename]
    revision = _sent_revision(request.form.get("_revision"))
    access: engine.TaskAccess | None = None
    form: engine.FormView | None = None
    submission: Submission | None = None
    rehearsal: engine.Rehearsal | None = None
    with uow(write=False) as s:
        if engine.rehearses(s):  # SQLite: all it can outside the one write lock
            access, form, submission = _asked(s, task_id, ahead=not files)
            if not files:  # a file moves the item on before the step: the write runs it
                rehearsal = engine.rehearse_completion(
                    s,
                    config(),
                    access.task.id,
                    me(),
                    data=submission.data,
                    expected_version=revision,
                )

    def write(revision: int | None, rehearsal: engine.Rehearsal | None) -> Any:
        nonlocal access, form, submission
        with engine.removed_on_failure() as stored, uow() as s:
            if access is None:  # PostgreSQL: checked under the item's lock, read once
                access, form, submission = _asked(s, task_id, lock=True)
            task = access.task
            expected = _attach(s, task, files, revision, stored) if files else revision
            complete_item(
                s,
                config(),
                task.id,
                me(),
                data=submission.data,
                comment=submission.comment,
                expected_version=expected,
                rehearsal=rehearsal,
            )
            # The done-message may name what the step produced ("văn bản số 05/TTr-SKHCN"):
            # the item the action left, held by this session (no statement).
            worded = form.done_message or form.sent_back_message
            after = engine.item_data(s, task.instance_id) if worded else {}
            # Where it went: the steps it opened with their holders' names, in this
            # transaction (the names as the process keeps them) rather than in a third.
            back = fill(form.sent_back_message, after)
            again = engine.reopened(s, task, me(), access.started_by) if back else None
            return task, after, _where_now(s, task.instance_id, access.started_by), again

    moved_on = False
    try:
        try:
            task, after, where, again = write(revision, rehearsal)
        except engine.Conflict as changed:
            if not _changed_elsewhere(task_id, changed):
                raise
            for upload in files:  # read once by the first try
                upload.stream.seek(0)
            task, after, where, again = write(None, None)
            moved_on = True
    except (FileRefused, engine.InvalidInput, engine.Conflict) as refused:
        if form is None or submission is None:  # refused before the form was read: as raised
            raise
        return _refused(task_id, form, submission, refused)
    said = _success(task, form, submission, after)
    if moved_on:
        said += " " + _(
            "Trong lúc bạn xử lý, hồ sơ có cập nhật ở bước khác; tài liệu bạn đã xem không thay "
            "đổi nên việc của bạn vẫn được ghi nhận."
        )
    if again is not None:  # sent straight back, saying why: the page to put it right is next
        flash_about(task.instance_id, fill(form.sent_back_message, after), "warning")
        return redirect(url_for("inbox.task", task_id=again.id))
    flash_about(task.instance_id, f"{said} {where}" if where else said, "success")
    return redirect(url_for("inbox.index"))


def _changed_elsewhere(task_id: str, conflict: engine.Conflict) -> bool:
    """Whether a submission refused because the item changed since its page was opened may
    go through all the same: the step still waits for this person and the item's documents
    are those the page showed. A parallel step done meanwhile (one of five bodies giving its
    opinion on one draft) changes the item, not what this person decides on; a draft sent
    again, a step taken by a colleague or done already still refuse it."""
    if conflict.details.get("reason") != "item_changed":
        return False
    seen = request.form.get("_documents")
    if not seen:
        return False
    with uow(write=False) as s:
        page = _load(s, task_id)
    return page.is_open and page.can_act and documents_seen(page.attachments, page.task.id) == seen


def _refused(
    task_id: str,
    form: engine.FormView,
    submission: Submission,
    refused: FileRefused | engine.InvalidInput | engine.Conflict,
) -> Any:
    """The task page again, saying why the action was refused, with what the person sent."""
    if isinstance(refused, FileRefused):
        message = _("«%(name)s»: %(why)s", name=refused.filename, why=_why(refused))
        return _again(task_id, submission, {FILES_FIELD: message}, 422)
    if isinstance(refused, engine.InvalidData) and engine.ATTACHMENTS_FIELD in refused.fields:
        # The form's own words for the document the step needs, next to the file input.
        return _again(
            task_id, submission, {FILES_FIELD: refused.fields[engine.ATTACHMENTS_FIELD]}, 422
        )
    if isinstance(refused, engine.InvalidData):
        errors = errors_in_vietnamese(form, refused.fields, refused.field_codes)
        return _again(task_id, submission, errors, 422)
    if isinstance(refused, engine.Conflict):
        return _conflict(task_id, submission, refused)
    return _again(task_id, submission, {"_form": explain(refused)}, 422)  # the rest of the input


def _attach(
    session: Session,
    task: engine.TaskView,
    files: Iterable[FileStorage],
    revision: int | None,
    stored: list[Path],
) -> int | None:
    """Store the files in the completion's own transaction, noting where each went in
    `stored`; returns the revision to complete at (each file moves the item's revision on)."""
    item_id = task.instance_id
    # The first file locks the item and checks the page's revision under that lock.
    expected = revision
    for upload in files:
        try:
            view = engine.add_attachment(
                session,
                now,
                attachment_store(),
                item_id,
                me().username,
                upload.filename or "",
                upload.read(),
                task_id=task.id,
                max_bytes=current_app.config["MAX_ATTACHMENT_BYTES"],
                expected_version=expected,
            )
            expected = None
        except engine.InvalidInput as error:
            raise FileRefused(upload.filename or "", error) from error
        stored.append(engine.attachment_file(session, attachment_store(), view.id)[1])
    session.flush()
    return engine.instance_revision(session, item_id) if revision is not None else None


def _again(
    task_id: str, submission: Submission, errors: dict[str, str], status: int, **extra: Any
) -> Any:
    """The task page again with what the person typed and the errors next to the fields;
    what they typed is not saved, so leaving the page asks first (the form is `unsaved`)."""
    errors = dict(errors)
    files_error = errors.pop(FILES_FIELD, None)
    # A browser never fills a file input again: say which chosen files were not kept.
    chosen = [f.filename for f in request.files.getlist("_files") if f and f.filename]
    if chosen:
        again = _(
            "Tệp đã chọn chưa được lưu: %(names)s. Hãy chọn lại trước khi gửi.",
            names=", ".join(chosen),
        )
        files_error = f"{files_error} {again}" if files_error else again
    with uow(write=False) as s:  # a page again: read, not the write lock
        page = _load(s, task_id)
    return _render(
        page,
        build_form(page.form, submission.raw, errors),
        status,
        typed_comment=submission.raw.get("_comment", ""),
        files_error=files_error,
        unsaved=True,
        **extra,
    )


def _conflict(task_id: str, submission: Submission, conflict: engine.Conflict) -> Any:
    with uow(write=False) as s:
        page = _load(s, task_id)
    if page.is_open and page.can_act:
        # The item moved on (a colleague's file, a parallel step) but this task still waits.
        return _again(
            task_id,
            submission,
            {},
            409,
            notice=_(
                "Hồ sơ vừa được cập nhật trong lúc bạn xử lý. Thông tin bạn nhập vẫn còn dưới "
                "đây; hãy xem lại rồi gửi lại."
            ),
        )
    holder = page.task.assignee
    heading = None
    if page.is_open and holder and holder != me().username:  # a colleague took it meanwhile
        heading = _("Việc này đã có người nhận xử lý")
        message = _("Việc này đã được %(who)s nhận xử lý.", who=page.names.person(holder))
    else:
        message = _handled_message(page) if not page.is_open else explain(conflict)
    typed = [
        (f.label, value)
        for f in build_form(page.form, submission.raw).fields
        if (value := _typed_value(f))
    ]
    if submission.comment and not any(v == submission.comment for _l, v in typed):
        typed.append((_("Ý kiến xử lý"), submission.comment))
    chosen = [f.filename for f in request.files.getlist("_files") if f and f.filename]
    if chosen:  # not kept either: named, as the other refusals name them
        typed.append((_("Tệp đã chọn, chưa được lưu"), ", ".join(chosen)))
    return render_template(
        "inbox/conflict.html",
        page=page,
        heading=heading,
        message=message,
        typed=typed,
        item_link=item_url(page.item.id),
    ), 409


def _success(
    task: engine.TaskView, form: engine.FormView, submission: Submission, data: dict[str, Any]
) -> str:
    """What happened, in the step's own words: "Đã gửi ý kiến", never "Đã duyệt" after a vote."""
    step, number = task.title, task.instance_id
    title = submission.decision_title  # the form read the decision's title with the answer
    if submission.decision and title and is_return(submission.decision):
        returned = _("Đã trả lại hồ sơ số %(id)s (%(step)s).", id=number, step=step)
        if _repeats(returned, title):  # "Trả lại" says nothing more
            return returned
        return _(
            "Đã trả lại hồ sơ số %(id)s (%(step)s): %(choice)s.", id=number, step=step, choice=title
        )
    said = fill(form.done_message, data) or None  # the step's own words, filled
    if said and SENTENCE_END.search(said):  # sentences of their own: the item after them
        return _("%(said)s Hồ sơ số %(id)s (%(step)s).", said=said, id=number, step=step)
    # One sentence, which the flash goes on: its full stop goes.
    done = said.rstrip(".!?") if said else done_text(form, data)
    if done and title and _repeats(done, title):  # "Đã ký duyệt tờ trình", not «Ký duyệt» again
        title = None
    if submission.decision and title:
        if done:
            return _(
                "%(done)s: «%(choice)s» — hồ sơ số %(id)s.", done=done, choice=title, id=number
            )
        return _(
            "Đã ghi nhận «%(choice)s» — hồ sơ số %(id)s (%(step)s).",
            choice=title,
            id=number,
            step=step,
        )
    if done:
        return _("%(done)s — hồ sơ số %(id)s (%(step)s).", done=done, id=number, step=step)
    return _("Đã hoàn thành bước «%(step)s» của hồ sơ số %(id)s.", step=step, id=number)


def _repeats(done: str, choice: str) -> bool:
    """Whether the words of what was done already say the choice, as whole words (a short
    choice such as "Có" inside a longer word says nothing)."""
    words = re.escape(choice.strip())
    return re.search(rf"(?<!\w){words}(?!\w)", done, re.IGNORECASE) is not None


def _where_now(session: Session, item_id: int, started_by: str) -> str | None:
    """Where the item went (engine.steps_now: the steps the completion opened, else those it
    still waits at), each with who holds it: a person, or the unit or group it waits for. The
    names come from the directory the process keeps (no statement once kept). None when nothing
    is open (it waits for a timer, or it finished)."""
    steps = engine.steps_now(session, item_id)
    if not steps:
        return None
    names = Names.of(
        session,
        [started_by, *(u for t in steps for u in (t.assignee, *t.candidate_users))],
        [g for t in steps for g in t.candidate_groups],
    )
    places = [_place(t, names, started_by) for t in steps]
    if len(places) == 1:
        return _("Hồ sơ đang ở bước %(place)s.", place=places[0])
    return _("Hồ sơ đang ở các bước: %(places)s.", places="; ".join(places))


def _place(step: engine.TaskView, names: Names, started_by: str) -> str:
    if step.assignee:
        return _("«%(step)s», do %(who)s xử lý", step=step.title, who=names.person(step.assignee))
    groups, people = engine.waiting_for(
        [names.groups.get(g.lower(), g) for g in step.candidate_groups],
        [names.person(u) for u in step.candidate_users],
        step.lane,
        names.person(started_by),
    )
    who = ", ".join([*groups, *people])
    return _("«%(step)s», chờ %(who)s nhận xử lý", step=step.title, who=who)


def _sent_revision(value: str | None) -> int | None:
    """The form's revision; none sent is none to check (400 for one that is not a number: a
    page of ours never sends that, and the check of someone acting first must not be skipped)."""
    if not value:
        return None
    if not value.isascii() or not value.isdigit():
        abort(400)
    return int(value)


# --- claim, release, forward -----------------------------------------------------------------


def _back_to(task_id: str) -> Response:
    if request.form.get("back") == "inbox":
        return redirect(url_for("inbox.index"))
    return redirect(url_for("inbox.task", task_id=task_id))


@bp.post("/tasks/<task_id>/claim")
@login_required  # type: ignore[misc]
def claim(task_id: str) -> Response:
    try:
        with uow() as s:
            _access(s, task_id)
            engine.claim_task(s, config(), task_id, me())
    except engine.Conflict as conflict:
        holder = None
        if conflict.details.get("reason") == "already_claimed":  # a colleague holds it
            with uow() as s:
                held_by = conflict.details.get("handled_by")
                holder = Names.of(s, [held_by]).person(held_by)
        flash(
            _("Việc này đã được %(who)s nhận xử lý.", who=holder) if holder else explain(conflict),
            "error",
        )
        return redirect(url_for("inbox.index"))
    flash(_("Bạn đã nhận xử lý việc này."), "success")
    return _back_to(task_id)


@bp.post("/tasks/<task_id>/release")
@login_required  # type: ignore[misc]
def release(task_id: str) -> Response:
    try:
        with uow() as s:
            _access(s, task_id)
            engine.unclaim_task(s, config(), task_id, me())
    except engine.Conflict as conflict:
        if conflict.details.get("reason") != "assigned_by_process":
            flash(explain(conflict), "error")
            return redirect(url_for("inbox.index"))
        flash(
            _(
                "Việc này do quy trình giao trực tiếp cho bạn nên không thôi nhận xử lý được; "
                "bạn có thể chuyển xử lý cho đồng nghiệp."
            ),
            "error",
        )
        return redirect(url_for("inbox.task", task_id=task_id))
    except engine.Forbidden:
        flash(_("Bạn không phải người đang xử lý việc này."), "error")
        return redirect(url_for("inbox.index"))
    flash(_("Đã thôi nhận xử lý; việc trở lại danh sách chung của đơn vị."), "success")
    return redirect(url_for("inbox.index"))


@bp.post("/tasks/<task_id>/forward")
@login_required  # type: ignore[misc]
def forward(task_id: str) -> Any:
    target = (request.form.get("to") or "").strip()
    comment = request.form.get("_comment") or ""
    try:
        with uow() as s:
            task = _access(s, task_id).task
            engine.assign_task(s, config(), task.id, me(), target, comment=comment)
            to_name = Names.of(s, [target]).person(target)
    except engine.Forbidden as refused:
        # Someone outside the list (a forged or stale choice): the engine refused, nothing moved.
        if refused.details.get("reason") != "not_a_colleague":
            raise
        # The page again with the panel open, the words typed kept and the refusal beside the
        # list (a redirect closed the panel, emptied the words and said it at the top).
        with uow(write=False) as s:
            page = _load(s, task_id)
        forwarding = {"error": explain(refused), "to": target, "comment": comment}
        return _render(page, build_form(page.form), 422, forwarding=forwarding)
    except engine.Conflict as conflict:
        flash(explain(conflict), "error")
        return redirect(url_for("inbox.task", task_id=task_id))
    except engine.InvalidInput as invalid:
        flash(explain(invalid), "error")
        return redirect(url_for("inbox.task", task_id=task_id))
    flash(_("Đã chuyển xử lý cho %(who)s.", who=to_name), "success")
    return redirect(url_for("inbox.index"))
