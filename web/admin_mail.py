"""Quản trị → Thư chưa gửi được: the notification mail whose retries ran out (or that the server
refused for good), with the recipient, the event, the item, the attempts and the last error, and
"Gửi lại" once the address or the server is mended (engine.mail_log; the worker sends). Admins
only, as every page of Quản trị."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

import engine

from .admin import admins_only
from .bell import event_label
from .extensions import gettext as _
from .unit_of_work import now, uow

bp = Blueprint("admin_mail", __name__, url_prefix="/admin/mail")

Page = tuple[str, int]
SHOWN = 100

bp.before_request(admins_only)


@bp.get("/")
def failed() -> Page:
    with uow(write=False) as session:
        rows = engine.failed_mail(session, limit=SHOWN)
    return render_template("admin/mail.html", rows=rows, shown=SHOWN, label=event_label), 200


@bp.post("/retry")
def retry() -> Response:
    """Sends again the failed mail of the ids sent (one row's button, or "Gửi lại tất cả")."""
    ids = [int(i) for i in request.form.getlist("id") if i.isdigit() and len(i) <= 10]
    with uow() as session:
        count = engine.retry_mail(session, ids, now())
    if count:
        flash(_("%(n)s thư sẽ được gửi lại trong lượt chạy nền kế tiếp.", n=count), "success")
    else:
        flash(_("Không có thư nào cần gửi lại (có thể đã được gửi lại rồi)."), "warning")
    return redirect(url_for("admin_mail.failed"), 303)
