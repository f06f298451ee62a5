"""Thông báo: the bell in the header (how many of my notifications are unread) and the page that
lists them, each leading to its task or item; opening one marks it read, and so does "Đánh dấu
đã đọc" for all of them (engine.notifications; the worker mails the same rows).

The header's count is read lazily, once per page and only for a person logged in, in the
request's read transaction: one statement more per page, none on the API or a redirect."""

from __future__ import annotations

import re

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

import engine

from .extensions import gettext as _
from .unit_of_work import me, now, uow
from .wording import Names

bp = Blueprint("bell", __name__, url_prefix="/notifications")

Page = tuple[str, int]
SHOWN = 50
_UNREAD = "pheduyet_unread_notifications"
# Where opening a notification may lead: a task's or an item's page (never another site).
_PLACE = re.compile(r"/tasks/[0-9A-Za-z-]{1,64}|/items/[0-9]{1,10}")

# Each event in the words of the app (the mail's subjects say the same).
EVENT_LABELS = {
    "new_task": _l("Công việc mới"),
    "returned": _l("Hồ sơ bị trả lại"),
    "reminder": _l("Sắp đến hạn"),
    "overdue": _l("Quá hạn"),
    "escalated": _l("Báo cáo quá hạn"),
    "finished": _l("Hồ sơ đã hoàn thành"),
    "urged": _l("Lãnh đạo Sở đôn đốc"),
    "test": _l("Thư thử nghiệm"),
}


def event_label(event: str) -> str:
    return str(EVENT_LABELS.get(event, event))


def actor_line(event: str, who: str) -> str:
    """Who caused the notification, in the words its event calls for."""
    if event == engine.NotifyEvent.NEW_TASK:
        return str(_("Người chuyển: %(who)s", who=who))
    if event == engine.NotifyEvent.RETURNED:
        return str(_("Người trả lại: %(who)s", who=who))
    if event == engine.NotifyEvent.FINISHED:
        return str(_("Người xử lý bước cuối: %(who)s", who=who))
    if event == engine.NotifyEvent.URGED:
        return str(_("Người đôn đốc: %(who)s", who=who))
    return str(_("Người thực hiện: %(who)s", who=who))


def reason_label(event: str) -> str:
    """What a notification's note is, by its event: a return's reason, an urging's text, the
    units late with a task (an escalation's), else the comment that came with it (a forwarded
    task's)."""
    if event == engine.NotifyEvent.ESCALATED:
        return str(_("Đơn vị chậm xử lý:"))
    if event == engine.NotifyEvent.URGED:
        return str(_("Nội dung đôn đốc:"))
    if event == engine.NotifyEvent.RETURNED:
        return str(_("Lý do trả lại:"))
    if event == engine.NotifyEvent.FINISHED:
        return str(_("Kết quả:"))
    return str(_("Ý kiến kèm theo:"))


def target(row: engine.NotificationView) -> str | None:
    """The page a notification leads to: its task's, or its item's for a finished item (as the
    mail's link)."""
    if row.task_id and row.event != engine.NotifyEvent.FINISHED:
        return url_for("inbox.task", task_id=row.task_id)
    if row.instance_id is not None:
        return url_for("items.show", item_id=row.instance_id)
    return None


def note_unread(count: int) -> None:
    """The person's unread count, read with who they are (web.auth.load_user)."""
    setattr(g, _UNREAD, count)


@bp.app_template_global("unread_notifications")
def unread_notifications() -> int:
    """The header's badge: the person's unread notifications, read once per request (with
    who they are, unless the request logged them in)."""
    if not current_user.is_authenticated:
        return 0
    found: int | None = g.get(_UNREAD)
    if found is None:
        with uow(write=False) as s:
            found = engine.unread_count(s, me().username)
        setattr(g, _UNREAD, found)
    return found


@bp.get("/")
@login_required  # type: ignore[misc]
def index() -> Page:
    unread_only = request.args.get("chua_doc") == "1"
    with uow(write=False) as s:
        found = engine.notifications_for(s, me().username, limit=SHOWN, unread_only=unread_only)
        # The full names of the page's people (engine.names_of); one no longer there keeps
        # their login name.
        names = Names.of(s, (r.actor for r in found.rows))
    note_unread(found.unread)
    rows = [(row, target(row)) for row in found.rows]
    return render_template(
        "account/notifications.html",
        rows=rows,
        unread=found.unread,
        unread_only=unread_only,
        shown=SHOWN,
        label=event_label,
        actor_line=actor_line,
        reason_label=reason_label,
        names=names,
    ), 200


@bp.post("/read")
@login_required  # type: ignore[misc]
def read_all() -> Response:
    with uow() as s:
        count = engine.mark_read(s, me().username, now())
    if count:
        flash(_("Đã đánh dấu %(n)s thông báo là đã đọc.", n=count), "success")
    return redirect(url_for("bell.index"), 303)


@bp.post("/<int(max=2147483647):notification_id>/open")
@login_required  # type: ignore[misc]
def open_one(notification_id: int) -> Response:
    """Marks the person's notification read (another's id changes nothing) and goes to the page
    the list gave it: a task's or an item's, nowhere else."""
    with uow() as s:
        engine.mark_read(s, me().username, now(), [notification_id])
    place = request.form.get("next", "")
    return redirect(place if _PLACE.fullmatch(place) else url_for("bell.index"), 303)
